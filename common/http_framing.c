/* Framing and target checks; see http_framing.h. */
#include "http_framing.h"

#include <string.h>
#include <strings.h>

enum http_target_check http_target_check(const char *target, size_t len)
{
	const char *q = memchr(target, '?', len);

	/* %00 decodes to a NUL, which would cut the C string the handlers see
	 * (a path "/v1/submissions/x%00y" would be read as ".../x"). */
	for (size_t i = 0; i + 2 < len; i++)
		if (target[i] == '%' && target[i + 1] == '0' && target[i + 2] == '0')
			return TARGET_NUL;
	if (!q)
		return TARGET_OK;
	/* Every '&' or ';'-free run is one parameter to libmicrohttpd,
	 * empty ones included, so count separators rather than names. */
	size_t params = 1;
	for (const char *p = q + 1; p < target + len; p++)
		params += *p == '&';
	return params > HTTP_MAX_PARAMS ? TARGET_TOO_MANY_PARAMS : TARGET_OK;
}

/* True when v is one or more digits and nothing else. libmicrohttpd reads
 * "+5" or " 5" its own way; only the plain form is unambiguous. */
static bool length_valid(const char *v)
{
	return *v && v[strspn(v, "0123456789")] == '\0';
}

enum http_framing_check http_framing_check(const struct http_framing *f)
{
	if (f->n_content_length > 0 && f->n_transfer_encoding > 0)
		return FRAMING_BOTH;
	/* libmicrohttpd decodes "chunked" alone, compared without case and
	 * with nothing around it; any other coding, a list, or a second
	 * header would be read as a body that never ends. */
	if (f->n_transfer_encoding > 1 ||
	    (f->n_transfer_encoding == 1 && strcasecmp(f->transfer_encoding[0], "chunked") != 0))
		return FRAMING_UNKNOWN_CODING;
	size_t kept = f->n_content_length < 4 ? f->n_content_length : 4;
	for (size_t i = 0; i < kept; i++) {
		if (!length_valid(f->content_length[i]))
			return FRAMING_BAD_LENGTH;
		if (i > 0 && strcmp(f->content_length[i], f->content_length[0]) != 0)
			return FRAMING_LENGTHS_DIFFER;
	}
	/* More values than kept: whether they agree is not worth knowing. */
	return f->n_content_length > kept ? FRAMING_LENGTHS_DIFFER : FRAMING_OK;
}

unsigned http_framing_status(enum http_framing_check c)
{
	return c == FRAMING_UNKNOWN_CODING ? 501 : 400;
}

const char *http_framing_message(enum http_framing_check c)
{
	switch (c) {
	case FRAMING_BOTH:
		return "the request has both Content-Length and Transfer-Encoding; "
		       "send one of them";
	case FRAMING_LENGTHS_DIFFER:
		return "the request has Content-Length headers that differ";
	case FRAMING_BAD_LENGTH:
		return "the request's Content-Length is not a plain decimal number";
	case FRAMING_UNKNOWN_CODING:
		return "the only Transfer-Encoding understood is chunked";
	case FRAMING_OK:
		break;
	}
	return "the request's framing is fine";
}
