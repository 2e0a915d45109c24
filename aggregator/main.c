/* samlad-aggregator: analysts read protected trend series here over HTTP.
 * This file holds what is the aggregator's own: its options, its routes and
 * its shared state; service_main (common/service.c) reads the options,
 * makes the state, serves until SIGINT or SIGTERM and frees it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "aggregator.h"
#include "config.h"
#include "log.h"
#include "service.h"
#include "state_cache.h"

#define USAGE "samlad-aggregator [OPTION]..."
/* Requests carry no body but the sign-in form's few bytes. */
#define BODY_LIMIT (16 * 1024)

static const struct config_option options[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8081", NULL, 0, 0,
	  "Address to listen on, HOST:PORT; HOST is an IPv4 address, localhost or [IPv6] ([::] is IPv6 and IPv4)." },
	{ "database-url", CONFIG_STRING, NULL, "DATABASE_URL", 0, 0,
	  "PostgreSQL connection URL for the aggregator's role (required)." },
	SERVICE_HTTP_OPTIONS,
	{ "db-connections", CONFIG_INT, "8", NULL, 1, 256,
	  "Database connections in the pool shared by all requests." },
	{ "alpha", CONFIG_STRING, "0.05", NULL, 0, 0,
	  "Significance level of a trend's direction: increasing or decreasing when p < alpha." },
	{ "public", CONFIG_BOOL, NULL, NULL, 0, 0,
	  "Anyone may read the protected outputs, without a token." },
	{ "session-hours", CONFIG_INT, "12", NULL, 1, 720,
	  "Hours a browser session lasts; every session ends when the program restarts." },
	{ "retry-after", CONFIG_INT, "5", NULL, 1, 3600,
	  "Seconds sent in Retry-After when the database is unavailable." },
	{ "cache-mb", CONFIG_INT, "32", NULL, 1, 65536,
	  "Megabytes of the newest table states kept in memory (about 150 bytes a table of ten "
	  "districts); those not read again go first." },
	{ "record-threads", CONFIG_INT, "2", NULL, 0, 64,
	  "Threads that record the tables' new states as data arrive; 0 leaves it to "
	  "another aggregator (or to the requests, table by table)." },
	{ "record-interval-ms", CONFIG_INT, "200", NULL, 10, 60000,
	  "Milliseconds between the recorder's looks for new data when it has nothing to do." },
	{ "grace-days", CONFIG_INT, "30", NULL, 0, 366,
	  "Days after a quarter's end within which its report is on time; the review "
	  "(/review/YEAR) lists later first reports as late." },
	CONFIG_LOG_OPTIONS,
};

/* Static so that the catalogue holder can use its static initializer. */
static struct aggregator aggregator = { .cat = CATALOGUE_HOLDER_INIT };

/* The routes, one handler per endpoint. */
static const struct http_route routes[] = {
	{ "GET", "/healthz", healthz_get },
	{ "GET", "/metrics", metrics_get },
	{ "GET", "/v1/catalogue", catalogue_get },
	{ "GET", "/v1/series", series_get },
	{ "GET", "/v1/table", table_get },
	{ "GET", "/v1/data", data_get },
	{ "GET", "/login", login_get },
	{ "POST", "/login", login_post },
	{ "POST", "/logout", logout_post },
	{ "GET", "/", index_get },
	{ "GET", "/review/*", review_get },
	{ "GET", "/v1/completeness", completeness_get },
	{ "GET", "/reporting", reporting_get },
	{ "GET", "/explore", explore_get },
	/* CORS preflights of the data endpoints, answered with --public only. */
	{ "OPTIONS", "/v1/catalogue", cors_options },
	{ "OPTIONS", "/v1/series", cors_options },
	{ "OPTIONS", "/v1/table", cors_options },
	{ "OPTIONS", "/v1/data", cors_options },
	{ "OPTIONS", "/v1/completeness", cors_options },
};

/* Checks what the option table cannot, beyond the common checks: --alpha,
 * a number strictly between 0 and 1. Returns 0, or -1 after saying why. */
static int options_check(const struct config *cfg, void *app)
{
	struct aggregator *a = app;
	const char *text = config_str(cfg, "alpha");
	char *end;

	a->alpha = strtod(text, &end);
	if (end == text || *end != '\0' || !isfinite(a->alpha) || a->alpha <= 0 || a->alpha >= 1) {
		fprintf(stderr, "samlad-aggregator: --alpha '%s' is not a number between 0 "
		        "and 1\n", text);
		return -1;
	}
	return 0;
}

/* Loads the catalogue and its history before the first request, so that
 * the first requests after a start do not all wait for them (1.2 s at a
 * thousand municipalities). A database that does not answer leaves it to
 * the first request. */
static void preload(struct aggregator *a)
{
	struct db *db = db_pool_get(a->pool);
	struct load_versions v;
	enum db_status st = load_versions(db, NULL, &v);

	if (st == DB_OK)
		st = catalogue_refresh(&a->cat, db, v.catalogue);
	if (st == DB_OK)
		st = timeline_refresh(&a->timeline, db, v.catalogue);
	if (st != DB_OK)
		log_warn("the catalogue could not be loaded at start; the first request tries again");
	db_pool_put(a->pool, db);
}

/* Makes the pool, the table cache and the session key, and says at once
 * whether the database answers. The aggregator starts either way: it
 * answers 503 until the database is back. */
static int state_init(const struct config *cfg, void *app)
{
	struct aggregator *a = app;
	unsigned threads = (unsigned)config_int(cfg, "record-threads");

	a->retry_after_s = (unsigned)config_int(cfg, "retry-after");
	a->public_read = config_bool(cfg, "public");
	a->grace_days = (int)config_int(cfg, "grace-days");
	a->sessions = session_keeper_new((unsigned)config_int(cfg, "session-hours") * 3600u);
	a->pool = db_pool_new(config_str(cfg, "database-url"),
	                      (unsigned)config_int(cfg, "db-connections"));
	a->cache = state_cache_new((size_t)config_int(cfg, "cache-mb") * 1024 * 1024);
	if (!a->sessions || !a->pool || !a->cache || timeline_init(&a->timeline) != 0) {
		log_error("cannot make the shared state (out of memory or no randomness)");
		return -1;
	}
	service_db_probe(a->pool);
	preload(a);
	if (threads > 0) {
		a->recorder = recorder_start(config_str(cfg, "database-url"), &a->timeline, threads,
		                             (unsigned)config_int(cfg, "record-interval-ms"));
		if (!a->recorder)
			return -1;
	}
	a->metrics_loopback = config_bool(cfg, "metrics-loopback");
	if (aggregator_meters_init(a) != 0) {
		log_error("cannot make the metrics (out of memory)");
		return -1;
	}
	if (a->public_read)
		log_info("--public: the protected outputs are readable without a token");
	return 0;
}

/* The registry, for the server's route counters. */
static struct metrics *state_metrics(void *app)
{
	return ((struct aggregator *)app)->metrics;
}

/* Frees the shared state once no handler can run any more. */
static void state_free(void *app)
{
	struct aggregator *a = app;

	recorder_stop(a->recorder);
	state_cache_free(a->cache);
	catalogue_holder_destroy(&a->cat);
	timeline_free(&a->timeline);
	session_keeper_free(a->sessions);
	db_pool_free(a->pool);
	metrics_free(a->metrics);
}

static const struct service_program program = {
	.name = "samlad-aggregator", .usage = USAGE,
	.options = options, .noptions = ARRAY_LEN(options),
	.routes = routes, .nroutes = ARRAY_LEN(routes),
	.body_limit = BODY_LIMIT, .app = &aggregator,
	.check = options_check, .init = state_init, .free = state_free,
	.metrics = state_metrics,
};

int main(int argc, char **argv)
{
	return service_main(&program, argc, argv);
}
