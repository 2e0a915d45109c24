/* The aggregator's shared state and its endpoint handlers. main.c owns the
 * state and the route table; each handler lives in a file named for its
 * endpoint; auth_request.c is the gate every read passes.
 *
 * A read request goes: aggregator_authorize (who may read), query_read
 * (which parameters came), aggregator_snapshot (which data version, the
 * current catalogue, held under its read lock), the work on the protected
 * tables, and aggregator_release. */
#ifndef SAMLAD_AGGREGATOR_H
#define SAMLAD_AGGREGATOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "auth.h"
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "db.h"
#include "http.h"
#include "load.h"
#include "protected.h"
#include "recorder.h"
#include "session.h"
#include "timeline.h"

struct aggregator {
	struct db_pool *pool;            /* owned; connections as the aggregator role */
	pthread_rwlock_t cat_lock;       /* guards cat: readers use it, a reload swaps it */
	struct catalogue *cat;           /* owned; the catalogue as last loaded, or NULL */
	struct timeline timeline;        /* the catalogue's history, for the table states */
	struct recorder *recorder;       /* owned; records states as data arrive, or NULL */
	struct state_cache *cache;       /* owned; the newest table states in memory */
	struct session_keeper *sessions; /* owned; the cookie key and the signed-out list */
	double alpha;                    /* significance level of a trend's direction (--alpha) */
	bool public_read;                /* --public: reads need no token */
	unsigned retry_after_s;          /* Retry-After sent with 503 */
	int grace_days;                  /* days after a quarter's end a report is on time (--grace-days) */
};

/* Answers 503 database_unavailable with Retry-After. */
void aggregator_reply_unavailable(struct aggregator *a, struct http_request *req);

/* Who the request speaks for: "Authorization: Bearer", else the session
 * cookie. On a failure *why (may be NULL) says why, for a 401 message. */
enum auth_result aggregator_identify(struct aggregator *a, struct http_request *req,
                                     struct db *db, struct principal *who,
                                     const char **why) WUR;
/* True for the roles that may read: analyst and admin. */
bool aggregator_role_reads(enum auth_role role);

/* The gate of the API: with --public everyone passes; otherwise the
 * request needs an analyst's or an admin's token or session. On failure it
 * has answered (401, 403 or 503, as JSON) and returns -1. */
int aggregator_authorize(struct aggregator *a, struct http_request *req,
                         struct db *db) WUR;

/* The gate of the browser pages (the index, the review): as
 * aggregator_authorize, but a reader without a valid token or session is
 * sent to /login (303) rather than answered 401. */
int aggregator_authorize_page(struct aggregator *a, struct http_request *req,
                              struct db *db) WUR;

/* Reads the point to answer for (now, or as of the canonical RFC 3339
 * `as_of` when not NULL) and the watermark, reloads the catalogue when an
 * import changed it, and takes the catalogue's read lock. On failure it has
 * answered (400 for an as_of in the future, 503, or 500) and returns -1
 * without the lock. */
int aggregator_snapshot(struct aggregator *a, struct http_request *req, struct db *db,
                        const char *as_of, struct load_versions *out) WUR;
/* What reading tables at the snapshot needs, on this request's connection. */
struct tables_ctx aggregator_tables(struct aggregator *a, struct db *db,
                                    const struct load_versions *v);
/* Gives back the read lock of aggregator_snapshot. */
void aggregator_release(struct aggregator *a);

/* Answers an agg_status failure: 503 for AGG_UNAVAILABLE, 500 otherwise;
 * `what` names the thing that could not be made. */
void aggregator_reply_failure(struct aggregator *a, struct http_request *req,
                              enum agg_status st, const char *what);
/* Replies 200 text/csv with the buffer's contents (taken), or 500 when
 * building it failed (built != 0). */
void aggregator_reply_csv(struct http_request *req, struct buf *csv, int built);

/* Endpoint handlers (http_handler signature; app is the struct aggregator). */
void healthz_get(struct http_request *req, void *app);
void catalogue_get(struct http_request *req, void *app);
void series_get(struct http_request *req, void *app);
void table_get(struct http_request *req, void *app);
void login_get(struct http_request *req, void *app);
void login_post(struct http_request *req, void *app);
void logout_post(struct http_request *req, void *app);
void index_get(struct http_request *req, void *app);
/* GET /review/YEAR?area=CODE[&lang=en][&as_of=...]: the annual trend review
 * of one municipality as a self-contained HTML page. */
void review_get(struct http_request *req, void *app);

#endif
