/* samlad-collector: agencies push their quarterly counts here over HTTP.
 * main reads the options, makes the shared state, starts the server and
 * waits in sigwait until SIGINT or SIGTERM asks it to stop. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "config.h"
#include "json_arena.h"
#include "log.h"
#include "service.h"

#define USAGE "samlad-collector [OPTION]..."

static const struct config_option options[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8080", NULL, 0, 0,
	  "Address to listen on, HOST:PORT; HOST is an IPv4 address or localhost." },
	{ "database-url", CONFIG_STRING, NULL, "DATABASE_URL", 0, 0,
	  "PostgreSQL connection URL for the collector's role (required)." },
	{ "body-limit", CONFIG_SIZE, "8M", NULL, 1, 1LL << 30,
	  "Largest accepted request body; a larger one is answered 413." },
	SERVICE_HTTP_OPTIONS,
	{ "db-connections", CONFIG_INT, "8", NULL, 1, 256,
	  "Database connections in the pool shared by all requests." },
	{ "retry-after", CONFIG_INT, "5", NULL, 1, 3600,
	  "Seconds sent in Retry-After when the database is unavailable." },
	{ "cache-keys", CONFIG_INT, "4000000", NULL, 0, 1000000000,
	  "Most keys in the current-value cache (21 to 43 bytes each); 0 turns it off." },
	CONFIG_LOG_LEVEL,
};

/* Static so that the lock can use its static initializer. */
static struct collector collector = { .cat_lock = PTHREAD_RWLOCK_INITIALIZER };

/* The routes, one handler per endpoint. */
static const struct http_route routes[] = {
	{ "GET", "/healthz", healthz_get },
	{ "POST", "/v1/counts", counts_post },
	{ "GET", "/v1/counts", counts_get },
	{ "GET", "/v1/submissions/*", submissions_get },
};

/* Makes the pool and says at once whether the database answers. The
 * collector starts either way: it answers 503 until the database is back. */
static int state_init(struct collector *c, const struct config *cfg)
{
	c->retry_after_s = (unsigned)config_int(cfg, "retry-after");
	c->body_limit = (size_t)config_int(cfg, "body-limit");
	c->pool = db_pool_new(config_str(cfg, "database-url"),
	                      (unsigned)config_int(cfg, "db-connections"));
	if (!c->pool) {
		log_error("cannot make the database pool (out of memory)");
		return -1;
	}
	long long keys = config_int(cfg, "cache-keys");
	if (keys > 0 && !(c->cache = current_new((size_t)keys))) {
		log_error("cannot make the current-value cache (out of memory)");
		return -1;
	}
	service_db_probe(c->pool);
	return 0;
}

/* Frees the shared state once no handler can run any more. */
static void state_free(struct collector *c)
{
	catalogue_free(c->cat);
	c->cat = NULL;
	db_pool_free(c->pool);
	c->pool = NULL;
	current_free(c->cache);
	c->cache = NULL;
	pthread_rwlock_destroy(&c->cat_lock);
}

int main(int argc, char **argv)
{
	sigset_t signals;
	int code;

	log_init("samlad-collector");
	struct config *cfg = config_parse(options, ARRAY_LEN(options), argc, argv,
	                                  USAGE, &code);
	if (!cfg)
		return code;
	code = 2;
	if (service_options_check(cfg, "samlad-collector") != 0)
		goto fail;
	code = 1;
	/* cJSON's allocation hooks are process-wide (json_arena.h): set once,
	 * before any thread uses cJSON. */
	json_arena_init();
	if (service_signals_block(&signals) != 0 || state_init(&collector, cfg) != 0)
		goto fail;
	/* service_serve returns once every connection thread has ended, so the
	 * state can be freed below. */
	if (service_serve(cfg, routes, ARRAY_LEN(routes), collector.body_limit, &collector,
	                  &signals) != 0)
		goto fail;
	code = 0;
fail:
	state_free(&collector);
	config_free(cfg);
	if (code == 0)
		log_info("stopped");
	return code;
}
