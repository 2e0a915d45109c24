/* Content coding and entity tags; see http_encoding.h. */
#include "http_encoding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "crypto.h"

/* Skips spaces and tabs. */
static const char *skip_ws(const char *p)
{
	return p + strspn(p, " \t");
}

/* The q of one list element's parameters ("; q=0.5"), 1 when absent. */
static double element_q(const char *params, size_t len)
{
	for (const char *p = params; p < params + len; p++) {
		if ((*p == 'q' || *p == 'Q') && p[1] == '=' &&
		    (p == params || p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t'))
			return strtod(p + 2, NULL);
	}
	return 1.0;
}

bool http_accepts_gzip(const char *accept_encoding)
{
	double gzip = -1, star = -1;

	for (const char *p = accept_encoding; p && *p;) {
		p = skip_ws(p);
		size_t len = strcspn(p, ","), name = strcspn(p, ";, \t");
		double q = element_q(p + name, len - name);
		if ((name == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (name == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			gzip = q;
		else if (name == 1 && *p == '*')
			star = q;
		p += len + (p[len] == ',');
	}
	return gzip >= 0 ? gzip > 0 : star > 0;
}

bool http_compressible(const char *content_type)
{
	/* Office Open XML files are zip archives already. */
	if (!content_type || strstr(content_type, "openxmlformats"))
		return false;
	return strncmp(content_type, "text/", 5) == 0 || strstr(content_type, "json") ||
	       strstr(content_type, "csv") || strstr(content_type, "xml");
}

int http_gzip(const char *data, size_t len, char **out, size_t *out_len)
{
	z_stream z = { 0 };
	/* 31: a window of 2^15 and a gzip header and trailer. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t room = deflateBound(&z, (uLong)len);
	char *buf = malloc(room);
	int rc = -1;

	if (!buf)
		goto done;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)room;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		goto done;
	*out = buf;
	*out_len = room - z.avail_out;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	deflateEnd(&z);
	return rc;
}

void http_etag(const char *data, size_t len, const char *suffix, char out[HTTP_ETAG_MAX])
{
	char hex[2 * CRYPTO_SHA256_BYTES + 1];

	crypto_sha256_hex(data, len, hex);
	snprintf(out, HTTP_ETAG_MAX, "\"%.32s%.8s\"", hex, suffix);
}

bool http_etag_matches(const char *if_none_match, const char *etag)
{
	size_t tlen = strlen(etag);

	for (const char *p = if_none_match; p && *p;) {
		p = skip_ws(p);
		size_t len = strcspn(p, ",");
		const char *tag = p;
		if (len >= 2 && strncmp(tag, "W/", 2) == 0)
			tag += 2;
		size_t n = len - (size_t)(tag - p);
		while (n > 0 && (tag[n - 1] == ' ' || tag[n - 1] == '\t'))
			n--;
		if ((n == 1 && *tag == '*') || (n == tlen && memcmp(tag, etag, tlen) == 0))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}
