/* The selection of /v1/data and /explore and the reading of its rows;
 * see data_read.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data_read.h"
#include "period.h"
#include "query.h"
#include "series_build.h"

void data_sel_free(struct data_sel *s)
{
	free(s->ind);
	free(s->area);
	free(s->per);
	*s = (struct data_sel){ 0 };
}

long long data_sel_total(const struct data_sel *s)
{
	return (long long)s->nind * (long long)s->narea * (long long)s->nper;
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
static int select_periods(struct http_request *req, const struct data_ask *ask,
                          struct data_sel *s)
{
	time_t now = time(NULL);
	int from, to;
	bool quarters, years;

	if (read_freq(req, ask->freq, &quarters, &years) != 0 ||
	    (ask->to && query_bound(req, "to", ask->to, FREQ_QUARTER, now, &to) != 0) ||
	    (ask->from && query_bound(req, "from", ask->from, FREQ_QUARTER, now, &from) != 0))
		return -1;
	if (!ask->to)
		to = period_last_finished(now);
	if (!ask->from)
		from = period_make(period_year(to) - 4, 1);
	if (from > to)
		return query_bad(req, "from", ask->from ? ask->from : "", "is after to");
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

int data_sel_read(struct http_request *req, const struct catalogue *cat,
                  const struct data_ask *ask, struct data_sel *s)
{
	return select_indicators(req, cat, ask->indicator, s) != 0 ||
	       select_areas(req, cat, ask->area, s) != 0 || select_periods(req, ask, s) != 0 ? -1 : 0;
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
                            const struct cat_area *area, const struct data_period *p,
                            int *flag)
{
	const struct ptable *t = d->t[p->year - s->y0];
	long row = ptable_row(t, area->id, d->muni->id);
	size_t cell = (size_t)row * DC_NCOLS + (size_t)p->col;

	*flag = row < 0 ? 0 : t->flags[cell];
	if (row < 0)
		return (struct pcell){ 0, DC_MISSING };
	return t->cells[cell];
}

enum agg_status data_rows_read(const struct tables_ctx *ctx, const struct data_sel *s,
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
		if (st == AGG_OK) {
			int flag;
			struct pcell cell = cell_of(&d, s, area, p, &flag);
			rows[k] = (struct data_row){ ind, area, p->year, p->col, cell, flag };
		}
	}
	if (d.t)
		tables_clear(&d);
	free(d.t);
	return st;
}

void data_query_append(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s%s=", b->len ? "&" : "?", name);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~,*:-", *p))
			buf_printf(b, "%c", *p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}
