/* A bump arena behind cJSON's allocation hooks, for one parse at a time
 * (see json_arena.h for the process-wide part). */
#include "json_arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

/* Bytes in a block (unless one allocation needs more). */
#define BLOCK_SIZE ((size_t)1 << 20)
/* Blocks kept for the next parses once an arena is freed: 16 MiB, the
 * nodes of three batches of 10,000 rows. Memory handed back to malloc is
 * returned to the kernel and faulted in (zeroed) again by the next body,
 * which cost the collector as much CPU as reading the JSON itself. */
#define POOL_MAX 16
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

/* Blocks of BLOCK_SIZE kept between parses, shared by every thread. */
static struct {
	pthread_mutex_t lock;   /* guards the two below */
	struct block *free;     /* owned; a list through next */
	size_t n;               /* blocks in free, at most POOL_MAX */
} pool = { PTHREAD_MUTEX_INITIALIZER, NULL, 0 };

/* A block of at least n bytes: a kept one when n fits BLOCK_SIZE and one
 * is kept, else a new one. NULL when memory ran out. */
static struct block *block_take(size_t n)
{
	struct block *b = NULL;
	size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;

	if (size == BLOCK_SIZE) {
		pthread_mutex_lock(&pool.lock);
		if ((b = pool.free) != NULL) {
			pool.free = b->next;
			pool.n--;
		}
		pthread_mutex_unlock(&pool.lock);
	}
	if (!b && !(b = malloc(sizeof *b + size)))
		return NULL;
	b->size = size;
	return b;
}

/* Keeps a block for the next parses, or frees it when the pool is full or
 * it is larger than a block. */
static void block_give(struct block *b)
{
	bool kept = false;

	if (b->size == BLOCK_SIZE) {
		pthread_mutex_lock(&pool.lock);
		if ((kept = pool.n < POOL_MAX)) {
			b->next = pool.free;
			pool.free = b;
			pool.n++;
		}
		pthread_mutex_unlock(&pool.lock);
	}
	if (!kept)
		free(b);
}

size_t json_arena_pooled(void)
{
	pthread_mutex_lock(&pool.lock);
	size_t n = pool.n;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

static void *arena_malloc(size_t n)
{
	struct json_arena *a = active;

	if (!a)
		return malloc(n);
	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	struct block *b = a->blocks;
	if (!b || b->size - b->used < n) {
		if (!(b = block_take(n)))
			return NULL;
		b->next = a->blocks;
		b->used = 0;
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
		block_give(a->blocks);
		a->blocks = next;
	}
	free(a);
}
