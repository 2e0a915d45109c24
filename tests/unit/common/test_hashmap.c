/* hashmap: ids found by their keys through growth from empty to thousands,
 * keys that collide in every bit of the hash, and a map that stays empty. */
#include <stdio.h>
#include <string.h>
#include "hashmap.h"
#include "tap.h"

#define N 5000

/* The caller's entries: the map keeps only their ids. */
static char names[N][16];

static bool same_name(size_t id, const void *key)
{
	return strcmp(names[id], key) == 0;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = HASHMAP_SEED;
	for (; *s; s++)
		h = hashmap_mix(h, (unsigned char)*s);
	return h;
}

static void test_grow(void)
{
	struct hashmap m = HASHMAP_INIT;
	bool added = true, found = true;

	is_int(hashmap_find(&m, name_hash("x"), same_name, "x") == HASHMAP_NONE, 1,
	       "an empty map finds nothing");
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "key-%zu", i);
		added &= hashmap_add(&m, name_hash(names[i]), i) == 0;
	}
	ok(added, "%d ids added", N);
	is_int(m.n, N, "and counted");
	ok(m.nslots >= 2 * m.n && (m.nslots & (m.nslots - 1)) == 0,
	   "the table is a power of two, at most half full");
	for (size_t i = 0; i < N; i++)
		found &= hashmap_find(&m, name_hash(names[i]), same_name, names[i]) == i;
	ok(found, "every key finds its id");
	ok(hashmap_find(&m, name_hash("key-5000"), same_name, "key-5000") == HASHMAP_NONE,
	   "a key not added is not found");
	hashmap_free(&m);
	is_int(m.nslots, 0, "freed");
}

static void test_collisions(void)
{
	struct hashmap m = HASHMAP_INIT;
	bool found = true;

	/* Every key under one hash: only the caller's comparison tells them apart. */
	for (size_t i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "same-%zu", i);
		if (hashmap_add(&m, 42, i) != 0)
			found = false;
	}
	for (size_t i = 0; i < 100; i++)
		found &= hashmap_find(&m, 42, same_name, names[i]) == i;
	ok(found, "100 keys of one hash are each found");
	ok(hashmap_find(&m, 42, same_name, "other") == HASHMAP_NONE, "and another is not");
	ok(hashmap_find(&m, 43, same_name, names[0]) == HASHMAP_NONE,
	   "a key under another hash is not");
	hashmap_free(&m);
}

int main(void)
{
	test_grow();
	test_collisions();
	return tap_done();
}
