/* GET /v1/data?indicator=a,b&area=0581*,0182-boo&from=2022Q1&to=2025Q4
 *     &freq=all|quarter|year[&lang=en][&format=csv|json-stat2|sdmx-csv|xlsx][&sep=semicolon]
 *     [&as_of=][&page=][&limit=]
 * Many indicators x areas x periods in one answer, one row per cell of
 * the protected year tables — the same cells /v1/table publishes, read
 * the same way. Lists are comma-separated as Kolada's; `indicator` or
 * `area` left out means all of them; `0581*` is an area and every area
 * under it. Rows come in the order indicator, area, period, a page at a
 * time. The selection and the reading of its rows are data_read.c's,
 * which the explorer (/explore) calls too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "data.h"
#include "data_read.h"
#include "period.h"
#include "query.h"

/* The most rows one answer holds, and the default page. */
#define DATA_LIMIT_MAX 100000

/* Positions in the parameter list. */
enum { P_INDICATOR, P_AREA, P_FROM, P_TO, P_FREQ, P_LANG, P_FORMAT, P_SEP, P_AS_OF,
       P_PAGE, P_LIMIT, P_COUNT };

/* What a request asks for beyond its selection (data_read.h). */
struct data_opts {
	long long page, limit;             /* the page asked for (from 1) and its size */
	enum query_format format;          /* JSON, CSV, JSON-stat, SDMX-CSV or xlsx */
	const char *as_of;                 /* borrowed; the canonical as_of, or "" */
	struct data_style style;           /* names' language, CSV separator */
};

/* A whole number from 1 to max, or `def` when absent. */
static int read_count(struct http_request *req, const char *name, const char *value,
                      long long max, long long def, long long *out)
{
	char *end;

	*out = def;
	if (!value)
		return 0;
	long long v = strtoll(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end || v < 1 || v > max)
		return query_bad(req, name, value, max == DATA_LIMIT_MAX ?
		                 "a whole number from 1 to 100000" : "a whole number from 1");
	*out = v;
	return 0;
}

/* lang, format, sep, page and limit. */
static int read_style(struct http_request *req, const struct query_param *qp, struct data_opts *o)
{
	const char *lang = qp[P_LANG].value, *sep = qp[P_SEP].value;

	if (lang && strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0)
		return query_bad(req, "lang", lang, "expected sv or en");
	if (sep && strcmp(sep, "comma") != 0 && strcmp(sep, "semicolon") != 0)
		return query_bad(req, "sep", sep, "expected comma or semicolon");
	o->style.english = lang && strcmp(lang, "en") == 0;
	o->style.sep = sep && strcmp(sep, "semicolon") == 0 ? ';' : ',';
	return query_format(req, qp[P_FORMAT].value, FORMAT_JSON | FORMAT_CSV | FORMAT_JSONSTAT |
	                    FORMAT_SDMX_CSV | FORMAT_XLSX, &o->format) != 0 ||
	       read_count(req, "page", qp[P_PAGE].value, 1LL << 40, 1, &o->page) != 0 ||
	       read_count(req, "limit", qp[P_LIMIT].value, DATA_LIMIT_MAX, DATA_LIMIT_MAX,
	                  &o->limit) != 0 ? -1 : 0;
}

/* The selection (data_read.h, shared with /explore), then the rest. */
static int sel_read(struct http_request *req, const struct catalogue *cat,
                    const struct query_param *qp, struct data_sel *s, struct data_opts *o)
{
	struct data_ask ask = { qp[P_INDICATOR].value, qp[P_AREA].value, qp[P_FROM].value,
	                        qp[P_TO].value, qp[P_FREQ].value };

	return data_sel_read(req, cat, &ask, s) != 0 || read_style(req, qp, o) != 0 ? -1 : 0;
}

/* "/v1/data?...&page=N+1": the request's own parameters, the next page. */
static char *next_link(const struct query_param *qp, long long page)
{
	struct buf q = BUF_INIT;
	char num[24];

	for (int i = 0; i < P_COUNT; i++)
		if (i != P_PAGE && qp[i].value)
			data_query_append(&q, qp[i].name, qp[i].value);
	snprintf(num, sizeof num, "%lld", page + 1);
	data_query_append(&q, "page", num);
	char *link = buf_failed(&q) ? NULL : malloc(q.len + sizeof "/v1/data");
	if (link)
		snprintf(link, q.len + sizeof "/v1/data", "/v1/data%s", q.data);
	buf_free(&q);
	return link;
}

/* Answers the whole request as one JSON-stat dataset. */
static void reply_jsonstat(struct http_request *req, const struct data_sel *s,
                           const struct data_opts *o, const struct data_row *rows)
{
	struct data_cube cube = { s->ind, s->nind, s->area, s->narea, s->nper, rows };
	cJSON *set = render_data_jsonstat(&cube, &o->style);
	char *text = set ? cJSON_PrintUnformatted(set) : NULL;

	cJSON_Delete(set);
	if (text)
		http_reply_owned(req, 200, "application/json-stat+json; charset=utf-8", text,
		                 strlen(text));
	else
		http_reply_error(req, 500, "internal_error", "out of memory");
}

/* Renders the page as JSON, JSON-stat, CSV, SDMX-CSV or xlsx (the last
 * three with a Link header to the next page). */
static void reply_rows(struct http_request *req, const struct read_ctx *rc,
                       const struct data_sel *s, const struct data_opts *o,
                       const struct data_row *rows, size_t n, struct data_page *pg)
{
	struct buf csv = BUF_INIT;
	char link[8300];
	struct xlsx_answer x = { rows, n, &o->style, 0, o->as_of, "samlad-data.xlsx" };

	if (o->format == FORMAT_JSONSTAT) {
		reply_jsonstat(req, s, o, rows);
		return;
	}
	if (o->format == FORMAT_JSON) {
		cJSON *body = render_data(rows, n, &o->style, pg);
		if (body)
			http_reply_json(req, 200, body);
		else
			http_reply_error(req, 500, "internal_error", "out of memory");
		return;
	}
	if (pg->next) {
		snprintf(link, sizeof link, "<%s>; rel=\"next\"", pg->next);
		http_add_header(req, "Link", link);
	}
	if (o->format == FORMAT_XLSX)
		aggregator_reply_xlsx(req, rc, &x);
	else if (o->format == FORMAT_SDMX_CSV)
		aggregator_reply_sdmx_csv(req, rows, n);
	else
		aggregator_reply_csv(req, &csv, render_data_csv(rows, n, &o->style, &csv));
}

/* Reads the page's rows and answers; the connection goes back once read. */
static void answer(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                   const struct query_param *qp, const struct data_sel *s,
                   const struct data_opts *o)
{
	long long total = data_sel_total(s);
	struct data_page pg = { total, o->page, total ? (total + o->limit - 1) / o->limit : 1,
	                        NULL };
	long long first = (o->page - 1) * o->limit;
	size_t n = (size_t)(total - first < o->limit ? total - first : o->limit);
	char *next = NULL;

	if (o->format == FORMAT_JSONSTAT && pg.pages > 1) {
		http_reply_error(req, 400, "too_many_cells", "a JSON-stat dataset is one whole cube: "
		                 "this request has %lld cells, more than %lld; ask for fewer "
		                 "indicators, areas or periods", total, o->limit);
		return;
	}
	if (o->page > pg.pages) {
		char why[64];
		snprintf(why, sizeof why, "there %s %lld page%s", pg.pages == 1 ? "is" : "are",
		         pg.pages, pg.pages == 1 ? "" : "s");
		query_bad(req, "page", qp[P_PAGE].value, why);
		return;
	}
	struct data_row *rows = calloc(n + 1, sizeof *rows);
	struct tables_ctx ctx = read_tables(a, rc);
	enum agg_status st = rows ? data_rows_read(&ctx, s, first, n, rows) : AGG_FAILED;
	read_put_db(a, rc);
	if (st == AGG_OK && o->page < pg.pages && !(pg.next = next = next_link(qp, o->page)))
		st = AGG_FAILED;
	if (st != AGG_OK)
		aggregator_reply_failure(a, req, st, "the data");
	else
		reply_rows(req, rc, s, o, rows, n, &pg);
	free(next);
	free(rows);
}

void data_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_INDICATOR] = { "indicator", NULL, 0 }, [P_AREA] = { "area", NULL, 0 },
		[P_FROM] = { "from", NULL, 0 }, [P_TO] = { "to", NULL, 0 },
		[P_FREQ] = { "freq", NULL, 0 }, [P_LANG] = { "lang", NULL, 0 },
		[P_FORMAT] = { "format", NULL, 0 }, [P_SEP] = { "sep", NULL, 0 },
		[P_AS_OF] = { "as_of", NULL, 0 }, [P_PAGE] = { "page", NULL, 0 },
		[P_LIMIT] = { "limit", NULL, 0 },
	};
	struct data_sel s = { 0 };
	struct data_opts o = { 0 };
	struct read_ctx rc = READ_CTX_INIT;
	char as_of[QUERY_TIME_MAX];

	if (read_gate(a, req, READ_API, &rc) == 0 && query_read(req, qp, P_COUNT) == 0 &&
	    query_as_of(req, qp[P_AS_OF].value, as_of) == 0 &&
	    read_begin(a, req, as_of[0] ? as_of : NULL, &rc) == 0 &&
	    sel_read(req, rc.cat, qp, &s, &o) == 0) {
		o.as_of = as_of;
		answer(a, req, &rc, qp, &s, &o);
	}
	data_sel_free(&s);
	read_end(a, &rc);
}
