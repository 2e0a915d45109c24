/* What the two HTTP services (samlad-collector, samlad-aggregator) do alike
 * around their server: the option checks every service needs, the signal
 * handling libmicrohttpd requires, and the database probe at start. */
#ifndef SAMLAD_SERVICE_H
#define SAMLAD_SERVICE_H

#include <signal.h>
#include "compiler.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "metrics.h"

/* The options of the HTTP server both services have, after their own
 * --listen (whose default differs). */
#define SERVICE_HTTP_OPTIONS \
	{ "connection-limit", CONFIG_INT, "1024", NULL, 1, 10000, \
	  "Most HTTP connections open at once; each has its own thread." }, \
	{ "client-connection-limit", CONFIG_INT, "32", NULL, 1, 10000, \
	  "Most HTTP connections open at once from one client address; more are refused." }, \
	{ "timeout", CONFIG_INT, "30", NULL, 1, 3600, \
	  "Seconds a connection may stay silent before it is closed." }, \
	{ "header-timeout", CONFIG_INT, "10", NULL, 1, 3600, \
	  "Seconds a request head may take, from the connection's start or the previous " \
	  "answer; then the connection is closed." }, \
	{ "body-timeout", CONFIG_INT, "120", NULL, 1, 86400, \
	  "Seconds a request body may take after its head; then the connection is closed." }, \
	{ "tls-cert", CONFIG_STRING, NULL, NULL, 0, 0, \
	  "PEM file of the certificate chain: serve HTTPS instead of HTTP (needs --tls-key)." }, \
	{ "tls-key", CONFIG_STRING, NULL, NULL, 0, 0, \
	  "PEM file of the private key of --tls-cert." }, \
	{ "metrics-loopback", CONFIG_BOOL, NULL, NULL, 0, 0, \
	  "Let GET /metrics answer a client on a loopback address without a token (an " \
	  "admin's token is needed otherwise)." }

/* Connects one connection of the pool and warns when the database does not
 * answer: a service starts either way and answers 503 until it is back. */
void service_db_probe(struct db_pool *pool);

/* A service program: what differs between the two, so that their start-up,
 * serving and shutdown are written once (service_main). */
struct service_program {
	const char *name;                     /* "samlad-collector": the log's and messages' name */
	const char *usage;                    /* the synopsis --help prints */
	const struct config_option *options;  /* the option table */
	size_t noptions;                      /* its rows */
	const struct http_route *routes;      /* the route table */
	size_t nroutes;                       /* its rows */
	size_t body_limit;                    /* the largest request body, or 0: see body_option */
	const char *body_option;              /* the CONFIG_SIZE option giving it, or NULL */
	void *app;                            /* the state every handler gets; borrowed */
	/* The program's own option checks, after the common ones; 0, or -1
	 * after saying why on stderr. NULL when it has none. */
	int (*check)(const struct config *cfg, void *app);
	/* Makes the state before the server starts (one thread still); 0, or
	 * -1 logged. */
	int (*init)(const struct config *cfg, void *app);
	/* Frees the state once no handler can run any more; also after a
	 * failed init. */
	void (*free)(void *app);
	/* The program's metrics registry, which init made (the server adds its
	 * route counters and the process start time to it); NULL when none. */
	struct metrics *(*metrics)(void *app);
	/* Called after every answer, for the program's own counters of
	 * answers (http_server_config.answered); NULL when none. */
	void (*answered)(const struct http_request *req, void *app);
};

/* The whole life of a service: parse the options (exit 2 and a message on
 * a bad one, 0 after --help), check them, block the signals, make the
 * state, serve until SIGINT or SIGTERM, free the state. Returns main's exit
 * code: 0 after a clean stop, 1 when the state or the server could not be
 * made, 2 for a bad command line. */
int service_main(const struct service_program *p, int argc, char **argv) WUR;

/* GET /metrics once its caller may read them: 200 with m's text
 * (METRICS_CONTENT_TYPE), 500 when memory ran out. */
void service_metrics_reply(struct http_request *req, const struct metrics *m);

/* Answers 503 database_unavailable with Retry-After: retry_after_s. */
void service_reply_unavailable(struct http_request *req, unsigned retry_after_s);

/* GET /healthz, the same for every service: 200 {"status":"ok"} when a
 * connection of the pool answers a query, else 503 as above. Needs no
 * token: load balancers and scripts/run.sh ask it before anything exists. */
void service_healthz(struct http_request *req, struct db_pool *pool,
                     unsigned retry_after_s);

#endif
