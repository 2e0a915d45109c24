/* An open-addressing hash index: it maps keys to the ids (0, 1, 2, …) of
 * entries that the caller keeps in arrays of its own, so one map serves
 * any kind of key and entry. The map keeps each id with its key's hash:
 * growing needs no callback, and a probe compares the hashes before it
 * asks the caller whether an entry has the key. Linear probing in a
 * power-of-two table at most half full. */
#ifndef SAMLAD_HASHMAP_H
#define SAMLAD_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"

/* What hashmap_find returns for a key that is not there. */
#define HASHMAP_NONE SIZE_MAX
/* The start of a hash built with hashmap_mix (FNV-1a's offset basis). */
#define HASHMAP_SEED 14695981039346656037ull

/* One slot of the table. */
struct hashmap_slot {
	uint64_t hash;  /* the key's hash */
	size_t id1;     /* the entry's id + 1; 0 when the slot is empty */
};

struct hashmap {
	struct hashmap_slot *slots;  /* owned; nslots of them */
	size_t nslots;               /* a power of two, at least twice n; 0 before the first add */
	size_t n;                    /* ids in the map */
};

#define HASHMAP_INIT { NULL, 0, 0 }

/* Whether entry `id` has the key `key` (both the caller's). */
typedef bool hashmap_eq_fn(size_t id, const void *key);

/* Adds one word to a hash (FNV-1a by words: one multiply per word). */
static inline uint64_t hashmap_mix(uint64_t h, uint64_t word)
{
	return (h ^ word) * 1099511628211ull;
}

/* The id of the entry with the key whose hash is `hash`, or HASHMAP_NONE. */
size_t hashmap_find(const struct hashmap *m, uint64_t hash, hashmap_eq_fn *eq,
                    const void *key);
/* Adds id under hash; the caller knows the key is not there yet. Returns 0,
 * or -1 when memory ran out (the map is unchanged). */
int hashmap_add(struct hashmap *m, uint64_t hash, size_t id) WUR;
void hashmap_free(struct hashmap *m);

#endif
