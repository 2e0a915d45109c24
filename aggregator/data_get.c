/* GET /v1/data?indicator=a,b&area=0581*,0182-boo&from=2022Q1&to=2025Q4
 *     &freq=all|quarter|year[&lang=en][&format=csv|json-stat2|sdmx-csv|xlsx][&sep=semicolon]
 *     [&as_of=][&page=][&limit=]
 * Many indicators x areas x periods in one answer, one row per cell of
 * the protected year tables — the same cells /v1/table publishes, read
 * the same way. Lists are comma-separated as Kolada's; `indicator` or
 * `area` left out means all of them; `0581*` is an area and every area
 * under it. Rows come in the order indicator, area, period, a page at a
 * time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "data.h"
#include "period.h"
#include "query.h"
#include "series_build.h"

/* The most rows one answer holds, and the default page. */
#define DATA_LIMIT_MAX 100000
/* The longest list a parameter may carry, in bytes. */
#define DATA_LIST_MAX 8192

/* Positions in the parameter list. */
enum { P_INDICATOR, P_AREA, P_FROM, P_TO, P_FREQ, P_LANG, P_FORMAT, P_SEP, P_AS_OF,
       P_PAGE, P_LIMIT, P_COUNT };

/* A column of a year table a row comes from. */
struct data_period {
	int year;  /* the table's year */
	int col;   /* 0..3 a quarter, DC_YEAR the year */
};

/* What a request selects, once read; the arrays are owned. */
struct data_sel {
	const struct cat_indicator **ind;  /* the indicators, in catalogue order */
	size_t nind;                       /* how many */
	const struct cat_area **area;      /* the areas, in catalogue order */
	size_t narea;                      /* how many */
	struct data_period *per;           /* the periods of each (indicator, area) */
	size_t nper;                       /* how many */
	int y0, y1;                        /* the years the periods lie in */
	long long page, limit;             /* the page asked for (from 1) and its size */
	enum query_format format;          /* JSON, CSV, JSON-stat, SDMX-CSV or xlsx */
	const char *as_of;                 /* borrowed; the canonical as_of, or "" */
	struct data_style style;           /* names' language, CSV separator */
};

static void sel_free(struct data_sel *s)
{
	free(s->ind);
	free(s->area);
	free(s->per);
}

/* Calls one(item) for every comma-separated item of value; an empty item
 * is refused. 0, or -1 after answering. */
static int list_each(struct http_request *req, const char *name, const char *value,
                     int (*one)(struct http_request *, const char *, void *), void *ctx)
{
	char list[DATA_LIST_MAX];

	if (strlen(value) >= sizeof list)
		return query_bad(req, name, value, "the list is too long (at most 8192 bytes)");
	strcpy(list, value);
	for (char *item = list, *end; item; item = end) {
		end = strchr(item, ',');
		if (end)
			*end++ = '\0';
		if (!*item)
			return query_bad(req, name, value, "an empty item in the list");
		if (one(req, item, ctx) != 0)
			return -1;
	}
	return 0;
}

/* Marks of a selection over a catalogue array, then the marked in order. */
struct marks {
	const struct catalogue *cat;  /* borrowed */
	bool *on;                     /* owned; one per indicator or area */
};

static int mark_indicator(struct http_request *req, const char *code, void *ctx)
{
	struct marks *m = ctx;
	const struct cat_indicator *ind = catalogue_indicator(m->cat, code);

	if (!ind)
		return query_bad(req, "indicator", code, "no such indicator in the catalogue");
	m->on[ind - m->cat->indicators] = true;
	return 0;
}

/* True when `a` is `top` or lies under it. */
static bool area_under(const struct catalogue *cat, const struct cat_area *a,
                       const struct cat_area *top)
{
	for (; a; a = catalogue_area_parent(cat, a))
		if (a == top)
			return true;
	return false;
}

static int mark_area(struct http_request *req, const char *code, void *ctx)
{
	struct marks *m = ctx;
	size_t len = strlen(code);
	bool tree = len > 1 && code[len - 1] == '*';
	char plain[72];

	snprintf(plain, sizeof plain, "%.*s", (int)(tree ? len - 1 : len), code);
	const struct cat_area *top = catalogue_area(m->cat, plain);
	if (!top)
		return query_bad(req, "area", code, "no such area in the catalogue");
	if (!tree && !area_publishable(top))
		return query_bad(req, "area", code, "data are of a municipality or of a district "
		                 "without sub-areas; add * for the area and all under it");
	for (size_t i = 0; i < m->cat->nareas; i++) {
		const struct cat_area *a = &m->cat->areas[i];
		if (area_publishable(a) && (tree ? area_under(m->cat, a, top) : a == top))
			m->on[i] = true;
	}
	return 0;
}

/* The indicators: those listed, or every one. 0, or -1 after answering. */
static int select_indicators(struct http_request *req, const struct catalogue *cat,
                             const char *value, struct data_sel *s)
{
	struct marks m = { cat, calloc(cat->nindicators + 1, sizeof(bool)) };
	int rc = -1;

	s->ind = calloc(cat->nindicators + 1, sizeof *s->ind);
	if (!m.on || !s->ind) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		goto done;
	}
	if (value && list_each(req, "indicator", value, mark_indicator, &m) != 0)
		goto done;
	for (size_t i = 0; i < cat->nindicators; i++)
		if (!value || m.on[i])
			s->ind[s->nind++] = &cat->indicators[i];
	rc = 0;
done:
	free(m.on);
	return rc;
}

/* The areas: those listed (with * their trees), or every publishable one. */
static int select_areas(struct http_request *req, const struct catalogue *cat,
                        const char *value, struct data_sel *s)
{
	struct marks m = { cat, calloc(cat->nareas + 1, sizeof(bool)) };
	int rc = -1;

	s->area = calloc(cat->nareas + 1, sizeof *s->area);
	if (!m.on || !s->area) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		goto done;
	}
	if (value && list_each(req, "area", value, mark_area, &m) != 0)
		goto done;
	for (size_t i = 0; i < cat->nareas; i++)
		if (value ? m.on[i] : area_publishable(&cat->areas[i]))
			s->area[s->narea++] = &cat->areas[i];
	rc = 0;
done:
	free(m.on);
	return rc;
}

/* freq=all|quarter|year: which columns of each year. */
static int read_freq(struct http_request *req, const char *value, bool *quarters, bool *years)
{
	*quarters = !value || strcmp(value, "all") == 0 || strcmp(value, "quarter") == 0;
	*years = !value || strcmp(value, "all") == 0 || strcmp(value, "year") == 0;
	return *quarters || *years ? 0 : query_bad(req, "freq", value, "expected all, quarter or year");
}

/* The periods from..to (quarters): each quarter, then its year's column
 * after the year's last quarter in range, as freq says. */
static int select_periods(struct http_request *req, const struct query_param *qp,
                          struct data_sel *s)
{
	time_t now = time(NULL);
	int from, to;
	bool quarters, years;

	if (read_freq(req, qp[P_FREQ].value, &quarters, &years) != 0 ||
	    (qp[P_TO].value && query_bound(req, "to", qp[P_TO].value, FREQ_QUARTER, now, &to) != 0) ||
	    (qp[P_FROM].value &&
	     query_bound(req, "from", qp[P_FROM].value, FREQ_QUARTER, now, &from) != 0))
		return -1;
	if (!qp[P_TO].value)
		to = period_last_finished(now);
	if (!qp[P_FROM].value)
		from = period_make(period_year(to) - 4, 1);
	if (from > to)
		return query_bad(req, "from", qp[P_FROM].value ? qp[P_FROM].value : "",
		                 "is after to");
	s->y0 = period_year(from);
	s->y1 = period_year(to);
	s->per = calloc((size_t)(s->y1 - s->y0 + 1) * DC_NCOLS, sizeof *s->per);
	if (!s->per) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return -1;
	}
	for (int p = from; p <= to; p = period_add(p, 1)) {
		if (quarters)
			s->per[s->nper++] = (struct data_period){ period_year(p), period_quarter(p) - 1 };
		if (years && (period_quarter(p) == 4 || p == to))
			s->per[s->nper++] = (struct data_period){ period_year(p), DC_YEAR };
	}
	return 0;
}

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
static int read_style(struct http_request *req, const struct query_param *qp, struct data_sel *s)
{
	const char *lang = qp[P_LANG].value, *sep = qp[P_SEP].value;

	if (lang && strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0)
		return query_bad(req, "lang", lang, "expected sv or en");
	if (sep && strcmp(sep, "comma") != 0 && strcmp(sep, "semicolon") != 0)
		return query_bad(req, "sep", sep, "expected comma or semicolon");
	s->style.english = lang && strcmp(lang, "en") == 0;
	s->style.sep = sep && strcmp(sep, "semicolon") == 0 ? ';' : ',';
	return query_format(req, qp[P_FORMAT].value, FORMAT_JSON | FORMAT_CSV | FORMAT_JSONSTAT |
	                    FORMAT_SDMX_CSV | FORMAT_XLSX, &s->format) != 0 ||
	       read_count(req, "page", qp[P_PAGE].value, 1LL << 40, 1, &s->page) != 0 ||
	       read_count(req, "limit", qp[P_LIMIT].value, DATA_LIMIT_MAX, DATA_LIMIT_MAX,
	                  &s->limit) != 0 ? -1 : 0;
}

static int sel_read(struct http_request *req, const struct catalogue *cat,
                    const struct query_param *qp, struct data_sel *s)
{
	return select_indicators(req, cat, qp[P_INDICATOR].value, s) != 0 ||
	       select_areas(req, cat, qp[P_AREA].value, s) != 0 ||
	       select_periods(req, qp, s) != 0 || read_style(req, qp, s) != 0 ? -1 : 0;
}

/* The year tables of one (indicator, municipality), the last ones read. */
struct data_tables {
	const struct cat_indicator *ind;  /* borrowed; NULL before the first read */
	const struct cat_area *muni;      /* borrowed */
	struct ptable **t;                /* owned; years y0..y1 */
	size_t n;                         /* y1 - y0 + 1 */
};

static void tables_clear(struct data_tables *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->t[i]);
		d->t[i] = NULL;
	}
	d->ind = NULL;
}

/* Makes d hold the tables of (ind, muni), reading them unless it does. */
static enum agg_status tables_of(const struct tables_ctx *ctx, const struct data_sel *s,
                                 const struct cat_indicator *ind, const struct cat_area *muni,
                                 struct data_tables *d)
{
	if (d->ind == ind && d->muni == muni)
		return AGG_OK;
	tables_clear(d);
	enum agg_status st = tables_read(ctx, ind->id, muni->id, s->y0, s->y1, d->t);
	if (st == AGG_OK) {
		d->ind = ind;
		d->muni = muni;
	}
	return st;
}

/* The cell of (area, period) in the tables d holds; missing where the
 * area has no row that year. */
static struct pcell cell_of(const struct data_tables *d, const struct data_sel *s,
                            const struct cat_area *area, const struct data_period *p)
{
	const struct ptable *t = d->t[p->year - s->y0];
	long row = ptable_row(t, area->id, d->muni->id);

	if (row < 0)
		return (struct pcell){ 0, DC_MISSING };
	return t->cells[(size_t)row * DC_NCOLS + (size_t)p->col];
}

/* Fills rows[] with rows first..first+n-1 of the request. */
static enum agg_status rows_read(const struct tables_ctx *ctx, const struct data_sel *s,
                                 long long first, size_t n, struct data_row *rows)
{
	struct data_tables d = { NULL, NULL, calloc((size_t)(s->y1 - s->y0 + 1), sizeof *d.t),
	                         (size_t)(s->y1 - s->y0 + 1) };
	enum agg_status st = d.t ? AGG_OK : AGG_FAILED;

	for (size_t k = 0; st == AGG_OK && k < n; k++) {
		long long idx = first + (long long)k;
		long long pair = idx / (long long)s->nper;
		const struct data_period *p = &s->per[idx % (long long)s->nper];
		const struct cat_indicator *ind = s->ind[pair / (long long)s->narea];
		const struct cat_area *area = s->area[pair % (long long)s->narea];
		st = tables_of(ctx, s, ind, area_municipality(ctx->cat, area), &d);
		if (st == AGG_OK)
			rows[k] = (struct data_row){ ind, area, p->year, p->col,
			                             cell_of(&d, s, area, p) };
	}
	if (d.t)
		tables_clear(&d);
	free(d.t);
	return st;
}

/* Appends name=value to a query being built, the value percent-encoded
 * where a query string would misread it. */
static void next_param(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s%s=", b->len ? "&" : "?", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~,*:-", *p))
			buf_printf(b, "%c", *p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* "/v1/data?...&page=N+1": the request's own parameters, the next page. */
static char *next_link(const struct query_param *qp, long long page)
{
	struct buf q = BUF_INIT;
	char num[24];

	for (int i = 0; i < P_COUNT; i++)
		if (i != P_PAGE && qp[i].value)
			next_param(&q, qp[i].name, qp[i].value);
	snprintf(num, sizeof num, "%lld", page + 1);
	next_param(&q, "page", num);
	char *link = buf_failed(&q) ? NULL : malloc(q.len + sizeof "/v1/data");
	if (link)
		snprintf(link, q.len + sizeof "/v1/data", "/v1/data%s", q.data);
	buf_free(&q);
	return link;
}

/* Answers the whole request as one JSON-stat dataset. */
static void reply_jsonstat(struct http_request *req, const struct data_sel *s,
                           const struct data_row *rows)
{
	struct data_cube cube = { s->ind, s->nind, s->area, s->narea, s->nper, rows };
	cJSON *o = render_data_jsonstat(&cube, &s->style);
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (text)
		http_reply_owned(req, 200, "application/json-stat+json; charset=utf-8", text,
		                 strlen(text));
	else
		http_reply_error(req, 500, "internal_error", "out of memory");
}

/* Renders the page as JSON, JSON-stat, CSV, SDMX-CSV or xlsx (the last
 * three with a Link header to the next page). */
static void reply_rows(struct http_request *req, const struct read_ctx *rc,
                       const struct data_sel *s, const struct data_row *rows, size_t n,
                       struct data_page *pg)
{
	struct buf csv = BUF_INIT;
	char link[8300];
	struct xlsx_answer x = { rows, n, &s->style, 0, s->as_of, "samlad-data.xlsx" };

	if (s->format == FORMAT_JSONSTAT) {
		reply_jsonstat(req, s, rows);
		return;
	}
	if (s->format == FORMAT_JSON) {
		cJSON *body = render_data(rows, n, &s->style, pg);
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
	if (s->format == FORMAT_XLSX)
		aggregator_reply_xlsx(req, rc, &x);
	else if (s->format == FORMAT_SDMX_CSV)
		aggregator_reply_sdmx_csv(req, rows, n);
	else
		aggregator_reply_csv(req, &csv, render_data_csv(rows, n, &s->style, &csv));
}

/* Reads the page's rows and answers; the connection goes back once read. */
static void answer(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                   const struct query_param *qp, const struct data_sel *s)
{
	long long total = (long long)s->nind * (long long)s->narea * (long long)s->nper;
	struct data_page pg = { total, s->page, total ? (total + s->limit - 1) / s->limit : 1,
	                        NULL };
	long long first = (s->page - 1) * s->limit;
	size_t n = (size_t)(total - first < s->limit ? total - first : s->limit);
	char *next = NULL;

	if (s->format == FORMAT_JSONSTAT && pg.pages > 1) {
		http_reply_error(req, 400, "too_many_cells", "a JSON-stat dataset is one whole cube: "
		                 "this request has %lld cells, more than %lld; ask for fewer "
		                 "indicators, areas or periods", total, s->limit);
		return;
	}
	if (s->page > pg.pages) {
		char why[64];
		snprintf(why, sizeof why, "there %s %lld page%s", pg.pages == 1 ? "is" : "are",
		         pg.pages, pg.pages == 1 ? "" : "s");
		query_bad(req, "page", qp[P_PAGE].value, why);
		return;
	}
	struct data_row *rows = calloc(n + 1, sizeof *rows);
	struct tables_ctx ctx = read_tables(a, rc);
	enum agg_status st = rows ? rows_read(&ctx, s, first, n, rows) : AGG_FAILED;
	read_put_db(a, rc);
	if (st == AGG_OK && s->page < pg.pages && !(pg.next = next = next_link(qp, s->page)))
		st = AGG_FAILED;
	if (st != AGG_OK)
		aggregator_reply_failure(a, req, st, "the data");
	else
		reply_rows(req, rc, s, rows, n, &pg);
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
	struct read_ctx rc = READ_CTX_INIT;
	char as_of[QUERY_TIME_MAX];

	if (read_gate(a, req, READ_API, &rc) == 0 && query_read(req, qp, P_COUNT) == 0 &&
	    query_as_of(req, qp[P_AS_OF].value, as_of) == 0 &&
	    read_begin(a, req, as_of[0] ? as_of : NULL, &rc) == 0 &&
	    sel_read(req, rc.cat, qp, &s) == 0) {
		s.as_of = as_of;
		answer(a, req, &rc, qp, &s);
	}
	sel_free(&s);
	read_end(a, &rc);
}
