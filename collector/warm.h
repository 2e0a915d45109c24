/* The current-value cache loaded when the collector starts, in a thread of
 * its own: without it the first ingest after a start loads the cache in
 * its request and its answer waits for the whole history (seconds for a
 * country). Ingests that arrive during the load classify through the
 * database, as whenever another thread owns the load (current.h). */
#ifndef SAMLAD_WARM_H
#define SAMLAD_WARM_H

#include "current.h"
#include "db.h"

struct warm;

/* Starts the thread: it takes one connection of `pool` and, when the
 * database answers and current_load_begin says so, loads `cache`
 * (store_load_cache). A database that does not answer ends it at once, and
 * the first ingest loads the cache later. NULL when no thread could be
 * made (logged; the first ingest then loads it too). pool and cache are
 * borrowed and must outlive warm_stop. */
struct warm *warm_start(struct db_pool *pool, struct current *cache);

/* Asks the thread to stop, which abandons an unfinished load before its
 * next page, waits for it and frees w. Called before the pool and the
 * cache are freed. NULL does nothing. */
void warm_stop(struct warm *w);

#endif
