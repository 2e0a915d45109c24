/* The HTTP server: libmicrohttpd runs one thread per connection, because
 * handlers block on the database. This file routes each request, collects
 * its body up to the limit, turns every failure into a JSON error and writes
 * one access-log line per response.
 *
 * Why threads rather than libmicrohttpd's epoll mode: there, handlers run
 * on the few polling threads, so one handler waiting for PostgreSQL would
 * stall every connection of its thread; making that safe needs suspended
 * connections handed to a worker pool, which 0.9.75 supports but which
 * changes every handler's life cycle. Threads are kept and made cheap to
 * hold instead: poll() (no FD_SETSIZE ceiling), a connection limit per
 * client address below the total, and deadlines for the head and the body
 * (http_deadline.c) so that a slow client cannot keep its threads.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * when the headers have arrived, once per piece of body, and once more with
 * no data when the body is complete. Queueing a response on the first call
 * makes libmicrohttpd 0.9.75 close the connection, and queueing one while
 * the body is arriving fails, so the first call makes the request state,
 * the second routes, and the answer goes out on the final call. The
 * exceptions are the answers after which the connection must close anyway
 * (a body over the limit, framing that cannot be trusted): they go out on
 * the first call, or while the body arrives, as request_start and
 * reply_early explain. Even before the first call, on_target sees the raw
 * request target. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "compiler.h"
#include "http_deadline.h"
#include "http_early.h"
#include "http_encoding.h"
#include "http_framing.h"
#include "json_build.h"
#include "log.h"

#define JSON_TYPE "application/json"
/* The 413 text, for both ways of sending it; its argument is the limit. */
#define TOO_LARGE "the body is larger than the limit of %zu bytes"

struct http_server {
	struct MHD_Daemon *daemon;       /* owned */
	const struct http_route *routes; /* the caller's table; outlives the server */
	size_t nroutes;                  /* entries in routes */
	void *app;                       /* handed to every handler */
	size_t body_limit;               /* largest accepted body, in bytes */
	struct http_deadlines *deadlines; /* owned; the head and body watchdog */
	bool tls;                        /* connections are HTTPS */
};

/* What happened to the request body so far. */
enum body_state {
	BODY_OK,         /* everything received is in `body` */
	BODY_TOO_LARGE,  /* it outgrew the limit; the rest is read and dropped */
	BODY_NO_MEMORY,  /* an append failed; the request ends in a 500 */
};

/* The error code and status of a request refused before routing. */
struct refusal {
	unsigned status;     /* 0 when the request is not refused */
	const char *code;    /* static error code */
	const char *message; /* static sentence */
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
	size_t received;                 /* body bytes received, kept or dropped */
	enum body_state body_state;      /* whether body is whole */
	struct buf headers;              /* response headers to add: "name\0value\0"... */
	char *log_tag;                   /* owned; the handler's tag for the access log */
	char error[48];                  /* the error code replied, for the access log */
	bool routed;                     /* the route lookup has run */
	bool queue_failed;               /* no response could be queued: drop the connection */
	unsigned status;                 /* the status queued; 0 before the reply */
	size_t bytes;                    /* length of the response body */
	struct timespec start;           /* when the headers had arrived */
	bool started;                    /* the first call of the access handler has run */
	struct refusal target;           /* what is wrong with the raw target, if anything */
	enum http_cache cache;           /* how caches may keep the answer */
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

/* Fills in what the first call of the access handler knows. Returns -1
 * when memory ran out. */
static int request_fill(struct http_request *req, const char *method, const char *url)
{
	req->started = true;
	req->method = strdup(method);
	req->path = strdup(url);
	req->content_type = strdup("");
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	return req->method && req->path && req->content_type ? 0 : -1;
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

bool http_is_tls(const struct http_request *req)
{
	return req->srv->tls;
}

/* What the post processor's iterator carries. */
struct post_walk {
	http_post_fn fn;   /* the caller's */
	void *ctx;         /* its context */
	int stop;          /* what it stopped with, or 0 */
};

static enum MHD_Result post_piece(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *content_type,
                                  const char *transfer_encoding, const char *data,
                                  uint64_t off, size_t size)
{
	struct post_walk *w = cls;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	w->stop = w->fn(w->ctx, key ? key : "", filename, off, data, size);
	return w->stop == 0 ? MHD_YES : MHD_NO;
}

int http_post_each(struct http_request *req, http_post_fn fn, void *ctx)
{
	struct post_walk w = { fn, ctx, 0 };
	struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 16 * 1024,
	                                                         post_piece, &w);

	if (!pp)
		return -1;
	enum MHD_Result fed = req->body.len == 0 ? MHD_YES
	                      : MHD_post_process(pp, req->body.data, req->body.len);
	enum MHD_Result whole = MHD_destroy_post_processor(pp);
	if (w.stop != 0)
		return w.stop;
	return fed == MHD_YES && whole == MHD_YES ? 0 : -1;
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
	/* Answers carry counts and receipts: no cache may keep them unless the
	 * handler says the answer never changes (and then only the client's
	 * own cache: it was read with a token); no browser may guess a type
	 * other than the one declared. */
	const char *cache = req->cache == HTTP_CACHE_IMMUTABLE ?
	                    "private, max-age=31536000, immutable" : "no-store";
	if (MHD_add_response_header(resp, "Cache-Control", cache) != MHD_YES ||
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

void http_set_cache(struct http_request *req, enum http_cache cache)
{
	req->cache = cache;
}

/* Queues len bytes at body: taken (freed once sent) when owned, else copied. */
static void reply_buffer(struct http_request *req, unsigned status,
                         const char *content_type, char *body, size_t len, bool owned)
{
	/* libmicrohttpd takes a non-const pointer but, told to copy, never
	 * writes; told MUST_FREE, it calls free() once the body is sent. */
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	if (!resp && owned)
		free(body);
	reply_queue(req, status, content_type, resp, len);
}

/* True when the body goes out gzipped; says Vary whenever it could. */
static bool reply_gzips(struct http_request *req, unsigned status, const char *content_type,
                        size_t len)
{
	if (status != 200 || len < HTTP_GZIP_MIN || !http_compressible(content_type))
		return false;
	http_add_header(req, "Vary", "Accept-Encoding");
	return http_accepts_gzip(http_header(req, "Accept-Encoding"));
}

/* Sends a body as the client and the handler allow: gzipped, with an
 * entity tag, or as 304 Not Modified when the client holds those bytes. */
static void reply_body(struct http_request *req, unsigned status,
                       const char *content_type, char *body, size_t len, bool owned)
{
	bool gzip = reply_gzips(req, status, content_type, len);
	char etag[HTTP_ETAG_MAX], *gz;
	size_t gz_len;

	/* Only the answer itself never changes: an error may be fixed. */
	if (status != 200)
		req->cache = HTTP_CACHE_NO_STORE;
	if (req->cache == HTTP_CACHE_IMMUTABLE) {
		http_etag(body, len, gzip ? "-gzip" : "", etag);
		http_add_header(req, "ETag", etag);
		if (http_etag_matches(http_header(req, "If-None-Match"), etag)) {
			if (owned)
				free(body);
			reply_buffer(req, 304, NULL, "", 0, false);
			return;
		}
	}
	if (gzip && http_gzip(body, len, &gz, &gz_len) == 0) {
		if (owned)
			free(body);
		http_add_header(req, "Content-Encoding", "gzip");
		reply_buffer(req, status, content_type, gz, gz_len, true);
		return;
	}
	reply_buffer(req, status, content_type, body, len, owned);
}

void http_reply(struct http_request *req, unsigned status,
                const char *content_type, const char *body, size_t len)
{
	if (reply_allowed(req))
		reply_body(req, status, content_type, (char *)body, len, false);
}

void http_reply_owned(struct http_request *req, unsigned status,
                      const char *content_type, char *body, size_t len)
{
	if (reply_allowed(req))
		reply_body(req, status, content_type, body, len, true);
	else
		free(body);
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
	bool ok = cJSON_AddStringToObject(obj, "error", code) &&
	          cJSON_AddStringToObject(obj, "message", message);
	/* Without the object http_reply_json answers the out-of-memory 500. */
	http_reply_json(req, status, json_checked(obj, ok));
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

void http_reply_no_route(struct http_request *req)
{
	struct buf allow = BUF_INIT;
	const char *param;

	for (size_t i = 0; i < req->srv->nroutes; i++) {
		const struct http_route *r = &req->srv->routes[i];
		if (strcmp(r->method, "OPTIONS") != 0 && path_matches(r->path, req->path, &param))
			buf_printf(&allow, "%s%s", allow.len ? ", " : "", r->method);
	}
	if (buf_failed(&allow))
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

/* Answers on the socket itself and closes; see http_early.h. The request
 * is marked answered for the access log. `message` is plain text without
 * quotes or backslashes, so it goes into the JSON as it is. Returns MHD_NO,
 * which is what the access handler must return to close the connection. */
static enum MHD_Result reply_early(struct http_request *req, unsigned status,
                                   const char *reason, const char *code,
                                   const char *message)
{
	char head[512], body[640];
	int len = snprintf(body, sizeof body, "{\"error\":\"%s\",\"message\":\"%s\"}",
	                   code, message);

	snprintf(head, sizeof head,
	         "HTTP/1.1 %u %s\r\nContent-Type: " JSON_TYPE "\r\n"
	         "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	         "Connection: close\r\nContent-Length: %d\r\n\r\n", status, reason, len);
	snprintf(req->error, sizeof req->error, "%s", code);
	if (http_early_answer(req->conn, head, body, (size_t)len) == 0) {
		req->status = status;
		req->bytes = (size_t)len;
	}
	req->queue_failed = true;
	return MHD_NO;
}

static enum MHD_Result reply_too_large_early(struct http_request *req)
{
	char message[128];

	snprintf(message, sizeof message, TOO_LARGE, req->srv->body_limit);
	return reply_early(req, 413, "Content Too Large", "body_too_large", message);
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

/* Keeps a piece of the body, or drops it: when there is no route, the
 * target was refused, or memory ran out. A body that outgrows the limit,
 * kept or not, is answered 413 at once (returns MHD_NO: the connection
 * closes), so that no body is read for longer than one of the limit's size. */
static enum MHD_Result body_take(struct http_request *req, const char *data, size_t len)
{
	if (len > req->srv->body_limit - req->received) {
		req->body_state = BODY_TOO_LARGE;
		buf_free(&req->body);
		return reply_too_large_early(req);
	}
	req->received += len;
	if (!req->route || req->body_state != BODY_OK || req->target.status)
		return MHD_YES;
	if (buf_append(&req->body, data, len) != 0) {
		req->body_state = BODY_NO_MEMORY;
		buf_free(&req->body);
	}
	return MHD_YES;
}

/* Final call, the whole body is in: answers or hands over to the handler. */
static void request_answer(struct http_request *req)
{
	if (req->target.status) {
		http_reply_error(req, req->target.status, req->target.code, "%s",
		                 req->target.message);
		return;
	}
	if (!req->route) {
		http_reply_no_route(req);
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

/* Collects one framing header for http_framing_check. */
static enum MHD_Result framing_one(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
	struct http_framing *f = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0) {
		if (f->n_content_length < ARRAY_LEN(f->content_length))
			f->content_length[f->n_content_length] = value ? value : "";
		f->n_content_length++;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		if (f->n_transfer_encoding < ARRAY_LEN(f->transfer_encoding))
			f->transfer_encoding[f->n_transfer_encoding] = value ? value : "";
		f->n_transfer_encoding++;
	}
	return MHD_YES;
}

/* Refuses framing that libmicrohttpd would read one way and a proxy in
 * front of it another (RFC 9112 section 6): answered early, and closed. */
static bool framing_refused(struct http_request *req, enum MHD_Result *result)
{
	struct http_framing f = { { NULL }, 0, { NULL }, 0 };

	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, framing_one, &f);
	enum http_framing_check c = http_framing_check(&f);
	if (c == FRAMING_OK)
		return false;
	unsigned status = http_framing_status(c);
	*result = reply_early(req, status, status == 501 ? "Not Implemented" : "Bad Request",
	                      status == 501 ? "not_implemented" : "malformed_request",
	                      http_framing_message(c));
	return true;
}

/* True when the client waits for "100 Continue" before sending its body. */
static bool expects_continue(const struct http_request *req)
{
	const char *v = http_header(req, "Expect");

	return v && strcasecmp(v, "100-continue") == 0;
}

/* The connection's deadline watch (see on_connection), or NULL. */
static struct http_watch *conn_watch(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

/* First call, headers only: fills in the request state and starts the
 * body's deadline. Nothing is queued here, with two exceptions. Framing
 * that cannot be trusted is answered early and closed. A body announced
 * larger than the limit gets its 413 now: to a client that waits for
 * "100 Continue" (libcurl does, for large bodies) as a queued answer, which
 * makes libmicrohttpd skip the "100 Continue" so that the body is never
 * sent; to any other client early, on the socket, because it is already
 * sending the body. Either way the connection closes after the 413. */
static enum MHD_Result request_start(struct http_request *req, const char *method,
                                     const char *url)
{
	enum MHD_Result result = MHD_YES;

	if (request_fill(req, method, url) != 0)
		return MHD_NO;
	http_watch_body(req->srv->deadlines, conn_watch(req->conn));
	if (framing_refused(req, &result))
		return result;
	if (announced_too_large(req)) {
		if (!expects_continue(req))
			return reply_too_large_early(req);
		http_reply_error(req, 413, "body_too_large", TOO_LARGE, req->srv->body_limit);
	}
	return req->queue_failed ? MHD_NO : MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
	struct http_request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)version;
	/* on_target made the request; without it memory ran out. */
	if (!req)
		return MHD_NO;
	if (!req->started)
		return request_start(req, method, url);
	if (req->status != 0 || req->queue_failed) {
		/* Answered already: nothing more is wanted from this request. */
		*upload_data_size = 0;
		return req->queue_failed ? MHD_NO : MHD_YES;
	}
	if (!req->routed)
		request_route(req);
	if (*upload_data_size != 0) {
		enum MHD_Result r = body_take(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return r;
	}
	http_watch_answering(req->srv->deadlines, conn_watch(req->conn));
	request_answer(req);
	return req->queue_failed ? MHD_NO : MHD_YES;
}

/* Called with the raw request target, before libmicrohttpd decodes it or
 * splits its parameters: makes the request state (handed to on_access as
 * *con_cls) and checks the target. A target with too many parameters has
 * them cut off here, in libmicrohttpd's own buffer, because parsing them
 * would exhaust the connection's memory and end it without an answer; the
 * request is then refused with 400 anyway. */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_request *req = calloc(1, sizeof *req);

	if (!req)
		return NULL;
	req->srv = cls;
	req->conn = conn;
	switch (http_target_check(uri, strlen(uri))) {
	case TARGET_NUL:
		req->target = (struct refusal){ 400, "malformed_request",
			"the request target holds %00, a NUL byte, which no path or parameter accepts" };
		break;
	case TARGET_TOO_MANY_PARAMS:
		req->target = (struct refusal){ 400, "invalid_parameter",
			"the request has more query parameters than the 64 accepted" };
		/* The buffer is libmicrohttpd's and writable; the '?' stays. */
		((char *)strchr(uri, '?'))[1] = '\0';
		break;
	case TARGET_OK:
		break;
	}
	return req;
}

/* Writes the access-log line and frees the request. Runs once per request,
 * also when the client went away before an answer. The connection's head
 * deadline for its next request starts here. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;

	http_watch_idle(srv->deadlines, conn_watch(conn));
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

/* Starts and ends a connection's deadline watch. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = fd ? http_deadlines_watch(srv->deadlines, fd->connect_fd) : NULL;
	} else {
		http_deadlines_unwatch(srv->deadlines, *socket_context);
		*socket_context = NULL;
	}
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

/* An address to listen on, either family. */
struct listen_addr {
	struct sockaddr_storage ss; /* a sockaddr_in or a sockaddr_in6 */
	unsigned port;              /* the port asked for (0: the kernel chooses) */
	bool dual_stack;            /* "[::]": IPv6 and IPv4 on one socket */
};

/* Parses the PORT after HOST; 0 on success. */
static int listen_port(const char *text, unsigned *port)
{
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	unsigned long p = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

/* Parses "[IPV6]:PORT". "[::]" also takes IPv4 (dual stack), as the
 * wildcard address of IPv6 does on Linux unless the socket is v6-only. */
static int listen_parse6(const char *listen, struct listen_addr *la)
{
	const char *bracket = strchr(listen, ']');
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&la->ss;
	size_t len = bracket ? (size_t)(bracket - listen - 1) : 0;

	if (!bracket || bracket[1] != ':' || len == 0 || len >= sizeof host ||
	    listen_port(bracket + 2, &la->port) != 0)
		return -1;
	memcpy(host, listen + 1, len);
	host[len] = '\0';
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons((uint16_t)la->port);
	if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
		return -1;
	la->dual_stack = IN6_IS_ADDR_UNSPECIFIED(&sa->sin6_addr);
	return 0;
}

/* Parses "HOST:PORT": HOST an IPv4 address or "localhost", or an IPv6
 * address in brackets ("[::1]:8080", "[::]:8080"). */
static int listen_parse(const char *listen, struct listen_addr *la)
{
	const char *colon = strrchr(listen, ':');
	char host[INET_ADDRSTRLEN];
	struct sockaddr_in *sa = (struct sockaddr_in *)&la->ss;

	memset(la, 0, sizeof *la);
	if (listen[0] == '[')
		return listen_parse6(listen, la);
	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    listen_port(colon + 1, &la->port) != 0)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)la->port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

unsigned http_server_port(const struct http_server *srv)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info ? (unsigned)info->port : 0;
}

static void log_listening(struct http_server *srv, const struct listen_addr *la)
{
	char host[INET6_ADDRSTRLEN];
	bool v6 = la->ss.ss_family == AF_INET6;
	const void *addr = v6 ? (const void *)&((const struct sockaddr_in6 *)&la->ss)->sin6_addr
	                      : (const void *)&((const struct sockaddr_in *)&la->ss)->sin_addr;

	inet_ntop(la->ss.ss_family, addr, host, sizeof host);
	/* With port 0 the kernel chose one; the log says which. */
	log_info("listening on %s://%s%s%s:%u%s", srv->tls ? "https" : "http", v6 ? "[" : "",
	         host, v6 ? "]" : "", http_server_port(srv),
	         la->dual_stack ? " (IPv6 and IPv4)" : "");
}

/* Starts libmicrohttpd on srv. The port is passed alongside the address
 * only so that libmicrohttpd's own bind error names it. */
static struct MHD_Daemon *daemon_start(struct http_server *srv,
                                       const struct http_server_config *cfg,
                                       const struct listen_addr *la)
{
	/* poll() rather than select(): descriptors past 1023 are fine. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                 MHD_USE_POLL | MHD_USE_ERROR_LOG | (srv->tls ? MHD_USE_TLS : 0);

	/* libmicrohttpd reads a sockaddr_in6 only with MHD_USE_IPv6; without
	 * MHD_USE_DUAL_STACK it makes the socket v6-only. */
	if (la->ss.ss_family == AF_INET6)
		flags |= la->dual_stack ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	return MHD_start_daemon(
		flags, (uint16_t)la->port, NULL, NULL, on_access, srv,
		/* The logger goes first so that it sees complaints about the rest. */
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&la->ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->connection_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->client_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
		MHD_OPTION_URI_LOG_CALLBACK, on_target, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		/* Without TLS the list ends here. TLS 1.2 and 1.3 only: older
		 * versions have known weaknesses and no client of ours needs them. */
		srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cfg->tls_cert,
		MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_END);
}

struct http_server *http_server_start(const struct http_server_config *cfg,
                                      const struct http_route *routes,
                                      size_t nroutes, void *app)
{
	struct http_server *srv = NULL;
	struct listen_addr la;

	if (listen_parse(cfg->listen, &la) != 0) {
		log_error("listen address \"%s\" is not HOST:PORT with an IPv4 HOST, "
		          "localhost or [IPV6]",
		          cfg->listen);
		goto fail;
	}
	if (cfg->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		log_error("this libmicrohttpd was built without TLS; cannot serve HTTPS");
		goto fail;
	}
	srv = calloc(1, sizeof *srv);
	if (!srv)
		goto fail;
	*srv = (struct http_server){ NULL, routes, nroutes, app, cfg->body_limit, NULL,
	                             cfg->tls_cert != NULL };
	srv->deadlines = http_deadlines_start(cfg->head_timeout_s, cfg->body_timeout_s);
	if (!srv->deadlines)
		goto fail;
	srv->daemon = daemon_start(srv, cfg, &la);
	if (!srv->daemon) {
		log_error("cannot listen on %s%s", cfg->listen,
		          srv->tls ? " (or the TLS certificate and key were refused)" : "");
		goto fail;
	}
	log_listening(srv, &la);
	return srv;
fail:
	if (srv && srv->deadlines) {
		http_deadlines_stop(srv->deadlines);
		http_deadlines_free(srv->deadlines);
	}
	free(srv);
	return NULL;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* The watchdog ends first; stopping the daemon then joins every
	 * connection thread (handlers still running finish first) and
	 * unwatches every connection as it closes. */
	http_deadlines_stop(srv->deadlines);
	MHD_stop_daemon(srv->daemon);
	http_deadlines_free(srv->deadlines);
	free(srv);
}
