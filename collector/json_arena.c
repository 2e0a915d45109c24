/* A bump arena behind cJSON's allocation hooks, for one parse at a time
 * (see json_arena.h for the process-wide part). */
#include "json_arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

/* Bytes in the first block and, doubling, the most in one block (unless
 * one allocation needs more): a small body, the common case, takes no
 * megabyte, and a large one reaches megabyte blocks after four. */
#define FIRST_BLOCK_SIZE ((size_t)1 << 16)
#define BLOCK_SIZE ((size_t)1 << 20)
/* Every allocation is rounded up to this, which keeps them all aligned. */
#define ALIGN ((size_t)16)

/* One malloc'd piece of the arena. */
struct block {
	struct block *next;     /* the block filled before this one */
	size_t size;            /* bytes in data */
	size_t used;            /* bytes handed out */
	max_align_t data[];     /* the memory handed out */
};

struct json_arena {
	struct block *blocks;   /* owned; the newest first */
};

/* The arena of the parse this thread is inside, or NULL: what the hooks
 * allocate from (json_arena.h). Set and cleared only by json_arena_parse. */
static _Thread_local struct json_arena *active;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *arena_malloc(size_t n)
{
	struct json_arena *a = active;

	if (!a)
		return malloc(n);
	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	struct block *b = a->blocks;
	if (!b || b->size - b->used < n) {
		size_t size = b ? (b->size < BLOCK_SIZE ? 2 * b->size : BLOCK_SIZE) : FIRST_BLOCK_SIZE;
		if (size < n)
			size = n;
		b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		*b = (struct block){ a->blocks, size, 0 };
		a->blocks = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static bool arena_owns(const struct json_arena *a, const void *p)
{
	for (const struct block *b = a->blocks; b; b = b->next) {
		const char *start = (const char *)b->data;
		if ((const char *)p >= start && (const char *)p < start + b->size)
			return true;
	}
	return false;
}

/* What the arena handed out is freed with it (cJSON frees a partial tree
 * when a parse fails); anything else goes back to free. */
static void arena_free(void *p)
{
	struct json_arena *a = active;

	if (a && arena_owns(a, p))
		return;
	free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks hooks = { arena_malloc, arena_free };

	cJSON_InitHooks(&hooks);
}

void json_arena_init(void)
{
	pthread_once(&hooks_once, install_hooks);
}

int json_arena_parse(const char *text, size_t len, const char **end, cJSON **root,
                     struct json_arena **arena)
{
	json_arena_init();
	*root = NULL;
	*arena = calloc(1, sizeof **arena);
	if (!*arena)
		return -1;
	active = *arena;
	*root = cJSON_ParseWithLengthOpts(text, len, end, 0);
	active = NULL;
	return 0;
}

void json_arena_free(struct json_arena *a)
{
	if (!a)
		return;
	while (a->blocks) {
		struct block *next = a->blocks->next;
		free(a->blocks);
		a->blocks = next;
	}
	free(a);
}
