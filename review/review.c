/* Planning a review and computing it from the tables it read; see
 * review.h. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "period.h"

#define DAY_S 86400

/* ---- which indicators and agencies ----------------------------------- */

/* The layout's leaf of that id, or NULL. */
static const struct cat_area *layout_leaf(const struct layout *lay, int area_id)
{
	for (size_t i = 0; i < lay->nleaves; i++)
		if (lay->area_ids[i] == area_id)
			return lay->leaves[i];
	return NULL;
}

/* True when the area id is one of the layout's leaves. */
static bool in_layout(const struct layout *lay, int area_id)
{
	return layout_leaf(lay, area_id) != NULL;
}

/* The leaf of permission p when it is a key of agency_id expected in the
 * layout in the quarter (its area is active then), else NULL: the one rule
 * of what an agency owes, for the matrix and the reminders. */
static const struct cat_area *expected_leaf(const struct layout *lay,
                                            const struct cat_permission *p, int agency_id,
                                            int period)
{
	const struct cat_area *leaf = p->agency_id == agency_id
	                              ? layout_leaf(lay, p->area_id) : NULL;
	return leaf && catalogue_area_active(leaf, period) ? leaf : NULL;
}

/* The keys (indicator, leaf) of agency_id expected in the layout in the
 * quarter. */
static long long expected_in(const struct catalogue *cat, const struct layout *lay,
                             int agency_id, int period)
{
	long long n = 0;

	for (size_t i = 0; i < cat->npermissions; i++)
		n += expected_leaf(lay, &cat->permissions[i], agency_id, period) != NULL;
	return n;
}

/* The (indicator, area) pairs permitted in the municipality of the
 * indicator ind_id and of the agency agency_id, each -1 for any. */
static long long permitted(const struct catalogue *cat, const struct layout *lay, int ind_id,
                           int agency_id)
{
	long long n = 0;

	for (size_t i = 0; i < cat->npermissions; i++) {
		const struct cat_permission *p = &cat->permissions[i];
		n += (ind_id < 0 || p->indicator_id == ind_id) &&
		     (agency_id < 0 || p->agency_id == agency_id) && in_layout(lay, p->area_id);
	}
	return n;
}

/* First-line before specialised, then by code. */
static int indicator_order(const void *pa, const void *pb)
{
	const struct cat_indicator *a = *(const struct cat_indicator *const *)pa;
	const struct cat_indicator *b = *(const struct cat_indicator *const *)pb;

	if (a->level != b->level)
		return a->level == LEVEL_FIRST_LINE ? -1 : 1;
	return strcmp(a->code, b->code);
}

/* Fills in->indicators with the indicators reported in the municipality. */
static int choose_indicators(const struct catalogue *cat, struct review_input *in)
{
	in->indicators = calloc(cat->nindicators ? cat->nindicators : 1, sizeof *in->indicators);
	if (!in->indicators)
		return -1;
	for (size_t i = 0; i < cat->nindicators; i++)
		if (permitted(cat, &in->layout, cat->indicators[i].id, -1) > 0)
			in->indicators[in->nindicators++] = &cat->indicators[i];
	qsort(in->indicators, in->nindicators, sizeof *in->indicators, indicator_order);
	return 0;
}

int review_plan(const struct catalogue *cat, const struct review_params *p,
                struct review_input *out)
{
	memset(out, 0, sizeof *out);
	out->cat = cat;
	out->municipality = p->municipality;
	out->year = p->year;
	out->as_of_asked = p->as_of != NULL;
	if (layout_make(cat, p->municipality, &out->layout) != 0 ||
	    choose_indicators(cat, out) != 0)
		return -1;
	out->tables = calloc(out->nindicators ? out->nindicators : 1, sizeof *out->tables);
	return out->tables ? 0 : -1;
}

void review_input_free(struct review_input *in)
{
	for (size_t i = 0; in->tables && i < in->nindicators; i++)
		for (size_t y = 0; y < REVIEW_TABLES; y++)
			free(in->tables[i].t[y]);
	free(in->tables);
	free(in->indicators);
	free(in->arrivals);
	layout_free(&in->layout);
	memset(in, 0, sizeof *in);
}

/* The review's items, one per indicator of the input, in its order. */
static int make_items(const struct catalogue *cat, const struct review_input *in,
                      struct review *r)
{
	r->items = calloc(in->nindicators ? in->nindicators : 1, sizeof *r->items);
	if (!r->items)
		return -1;
	for (size_t i = 0; i < in->nindicators; i++) {
		r->items[i].indicator = in->indicators[i];
		r->items[i].agency = &cat->agencies[in->indicators[i]->agency];
	}
	r->nitems = in->nindicators;
	return 0;
}

/* ---- one indicator ----------------------------------------------------- */

/* A quarterly or yearly series of one area of the review, from the
 * indicator's tables. */
static enum agg_status one_series(const struct review *r, struct ptable **tables,
                                  const struct cat_indicator *ind,
                                  const struct cat_area *area, enum series_freq freq,
                                  struct series *out)
{
	struct series_request rq = {
		.indicator = ind, .area = area, .freq = freq, .alpha = r->alpha,
		.from = freq == FREQ_QUARTER ? period_make(r->first_year, 1) : r->first_year,
		.to = freq == FREQ_QUARTER ? r->last_period : r->year,
	};
	return series_from_tables(r->cat, &rq, tables, r->first_year - 1, r->year, out);
}

/* Every series of one indicator from its tables. */
static enum agg_status series_of(const struct review *r, struct review_indicator *it,
                                 struct ptable **tables)
{
	enum agg_status st = one_series(r, tables, it->indicator, r->municipality,
	                                FREQ_QUARTER, &it->quarters);

	if (st == AGG_OK)
		st = one_series(r, tables, it->indicator, r->municipality, FREQ_YEAR, &it->years);
	if (st != AGG_OK || r->layout.ndistricts == 0)
		return st;
	it->districts = calloc(r->layout.ndistricts, sizeof *it->districts);
	if (!it->districts)
		return AGG_FAILED;
	it->ndistricts = r->layout.ndistricts;
	for (size_t d = 0; d < it->ndistricts && st == AGG_OK; d++)
		st = one_series(r, tables, it->indicator, r->layout.leaves[d], FREQ_QUARTER,
		                &it->districts[d]);
	return st;
}

/* One indicator's series; the review year's table moves to the item for
 * the cross table. */
static enum agg_status build_item(const struct review *r, struct review_indicator *it,
                                  struct review_tables *tables)
{
	enum agg_status st = series_of(r, it, tables->t);

	it->table = tables->t[REVIEW_TABLES - 1];
	tables->t[REVIEW_TABLES - 1] = NULL;
	return st;
}

/* ---- completeness ------------------------------------------------------ */

void review_report_judge(struct review_report *r, long long reported, time_t first,
                         int grace_days, time_t now)
{
	time_t end = period_end(r->period);

	r->deadline = end + (time_t)grace_days * DAY_S;
	r->reported = reported;
	r->first = reported > 0 ? first : 0;
	r->late = reported > 0 && first > r->deadline;
	if (reported > 0)
		r->state = reported >= r->expected ? REVIEW_REPORTED : REVIEW_PARTIAL;
	else
		r->state = r->deadline >= now ? REVIEW_NOT_DUE : REVIEW_NOT_REPORTED;
}

/* The arrival of one agency's quarter, or NULL. */
static const struct review_arrival *arrival_of(const struct review_arrival *a, size_t n,
                                               int agency_id, int period)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].agency_id == agency_id && a[i].period == period)
			return &a[i];
	return NULL;
}

/* ---- completeness over quarters ---------------------------------------- */

const char *review_report_status(const struct review_report *r)
{
	if (r->expected == 0)
		return "not_expected";
	switch (r->state) {
	case REVIEW_REPORTED:
		return r->last > r->deadline ? "late" : "complete";
	case REVIEW_PARTIAL:
		return "partial";
	case REVIEW_NOT_DUE:
		return "not_due";
	case REVIEW_NOT_REPORTED:
		break;
	}
	return "missing";
}

void review_rates_add(struct review_rates *rt, const struct review_report *r)
{
	if (r->expected == 0 || r->state == REVIEW_NOT_DUE)
		return;
	rt->due++;
	if (r->state == REVIEW_REPORTED) {
		rt->complete++;
		rt->on_time += r->last <= r->deadline;
	}
}

/* One agency's quarters, judged from the arrivals; false when none of its
 * keys is active in any of them. */
static bool judge_row(const struct catalogue *cat, const struct layout *lay,
                      const struct review_matrix *m, const struct review_arrival *arr,
                      size_t narr, time_t now, struct review_matrix_row *row)
{
	long long any = 0;

	for (size_t q = 0; q < m->nperiods; q++) {
		struct review_report *rep = &row->reports[q];
		rep->period = period_add(m->from, (int)q);
		rep->expected = expected_in(cat, lay, row->agency->id, rep->period);
		const struct review_arrival *a = arrival_of(arr, narr, row->agency->id,
		                                            rep->period);
		review_report_judge(rep, a ? a->keys : 0, a ? a->first : 0, m->grace_days, now);
		rep->last = a && a->keys > 0 ? a->last : 0;
		any += rep->expected;
	}
	return any > 0;
}

int review_matrix_build(const struct catalogue *cat, const struct layout *lay, int from,
                        int to, const struct review_arrival *arr, size_t narr,
                        int grace_days, time_t now, struct review_matrix *out)
{
	memset(out, 0, sizeof *out);
	out->from = from;
	out->to = to;
	out->nperiods = (size_t)(period_index(to) - period_index(from) + 1);
	out->grace_days = grace_days;
	out->rows = calloc(cat->nagencies ? cat->nagencies : 1, sizeof *out->rows);
	if (!out->rows)
		return -1;
	for (size_t i = 0; i < cat->nagencies; i++) {
		struct review_matrix_row *row = &out->rows[out->nrows];
		if (permitted(cat, lay, -1, cat->agencies[i].id) == 0)
			continue;
		row->agency = &cat->agencies[i];
		row->reports = calloc(out->nperiods, sizeof *row->reports);
		if (!row->reports)
			return -1;
		if (judge_row(cat, lay, out, arr, narr, now, row))
			out->nrows++;
		else {
			free(row->reports);
			row->reports = NULL;
		}
	}
	return 0;
}

void review_matrix_free(struct review_matrix *m)
{
	for (size_t i = 0; m->rows && i < m->nrows; i++)
		free(m->rows[i].reports);
	free(m->rows);
	memset(m, 0, sizeof *m);
}

/* ---- the keys missing from a quarter ----------------------------------- */

/* True when the key (indicator, area) is among `have`. */
static bool key_had(const struct review_key_id *have, size_t nhave, int ind, int area)
{
	for (size_t i = 0; i < nhave; i++)
		if (have[i].indicator_id == ind && have[i].area_id == area)
			return true;
	return false;
}

/* The layout's row of an area (its leaf order). */
static size_t leaf_row(const struct layout *lay, const struct cat_area *area)
{
	for (size_t i = 0; i < lay->nleaves; i++)
		if (lay->leaves[i] == area)
			return i;
	return lay->nleaves;
}

/* The layout the sort compares by: qsort takes no context. */
static _Thread_local const struct layout *key_layout;

/* By indicator code, then by the layout's leaf order. */
static int key_order(const void *pa, const void *pb)
{
	const struct review_key *a = pa, *b = pb;
	int c = strcmp(a->indicator->code, b->indicator->code);
	size_t ra = leaf_row(key_layout, a->area), rb = leaf_row(key_layout, b->area);

	return c ? c : (ra > rb) - (ra < rb);
}

int review_missing_keys(const struct catalogue *cat, const struct layout *lay, int agency_id,
                        int period, const struct review_key_id *have, size_t nhave,
                        struct review_key **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < cat->npermissions; i++) {
		const struct cat_permission *p = &cat->permissions[i];
		const struct cat_area *leaf = expected_leaf(lay, p, agency_id, period);
		if (!leaf || key_had(have, nhave, p->indicator_id, p->area_id))
			continue;
		struct review_key *k = realloc(*out, (*n + 1) * sizeof **out);
		if (!k)
			return -1;
		*out = k;
		k[(*n)++] = (struct review_key){ catalogue_indicator_by_id(cat, p->indicator_id),
		                                 leaf };
	}
	key_layout = lay;
	if (*n > 1)
		qsort(*out, *n, sizeof **out, key_order);
	return 0;
}

/* One row per agency that may report here: the year's quarters of the
 * completeness matrix (review_matrix_build), so that the review and
 * /v1/completeness judge by one rule. */
static int judge_agencies(const struct catalogue *cat, struct review *r,
                          const struct review_arrival *arr, size_t narr, time_t now)
{
	struct review_matrix m;

	if (review_matrix_build(cat, &r->layout, period_make(r->year, 1), period_make(r->year, 4),
	                        arr, narr, r->grace_days, now, &m) != 0 ||
	    !(r->agencies = calloc(m.nrows ? m.nrows : 1, sizeof *r->agencies))) {
		review_matrix_free(&m);
		return -1;
	}
	for (size_t i = 0; i < m.nrows; i++) {
		r->agencies[i].agency = m.rows[i].agency;
		memcpy(r->agencies[i].quarters, m.rows[i].reports, sizeof r->agencies[i].quarters);
	}
	r->nagencies = m.nrows;
	review_matrix_free(&m);
	return 0;
}

/* ---- the whole review --------------------------------------------------- */

/* The last quarter shown: the year's Q4, or the last one that has ended. */
static int last_period_of(int year, time_t now)
{
	int last = period_last_finished(now);

	if (last >= period_make(year, 4))
		return period_make(year, 4);
	return last >= period_make(year, 1) ? last : period_make(year, 1);
}

/* The times the method appendix states. */
static void stamp_times(const struct review_input *in, const struct review_params *p,
                        struct review *r)
{
	struct tm tm;

	gmtime_r(&p->now, &tm);
	strftime(r->generated, sizeof r->generated, "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->as_of_asked = p->as_of != NULL;
	snprintf(r->as_of, sizeof r->as_of, "%s", p->as_of ? p->as_of : in->version_time);
}

enum agg_status review_build(struct review_input *in, const struct review_params *p,
                             struct review *out)
{
	enum agg_status st = AGG_FAILED;

	memset(out, 0, sizeof *out);
	out->cat = in->cat;
	out->municipality = p->municipality;
	out->year = p->year;
	out->first_year = p->year - REVIEW_YEARS + 1;
	out->last_period = last_period_of(p->year, p->now);
	out->alpha = p->alpha;
	out->grace_days = p->grace_days;
	out->layout = in->layout;
	memset(&in->layout, 0, sizeof in->layout);
	stamp_times(in, p, out);
	if (make_items(in->cat, in, out) != 0)
		goto fail;
	st = AGG_OK;
	for (size_t i = 0; i < out->nitems && st == AGG_OK; i++)
		st = build_item(out, &out->items[i], &in->tables[i]);
	if (st == AGG_OK && judge_agencies(in->cat, out, in->arrivals, in->narrivals,
	                                   p->now) != 0)
		st = AGG_FAILED;
	if (st == AGG_OK)
		return AGG_OK;
fail:
	review_free(out);
	return st;
}

void review_free(struct review *r)
{
	for (size_t i = 0; r->items && i < r->nitems; i++) {
		struct review_indicator *it = &r->items[i];
		series_clear(&it->quarters);
		series_clear(&it->years);
		for (size_t d = 0; d < it->ndistricts; d++)
			series_clear(&it->districts[d]);
		free(it->districts);
		free(it->table);
	}
	free(r->items);
	free(r->agencies);
	layout_free(&r->layout);
	memset(r, 0, sizeof *r);
}
