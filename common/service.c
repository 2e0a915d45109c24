/* Option checks, signals and the start-up probe of the services; see
 * service.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "json_build.h"
#include "log.h"
#include "notify.h"
#include "service.h"

/* Checks what an option table cannot: the log level and format (and sets them),
 * the required database URL, --tls-cert and --tls-key given together, and
 * stray arguments. `program` names the service in the messages. Returns 0, or -1 after saying why on stderr. */
static int service_options_check(const struct config *cfg, const char *program)
{
	const char *bad = log_configure(config_str(cfg, "log-level"),
	                                config_str(cfg, "log-format"));

	if (bad) {
		fprintf(stderr, "%s: %s\n", program, bad);
		return -1;
	}
	if (!config_str(cfg, "database-url")) {
		fprintf(stderr, "%s: no database: set DATABASE_URL or pass --database-url "
		        "(see --help)\n", program);
		return -1;
	}
	if (!config_str(cfg, "tls-cert") != !config_str(cfg, "tls-key")) {
		fprintf(stderr, "%s: --tls-cert and --tls-key go together: give both for "
		        "HTTPS, or neither\n", program);
		return -1;
	}
	if (config_argc(cfg) > 0) {
		fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", program,
		        config_arg(cfg, 0));
		return -1;
	}
	return 0;
}

/* Blocks SIGINT and SIGTERM in the calling thread before any other exists:
 * every thread inherits the mask, so only service_signals_wait ever takes
 * them (libmicrohttpd's threads would otherwise run a handler). Also
 * ignores SIGPIPE, so that a client hanging up mid-write cannot end the
 * process. Returns 0, or -1 (logged). */
static int service_signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	int rc = pthread_sigmask(SIG_BLOCK, set, NULL);
	if (rc != 0) {
		log_error("cannot block signals: %s", strerror(rc));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Waits until SIGINT or SIGTERM arrives, and logs which. */
static void service_signals_wait(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	log_info("%s received; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

/* Reads a whole PEM file into a NUL-terminated string (malloc'd), or NULL
 * after logging why. */
static char *pem_read(const char *path, const char *what)
{
	struct buf text = BUF_INIT;
	int err = buf_read_file(&text, path, SIZE_MAX);

	if (err) {
		log_error("cannot read the TLS %s %s: %s", what, path, strerror(err));
		buf_free(&text);
		return NULL;
	}
	if (!strstr(text.data, "-----BEGIN ")) {
		log_error("the TLS %s %s is not a readable PEM file", what, path);
		buf_free(&text);
		return NULL;
	}
	return buf_steal(&text);
}

/* Lets the process hold as many descriptors as its connection limit needs
 * (one each, and a few dozen for the database and the logs): the soft limit
 * is often 1024, the hard one far higher. */
static void descriptors_raise(unsigned connections)
{
	struct rlimit lim;
	rlim_t want = (rlim_t)connections + 64;

	if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= want)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > want ? want : lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < want)
		log_warn("only %llu file descriptors allowed; --connection-limit %u may not be "
		         "reached", (unsigned long long)lim.rlim_cur, connections);
}

/* Starts the HTTP server on the options every service has (--listen and
 * SERVICE_HTTP_OPTIONS; the TLS files are read here) with the given routes
 * and body limit, waits
 * for SIGINT or SIGTERM (blocked before by service_signals_block), and
 * stops the server: when it returns, every connection thread has ended, so
 * the caller may free what the handlers use. Returns 0, or -1 when the
 * server could not start (logged). */
static int service_serve(const struct config *cfg, const struct http_route *routes,
                         size_t nroutes, size_t body_limit, void *app,
                         const sigset_t *signals)
{
	struct http_server_config http = {
		.listen = config_str(cfg, "listen"),
		.connection_limit = (unsigned)config_int(cfg, "connection-limit"),
		.client_limit = (unsigned)config_int(cfg, "client-connection-limit"),
		.body_limit = body_limit,
		.timeout_s = (unsigned)config_int(cfg, "timeout"),
		.head_timeout_s = (unsigned)config_int(cfg, "header-timeout"),
		.body_timeout_s = (unsigned)config_int(cfg, "body-timeout"),
	};
	char *cert = NULL, *key = NULL;
	struct http_server *srv = NULL;
	int rc = -1;

	if (config_str(cfg, "tls-cert")) {
		cert = pem_read(config_str(cfg, "tls-cert"), "certificate");
		key = pem_read(config_str(cfg, "tls-key"), "key");
		if (!cert || !key)
			goto fail;
		http.tls_cert = cert;
		http.tls_key = key;
	}
	descriptors_raise(http.connection_limit);
	srv = http_server_start(&http, routes, nroutes, app);
	if (!srv)
		goto fail;
	/* Listening: a service manager that asked (Type=notify) may start what
	 * depends on us. Without one this does nothing. */
	if (notify_send("READY=1") < 0)
		log_warn("cannot tell the service manager we are ready: %s", strerror(errno));
	service_signals_wait(signals);
	(void)notify_send("STOPPING=1");
	http_server_stop(srv);
	rc = 0;
fail:
	/* The key's text is wiped, not only freed. */
	if (key)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(cert);
	return rc;
}

void service_db_probe(struct db_pool *pool)
{
	struct db *db = db_pool_get(pool);

	if (db_connect(db) != DB_OK)
		log_warn("database unreachable at start (%s); answering 503 until it is back",
		         db_error(db));
	db_pool_put(pool, db);
}

void service_reply_unavailable(struct http_request *req, unsigned retry_after_s)
{
	char seconds[16];

	snprintf(seconds, sizeof seconds, "%u", retry_after_s);
	http_add_header(req, "Retry-After", seconds);
	http_reply_error(req, 503, "database_unavailable",
	                 "the database cannot be reached; try again in %u seconds",
	                 retry_after_s);
}

void service_healthz(struct http_request *req, struct db_pool *pool,
                     unsigned retry_after_s)
{
	struct db *db = db_pool_get(pool);

	/* A broken connection is reset on this use, so a database that came
	 * back turns the answer to 200 without a restart. */
	enum db_status st = db_command(db, "SELECT 1");
	if (st != DB_OK)
		log_warn("healthz: database check failed: %s", db_error(db));
	db_pool_put(pool, db);
	if (st != DB_OK) {
		service_reply_unavailable(req, retry_after_s);
		return;
	}
	cJSON *ok = cJSON_CreateObject();
	/* A NULL object (out of memory) makes http_reply_json answer 500. */
	http_reply_json(req, 200, json_checked(ok, cJSON_AddStringToObject(ok, "status", "ok")));
}

int service_main(const struct service_program *p, int argc, char **argv)
{
	sigset_t signals;
	int code;

	log_init(p->name);
	struct config *cfg = config_parse(p->options, p->noptions, argc, argv, p->usage, &code);
	if (!cfg)
		return code;
	code = 2;
	if (service_options_check(cfg, p->name) != 0 || (p->check && p->check(cfg, p->app) != 0))
		goto done;
	code = 1;
	size_t body_limit = p->body_option ? (size_t)config_int(cfg, p->body_option)
	                                   : p->body_limit;
	/* service_serve returns once every connection thread has ended, so the
	 * state can be freed below. */
	if (service_signals_block(&signals) != 0 || p->init(cfg, p->app) != 0 ||
	    service_serve(cfg, p->routes, p->nroutes, body_limit, p->app, &signals) != 0)
		goto done;
	code = 0;
done:
	p->free(p->app);
	config_free(cfg);
	if (code == 0)
		log_info("stopped");
	return code;
}
