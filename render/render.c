/* JSON and CSV renderings; see render.h. The JSON builders chain their
 * steps into one flag (json_build.h explains why that is safe). */
#include "render.h"

#include "flag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "csv.h"
#include "json_build.h"
#include "period.h"

/* x to RENDER_DIGITS significant digits. */
static double render_round(double x)
{
	char text[32];

	if (!isfinite(x))
		return x;
	if (x == 0)
		return 0; /* and never -0 */
	snprintf(text, sizeof text, "%.*g", RENDER_DIGITS, x);
	return strtod(text, NULL);
}

/* Adds a number as it is (counts and values already rounded to one
 * decimal), or null when !has or the number is not finite. */
static bool add_exact(cJSON *o, const char *name, bool has, double v)
{
	if (!has || !isfinite(v))
		return cJSON_AddNullToObject(o, name) != NULL;
	return cJSON_AddNumberToObject(o, name, v == 0 ? 0 : v) != NULL;
}

/* Adds a rounded number, or null as add_exact does. */
static bool add_stat(cJSON *o, const char *name, bool has, double v)
{
	return add_exact(o, name, has, render_round(v));
}

cJSON *render_indicator(const struct catalogue *cat, const struct cat_indicator *ind)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "code", ind->code) &&
	          cJSON_AddStringToObject(o, "name_sv", ind->name_sv) &&
	          cJSON_AddStringToObject(o, "name_en", ind->name_en) &&
	          cJSON_AddStringToObject(o, "agency", cat->agencies[ind->agency].code) &&
	          cJSON_AddStringToObject(o, "level", catalogue_level_name(ind->level)) &&
	          cJSON_AddStringToObject(o, "kind", catalogue_kind_name(ind->kind));
	return json_checked(o, ok);
}

cJSON *render_area(const struct catalogue *cat, const struct cat_area *area)
{
	const struct cat_area *parent = catalogue_area_parent(cat, area);
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "code", area->code) &&
	          cJSON_AddStringToObject(o, "name", area->name) &&
	          (parent ? cJSON_AddStringToObject(o, "parent", parent->code)
	                  : cJSON_AddNullToObject(o, "parent"));
	return json_checked(o, ok);
}

/* {"period", "value", "status"} of one published-or-not value. */
/* {"period", "value", "status"} and "flag" when the agency set one. */
static cJSON *point_json(const char *period, enum point_status st, long long value, int flag)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "period", period) &&
	          (st == POINT_PUBLISHED ? cJSON_AddNumberToObject(o, "value", (double)value)
	                                 : cJSON_AddNullToObject(o, "value")) &&
	          cJSON_AddStringToObject(o, "status", point_status_name(st)) &&
	          (!flag_name((enum flag)flag) ||
	           cJSON_AddStringToObject(o, "flag", flag_name((enum flag)flag)));
	return json_checked(o, ok);
}

static cJSON *derived_json(const char *period, const struct derived_point *d)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "period", period) &&
	          add_exact(o, "moving_annual_total", d->has_total, d->total) &&
	          add_exact(o, "yoy_change", d->has_change, (double)d->change) &&
	          add_exact(o, "yoy_percent", d->has_percent, d->percent);
	return json_checked(o, ok);
}

/* A list of an object per period of s: its points, or (with `derived`)
 * their derived values. */
static cJSON *periods_json(const struct series *s, bool derived)
{
	cJSON *list = cJSON_CreateArray();
	char period[PERIOD_STRLEN];
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		series_period_format(s->freq, p->period, period);
		ok = json_append(list, derived ? derived_json(period, &s->derived[i])
		                               : point_json(period, p->status, p->value, p->flag));
	}
	return json_checked(list, ok);
}

/* {"s", "var_s", "z", "p", "tau"} of a Kendall test, or null when it is
 * not valid (too few points). */
static cJSON *kendall_json(const struct trend_test *t)
{
	if (!t->valid)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddNumberToObject(o, "s", (double)t->s) &&
	          add_stat(o, "var_s", true, t->var_s) && add_stat(o, "z", true, t->z) &&
	          add_stat(o, "p", true, t->p) && add_stat(o, "tau", true, t->tau);
	return json_checked(o, ok);
}

static cJSON *seasonal_json(const struct trend_result *r)
{
	if (!r->has_seasonal || !r->seasonal.test.valid)
		return cJSON_CreateNull();
	cJSON *o = kendall_json(&r->seasonal.test);
	return json_checked(o, add_stat(o, "slope", true, r->seasonal.slope));
}

static cJSON *trend_json(const struct trend_result *r)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddNumberToObject(o, "n", (double)r->n) &&
	          json_add(o, "mann_kendall", kendall_json(&r->mk)) &&
	          json_add(o, "seasonal_kendall", seasonal_json(r)) &&
	          add_stat(o, "sen_slope", r->sen.valid, r->sen.slope) &&
	          add_stat(o, "sen_intercept", r->sen.valid, r->sen.intercept) &&
	          cJSON_AddStringToObject(o, "direction", trend_direction_name(r->direction));
	return json_checked(o, ok);
}

cJSON *render_series(const struct catalogue *cat, const struct series *s)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = json_add(o, "indicator", render_indicator(cat, s->indicator)) &&
	          json_add(o, "area", render_area(cat, s->area)) &&
	          cJSON_AddStringToObject(o, "freq", s->freq == FREQ_QUARTER ? "quarter" : "year") &&
	          json_add(o, "points", periods_json(s, false)) &&
	          json_add(o, "derived", periods_json(s, true)) &&
	          json_add(o, "trend", trend_json(&s->trend));
	return json_checked(o, ok);
}

/* The value column: the number when published, empty otherwise. */
static void value_text(enum point_status st, long long value, char *buf, size_t size)
{
	if (st == POINT_PUBLISHED)
		snprintf(buf, size, "%lld", value);
	else
		buf[0] = '\0';
}

int render_series_csv(const struct series *s, struct buf *out)
{
	static const char *const header[] = { "indicator", "area", "period", "value", "status" };
	char period[PERIOD_STRLEN], value[24];

	csv_write_record(out, header, 5);
	for (size_t i = 0; i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		series_period_format(s->freq, p->period, period);
		value_text(p->status, p->value, value, sizeof value);
		const char *const row[] = { s->indicator->code, s->area->code, period, value,
		                            point_status_name(p->status) };
		csv_write_record(out, row, 5);
	}
	return buf_failed(out) ? -1 : 0;
}

/* The period of a table column: "2024Q1".."2024Q4", then "2024". */
static void column_period(int year, size_t col, char *buf)
{
	if (col == DC_YEAR)
		series_period_format(FREQ_YEAR, year, buf);
	else
		period_format(period_make(year, (int)col + 1), buf);
}

/* The code of table row r: a leaf's, or the municipality's for the total
 * row. Areas are never deleted, so every leaf of a state has one. */
static const char *row_code(const struct catalogue *cat, const struct cat_area *municipality,
                            const struct ptable *t, size_t r)
{
	const struct cat_area *a = r < t->nleaves ? catalogue_area_by_id(cat, t->leaves[r])
	                                          : municipality;
	return a ? a->code : "?";
}

static cJSON *row_json(const struct catalogue *cat, const struct cat_area *m,
                       const struct ptable *t, size_t r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *cells = NULL;
	char period[PERIOD_STRLEN];
	bool ok = cJSON_AddStringToObject(o, "area", row_code(cat, m, t, r)) &&
	          (cells = cJSON_AddArrayToObject(o, "cells")) != NULL;

	for (size_t c = 0; ok && c < DC_NCOLS; c++) {
		const struct pcell *cell = &t->cells[r * DC_NCOLS + c];
		column_period(t->year, c, period);
		ok = json_append(cells, point_json(period, point_status_of(cell->status), cell->value,
		                                   t->flags[r * DC_NCOLS + c]));
	}
	return json_checked(o, ok);
}

/* How many cells are hidden, never which are small: with that a reader
 * could solve a block of small cells exactly. */
static cJSON *audit_json(const struct ptable *t)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddBoolToObject(o, "passed", t->passed) &&
	          cJSON_AddNumberToObject(o, "suppressed", (double)t->hidden);
	return json_checked(o, ok);
}

cJSON *render_table(const struct catalogue *cat, const struct cat_indicator *ind,
                    const struct cat_area *municipality, const struct ptable *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *rows = NULL;
	bool ok = json_add(o, "indicator", render_indicator(cat, ind)) &&
	          json_add(o, "area", render_area(cat, municipality)) &&
	          cJSON_AddNumberToObject(o, "year", t->year) &&
	          cJSON_AddNumberToObject(o, "suppress_below", (double)t->k) &&
	          json_add(o, "audit", audit_json(t)) &&
	          (rows = cJSON_AddArrayToObject(o, "rows")) != NULL;

	for (size_t r = 0; ok && r < t->nrows; r++)
		ok = json_append(rows, row_json(cat, municipality, t, r));
	return json_checked(o, ok);
}

int render_table_csv(const struct catalogue *cat, const struct cat_indicator *ind,
                     const struct cat_area *municipality, const struct ptable *t,
                     struct buf *out)
{
	static const char *const header[] = { "indicator", "area", "period", "frequency",
	                                      "value", "status" };
	char period[PERIOD_STRLEN], value[24];

	csv_write_record(out, header, 6);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < DC_NCOLS; c++) {
			const struct pcell *cell = &t->cells[r * DC_NCOLS + c];
			enum point_status st = point_status_of(cell->status);
			column_period(t->year, c, period);
			value_text(st, cell->value, value, sizeof value);
			const char *const row[] = { ind->code, row_code(cat, municipality, t, r), period,
			                            c == DC_YEAR ? "year" : "quarter", value,
			                            point_status_name(st) };
			csv_write_record(out, row, 6);
		}
	return buf_failed(out) ? -1 : 0;
}
