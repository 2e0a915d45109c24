/* Query parameters of the read endpoints; see query.h. */
#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "period.h"

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

/* Answers 400 invalid_parameter naming the parameter and quoting its value. */
static int bad(struct http_request *req, const char *name, const char *value,
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
	return *out ? 0 : bad(req, "indicator", value, "no such indicator in the catalogue");
}

int query_area(struct http_request *req, const struct catalogue *cat, const char *value,
               const struct cat_area **out)
{
	if (!value)
		return required(req, "area", "0581");
	*out = catalogue_area(cat, value);
	return *out ? 0 : bad(req, "area", value, "no such area in the catalogue");
}

/* The format an Accept header asks for when format= is absent. */
static enum query_format from_accept(const char *accept)
{
	if (accept && strstr(accept, "text/csv"))
		return FORMAT_CSV;
	return FORMAT_JSON;
}

int query_format(struct http_request *req, const char *value, unsigned allowed,
                 enum query_format *out)
{
	if (!value)
		*out = from_accept(http_header(req, "Accept"));
	else if (strcmp(value, "json") == 0)
		*out = FORMAT_JSON;
	else if (strcmp(value, "csv") == 0)
		*out = FORMAT_CSV;
	else if (strcmp(value, "sdmx-json") == 0)
		*out = FORMAT_SDMX;
	else
		*out = 0;
	if (*out & allowed)
		return 0;
	return bad(req, "format", value, (allowed & FORMAT_SDMX) ? "use json, csv or sdmx-json"
	                                                          : "use json or csv");
}

int query_freq(struct http_request *req, const char *value, enum series_freq *out)
{
	if (!value || strcmp(value, "quarter") == 0)
		*out = FREQ_QUARTER;
	else if (strcmp(value, "year") == 0)
		*out = FREQ_YEAR;
	else
		return bad(req, "freq", value, "use quarter or year");
	return 0;
}

/* ---- RFC 3339 ------------------------------------------------------------ */

/* Reads n digits into *v; false when one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* "YYYY-MM-DD" with a real date. */
static bool date_ok(const char *s)
{
	int y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* "HH:MM:SS" or, with seconds false, "HH:MM". */
static bool time_ok(const char *s, bool seconds)
{
	int h, m, sec = 0;

	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m))
		return false;
	if (seconds && (s[5] != ':' || !digits(s + 6, 2, &sec)))
		return false;
	return h <= 23 && m <= 59 && sec <= 59;
}

/* An offset "HH:MM" no further from UTC than PostgreSQL takes (15:59);
 * RFC 3339 allows up to 23:59, but no zone on Earth is beyond 14:00. */
static bool offset_ok(const char *s)
{
	int h;

	return time_ok(s, false) && digits(s, 2, &h) && h <= 15;
}

/* After the seconds: an optional fraction, then Z or an offset. Returns the
 * length of the fraction, or -1. */
static int zone_at(const char *s)
{
	int n = 0;

	if (s[0] == '.') {
		for (n = 1; isdigit((unsigned char)s[n]) && n <= 9; n++)
			;
		if (n == 1 || isdigit((unsigned char)s[n]))
			return -1;
	}
	const char *z = s + n;
	if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0')
		return n;
	if ((z[0] == '+' || z[0] == '-' || z[0] == ' ') && offset_ok(z + 1) && z[6] == '\0')
		return n;
	return -1;
}

int query_rfc3339(const char *s, char *out, size_t size)
{
	if (!s || strlen(s) < 20 || strlen(s) >= size || !date_ok(s) ||
	    (s[10] != 'T' && s[10] != 't') || !time_ok(s + 11, true))
		return -1;
	int frac = zone_at(s + 19);
	if (frac < 0)
		return -1;
	strcpy(out, s);
	out[10] = 'T';
	char *z = out + 19 + frac;
	if (*z == 'z')
		*z = 'Z';
	else if (*z == ' ')
		*z = '+';
	return 0;
}

int query_as_of(struct http_request *req, const char *value, char out[QUERY_TIME_MAX])
{
	out[0] = '\0';
	if (!value || query_rfc3339(value, out, QUERY_TIME_MAX) == 0)
		return 0;
	out[0] = '\0';
	return bad(req, "as_of", value, "not an RFC 3339 time such as 2024-05-01T12:00:00Z "
	           "(write a '+' in an offset as %2B)");
}

/* ---- periods ------------------------------------------------------------- */

int query_year(struct http_request *req, const char *value, time_t now, int *out)
{
	if (!value)
		return required(req, "year", "2024");
	if (period_parse_year(value, out) != 0)
		return bad(req, "year", value, "a year is written YYYY");
	if (*out < PERIOD_MIN_YEAR)
		return bad(req, "year", value, "the first year is 2000");
	if (*out > period_year(period_current(now)))
		return bad(req, "year", value, "the year has not begun");
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
		return bad(req, name, value, "a period is a quarter YYYYQn or YYYY-Qn, or a year YYYY");
	if (period_year(p) < PERIOD_MIN_YEAR)
		return bad(req, name, value, "periods start at 2000Q1");
	if (p > period_current(now))
		return bad(req, name, value, "the period has not begun");
	*out = freq == FREQ_QUARTER ? p : period_year(p);
	return 0;
}
