/* Query parameters of the read endpoints; see query.h. */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "period.h"
#include "series_build.h"

/* Characters of a value quoted back in a message. */
#define ECHO_MAX 40

void query_echo(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && s[n] && n < ECHO_MAX && n + 1 < size; n++)
		out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	out[n] = '\0';
	if (s && s[n] && n == ECHO_MAX && size > ECHO_MAX + 3)
		strcpy(out + n, "...");
}

int query_bad(struct http_request *req, const char *name, const char *value,
              const char *why)
{
	char echo[ECHO_MAX + 4];

	query_echo(echo, sizeof echo, value);
	http_reply_error(req, 400, "invalid_parameter", "%s '%s': %s", name, echo, why);
	return -1;
}

/* What query_read collects while libmicrohttpd walks the arguments. */
struct read_ctx {
	struct query_param *params;  /* the handler's list */
	size_t n;                    /* its length */
	char unknown[ECHO_MAX + 4];  /* the first unknown name, echoed */
	bool has_unknown;            /* a name not in the list came */
};

static void read_one(void *ctx, const char *key, const char *value)
{
	struct read_ctx *r = ctx;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->params[i].name, key) == 0) {
			r->params[i].value = value;
			r->params[i].count++;
			return;
		}
	if (!r->has_unknown) {
		r->has_unknown = true;
		query_echo(r->unknown, sizeof r->unknown, key);
	}
}

int query_read(struct http_request *req, struct query_param *params, size_t n)
{
	struct read_ctx r = { params, n, "", false };

	http_query_each(req, read_one, &r);
	if (r.has_unknown) {
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'",
		                 r.unknown);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (params[i].count > 1) {
			http_reply_error(req, 400, "invalid_parameter", "%s: give it once",
			                 params[i].name);
			return -1;
		}
	return 0;
}

/* 400 for a required parameter that did not come. */
static int required(struct http_request *req, const char *name, const char *example)
{
	http_reply_error(req, 400, "invalid_parameter",
	                 "the query parameter %s is required, e.g. %s=%s", name, name, example);
	return -1;
}

int query_indicator(struct http_request *req, const struct catalogue *cat,
                    const char *value, const struct cat_indicator **out)
{
	if (!value)
		return required(req, "indicator", "bup.nya_barn");
	*out = catalogue_indicator(cat, value);
	return *out ? 0 : query_bad(req, "indicator", value, "no such indicator in the catalogue");
}

int query_area(struct http_request *req, const struct catalogue *cat, const char *value,
               const struct cat_area **out)
{
	if (!value)
		return required(req, "area", "0581");
	*out = catalogue_area(cat, value);
	return *out ? 0 : query_bad(req, "area", value, "no such area in the catalogue");
}

int query_municipality(struct http_request *req, const struct catalogue *cat,
                       const char *value, const char *what, const struct cat_area **out)
{
	if (query_area(req, cat, value, out) != 0)
		return -1;
	if ((*out)->parent < 0)
		return 0;
	http_reply_error(req, 400, "invalid_parameter", "area '%s': %s is of a municipality; "
	                 "this area's municipality is '%s'", (*out)->code, what,
	                 area_municipality(cat, *out)->code);
	return -1;
}

/* Every format: its name in format=, its media type, its flag. */
static const struct {
	const char *name;          /* as format= gives it */
	const char *type;          /* the media type, in Accept and Content-Type */
	enum query_format format;  /* its flag */
} formats[] = {
	{ "json", "application/json", FORMAT_JSON },
	{ "csv", "text/csv", FORMAT_CSV },
	{ "sdmx-json", "application/vnd.sdmx.data+json", FORMAT_SDMX },
	{ "json-stat2", "application/json-stat+json", FORMAT_JSONSTAT },
	{ "sdmx-csv", "application/vnd.sdmx.data+csv", FORMAT_SDMX_CSV },
	{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	  FORMAT_XLSX },
};

const char *query_format_type(enum query_format format)
{
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (formats[i].format == format)
			return formats[i].type;
	return "application/json";
}

/* "json, csv or sdmx-json": the allowed formats' names. */
static void format_names(unsigned allowed, char *out, size_t size)
{
	size_t n = 0, count = 0, seen = 0;

	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		count += (allowed & formats[i].format) != 0;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(formats) && n < size; i++) {
		if (!(allowed & formats[i].format))
			continue;
		seen++;
		n += (size_t)snprintf(out + n, size - n, "%s%s", seen == 1 ? "" :
		                      seen == count ? " or " : ", ", formats[i].name);
	}
}

/* The format of one media range of an Accept header, among `allowed`;
 * 0 when it names none of them. */
static unsigned accept_one(const char *range, size_t len, unsigned allowed)
{
	if ((len == 3 && memcmp(range, "*/*", 3) == 0) ||
	    (len == 13 && memcmp(range, "application/*", 13) == 0))
		return allowed & FORMAT_JSON;
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (strlen(formats[i].type) == len && strncasecmp(range, formats[i].type, len) == 0)
			return allowed & formats[i].format;
	return 0;
}

/* The allowed format an Accept header prefers (highest q, then first). */
static unsigned accept_pick(const char *accept, unsigned allowed)
{
	unsigned best = 0;
	double best_q = 0;

	for (const char *p = accept; *p;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, ","), range = strcspn(p, ";, \t");
		const char *q = memmem(p, len, "q=", 2);
		double weight = q ? strtod(q + 2, NULL) : 1.0;
		unsigned f = accept_one(p, range, allowed);
		if (f && weight > best_q) {
			best = f;
			best_q = weight;
		}
		p += len + (p[len] == ',');
	}
	return best;
}

int query_format(struct http_request *req, const char *value, unsigned allowed,
                 enum query_format *out)
{
	const char *accept = http_header(req, "Accept");
	char names[96], why[128];

	if (!value) {
		*out = !accept || !*accept ? FORMAT_JSON : accept_pick(accept, allowed);
		if (*out)
			return 0;
		format_names(allowed, names, sizeof names);
		http_reply_error(req, 406, "not_acceptable", "Accept names no format of this "
		                 "endpoint; it answers %s (or ask with format=)", names);
		return -1;
	}
	*out = 0;
	for (size_t i = 0; i < ARRAY_LEN(formats); i++)
		if (strcmp(value, formats[i].name) == 0)
			*out = formats[i].format;
	if (*out & allowed)
		return 0;
	/* The list of names is made only for the refusal: every read asks. */
	format_names(allowed, names, sizeof names);
	snprintf(why, sizeof why, "use %s", names);
	return query_bad(req, "format", value, why);
}

int query_lang(struct http_request *req, const char *value, bool *english)
{
	*english = value && strcmp(value, "en") == 0;
	if (!value || *english || strcmp(value, "sv") == 0)
		return 0;
	return query_bad(req, "lang", value, "expected sv or en");
}

int query_freq(struct http_request *req, const char *value, enum series_freq *out)
{
	if (!value || strcmp(value, "quarter") == 0)
		*out = FREQ_QUARTER;
	else if (strcmp(value, "year") == 0)
		*out = FREQ_YEAR;
	else
		return query_bad(req, "freq", value, "use quarter or year");
	return 0;
}

/* ---- RFC 3339 ------------------------------------------------------------ */

int query_rfc3339(const char *s, char *out, size_t size)
{
	if (!s || strlen(s) >= size)
		return -1;
	/* A query string turns an unencoded '+' into a space. RFC 3339 has a
	 * '+' only as an offset's sign and a space nowhere, so every space is
	 * read as the '+' it was. */
	strcpy(out, s);
	for (char *sp = strchr(out, ' '); sp; sp = strchr(sp, ' '))
		*sp = '+';
	return rfc3339_canonical(out, out, size);
}

int query_as_of(struct http_request *req, const char *value, char out[QUERY_TIME_MAX])
{
	out[0] = '\0';
	if (!value || query_rfc3339(value, out, QUERY_TIME_MAX) == 0)
		return 0;
	out[0] = '\0';
	return query_bad(req, "as_of", value, "not an RFC 3339 time such as 2024-05-01T12:00:00Z "
	                 "(write a '+' in an offset as %2B)");
}

/* ---- periods ------------------------------------------------------------- */

int query_year(struct http_request *req, const char *value, time_t now, int *out)
{
	if (!value)
		return required(req, "year", "2024");
	if (period_parse_year(value, out) != 0)
		return query_bad(req, "year", value, "a year is written YYYY");
	if (*out < PERIOD_MIN_YEAR)
		return query_bad(req, "year", value, "the first year is 2000");
	if (*out > period_year(period_current(now)))
		return query_bad(req, "year", value, "the year has not begun");
	return 0;
}

/* A quarter bound from a year: its first quarter, or its last up to now. */
static int bound_of_year(int year, bool is_to, time_t now)
{
	int p = period_make(year, is_to ? 4 : 1);
	int current = period_current(now);
	return is_to && p > current ? current : p;
}

int query_bound(struct http_request *req, const char *name, const char *value,
                enum series_freq freq, time_t now, int *out)
{
	bool is_to = strcmp(name, "to") == 0;
	int p, year;

	if (period_parse_year(value, &year) == 0) {
		/* A year after the current one is refused even as "to", which
		 * bound_of_year would otherwise cut to the current quarter. */
		p = year > period_year(period_current(now)) ? period_make(year, 1)
		                                            : bound_of_year(year, is_to, now);
	} else if (period_parse(value, &p) != PERIOD_OK)
		return query_bad(req, name, value,
		                 "a period is a quarter YYYYQn or YYYY-Qn (or YYYYKn, "
		                 "YYYY-Kn), or a year YYYY");
	if (period_year(p) < PERIOD_MIN_YEAR)
		return query_bad(req, name, value, "periods start at 2000Q1");
	if (p > period_current(now))
		return query_bad(req, name, value, "the period has not begun");
	*out = freq == FREQ_QUARTER ? p : period_year(p);
	return 0;
}
