/* The newest recorded state of each table, in memory: a read that finds
 * its tables here costs no statement but the one that checks the token and
 * reads the point and the watermark (load.h).
 *
 * Recorded states never change, so a cached state is exact for as long as
 * it is the table's newest. An entry is the state in force at the
 * watermark W it was read at; it stays in force until the table's next
 * state begins. The cache learns of next states by advancing to the newest
 * watermark: one query lists the states recorded between the watermark it
 * knows and the new one, and closes the entries of their tables at the
 * point the new state begins (state_cache_advance). So an entry answers a
 * read at point p when p is at or after its state's start, before the
 * point it was closed at (if any), and no later than the watermark the
 * cache has advanced to (or the one it was read at). Reads beyond the
 * watermark (the recorder has not caught up) never use the cache.
 *
 * Entries are compact (area ids and cells as varints, versions of 32
 * bits: about 150 bytes for a table of ten districts) and bounded by a
 * byte budget, malloc's overhead counted. Eviction is by the clock: an
 * entry read again since the hand last passed it is spared once. */
#ifndef SAMLAD_STATE_CACHE_H
#define SAMLAD_STATE_CACHE_H

#include <stddef.h>
#include "compiler.h"
#include "db.h"
#include "states.h"

struct state_cache;

/* What the cache holds, for tests and the log. */
struct state_cache_stats {
	size_t entries;   /* tables held */
	size_t bytes;     /* counted bytes, buckets included */
	size_t budget;    /* the bound on bytes */
	size_t hits;      /* reads answered */
	size_t misses;    /* reads not answered */
	size_t closed;    /* entries closed by an advance */
	size_t evicted;   /* entries evicted */
};

/* A cache of at most `budget` bytes; NULL when memory ran out. */
struct state_cache *state_cache_new(size_t budget) WUR;
void state_cache_free(struct state_cache *c);

/* Brings the cache's knowledge to watermark w (a no-op when it is there):
 * the tables that got a state after the watermark it knew are closed. One
 * query; concurrent callers wait for the first. */
enum agg_status state_cache_advance(struct state_cache *c, struct db *db, struct point w) WUR;

/* A malloc'd copy of table (indicator, municipality, year) at point p, or
 * NULL on a miss. */
struct ptable *state_cache_get(struct state_cache *c, int indicator_id, int municipality_id,
                               int year, struct point p) WUR;

/* Stores table t of (indicator, municipality), the state in force at the
 * watermark w it was read at; `catalogue` is the catalogue version of a
 * table with no state (its rows are that version's). A put that cannot be
 * stored stores nothing: that only costs a query later. */
void state_cache_put(struct state_cache *c, int indicator_id, int municipality_id,
                     const struct ptable *t, struct point w);

void state_cache_stats(struct state_cache *c, struct state_cache_stats *out);

#endif
