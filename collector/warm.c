/* The current-value cache loaded at start-up, in a thread of its own
 * (warm.h). */
#include "warm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "log.h"
#include "store.h"

/* The loading thread and what it needs. */
struct warm {
	pthread_t thread;        /* the thread, joined by warm_stop */
	struct db_pool *pool;    /* borrowed; freed only after warm_stop */
	struct current *cache;   /* borrowed; freed only after warm_stop */
	atomic_bool stop;        /* set by warm_stop: abandon the load before its next page */
};

/* The thread's whole work: one connection, and a load when the cache asks
 * for one. The database is asked first, so that one that does not answer
 * ends the thread without a load: a failed load would count as the
 * cache's first, and later ones would wait for a streak of this
 * collector's own submissions instead of coming with the first ingest. */
static void *warm_run(void *arg)
{
	struct warm *w = arg;
	struct db *db = db_pool_get(w->pool);

	if (db_connect(db) != DB_OK) {
		log_info("current-value cache: not loaded at start, the database does not "
		         "answer; the first ingest loads it");
		goto done;
	}
	if (current_load_begin(w->cache))
		store_load_cache(db, w->cache, &w->stop);
done:
	db_pool_put(w->pool, db);
	return NULL;
}

struct warm *warm_start(struct db_pool *pool, struct current *cache)
{
	struct warm *w = malloc(sizeof *w);

	if (!w)
		goto fail;
	w->pool = pool;
	w->cache = cache;
	atomic_init(&w->stop, false);
	/* The thread inherits the blocked signals of service_main, so that
	 * SIGTERM still goes to the thread that waits for it. */
	if (pthread_create(&w->thread, NULL, warm_run, w) != 0)
		goto fail;
	return w;
fail:
	free(w);
	log_warn("current-value cache: no thread to load it at start (out of resources); "
	         "the first ingest loads it");
	return NULL;
}

void warm_stop(struct warm *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	free(w);
}
