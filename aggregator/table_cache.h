/* The cache of protected year tables: a hash table with LRU eviction
 * under a memory budget (--cache-mb), shared by every request.
 *
 * A table is a pure function of its key (see protected.h), so a hit is
 * exact. Three kinds of entry share the budget:
 *   - a table: what a request publishes (statuses, and values as 32-bit
 *     integers: 5 bytes a cell where struct linked_cell takes 16);
 *   - a mask: only which cells an earlier state of a table suppressed,
 *     a bit a cell. Building a later state reads nothing else of it
 *     (protected.c keep_suppressed), and earlier states are most of the
 *     entries;
 *   - a link: "the table as of data version V is the table of state S",
 *     so that the newest state is stored once while requests look it up by
 *     the data version they read.
 * Every entry is one allocation; what it costs is counted as the rounded
 * allocation size, plus the bucket array. When an insertion takes the
 * total over the budget, the least recently used entries go first. */
#ifndef SAMLAD_TABLE_CACHE_H
#define SAMLAD_TABLE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "protected.h"

/* What a cached entry is a function of. */
struct table_key {
	int indicator_id;     /* indicator.id */
	int municipality_id;  /* area.id of the municipality */
	int year;             /* the calendar year */
	long long k;          /* the threshold (from the catalogue and the deployment) */
	long long version;    /* the data version, or a state's submission id */
	long long catalogue;  /* the catalogue version: it fixes the rows */
};

/* Which cells of a table state were suppressed (primary or secondary). */
struct cell_mask {
	size_t nrows;           /* rows of the table; nrows * PROTECT_NCOLS cells */
	unsigned char bits[];   /* bit i % 8 of byte i / 8 is cell i */
};

/* What the cache holds, for tests and the log. */
struct table_cache_stats {
	size_t entries;   /* entries of every kind */
	size_t tables;    /* of which tables */
	size_t masks;     /* of which masks */
	size_t links;     /* of which links */
	size_t bytes;     /* counted bytes, bucket array included */
	size_t budget;    /* the bound on bytes */
	size_t evicted;   /* entries evicted since the start */
};

/* A cache of at most `budget` bytes (at least a small minimum). NULL when
 * memory ran out. Free with table_cache_free. */
struct protected_cache *table_cache_new(size_t budget) WUR;
void table_cache_free(struct protected_cache *c);

/* A malloc'd copy of the table stored under key (following a link), or
 * NULL when there is none. A mask is not a table: NULL. */
struct ptable *table_cache_get(struct protected_cache *c, const struct table_key *key) WUR;
/* The suppression mask of the state stored under key, from a mask or a
 * table entry; malloc'd, or NULL when there is none. */
struct cell_mask *table_cache_get_mask(struct protected_cache *c,
                                       const struct table_key *key) WUR;

/* Each put replaces any entry of the same key. A put that cannot be
 * stored (no memory, larger than the budget, a value that needs more
 * than 32 bits) stores nothing: that only costs a rebuild later. */
void table_cache_put(struct protected_cache *c, const struct table_key *key,
                     const struct ptable *t);
void table_cache_put_mask(struct protected_cache *c, const struct table_key *key,
                          const struct ptable *t);
/* Stores "key's table is the table under key with version `target`". */
void table_cache_put_link(struct protected_cache *c, const struct table_key *key,
                          long long target);

void table_cache_stats(struct protected_cache *c, struct table_cache_stats *out);

/* The mask of a table's suppressed cells; malloc'd, or NULL. */
struct cell_mask *cell_mask_of(const struct ptable *t) WUR;
/* True when the mask marks cell i suppressed. */
bool cell_mask_has(const struct cell_mask *m, size_t i);

#endif
