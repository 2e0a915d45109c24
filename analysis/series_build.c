/* Areas of the published tables, and series built from the tables; see
 * series_build.h. */
#include "series_build.h"

#include <stdlib.h>
#include <string.h>
#include "derived.h"
#include "log.h"
#include "period.h"

/* ---- areas ------------------------------------------------------------ */

const struct cat_area *area_municipality(const struct catalogue *cat,
                                         const struct cat_area *area)
{
	/* The import refuses cycles; the bound only keeps a broken catalogue
	 * from looping forever. */
	for (size_t i = 0; i < cat->nareas && area->parent >= 0; i++)
		area = &cat->areas[area->parent];
	return area;
}

bool area_publishable(const struct cat_area *area)
{
	return area->parent < 0 || catalogue_area_is_leaf(area);
}

/* True when a is a leaf row of the municipality's tables. */
static bool is_leaf_of(const struct catalogue *cat, const struct cat_area *a,
                       const struct cat_area *municipality)
{
	return a != municipality && catalogue_area_is_leaf(a) &&
	       area_municipality(cat, a) == municipality;
}

int layout_make(const struct catalogue *cat, const struct cat_area *municipality,
                struct layout *out)
{
	size_t n = 0;

	/* Counted first: arrays of the catalogue's size would be large
	 * allocations on every request, and each large malloc makes glibc
	 * consolidate its free lists. */
	for (size_t i = 0; i < cat->nareas; i++)
		n += is_leaf_of(cat, &cat->areas[i], municipality);
	memset(out, 0, sizeof *out);
	out->municipality = municipality;
	out->area_ids = malloc((n + 1) * sizeof *out->area_ids);
	out->leaves = malloc((n + 1) * sizeof *out->leaves);
	if (!out->area_ids || !out->leaves) {
		layout_free(out);
		return -1;
	}
	/* The areas array is sorted by code, so the rows come in code order. */
	for (size_t i = 0; i < cat->nareas && out->nleaves < n; i++) {
		const struct cat_area *a = &cat->areas[i];
		if (is_leaf_of(cat, a, municipality)) {
			out->leaves[out->nleaves] = a;
			out->area_ids[out->nleaves++] = a->id;
		}
	}
	out->ndistricts = out->nleaves;
	if (out->nleaves == 0) {
		out->leaves[0] = municipality;
		out->area_ids[0] = municipality->id;
		out->nleaves = 1;
	}
	return 0;
}

void layout_free(struct layout *l)
{
	free(l->area_ids);
	free(l->leaves);
	l->area_ids = NULL;
	l->leaves = NULL;
	l->nleaves = 0;
}

/* ---- series ------------------------------------------------------------ */

/* The years a series with its lead-in reaches, and its first period. */
static void series_span(const struct series_request *rq, int *start, int *y0, int *y1)
{
	int lead = (int)derived_lead(rq->freq);

	if (rq->freq == FREQ_QUARTER) {
		*start = period_add(rq->from, -lead);
		*y0 = period_year(*start);
		*y1 = period_year(rq->to);
	} else {
		*start = rq->from - lead;
		*y0 = *start;
		*y1 = rq->to;
	}
}

void series_years(const struct series_request *rq, int *y0, int *y1)
{
	int start;
	series_span(rq, &start, y0, y1);
}

/* The number of points from `start` to rq->to. */
static size_t span_length(const struct series_request *rq, int start)
{
	if (rq->freq == FREQ_QUARTER)
		return (size_t)(period_index(rq->to) - period_index(start) + 1);
	return (size_t)(rq->to - start + 1);
}

/* Fills pts[0..n-1] from the area's row in each year's table, starting at
 * period `start`; a year whose table has no row for the area (it was not
 * part of the municipality then) gives missing points. */
static void points_from_tables(const struct series_request *rq, struct ptable **tables,
                               int y0, int municipality_id, int start,
                               struct series_point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int period, year, col;
		if (rq->freq == FREQ_QUARTER) {
			period = period_add(start, (int)i);
			year = period_year(period);
			col = period_quarter(period) - 1;
		} else {
			period = year = start + (int)i;
			col = DC_YEAR;
		}
		const struct ptable *t = tables[year - y0];
		long row = ptable_row(t, rq->area->id, municipality_id);
		pts[i].period = period;
		pts[i].status = POINT_MISSING;
		pts[i].value = 0;
		pts[i].flag = 0;
		if (row < 0)
			continue;
		size_t cell = (size_t)row * DC_NCOLS + (size_t)col;
		const struct pcell *c = &t->cells[cell];
		pts[i].status = point_status_of(c->status);
		pts[i].value = pts[i].status == POINT_PUBLISHED ? c->value : 0;
		pts[i].flag = t->flags[cell];
	}
}

/* The trend over the published points; t is the position in the series. */
static enum agg_status series_trend(const struct series_request *rq, struct series *s)
{
	struct trend_point *tp = malloc((s->n ? s->n : 1) * sizeof *tp);
	size_t m = 0;

	if (!tp)
		return AGG_FAILED;
	for (size_t i = 0; i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		if (p->status != POINT_PUBLISHED)
			continue;
		bool q = rq->freq == FREQ_QUARTER;
		tp[m++] = (struct trend_point){ .t = (int)i, .x = (double)p->value,
		                                .season = q ? period_quarter(p->period) : 1,
		                                .year = q ? period_year(p->period) : p->period };
	}
	enum trend_status st = trend_analyse(tp, m, rq->freq == FREQ_QUARTER, rq->alpha,
	                                     &s->trend);
	free(tp);
	if (st != TREND_OK)
		log_error("trend analysis failed (%d)", (int)st);
	return st == TREND_OK ? AGG_OK : AGG_FAILED;
}

/* Points and derived values of the request from its years' tables. */
static enum agg_status series_fill(const struct series_request *rq, struct ptable **tables,
                                   int y0, int municipality_id, int start, struct series *out)
{
	size_t lead = derived_lead(rq->freq);
	size_t total = span_length(rq, start);
	struct series_point *all = malloc(total * sizeof *all);
	struct derived_point *dall = malloc(total * sizeof *dall);
	enum agg_status st = AGG_FAILED;

	out->n = total - lead;
	out->points = malloc(out->n * sizeof *out->points);
	out->derived = malloc(out->n * sizeof *out->derived);
	if (!all || !dall || !out->points || !out->derived)
		goto done;
	points_from_tables(rq, tables, y0, municipality_id, start, all, total);
	derived_compute(all, total, rq->freq, rq->indicator->kind, dall);
	memcpy(out->points, all + lead, out->n * sizeof *all);
	memcpy(out->derived, dall + lead, out->n * sizeof *dall);
	st = series_trend(rq, out);
done:
	free(all);
	free(dall);
	return st;
}

/* Sets the catalogue members of the series. */
static void series_describe(const struct catalogue *cat, const struct series_request *rq,
                            struct series *out)
{
	memset(out, 0, sizeof *out);
	out->indicator = rq->indicator;
	out->agency = &cat->agencies[rq->indicator->agency];
	out->area = rq->area;
	out->parent = catalogue_area_parent(cat, rq->area);
	out->freq = rq->freq;
}

enum agg_status series_from_tables(const struct catalogue *cat, const struct series_request *rq,
                                   struct ptable **tables, int y0, int y1, struct series *out)
{
	const struct cat_area *m = area_municipality(cat, rq->area);
	int start, from, to;
	enum agg_status st;

	series_describe(cat, rq, out);
	series_span(rq, &start, &from, &to);
	if (from < y0 || to > y1) {
		log_error("a series of %d..%d asked of tables of %d..%d", from, to, y0, y1);
		return AGG_FAILED;
	}
	st = series_fill(rq, tables + (from - y0), from, m->id, start, out);
	if (st != AGG_OK)
		series_clear(out);
	return st;
}
