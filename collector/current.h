/* The current-value cache: every key (indicator, area, period) with its
 * current value, as of one data version, so that an ingest can classify its
 * rows as created, updated or unchanged without asking the database.
 *
 * The data version is the highest submission id. Ingests are serialised by
 * an advisory lock and submission ids increase in commit order, so the
 * version read under that lock names exactly the state the database is in.
 * The cache is used only when its version equals it; a batch is applied to
 * the cache only after its COMMIT succeeded, and only when the cache was at
 * the version the batch's transaction saw. Anything else (another collector
 * wrote, a COMMIT whose outcome is unknown) makes the cache invalid, and it
 * is loaded again from the database when that looks worth it.
 *
 * Pure: no database. store.c reads the version, loads rows and decides;
 * this module keeps the map and the state, guarded by its own mutex, so
 * that any number of request threads may share one cache. */
#ifndef SAMLAD_CURRENT_H
#define SAMLAD_CURRENT_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "validate.h"

/* How a batch row relates to the value already stored. */
enum row_class {
	CLASS_CREATED = 0, /* no value yet */
	CLASS_UPDATED,     /* a different value, or the same with another flag */
	CLASS_UNCHANGED,   /* the same value with the same flag */
};

struct current;

/* A cache whose table takes at most `budget` bytes: a key takes a 16-byte
 * slot of a table of a power of two slots, at most three quarters full and
 * doubled when it would be more, so a budget of B bytes holds the largest
 * power of two P <= B / 16 slots and 3P/4 keys (1 MiB: 65,536 slots, 49,152
 * keys). While the table doubles the old one is live too: the peak is 1.5
 * times the final table. The batches kept during a load (current_commit)
 * share the budget with the load's table, at sizeof(struct valid_row) a
 * row. NULL when the budget holds fewer than two slots (0 included), as a
 * table of one holds no key, or when memory ran out. The caller owns it
 * and frees it with current_free once no thread uses it. */
struct current *current_new(size_t budget);
void current_free(struct current *c);

/* ---- the ingest's side ------------------------------------------------ */

/* Called under the ingest lock with the version the transaction sees.
 * When the cache is valid at exactly `version`, classifies every row into
 * cls[], marks the batch in flight and returns true: the caller must then
 * end it with current_commit or current_abort. Otherwise returns false and
 * the caller classifies through the database; a valid cache at another
 * version is stale and becomes invalid.
 * If another thread of this process has a batch in flight (committed but
 * not yet applied), waits for it first: its version is the one this
 * transaction sees. */
bool current_classify(struct current *c, long long version,
                      const struct valid_row *rows, size_t n, unsigned char *cls) WUR;

/* After a successful COMMIT of submission `id`, whose transaction saw
 * `version`: when the cache is still at `version`, sets every row's value
 * and moves the cache to `id`. Otherwise the cache stays invalid (or stale,
 * which the next version check finds). Ends the batch in flight, if any.
 * A batch that would grow the table past the budget turns the cache off.
 * While a load runs the batch is also kept (a copy of its rows), for
 * current_load_end, when it fits in what the load's table and the batches
 * kept before it leave of the budget; one that does not is dropped, and
 * the loaded map then stops at the batch before it (and goes stale). */
void current_commit(struct current *c, long long version, long long id,
                    const struct valid_row *rows, size_t n);

/* While the COMMIT of submission `id` is on its way: applies the batch as
 * current_commit would, but leaves it in flight, so that no other thread
 * classifies until the COMMIT's outcome is known. The caller then ends it
 * with current_commit (which finds it applied) or current_abort (which
 * drops the map, the rows applied here included). Applying takes a
 * moment for a big batch; the COMMIT's flush to disk takes as long, and
 * the next ingest waits for both. */
void current_apply(struct current *c, long long version, long long id,
                   const struct valid_row *rows, size_t n);
/* After any failure of a transaction that called current_classify, also
 * when the COMMIT's outcome is unknown: the cache becomes invalid, so that
 * nothing it holds is trusted until it is loaded again. Ends the batch in
 * flight, if any. */
void current_abort(struct current *c);

/* ---- the chain: batches classified ahead of the ingest lock ------------ */

/* A batch of the chain: what it was classified against. */
struct current_ticket {
	long long pred;   /* the version the map stood for: the submission the
	                   * batch must directly follow when it commits */
	unsigned gen;     /* the map's generation then */
	bool applied;     /* its rows went into the map */
};

/* Without the ingest lock, so that batches of this process write at once
 * (store.c, "ahead of the lock"): classifies the rows against the map,
 * which holds the batches of the chain before this one too, and fills t.
 * The chain stays taken, so that the next batch is classified after this
 * one's rows are in the map: the caller inserts its submission and then
 * calls current_chain_apply with its id, or current_chain_cancel. False,
 * the chain not taken, when the map cannot be used: invalid, being
 * loaded, or `committed` (the highest submission the transaction sees
 * committed) is past the map's version, so that another writer has made
 * the map stale. Correctness rests on the database: the batch commits only if
 * the highest committed submission is then t->pred. */
bool current_chain_classify(struct current *c, long long committed,
                            const struct valid_row *rows, size_t n, unsigned char *cls,
                            struct current_ticket *t) WUR;
/* Puts the batch's rows into the map as submission `id` (when the map is
 * still the one and at the version t was classified at) and lets go of
 * the chain. */
void current_chain_apply(struct current *c, struct current_ticket *t, long long id,
                         const struct valid_row *rows, size_t n);
/* Lets go of the chain without applying anything. */
void current_chain_cancel(struct current *c);
/* Waits until the batch before this one in the chain (t->pred) committed,
 * or the map was dropped (then the database's check decides). */
void current_chain_wait(struct current *c, const struct current_ticket *t);
/* After the batch's COMMIT, or after it gave up: a batch that was applied
 * and did not commit drops the map, so that nothing uncommitted is used. */
void current_chain_end(struct current *c, const struct current_ticket *t, long long id,
                       bool committed);

/* ---- loading ---------------------------------------------------------- */

/* True when the caller should load the cache now, before its ingest: it
 * is invalid, it is not being loaded by another thread, it is not off,
 * and either it was never loaded or this process wrote the last
 * `streak` submissions in a row (it is likely the only writer), where
 * the streak needed doubles each time a load was made stale before any
 * batch used it (except the first load, made unasked at start-up). When
 * true, the caller owns the load and must end it with current_load_end
 * (the caller is the start-up thread, warm.h, or an ingest). */
bool current_load_begin(struct current *c) WUR;

/* A map being filled by one loader, outside the cache's mutex. */
struct current_load;

/* Starts an empty map for a load. NULL when memory ran out. */
struct current_load *current_load_new(struct current *c);
/* Sets one key's value and flag (a later call for the same key replaces it, so
 * the rows of a key are given in submission order).
 * Returns 0, -1 when memory ran out, 1 when a new key would grow the table
 * past the cache's budget. */
int current_load_set(struct current_load *l, int indicator_id, int area_id,
                     int period, int value, int flag) WUR;
/* Ends the load: with l != NULL and ok, the map becomes the cache at
 * `version`, and the batches this process committed while it ran are
 * applied to it in id order, as far as each saw the version the map is at
 * (the snapshot may or may not have held them; another collector's write
 * in between stops the chain). Otherwise the map is dropped and, when
 * `too_big`, the cache is turned off for good. Frees l. */
void current_load_end(struct current *c, struct current_load *l, bool ok,
                      bool too_big, long long version);

/* ---- reading the state (tests and logs) ------------------------------- */

struct current_stats {
	bool valid;            /* the map is the database at `version` */
	bool off;              /* turned off for good (more keys than the budget holds) */
	long long version;     /* the submission id the map stands for */
	size_t keys;           /* keys in the map */
	unsigned long long hits;   /* batches classified from the map */
	unsigned long long misses; /* batches classified by the database */
	unsigned long long loads;  /* loads that became the map */
};

void current_stats(struct current *c, struct current_stats *out);

/* The value of one key in the map; false when absent. For tests. */
bool current_get(struct current *c, int indicator_id, int area_id, int period, int *value);

#endif
