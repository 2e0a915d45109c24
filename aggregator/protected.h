/* The protected year tables and the series made from them.
 *
 * Everything the aggregator publishes comes from one kind of table: one
 * indicator in one municipality and one year, a row per leaf area under the
 * municipality (in code order) and a last row for the municipality, columns
 * Q1..Q4 and the year, protected by protect.h. /v1/table shows such a table;
 * a series takes its area's row from the table of every year it spans. So
 * no endpoint can show a cell that /v1/table suppresses.
 *
 * Protection is a pure function of (indicator, municipality, year, data
 * version, catalogue version), so the tables are cached under that key
 * (table_cache.h): caching is exact, and a series over many years costs no
 * protect_run once its tables are made. A table whose protection failed
 * (inconsistent values, or an audit that did not pass) publishes nothing:
 * every present cell is suppressed, and the failure is logged. */
#ifndef SAMLAD_PROTECTED_H
#define SAMLAD_PROTECTED_H

#include <stdbool.h>
#include <stddef.h>
#include "audit.h"
#include "catalogue.h"
#include "compiler.h"
#include "db.h"
#include "protect.h"
#include "series.h"

/* How an aggregator operation ended. */
enum agg_status {
	AGG_OK = 0,
	AGG_UNAVAILABLE,  /* the database cannot be reached: answer 503 */
	AGG_FAILED,       /* a query failed or memory ran out (logged): answer 500 */
};

/* A protected year table as it may be published. A cell that is not
 * published holds the value 0: the true count never leaves protected.c. */
struct ptable {
	size_t ndistricts;          /* leaf rows; 0 when the municipality is its own leaf */
	size_t nrows;               /* ndistricts + 1: the municipality is the last row */
	long long k;                /* the threshold the table was protected with */
	bool audit_passed;          /* protect_run ended with a passing audit */
	bool failed;                /* protection failed: every present cell is suppressed */
	size_t nprimary;            /* primary suppressions (present cells when failed) */
	size_t nsecondary;          /* secondary suppressions (0 when failed) */
	struct linked_cell cells[]; /* nrows x PROTECT_NCOLS, row-major */
};

/* The rows of one municipality's tables. */
struct layout {
	const struct cat_area *municipality; /* the top-level area */
	int *area_ids;                       /* owned; the leaf ids in row order */
	const struct cat_area **leaves;      /* owned; the same areas */
	size_t nleaves;                      /* rows that are reported */
	size_t ndistricts;                   /* nleaves, or 0 when the municipality is its own leaf */
};

/* What building tables needs: the cache and one request's view. */
struct protect_ctx {
	struct protected_cache *cache;  /* shared by every request */
	struct db *db;                  /* the request's connection */
	const struct catalogue *cat;    /* held under the catalogue lock */
	long long version;              /* the data version to read */
	long long k_default;            /* the deployment's k */
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

struct protected_cache;

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
/* The row of an area in the layout's tables, or -1. */
long layout_row(const struct layout *l, const struct cat_area *area);
/* The effective k of an indicator. */
long long protect_k(const struct protect_ctx *ctx, const struct cat_indicator *ind);

/* The protected tables of years y0..y1 of one indicator in the layout's
 * municipality. out[i] is year y0 + i; each table is the caller's to free
 * (free()). Tables not in the cache are made from one query of the
 * counts' history over the years that missed. */
enum agg_status protected_years(const struct protect_ctx *ctx,
                                const struct cat_indicator *ind,
                                const struct layout *lay, int y0, int y1,
                                struct ptable **out) WUR;

/* The series of the request: points, derived values and the trend. *out
 * is the caller's to clear with series_clear. */
enum agg_status series_assemble(const struct protect_ctx *ctx,
                                const struct series_request *rq,
                                struct series *out) WUR;

#endif
