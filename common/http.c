/* The HTTP server: libmicrohttpd runs one thread per connection, because
 * handlers block on the database. This file routes each request, collects
 * its body up to the limit, turns every failure into a JSON error and writes
 * one access-log line per response.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * when the headers have arrived, once per piece of body, and once more with
 * no data when the body is complete. Queueing a response on the first call
 * makes libmicrohttpd 0.9.75 close the connection, and queueing one while
 * the body is arriving fails, so the first call makes the request state,
 * the second routes, and the answer goes out on the final call. The single
 * exception, a 413 for an announced oversize body, is explained at
 * request_start. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"

#define JSON_TYPE "application/json"

struct http_server {
	struct MHD_Daemon *daemon;       /* owned */
	const struct http_route *routes; /* the caller's table; outlives the server */
	size_t nroutes;                  /* entries in routes */
	void *app;                       /* handed to every handler */
	size_t body_limit;               /* largest accepted body, in bytes */
};

/* What happened to the request body so far. */
enum body_state {
	BODY_OK,         /* everything received is in `body` */
	BODY_TOO_LARGE,  /* it outgrew the limit; the rest is read and dropped */
	BODY_NO_MEMORY,  /* an append failed; the request ends in a 500 */
};

struct http_request {
	struct http_server *srv;         /* the server that accepted the request */
	struct MHD_Connection *conn;     /* libmicrohttpd's; valid until completion */
	char *method;                    /* owned copy of the method */
	char *path;                      /* owned copy of the decoded path, no query */
	const struct http_route *route;  /* the matched route, or NULL */
	const char *param;               /* points into path at the "*" segment, or NULL */
	char *content_type;              /* owned; lower-cased media type, "" when absent */
	struct buf body;                 /* the body received so far */
	enum body_state body_state;      /* whether body is whole */
	struct buf headers;              /* response headers to add: "name\0value\0"... */
	char *log_tag;                   /* owned; the handler's tag for the access log */
	char error[48];                  /* the error code replied, for the access log */
	bool routed;                     /* the route lookup has run */
	bool queue_failed;               /* no response could be queued: drop the connection */
	unsigned status;                 /* the status queued; 0 before the reply */
	size_t bytes;                    /* length of the response body */
	struct timespec start;           /* when the headers had arrived */
};

/* ---- request state ---------------------------------------------------- */

/* Frees a request in any state, also a half-made one. */
static void request_free(struct http_request *req)
{
	free(req->method);
	free(req->path);
	free(req->content_type);
	buf_free(&req->body);
	buf_free(&req->headers);
	free(req->log_tag);
	free(req);
}

static struct http_request *request_new(struct http_server *srv,
                                        struct MHD_Connection *conn,
                                        const char *method, const char *url)
{
	struct http_request *req = calloc(1, sizeof *req);

	if (!req)
		return NULL;
	req->srv = srv;
	req->conn = conn;
	req->method = strdup(method);
	req->path = strdup(url);
	req->content_type = strdup("");
	if (!req->method || !req->path || !req->content_type)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	return req;
fail:
	request_free(req);
	return NULL;
}

/* Milliseconds since the headers had arrived, for the access log. */
static double request_ms(const struct http_request *req)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - req->start.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - req->start.tv_nsec) / 1e6;
}

/* ---- accessors -------------------------------------------------------- */

const char *http_method(const struct http_request *req)
{
	return req->method;
}

const char *http_path(const struct http_request *req)
{
	return req->path;
}

const char *http_path_param(const struct http_request *req)
{
	return req->param;
}

const char *http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Carries the caller's callback through libmicrohttpd's iterator. */
struct query_each_ctx {
	void (*fn)(void *ctx, const char *key, const char *value); /* the caller's */
	void *ctx;                                                  /* its context */
};

static enum MHD_Result query_each_one(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
	struct query_each_ctx *q = cls;

	(void)kind;
	/* "?flag" without "=" has no value; handlers get "" rather than NULL. */
	q->fn(q->ctx, key, value ? value : "");
	return MHD_YES;
}

void http_query_each(const struct http_request *req,
                     void (*fn)(void *ctx, const char *key, const char *value),
                     void *ctx)
{
	struct query_each_ctx q = { fn, ctx };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_each_one, &q);
}

const char *http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_body(const struct http_request *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

const char *http_content_type(const struct http_request *req)
{
	return req->content_type;
}

void http_set_log_tag(struct http_request *req, const char *tag)
{
	char *copy = strdup(tag);

	/* A lost tag only makes the log line poorer; it is not worth a 500. */
	if (!copy)
		return;
	free(req->log_tag);
	req->log_tag = copy;
}

/* Reads the media type of Content-Type: "Application/JSON; charset=utf-8"
 * becomes "application/json". Returns -1 when memory ran out. */
static int content_type_read(struct http_request *req)
{
	const char *v = http_header(req, "Content-Type");
	size_t n;

	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, ";");
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	char *t = strndup(v, n);
	if (!t)
		return -1;
	for (size_t i = 0; i < n; i++)
		t[i] = (char)tolower((unsigned char)t[i]);
	free(req->content_type);
	req->content_type = t;
	return 0;
}

/* ---- replies ---------------------------------------------------------- */

/* A header value with CR or LF would split the response, and libmicrohttpd
 * refuses an empty one; such a header is dropped here so that one bad value
 * cannot cost the whole reply. */
void http_add_header(struct http_request *req, const char *name, const char *value)
{
	if (!*name || !*value || strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n")) {
		log_error("%s %s: response header %.40s dropped: empty, or holds CR, LF or ':'",
		          req->method, req->path, name);
		return;
	}
	if (buf_append(&req->headers, name, strlen(name) + 1) != 0 ||
	    buf_append(&req->headers, value, strlen(value) + 1) != 0)
		log_error("%s %s: out of memory adding header %.40s", req->method,
		          req->path, name);
}

/* Adds the content type, the headers every response carries and the
 * handler's own. Returns -1 when one of the first could not be added. */
static int headers_apply(struct http_request *req, struct MHD_Response *resp,
                         const char *content_type)
{
	/* No handler header leaves data NULL, and NULL + 0 is undefined. */
	const char *p = req->headers.len ? req->headers.data : "";
	const char *end = p + req->headers.len;

	if (content_type &&
	    MHD_add_response_header(resp, "Content-Type", content_type) != MHD_YES)
		return -1;
	/* Answers carry counts and receipts: no cache may keep them, and no
	 * browser may guess a type other than the one declared. */
	if (MHD_add_response_header(resp, "Cache-Control", "no-store") != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES)
		return -1;
	while (p < end) {
		const char *value = p + strlen(p) + 1;
		/* libmicrohttpd also refuses headers it sets itself (Content-Length). */
		if (MHD_add_response_header(resp, p, value) != MHD_YES)
			log_error("%s %s: response header %.40s refused by libmicrohttpd",
			          req->method, req->path, p);
		p = value + strlen(value) + 1;
	}
	return 0;
}

/* True when the request may still be answered; a second reply is a bug in
 * the handler, logged and dropped. */
static bool reply_allowed(const struct http_request *req)
{
	if (req->status == 0 && !req->queue_failed)
		return true;
	log_error("%s %s: a second reply was dropped", req->method, req->path);
	return false;
}

/* Queues `resp` (consumed) with the headers. A failure leaves queue_failed
 * set, and the access handler then drops the connection. */
static void reply_queue(struct http_request *req, unsigned status,
                        const char *content_type, struct MHD_Response *resp,
                        size_t len)
{
	if (!resp) {
		log_error("%s %s: out of memory building a response", req->method, req->path);
		req->queue_failed = true;
		return;
	}
	if (headers_apply(req, resp, content_type) != 0 ||
	    MHD_queue_response(req->conn, status, resp) != MHD_YES) {
		log_error("%s %s: the %u response could not be queued", req->method,
		          req->path, status);
		req->queue_failed = true;
	} else {
		req->status = status;
		req->bytes = len;
	}
	MHD_destroy_response(resp);
}

void http_reply(struct http_request *req, unsigned status,
                const char *content_type, const char *body, size_t len)
{
	if (!reply_allowed(req))
		return;
	/* libmicrohttpd takes a non-const pointer but, told to copy, never writes. */
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)body, MHD_RESPMEM_MUST_COPY);
	reply_queue(req, status, content_type, resp, len);
}

void http_reply_owned(struct http_request *req, unsigned status,
                      const char *content_type, char *body, size_t len)
{
	if (!reply_allowed(req)) {
		free(body);
		return;
	}
	/* MUST_FREE: libmicrohttpd calls free() on body once it is sent. */
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(body);
	reply_queue(req, status, content_type, resp, len);
}

/* The reply when not even an error object could be built. */
static void reply_out_of_memory(struct http_request *req)
{
	static const char body[] =
		"{\"error\":\"internal_error\",\"message\":\"out of memory\"}";

	log_error("%s %s: out of memory building the reply", req->method, req->path);
	snprintf(req->error, sizeof req->error, "internal_error");
	http_reply(req, 500, JSON_TYPE, body, sizeof body - 1);
}

void http_reply_json(struct http_request *req, unsigned status, cJSON *obj)
{
	char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;

	cJSON_Delete(obj);
	if (!text) {
		reply_out_of_memory(req);
		return;
	}
	/* cJSON allocates with malloc (no hooks are installed), so MUST_FREE fits. */
	http_reply_owned(req, status, JSON_TYPE, text, strlen(text));
}

void http_reply_error(struct http_request *req, unsigned status,
                      const char *code, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (req->status == 0)
		snprintf(req->error, sizeof req->error, "%s", code);
	/* Only server-side failures are logged with their text: a 4xx message
	 * may quote what the client sent, and the access line has its code. */
	if (status >= 500)
		log_warn("%s %s: %u %s: %s", req->method, req->path, status, code, message);
	cJSON *obj = cJSON_CreateObject();
	if (!obj || !cJSON_AddStringToObject(obj, "error", code) ||
	    !cJSON_AddStringToObject(obj, "message", message)) {
		cJSON_Delete(obj);
		reply_out_of_memory(req);
		return;
	}
	http_reply_json(req, status, obj);
}

/* ---- routing ---------------------------------------------------------- */

/* True when `path` is what `pattern` names: the same text or, for a pattern
 * ending in slash-star, the same prefix and exactly one more non-empty
 * segment, which *param then points at. */
static bool path_matches(const char *pattern, const char *path, const char **param)
{
	size_t n = strlen(pattern);

	*param = NULL;
	if (n < 2 || strcmp(pattern + n - 2, "/*") != 0)
		return strcmp(pattern, path) == 0;
	if (strncmp(pattern, path, n - 1) != 0)
		return false;
	const char *seg = path + n - 1;
	if (*seg == '\0' || strchr(seg, '/'))
		return false;
	*param = seg;
	return true;
}

/* The route for the request's method and path, or NULL. */
static const struct http_route *route_find(const struct http_request *req,
                                           const char **param)
{
	const struct http_server *srv = req->srv;

	for (size_t i = 0; i < srv->nroutes; i++) {
		const struct http_route *r = &srv->routes[i];
		if (strcmp(r->method, req->method) == 0 &&
		    path_matches(r->path, req->path, param))
			return r;
	}
	return NULL;
}

/* Collects into `allow` the methods of the routes for the request's path.
 * Returns -1 when memory ran out. */
static int route_allow(const struct http_request *req, struct buf *allow)
{
	const struct http_server *srv = req->srv;
	const char *param;

	for (size_t i = 0; i < srv->nroutes; i++) {
		const struct http_route *r = &srv->routes[i];
		if (path_matches(r->path, req->path, &param) &&
		    buf_printf(allow, "%s%s", allow->len ? ", " : "", r->method) != 0)
			return -1;
	}
	return 0;
}

/* Answers a request that has no route: 405 with Allow when the path is
 * served with other methods, else 404. */
static void reply_no_route(struct http_request *req)
{
	struct buf allow = BUF_INIT;

	if (route_allow(req, &allow) != 0)
		reply_out_of_memory(req);
	else if (allow.len) {
		http_add_header(req, "Allow", allow.data);
		http_reply_error(req, 405, "method_not_allowed",
		                 "%.16s is not allowed on this path; allowed: %s",
		                 req->method, allow.data);
	} else
		http_reply_error(req, 404, "not_found", "there is nothing at this path");
	buf_free(&allow);
}

static void reply_too_large(struct http_request *req)
{
	http_reply_error(req, 413, "body_too_large",
	                 "the body is larger than the limit of %zu bytes",
	                 req->srv->body_limit);
}

/* True when Content-Length announces more than the limit. A chunked body
 * has no Content-Length and is measured as it arrives instead. */
static bool announced_too_large(const struct http_request *req)
{
	const char *v = http_header(req, "Content-Length");
	char *end;

	if (!v)
		return false;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	/* libmicrohttpd has already refused an unreadable Content-Length. */
	if (errno != 0 || end == v)
		return false;
	return n > req->srv->body_limit;
}

/* Second call: finds the route. The answer waits for the final call,
 * because libmicrohttpd 0.9.75 refuses to queue a response while a body is
 * still arriving; a body without a route is read and dropped meanwhile. */
static void request_route(struct http_request *req)
{
	req->routed = true;
	req->route = route_find(req, &req->param);
	if (content_type_read(req) != 0)
		req->body_state = BODY_NO_MEMORY;
}

/* Keeps a piece of the body, or drops it: when there is no route, when the
 * body is already over the limit, or after memory ran out. */
static void body_take(struct http_request *req, const char *data, size_t len)
{
	if (!req->route || req->body_state != BODY_OK)
		return;
	if (len > req->srv->body_limit - req->body.len) {
		req->body_state = BODY_TOO_LARGE;
		buf_free(&req->body);
		return;
	}
	if (buf_append(&req->body, data, len) != 0) {
		req->body_state = BODY_NO_MEMORY;
		buf_free(&req->body);
	}
}

/* Final call, the whole body is in: answers or hands over to the handler. */
static void request_answer(struct http_request *req)
{
	if (!req->route) {
		reply_no_route(req);
		return;
	}
	if (req->body_state == BODY_TOO_LARGE) {
		reply_too_large(req);
		return;
	}
	if (req->body_state == BODY_NO_MEMORY) {
		http_reply_error(req, 500, "internal_error", "out of memory reading the request");
		return;
	}
	req->route->handler(req, req->srv->app);
	if (req->status == 0 && !req->queue_failed) {
		log_error("%s %s: the handler returned without replying", req->method,
		          req->path);
		http_reply_error(req, 500, "internal_error", "the server failed to answer");
	}
}

/* First call, headers only: makes the request state. Nothing is queued
 * here, with one exception: a body announced larger than the limit gets its
 * 413 now. It is the only moment that answer can go out before the body:
 * libmicrohttpd then skips "100 Continue", so a client that waits for it
 * (libcurl does, for large bodies) never sends the body at all. The
 * connection closes after the 413, which it must anyway, since the body was
 * never read; every other answer keeps the connection open. */
static enum MHD_Result request_start(struct http_server *srv,
                                     struct MHD_Connection *conn,
                                     const char *method, const char *url,
                                     void **con_cls)
{
	struct http_request *req = request_new(srv, conn, method, url);

	if (!req)
		return MHD_NO;
	*con_cls = req;
	if (announced_too_large(req))
		reply_too_large(req);
	return req->queue_failed ? MHD_NO : MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
	struct http_request *req = *con_cls;

	(void)version;
	if (!req)
		return request_start(cls, conn, method, url, con_cls);
	if (req->status != 0 || req->queue_failed) {
		/* Answered already: nothing more is wanted from this request. */
		*upload_data_size = 0;
		return req->queue_failed ? MHD_NO : MHD_YES;
	}
	if (!req->routed)
		request_route(req);
	if (*upload_data_size != 0) {
		body_take(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	request_answer(req);
	return req->queue_failed ? MHD_NO : MHD_YES;
}

/* Writes the access-log line and frees the request. Runs once per request,
 * also when the client went away before an answer. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;

	(void)cls;
	(void)conn;
	if (!req)
		return;
	if (req->status != 0)
		log_info("http %s %.200s status=%u bytes=%zu ms=%.1f%s%s%s%.100s%s",
		         req->method, req->path, req->status, req->bytes,
		         request_ms(req), req->error[0] ? " error=" : "", req->error,
		         req->log_tag ? " tag=" : "", req->log_tag ? req->log_tag : "",
		         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " incomplete");
	request_free(req);
	*con_cls = NULL;
}

/* ---- the daemon ------------------------------------------------------- */

/* libmicrohttpd's own complaints (bind failures, bad requests) go to the
 * same log as everything else, one line each. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	log_warn("libmicrohttpd: %s", line);
}

/* Parses "HOST:PORT" (HOST an IPv4 address or "localhost"). */
static int listen_parse(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	char host[INET_ADDRSTRLEN];
	char *end;

	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    !isdigit((unsigned char)colon[1]))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void log_listening(struct http_server *srv, const struct sockaddr_in *sa)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sa->sin_addr, host, sizeof host);
	/* With port 0 the kernel chose one; the log says which. */
	log_info("listening on %s:%u", host,
	         info ? (unsigned)info->port : (unsigned)ntohs(sa->sin_port));
}

struct http_server *http_server_start(const struct http_server_config *cfg,
                                      const struct http_route *routes,
                                      size_t nroutes, void *app)
{
	struct http_server *srv = NULL;
	struct sockaddr_in sa;

	if (listen_parse(cfg->listen, &sa) != 0) {
		log_error("listen address \"%s\" is not HOST:PORT with an IPv4 HOST",
		          cfg->listen);
		goto fail;
	}
	srv = calloc(1, sizeof *srv);
	if (!srv)
		goto fail;
	*srv = (struct http_server){ NULL, routes, nroutes, app, cfg->body_limit };
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_access, srv,
		/* The logger goes first so that it sees complaints about the rest. */
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_END);
	if (!srv->daemon) {
		log_error("cannot listen on %s", cfg->listen);
		goto fail;
	}
	log_listening(srv, &sa);
	return srv;
fail:
	free(srv);
	return NULL;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Joins every connection thread: handlers still running finish first. */
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
