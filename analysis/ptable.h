/* The published form of a year table, and the point on the timeline a
 * state of it began at: the types the pure libraries (the series'
 * assembly, the renderers, the review) share with the database layer that
 * reads them (tables/states.h). No database here.
 *
 * A table is one indicator in one municipality and one year: a row per
 * leaf area under the municipality (in code order) and a last row for the
 * municipality, columns Q1..Q4 and the year (disclosure.h's DC_NCOLS). */
#ifndef SAMLAD_PTABLE_H
#define SAMLAD_PTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "disclosure.h"

/* How an aggregator operation ended. */
enum agg_status {
	AGG_OK = 0,
	AGG_UNAVAILABLE,  /* the database cannot be reached: answer 503 */
	AGG_FAILED,       /* a query failed or memory ran out (logged): answer 500 */
};

/* A point on the timeline (tables/timeline.h). */
struct point {
	long long data;       /* the newest submission id, 0 for none */
	long long catalogue;  /* the catalogue version */
};

/* A cell as it may be published. */
struct pcell {
	long long value;       /* the value when published, else 0 */
	enum dc_cell status;   /* published, hidden or missing */
};

/* One state of a year table as it is published. The true value of a
 * hidden cell is not here: it never leaves tables/states.c. */
struct ptable {
	int year;               /* the calendar year */
	size_t nleaves;         /* leaf rows */
	bool total;             /* a last row is the municipality's total */
	size_t nrows;           /* nleaves + total */
	int *leaves;            /* the leaf rows' area ids (in this allocation) */
	long long k;            /* the k it was protected with */
	bool passed;            /* protected without falling back to hiding every new cell */
	size_t hidden;          /* hidden cells */
	struct point at;        /* where the state began; (0, 0) for a table with no state */
	struct pcell *cells;    /* nrows x DC_NCOLS, row-major (in this allocation) */
	unsigned char *flags;   /* per cell, its enum flag (core/flag.h) when published, else 0
	                         * (in this allocation; tables/flags.c sets them) */
};

/* -1, 0 or 1 as a is before, at or after b. */
int point_cmp(struct point a, struct point b);

/* A table of nleaves leaf rows (and a total row), every cell missing, in
 * one allocation (free()); NULL when out of memory. */
struct ptable *ptable_new(int year, size_t nleaves, bool total) WUR;

/* The row of an area in a table: a leaf's index, the total row for the
 * municipality, or -1 when the area is not in it. */
long ptable_row(const struct ptable *t, int area_id, int municipality_id);

#endif
