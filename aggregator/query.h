/* The query parameters of the read endpoints: which names a handler
 * accepts, and typed readers that answer 400 invalid_parameter with a
 * message naming the parameter. Every reader returns 0, or -1 after it has
 * answered. A value echoed in a message is cut short and stripped of
 * anything but printable ASCII. */
#ifndef SAMLAD_QUERY_H
#define SAMLAD_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "catalogue.h"
#include "compiler.h"
#include "http.h"
#include "rfc3339.h"
#include "series.h"

/* Room for a canonical RFC 3339 time with a fraction and an offset. */
#define QUERY_TIME_MAX RFC3339_MAX

/* One parameter a handler accepts. */
struct query_param {
	const char *name;   /* the parameter's name */
	const char *value;  /* its value once read (owned by the request), or NULL */
	int count;          /* how many times it came */
};

/* The answer formats. */
enum query_format {
	FORMAT_JSON = 1,       /* application/json */
	FORMAT_CSV = 2,        /* text/csv */
	FORMAT_SDMX = 4,       /* the SDMX-JSON data message */
	FORMAT_JSONSTAT = 8,   /* a JSON-stat 2.0 dataset */
	FORMAT_SDMX_CSV = 16,  /* SDMX-CSV */
	FORMAT_XLSX = 32,      /* an Excel workbook */
};

/* The media type an answer in `format` is sent with. */
const char *query_format_type(enum query_format format);

/* Reads the query string into params[0..n-1] (their names set). Refuses a
 * name not in the list and a name given twice. */
int query_read(struct http_request *req, struct query_param *params, size_t n) WUR;

/* An indicator or area code that must be in the catalogue. */
int query_indicator(struct http_request *req, const struct catalogue *cat,
                    const char *value, const struct cat_indicator **out) WUR;
int query_area(struct http_request *req, const struct catalogue *cat, const char *value,
               const struct cat_area **out) WUR;
/* An area code that must name a municipality (a top-level area); `what`
 * ("a table") names the answer in the refusal. */
int query_municipality(struct http_request *req, const struct catalogue *cat,
                       const char *value, const char *what, const struct cat_area **out) WUR;
/* format=json|csv|sdmx-json|json-stat2|sdmx-csv|xlsx among `allowed` (a
 * mask of query_format). Without it the Accept header chooses: the allowed
 * format of its highest q (the first listed among equals); JSON when it
 * is absent or names * / *, application/ *, application/json; 406
 * not_acceptable when it names none of the allowed. */
int query_format(struct http_request *req, const char *value, unsigned allowed,
                 enum query_format *out) WUR;
/* lang=sv|en: *english is true for en; Swedish when absent. */
int query_lang(struct http_request *req, const char *value, bool *english) WUR;
/* freq=quarter|year; quarter when absent. */
int query_freq(struct http_request *req, const char *value, enum series_freq *out) WUR;
/* as_of: an RFC 3339 time, written to out in the canonical form that is
 * sent to PostgreSQL; out is "" when value is NULL. */
int query_as_of(struct http_request *req, const char *value, char out[QUERY_TIME_MAX]) WUR;
/* year=YYYY from 2000 to the current year. */
int query_year(struct http_request *req, const char *value, time_t now, int *out) WUR;
/* from or to (name says which): a quarter YYYYQn / YYYY-Qn or a year YYYY,
 * read for the series' frequency: for quarters a year means its first
 * quarter (from) or its last quarter up to the current one (to); for years
 * a quarter means its year. Nothing may lie after the current quarter. */
int query_bound(struct http_request *req, const char *name, const char *value,
                enum series_freq freq, time_t now, int *out) WUR;

/* Answers 400 invalid_parameter naming the parameter, quoting its value
 * and saying why; returns -1. */
int query_bad(struct http_request *req, const char *name, const char *value,
              const char *why);

/* Pure helpers, exposed for tests. */
/* rfc3339_canonical (common/rfc3339.h) of a query's value, which may have a
 * space where the offset's '+' was, since a query string turns an
 * unencoded '+' into a space; the '+' is restored. Returns 0 or -1. */
int query_rfc3339(const char *s, char *out, size_t size) WUR;
/* Copies at most 40 characters of s for a message, '?' for anything that
 * is not printable ASCII. */
void query_echo(char *out, size_t size, const char *s);

#endif
