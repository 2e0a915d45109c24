/* The areas of the published tables, and the series built from them.
 * Pure: the tables come already read (tables/series_tables.h).
 *
 * Everything the aggregator publishes comes from one kind of table: one
 * indicator in one municipality and one year, a row per leaf area under the
 * municipality (in code order) and a last row for the municipality, columns
 * Q1..Q4 and the year, in one of its recorded states (ptable.h). /v1/table
 * shows such a table; a series takes its area's row from the table of
 * every year it spans. So no endpoint can show a cell that /v1/table hides. */
#ifndef SAMLAD_SERIES_BUILD_H
#define SAMLAD_SERIES_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include "catalogue.h"
#include "compiler.h"
#include "ptable.h"
#include "series.h"

/* The leaves of a municipality in the current catalogue (the review's
 * small multiples; a table's own rows are in its state). */
struct layout {
	const struct cat_area *municipality; /* the top-level area */
	int *area_ids;                       /* owned; the leaf ids in row order */
	const struct cat_area **leaves;      /* owned; the same areas */
	size_t nleaves;                      /* rows that are reported */
	size_t ndistricts;                   /* nleaves, or 0 when the municipality is its own leaf */
};

/* A series request after its parameters were checked. */
struct series_request {
	const struct cat_indicator *indicator;  /* what */
	const struct cat_area *area;            /* a municipality or a leaf under one */
	enum series_freq freq;                  /* quarters or years */
	int from;                               /* first period: yyyyq, or yyyy for years */
	int to;                                 /* last period, same form, >= from */
	double alpha;                           /* significance level of `direction` */
};

/* The top-level area above `area` (the area itself when it has no parent). */
const struct cat_area *area_municipality(const struct catalogue *cat,
                                         const struct cat_area *area);
/* True when the area may be published: a municipality or a leaf. An area
 * between the two would add a relation the audit never saw. */
bool area_publishable(const struct cat_area *area);
/* Fills the layout of a municipality; 0 or -1 (out of memory). */
int layout_make(const struct catalogue *cat, const struct cat_area *municipality,
                struct layout *out) WUR;
void layout_free(struct layout *l);
/* The series of the request from tables of years y0..y1 already read
 * (series_tables_read), which must span the series with its lead-in:
 * points, derived values and the trend. `cat` names the series' agency and
 * parent. *out is the caller's to clear with series_clear. */
enum agg_status series_from_tables(const struct catalogue *cat, const struct series_request *rq,
                                   struct ptable **tables, int y0, int y1,
                                   struct series *out) WUR;
/* The years a series reads, with the lead-in its derived values need. */
void series_years(const struct series_request *rq, int *y0, int *y1);

#endif
