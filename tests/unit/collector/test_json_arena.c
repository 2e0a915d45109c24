/* The JSON arena: trees equal to plain cJSON's, and the pool of blocks kept
 * between parses, bounded, also when threads parse at once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "json_arena.h"
#include "tap.h"

/* A body of n rows as agencies post them, into out (reset first). */
static void body(struct buf *out, int n)
{
	buf_reset(out);
	buf_puts(out, "{\"counts\":[");
	for (int i = 0; i < n; i++)
		buf_printf(out, "%s{\"indicator\":\"bup.nya_barn\",\"area\":\"0182-d%03d\","
		           "\"period\":\"2024Q%d\",\"value\":%d}", i ? "," : "", i % 1000,
		           i % 4 + 1, i);
	buf_puts(out, "]}");
}

/* Whether the arena's tree prints as plain cJSON's tree of the same text. */
static bool same_as_plain(const struct buf *text)
{
	struct json_arena *a = NULL;
	const char *end = NULL;
	cJSON *root = NULL, *plain = cJSON_ParseWithLength(text->data, text->len);
	bool same = false;

	if (json_arena_parse(text->data, text->len, &end, &root, &a) == 0 && root && plain) {
		char *x = cJSON_PrintUnformatted(root), *y = cJSON_PrintUnformatted(plain);
		same = x && y && strcmp(x, y) == 0;
		free(x);
		free(y);
	}
	json_arena_free(a);
	cJSON_Delete(plain);
	return same;
}

static void test_pool(void)
{
	struct buf text = BUF_INIT;

	is_int(json_arena_pooled(), 0, "no block is kept before the first parse");
	body(&text, 10);
	ok(same_as_plain(&text), "a small body: the same tree as cJSON's own");
	is_int(json_arena_pooled(), 1, "its one block is kept");
	body(&text, 10000);
	ok(same_as_plain(&text), "10,000 rows: the same tree");
	size_t after_batch = json_arena_pooled();
	ok(after_batch > 1 && after_batch < 16, "a batch of 10,000 takes several blocks, all kept "
	   "(%zu)", after_batch);
	ok(same_as_plain(&text), "the same body again, from the kept blocks");
	is_int(json_arena_pooled(), after_batch, "and the same blocks come back");
	body(&text, 80000);
	ok(same_as_plain(&text), "80,000 rows: the same tree");
	is_int(json_arena_pooled(), 16, "at most 16 blocks are kept");
	buf_free(&text);
}

/* One allocation larger than a block: a block of its own, freed, not kept. */
static void test_large_value(void)
{
	struct buf text = BUF_INIT;
	size_t before = json_arena_pooled();

	buf_puts(&text, "\"");
	for (int i = 0; i < (3 << 20) / 64; i++)
		buf_puts(&text, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	buf_puts(&text, "\"");
	ok(same_as_plain(&text), "a 3 MiB string: the same value");
	is_int(json_arena_pooled(), before, "its block is freed, the pool unchanged");
	buf_free(&text);
}

/* Threads parsing at once share the pool. */
static void *parse_many(void *arg)
{
	struct buf text = BUF_INIT;
	long bad = 0;

	body(&text, 3000 + (int)(long)arg * 1000);
	for (int i = 0; i < 20; i++)
		bad += !same_as_plain(&text);
	buf_free(&text);
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t th[4];
	long bad = 0;

	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, parse_many, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "4 threads x 20 parses at once: every tree the same as cJSON's");
	ok(json_arena_pooled() <= 16, "the pool stays within 16 blocks");
}

int main(void)
{
	json_arena_init();
	test_pool();
	test_large_value();
	test_threads();
	return tap_done();
}
