/* samlad-collector: agencies push their quarterly counts here over HTTP.
 * This file holds what is the collector's own: its options, its routes and
 * its shared state; service_main (common/service.c) reads the options,
 * makes the state, serves until SIGINT or SIGTERM and frees it. */
#include "collector.h"

#include <stdint.h>
#include "config.h"
#include "json_arena.h"
#include "log.h"
#include "service.h"

#define USAGE "samlad-collector [OPTION]..."

static const struct config_option options[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8080", NULL, 0, 0,
	  "Address to listen on, HOST:PORT; HOST is an IPv4 address, localhost or [IPv6] ([::] is IPv6 and IPv4)." },
	{ "database-url", CONFIG_STRING, NULL, "DATABASE_URL", 0, 0,
	  "PostgreSQL connection URL for the collector's role (required)." },
	{ "body-limit", CONFIG_SIZE, "8M", NULL, 1, 1LL << 30,
	  "Largest accepted request body; a larger one is answered 413." },
	SERVICE_HTTP_OPTIONS,
	{ "db-connections", CONFIG_INT, "8", NULL, 1, 256,
	  "Database connections in the pool shared by all requests." },
	{ "retry-after", CONFIG_INT, "5", NULL, 1, 3600,
	  "Seconds sent in Retry-After when the database is unavailable." },
	{ "cache-mb", CONFIG_INT, "1024", NULL, 0, 1048576,
	  "MiB the current-value cache's table may take (16 bytes a slot, 21.3 to 42.7 bytes "
	  "a key; 1024 holds 50,331,648 keys); 0 turns it off." },
	{ "session-hours", CONFIG_INT, "12", NULL, 1, 720,
	  "Hours a session of the form (/submit) lasts; every session ends when the program "
	  "restarts." },
	CONFIG_LOG_OPTIONS,
};

/* Static so that the catalogue holder can use its static initializer. */
static struct collector collector = { .cat = CATALOGUE_HOLDER_INIT };

/* The routes, one handler per endpoint. */
static const struct http_route routes[] = {
	{ "GET", "/healthz", healthz_get },
	{ "GET", "/metrics", metrics_get },
	{ "POST", "/v1/counts", counts_post },
	{ "GET", "/v1/counts", counts_get },
	{ "GET", "/v1/submissions", submissions_list_get },
	{ "GET", "/v1/submissions/*", submissions_get },
	{ "GET", "/login", login_get },
	{ "POST", "/login", login_post },
	{ "POST", "/logout", logout_post },
	{ "GET", "/submit", submit_get },
	{ "POST", "/submit", submit_post },
	{ "POST", "/submit/upload", submit_upload },
	{ "GET", "/submit/template.xlsx", template_get },
};

/* Makes the current-value cache of `mb` MiB, none for 0. Returns 0, or -1
 * logged. */
static int cache_init(struct collector *c, long long mb)
{
	/* A budget past the address space is no bound at all. */
	size_t budget = (unsigned long long)mb > SIZE_MAX >> 20 ? SIZE_MAX : (size_t)mb << 20;

	if (mb == 0)
		return 0;
	c->cache = current_new(budget);
	if (!c->cache) {
		log_error("cannot make the current-value cache (out of memory)");
		return -1;
	}
	return 0;
}

/* Makes the pool and the session key, and says at once whether the database answers. The
 * collector starts either way: it answers 503 until the database is back. */
static int state_init(const struct config *cfg, void *app)
{
	struct collector *c = app;

	/* cJSON's allocation hooks are process-wide (json_arena.h): set once,
	 * before any thread uses cJSON. */
	json_arena_init();
	c->retry_after_s = (unsigned)config_int(cfg, "retry-after");
	c->body_limit = (size_t)config_int(cfg, "body-limit");
	c->pool = db_pool_new(config_str(cfg, "database-url"),
	                      (unsigned)config_int(cfg, "db-connections"));
	c->sessions = session_keeper_new((unsigned)config_int(cfg, "session-hours") * 3600u);
	if (!c->pool || !c->sessions) {
		log_error("cannot make the database pool or the session key (out of memory or "
		          "no randomness)");
		return -1;
	}
	if (cache_init(c, config_int(cfg, "cache-mb")) != 0)
		return -1;
	c->metrics_loopback = config_bool(cfg, "metrics-loopback");
	if (collector_meters_init(c) != 0) {
		log_error("cannot make the metrics (out of memory)");
		return -1;
	}
	service_db_probe(c->pool);
	/* The pool exists: the cache is loaded now rather than in the first
	 * ingest's request. */
	if (c->cache)
		c->warm = warm_start(c->pool, c->cache);
	return 0;
}

/* The registry, for the server's route counters. */
static struct metrics *state_metrics(void *app)
{
	return ((struct collector *)app)->metrics;
}

/* Frees the shared state once no handler can run any more. */
static void state_free(void *app)
{
	struct collector *c = app;

	/* The loading thread uses the pool and the cache: it ends first. */
	warm_stop(c->warm);
	c->warm = NULL;
	db_pool_free(c->pool);
	c->pool = NULL;
	current_free(c->cache);
	c->cache = NULL;
	catalogue_holder_destroy(&c->cat);
	session_keeper_free(c->sessions);
	c->sessions = NULL;
	metrics_free(c->metrics);
	c->metrics = NULL;
}

static const struct service_program program = {
	.name = "samlad-collector", .usage = USAGE,
	.options = options, .noptions = ARRAY_LEN(options),
	.routes = routes, .nroutes = ARRAY_LEN(routes),
	.body_option = "body-limit", .app = &collector,
	.init = state_init, .free = state_free,
	.metrics = state_metrics, .answered = collector_answered,
};

int main(int argc, char **argv)
{
	return service_main(&program, argc, argv);
}
