/* The collector's shared state and its endpoint handlers. main.c owns the
 * state and the route table; each handler lives in a file named for its
 * endpoint. */
#ifndef SAMLAD_COLLECTOR_H
#define SAMLAD_COLLECTOR_H

#include <stddef.h>
#include "auth.h"
#include "catalogue.h"
#include "compiler.h"
#include "current.h"
#include "db.h"
#include "http.h"
#include "metrics.h"
#include "session.h"
#include "warm.h"

/* The reasons a batch is refused for, as samlad_collector_batches_refused_total
 * names them: the error codes POST /v1/counts answers, and "other". */
#define COLLECTOR_REASONS 14

/* The collector's own series in its registry (meters.c). */
struct collector_meters {
	struct metric *created;    /* rows stored as new keys */
	struct metric *updated;    /* rows stored as changed values */
	struct metric *unchanged;  /* rows that already had their value */
	struct metric *refused[COLLECTOR_REASONS]; /* refused batches, by reason */
};

struct collector {
	struct db_pool *pool;          /* owned; connections as the collector role */
	struct catalogue_holder cat;   /* the catalogue as last loaded: a reader holds a
	                                * reference while it validates, a reload swaps it */
	unsigned retry_after_s;        /* Retry-After sent with 503 */
	size_t body_limit;             /* the --body-limit, for messages */
	struct current *cache;         /* owned; current values, NULL with --cache-mb 0 */
	struct warm *warm;             /* owned; the thread that loads the cache at start,
	                                * NULL when the cache is off or no thread was made */
	struct session_keeper *sessions; /* owned; the form's cookie key and signed-out list */
	struct metrics *metrics;       /* owned; what GET /metrics shows */
	struct collector_meters meters; /* the collector's series in metrics */
	bool metrics_loopback;         /* --metrics-loopback: /metrics needs no token
	                                * from a loopback address */
};

/* Makes the registry with the collector's series, the pool's and the
 * current-value cache's (docs/operations.md, "Watch it"). Returns 0, or
 * -1 when memory ran out. */
int collector_meters_init(struct collector *c) WUR;
struct receipt;
/* Counts the rows of a batch stored (not a replay's, not a dry run's). */
void collector_count_stored(struct collector *c, const struct receipt *r);
/* Counts a refused batch by its reason, one of the error codes of POST
 * /v1/counts (any other counts as "other"). */
void collector_count_refused(struct collector *c, const char *reason);
/* After every answer (service_program.answered): counts a refused POST
 * /v1/counts by its error code. */
void collector_answered(const struct http_request *req, void *app);

/* Checks the request's bearer token and, when the catalogue changed since it
 * was loaded, reloads it. On failure it has answered the request (401 or 503)
 * and returns -1. `db` is a connection the caller took from the pool. */
int collector_authenticate(struct collector *c, struct http_request *req,
                           struct db *db, struct principal *who) WUR;

/* collector_authenticate on a connection of its own, then requires an
 * agency's submitter token: any other role is answered 403 with a message
 * that says what it may not do ("post counts", "read its receipts").
 * Returns -1 after answering. */
int collector_authenticate_submitter(struct collector *c, struct http_request *req,
                                     struct principal *who, const char *action) WUR;

/* The submitter a page's session cookie speaks for (session_principal),
 * with the catalogue reloaded when an import changed it. On failure it has
 * answered and returns -1: 303 to /login without a valid session (the
 * form's pages are for browsers), 403 for a token that may not submit
 * (none gets a session, but a role is checked where it is used), 503. */
int collector_session_submitter(struct collector *c, struct http_request *req,
                                struct principal *who) WUR;

/* Reloads the catalogue when an import changed its version. */
enum db_status collector_refresh(struct collector *c, struct db *db) WUR;

/* Answers 503 database_unavailable with Retry-After. */
void collector_reply_unavailable(struct collector *c, struct http_request *req);

/* Endpoint handlers (http_handler signature; app is the struct collector). */
void healthz_get(struct http_request *req, void *app);
void metrics_get(struct http_request *req, void *app);
void counts_post(struct http_request *req, void *app);
void counts_get(struct http_request *req, void *app);
void submissions_get(struct http_request *req, void *app);
void submissions_list_get(struct http_request *req, void *app);
/* The form for agencies without a system of their own (docs/collector.md,
 * "The form"): sign-in, the grid of a quarter, its check and submission,
 * and a CSV upload. */
void login_get(struct http_request *req, void *app);
void login_post(struct http_request *req, void *app);
void logout_post(struct http_request *req, void *app);
void submit_get(struct http_request *req, void *app);
void submit_post(struct http_request *req, void *app);
void submit_upload(struct http_request *req, void *app);
void template_get(struct http_request *req, void *app);

#endif
