/* Checks of a request's framing and target that libmicrohttpd 0.9.75 does
 * not make (RFC 9112 sections 6 and 3.2): these run on the raw request
 * before anything is routed, and a request that fails one is answered and
 * its connection closed, since what follows it on the connection can no
 * longer be told apart from its body. Pure functions, fuzzed. */
#ifndef SAMLAD_HTTP_FRAMING_H
#define SAMLAD_HTTP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

/* Most query parameters in one request. The aggregator's endpoints take
 * at most eight; libmicrohttpd runs out of its per-connection memory a
 * little beyond 400 and then drops the connection without an answer. */
#define HTTP_MAX_PARAMS 64

/* What is wrong with a request target (the raw one, before decoding). */
enum http_target_check {
	TARGET_OK = 0,
	TARGET_NUL,             /* %00 in the path or a parameter */
	TARGET_TOO_MANY_PARAMS, /* more than HTTP_MAX_PARAMS parameters */
};

/* Checks the raw target of len bytes (path and query as sent). */
enum http_target_check http_target_check(const char *target, size_t len);

/* The framing headers of a request, as received. */
struct http_framing {
	const char *content_length[4];  /* the Content-Length values, in order */
	size_t n_content_length;        /* how many there were (may exceed 4) */
	const char *transfer_encoding[4]; /* likewise Transfer-Encoding */
	size_t n_transfer_encoding;     /* how many there were */
};

/* What is wrong with the framing. */
enum http_framing_check {
	FRAMING_OK = 0,
	FRAMING_BOTH,            /* Content-Length and Transfer-Encoding: 400 */
	FRAMING_LENGTHS_DIFFER,  /* Content-Length values that differ: 400 */
	FRAMING_BAD_LENGTH,      /* a Content-Length that is not digits: 400 */
	FRAMING_UNKNOWN_CODING,  /* a Transfer-Encoding other than chunked: 501 */
};

enum http_framing_check http_framing_check(const struct http_framing *f);

/* The status and the sentence for a failed check. */
unsigned http_framing_status(enum http_framing_check c);
const char *http_framing_message(enum http_framing_check c);

#endif
