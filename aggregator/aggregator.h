/* The aggregator's shared state and its endpoint handlers. main.c owns the
 * state and the route table; each handler lives in a file named for its
 * endpoint; auth_request.c is the gate every read passes and makes the
 * read's context.
 *
 * A read request goes: read_gate (a connection from the pool, and who may
 * read), query_read (which parameters came), read_begin (which data
 * version, and a reference to the catalogue snapshot), loading what it
 * needs from the database, read_put_db (the connection goes back), the
 * work on what was loaded (trend, rendering) without a connection, and
 * read_end. Everything a request carries from one step to the next is in
 * its struct read_ctx. */
#ifndef SAMLAD_AGGREGATOR_H
#define SAMLAD_AGGREGATOR_H

#include <stdbool.h>
#include <stddef.h>
#include "auth.h"
#include "buf.h"
#include "catalogue.h"
#include "catalogue_db.h"
#include "compiler.h"
#include "data.h"
#include "db.h"
#include "http.h"
#include "load.h"
#include "metrics.h"
#include "query.h"
#include "series_tables.h"
#include "recorder.h"
#include "session.h"
#include "timeline.h"

struct aggregator {
	struct db_pool *pool;            /* owned; connections as the aggregator role */
	struct catalogue_holder cat;     /* the catalogue as last loaded: an immutable
	                                  * snapshot a read holds a reference to */
	struct timeline timeline;        /* the catalogue's history, for the table states */
	struct recorder *recorder;       /* owned; records states as data arrive, or NULL */
	struct state_cache *cache;       /* owned; the newest table states in memory */
	struct session_keeper *sessions; /* owned; the cookie key and the signed-out list */
	double alpha;                    /* significance level of a trend's direction (--alpha) */
	bool public_read;                /* --public: reads need no token */
	unsigned retry_after_s;          /* Retry-After sent with 503 */
	int grace_days;                  /* days after a quarter's end a report is on time (--grace-days) */
	struct metrics *metrics;         /* owned; what GET /metrics shows */
	bool metrics_loopback;           /* --metrics-loopback: /metrics needs no token
	                                  * from a loopback address */
};

/* Makes the registry with the aggregator's series: the state cache's, the
 * recorder's, the pool's (docs/operations.md, "Watch it"). Call once the
 * recorder runs (or not). Returns 0, or -1 when memory ran out. */
int aggregator_meters_init(struct aggregator *a) WUR;

/* Answers 503 database_unavailable with Retry-After. */
void aggregator_reply_unavailable(struct aggregator *a, struct http_request *req);

/* True for the roles that may read: analyst and admin. */
bool aggregator_role_reads(enum auth_role role);

/* How a read refuses a reader: the API answers 401 (JSON); a browser page
 * (the index, the review) sends the browser to /login (303). */
enum read_gate {
	READ_API,   /* the API: 401 without a token */
	READ_PAGE,  /* a page: 303 to /login without one */
	READ_ADMIN, /* an admin's bearer token or session only, --public or not (/metrics) */
};

/* One read request, from its gate to its answer: what every step hands to
 * the next. Zeroed (READ_CTX_INIT) before read_gate; read_end frees it
 * whatever happened. */
struct read_ctx {
	struct principal who;     /* the reader; ROLE_NONE with --public */
	struct load_versions v;   /* the point it answers for, and the watermark */
	bool token_versions;      /* v was read with the bearer token, a moment ago */
	struct catalogue *cat;    /* a reference to the catalogue snapshot, or NULL */
	struct db *db;            /* borrowed from the pool while loading, NULL after */
};

#define READ_CTX_INIT { .db = NULL }

/* Takes a connection from the pool and lets the reader through: with
 * --public everyone; otherwise an analyst's or an admin's bearer token or
 * session. A bearer token's row is read with the current versions, in one
 * round trip. On failure it has answered (401 or, for a page, 303 to
 * /login; 403; 503) and returns -1. */
int read_gate(struct aggregator *a, struct http_request *req, enum read_gate gate,
              struct read_ctx *ctx) WUR;

/* Fixes the point to answer for: now (the versions read with the token,
 * when there are some) or as of the canonical RFC 3339 `as_of` when not
 * NULL, and the watermark; reloads the catalogue (and its history) when an
 * import changed it; takes a reference to the catalogue snapshot. On
 * failure it has answered (400 for an as_of in the future, 503, or 500)
 * and returns -1. */
int read_begin(struct aggregator *a, struct http_request *req, const char *as_of,
               struct read_ctx *ctx) WUR;
/* What reading tables at the read's point needs, on its connection while
 * it holds one (db NULL after read_put_db: only catalogue work then). */
struct tables_ctx read_tables(struct aggregator *a, const struct read_ctx *ctx);
/* Gives the connection back to the pool once everything is loaded. */
void read_put_db(struct aggregator *a, struct read_ctx *ctx);
/* Ends the read: the connection (if still held) and the catalogue
 * reference go back. */
void read_end(struct aggregator *a, struct read_ctx *ctx);

/* Answers an agg_status failure: 503 for AGG_UNAVAILABLE, 500 otherwise;
 * `what` names the thing that could not be made. */
void aggregator_reply_failure(struct aggregator *a, struct http_request *req,
                              enum agg_status st, const char *what);
/* Replies 200 text/csv with the buffer's contents (taken), or 500 when
 * building it failed (built != 0). */
void aggregator_reply_csv(struct http_request *req, struct buf *csv, int built);

/* What an xlsx answer holds besides the read's versions. */
struct xlsx_answer {
	const struct data_row *rows;     /* borrowed; the rows, in order */
	size_t n;                        /* how many */
	const struct data_style *style;  /* borrowed; the names' language */
	long long k;                     /* the k protecting them, 0 when per indicator */
	const char *as_of;               /* the canonical as_of, or "" / NULL for now */
	const char *filename;            /* the attachment's name, safe in quotes */
};
/* Replies 200 with the workbook (render/xlsx.h) as an attachment, the
 * method sheet naming the read's data and catalogue versions; 500 when it
 * could not be made. */
void aggregator_reply_xlsx(struct http_request *req, const struct read_ctx *rc,
                           const struct xlsx_answer *x);

/* The id and the time an SDMX-JSON message names itself with. */
struct sdmx_meta_text {
	char id[32];        /* "samlad-" and 16 random hex digits */
	char prepared[32];  /* now, RFC 3339 UTC */
};
/* Fills out; 0, or -1 after answering 500 (no randomness). */
int aggregator_sdmx_meta(struct http_request *req, struct sdmx_meta_text *out) WUR;
/* "&as_of=..." for a link, its '+' encoded, or "" without as_of. */
void aggregator_as_of_param(const char *as_of, char *out, size_t size);
/* Replies 200 with the SDMX-JSON message (taken), or 500 when it is NULL
 * or cannot be printed. */
void aggregator_reply_sdmx(struct http_request *req, cJSON *msg);
/* Replies 200 with the rows as SDMX-CSV (render/sdmx.h), or 500. */
void aggregator_reply_sdmx_csv(struct http_request *req, const struct data_row *rows,
                               size_t n);

/* What /v1/completeness and /reporting were asked, once read. */
struct reporting_args {
	const struct cat_area *municipality;  /* a top-level area */
	int from;                             /* the first quarter (yyyyq) */
	int to;                               /* the last quarter, >= from */
	char as_of[QUERY_TIME_MAX];           /* canonical as_of, or "" */
};
struct review_matrix;

/* Reads area (a municipality), from, to (quarters; to defaults to the
 * current quarter, from to to's first quarter; at most 40 of them) and
 * as_of, and begins the read (read_begin). 0, or -1 after answering. */
int reporting_args_read(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                        const char *area, const char *from, const char *to,
                        const char *as_of, struct reporting_args *out) WUR;
/* Reads the arrivals, gives the connection back and judges every agency's
 * quarters into *out (review_matrix_free). 0, or -1 after answering. */
int reporting_matrix(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                     const struct reporting_args *args, struct review_matrix *out) WUR;

/* Endpoint handlers (http_handler signature; app is the struct aggregator). */
void healthz_get(struct http_request *req, void *app);
void metrics_get(struct http_request *req, void *app);
void catalogue_get(struct http_request *req, void *app);
void series_get(struct http_request *req, void *app);
void table_get(struct http_request *req, void *app);
void data_get(struct http_request *req, void *app);
void login_get(struct http_request *req, void *app);
void login_post(struct http_request *req, void *app);
void logout_post(struct http_request *req, void *app);
void index_get(struct http_request *req, void *app);
/* GET /review/YEAR?area=CODE[&lang=en][&as_of=...]: the annual trend review
 * of one municipality as a self-contained HTML page. */
void review_get(struct http_request *req, void *app);
/* GET /v1/completeness?area=MUNICIPALITY[&from=][&to=][&as_of=]: every
 * agency's quarters, reported or not, and the rates (JSON). */
void completeness_get(struct http_request *req, void *app);
/* GET /reporting?area=MUNICIPALITY[&from=][&to=][&lang=en][&as_of=]: the
 * same as a page, Swedish by default. */
void reporting_get(struct http_request *req, void *app);
/* GET /explore?indicator=..&area=..[&from=][&to=][&freq=][&lang=en]: the
 * explorer, a page over the selection of /v1/data (explore_get.c). */
void explore_get(struct http_request *req, void *app);
/* OPTIONS on a data endpoint: with --public the CORS preflight (204), else
 * the 405 any other method gets (cors_options.c). */
void cors_options(struct http_request *req, void *app);
/* With --public, a data endpoint's answer may be read by any site's
 * scripts (Access-Control-Allow-Origin: *, never credentials). */
void cors_allow_read(struct http_request *req);

#endif
