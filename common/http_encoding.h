/* What a response may become on the way out: gzip for a client that
 * accepts it, an entity tag and a 304 for a client that already holds the
 * same bytes. Plumbing for common/http.c; pure functions, tested alone. */
#ifndef SAMLAD_HTTP_ENCODING_H
#define SAMLAD_HTTP_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* Bodies shorter than this are sent as they are: gzip would save little. */
#define HTTP_GZIP_MIN 1024
/* Room for an entity tag: quotes, 32 hex digits, a suffix, NUL. */
#define HTTP_ETAG_MAX 48

/* True when an Accept-Encoding value (NULL when absent) accepts gzip:
 * gzip, x-gzip or * listed with a q above 0, and gzip not refused. */
bool http_accepts_gzip(const char *accept_encoding);
/* True for the media types gzip shrinks (text, JSON, CSV, XML, SVG). */
bool http_compressible(const char *content_type);
/* The gzip member of len bytes at data in *out (malloc'd, the caller's to
 * free) and *out_len. 0, or -1 when memory ran out. */
int http_gzip(const char *data, size_t len, char **out, size_t *out_len) WUR;
/* The strong entity tag of a body: "\"<first 32 hex digits of its
 * SHA-256><suffix>\"", so that two encodings of one body differ. */
void http_etag(const char *data, size_t len, const char *suffix, char out[HTTP_ETAG_MAX]);
/* True when an If-None-Match value (NULL when absent) names etag, or is *.
 * Weak tags (W/"...") match by their opaque part, as RFC 9110 says for
 * If-None-Match. */
bool http_etag_matches(const char *if_none_match, const char *etag);

#endif
