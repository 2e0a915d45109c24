/* The HTTP server: libmicrohttpd underneath, a route table on top.
 * A route is a method, a path and a handler. A path ending in "/ *" (written
 * without the space) matches one more segment, read with http_path_param.
 * 404 and 405 are answered here, bodies are collected here up to the limit
 * (413 beyond it), framing and targets that cannot be trusted are refused
 * here (400, 501), deadlines and connection limits are kept here, and every
 * response is logged here, once. */
#ifndef SAMLAD_HTTP_H
#define SAMLAD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "compiler.h"

struct http_request;

/* A handler answers by calling exactly one http_reply* function. If it
 * returns without doing so, the client gets a 500. `app` is the pointer given
 * to http_server_start. */
typedef void (*http_handler)(struct http_request *req, void *app);

struct http_route {
	const char *method;    /* "GET", "POST", ... */
	const char *path;      /* "/v1/counts" or "/v1/submissions/ *" (no space) */
	http_handler handler;  /* called once the whole body has arrived */
};

struct http_server_config {
	const char *listen;       /* "HOST:PORT"; HOST is an IPv4 address, "localhost" or "[IPV6]" */
	unsigned connection_limit; /* most connections open at once */
	unsigned client_limit;    /* most connections open at once from one address */
	size_t body_limit;        /* largest accepted request body, in bytes */
	unsigned timeout_s;       /* connections silent this long are closed */
	unsigned head_timeout_s;  /* a request head (or the wait for one) may take this long */
	unsigned body_timeout_s;  /* a request body may take this long */
	const char *tls_cert;     /* PEM certificate chain, or NULL for plain HTTP */
	const char *tls_key;      /* PEM private key of tls_cert, or NULL */
};

struct http_server;

/* Starts serving on its own threads. The routes and app must outlive the
 * server. Returns NULL (and logs why) when the address cannot be bound. */
struct http_server *http_server_start(const struct http_server_config *cfg,
                                      const struct http_route *routes,
                                      size_t nroutes, void *app);
/* The port the server listens on (the one the kernel chose for port 0). */
unsigned http_server_port(const struct http_server *srv);
/* Stops accepting, finishes nothing further, frees the server. */
void http_server_stop(struct http_server *srv);

/* Request accessors. Returned strings belong to the request. */
/* The segment matched by a trailing "*" in the route, or NULL. */
const char *http_path_param(const struct http_request *req);
/* A query-string argument, URL-decoded, or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* Calls fn for every query argument; used to reject unknown ones. */
void http_query_each(const struct http_request *req,
                     void (*fn)(void *ctx, const char *key, const char *value),
                     void *ctx);
/* A request header (case-insensitive name), or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* A cookie's value, or NULL. */
const char *http_cookie(const struct http_request *req, const char *name);
/* The body, NUL-terminated; *len gets its length. Never NULL. */
const char *http_body(const struct http_request *req, size_t *len);
/* The media type of Content-Type, lower-cased, without parameters, or "". */
const char *http_content_type(const struct http_request *req);
/* True when the request came over TLS (the server has a certificate). */
bool http_is_tls(const struct http_request *req);
/* One piece of a field of a form body, as libmicrohttpd's post processor
 * hands it: the field's name, its file name (NULL for a plain field), and
 * `size` bytes of its value from `offset` on (a long value comes in
 * pieces). Return 0 to go on, anything else to stop. */
typedef int (*http_post_fn)(void *ctx, const char *name, const char *filename,
                            uint64_t offset, const char *data, size_t size);
/* Walks the (whole) body of a multipart/form-data or
 * application/x-www-form-urlencoded request with libmicrohttpd's post
 * processor (MHD_create_post_processor). Returns 0; the callback's stop;
 * or -1 when the body is of another type, malformed or cut short. */
int http_post_each(struct http_request *req, http_post_fn fn, void *ctx) WUR;
/* Handler-owned per-request slot, e.g. the authenticated principal for logs. */
void http_set_log_tag(struct http_request *req, const char *tag);

/* How long caches may keep an answer. */
enum http_cache {
	HTTP_CACHE_NO_STORE,   /* the default: answers carry counts; no cache keeps them */
	HTTP_CACHE_IMMUTABLE,  /* the answer never changes (an as_of answer): kept a year,
	                        * with an entity tag, and 304 for If-None-Match */
};

/* Sets how caches may keep this request's answer; call before replying. */
void http_set_cache(struct http_request *req, enum http_cache cache);

/* Adds a response header; call before replying. Values are copied. */
void http_add_header(struct http_request *req, const char *name, const char *value);

/* The replies below gzip a body of HTTP_GZIP_MIN bytes or more of a
 * compressible type when the client accepts gzip (http_encoding.h). */
/* Replies with a copy of `body`. */
void http_reply(struct http_request *req, unsigned status,
                const char *content_type, const char *body, size_t len);
/* Replies with the JSON text of `obj` and frees it (takes ownership). */
void http_reply_json(struct http_request *req, unsigned status, cJSON *obj);
/* Replies {"error": code, "message": ...} and logs it. */
void http_reply_error(struct http_request *req, unsigned status,
                      const char *code, const char *fmt, ...) PRINTF(4, 5);
/* Replies as to a request that has no route: 405 with Allow (the methods
 * of the routes for its path) when the path is served with other methods,
 * else 404. An OPTIONS route (a CORS preflight) is never listed in Allow,
 * so that its handler may decline with this reply as if it were not there. */
void http_reply_no_route(struct http_request *req);
/* Replies with `body` and frees it (takes ownership of a malloc'd string). */
void http_reply_owned(struct http_request *req, unsigned status,
                      const char *content_type, char *body, size_t len);

#endif
