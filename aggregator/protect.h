/* Disclosure control of one indicator in one municipality and one year.
 *
 * The table has a row per district and a last row for the municipality, and
 * five columns: Q1..Q4 and the year. Its relations are
 *   - per column: the districts sum to the municipality (when it has districts);
 *   - per row, flow indicator: Q1 + Q2 + Q3 + Q4 = year;
 *   - per row, stock indicator: Q4 = year.
 * Only the districts' quarters are reported; protect_fill_totals derives the
 * rest, and a derived cell is missing when any cell it would be made of is
 * missing: a row with a missing quarter has a missing year, and a
 * municipality cell is missing when any district's cell in that column is.
 * A missing cell is never a smaller sum and never 0.
 *
 * protect_run then suppresses:
 *   - primary: every value 1..k-1 (0 is published: "nobody" identifies no one);
 *   - secondary: further cells, as few and as small as it can find, until the
 *     LP audit (audit.h) shows that no suppressed cell can be narrowed to an
 *     interval shorter than k. See protect.c for how cells are picked.
 * Each run costs GLPK solves: measured on this machine, about 1 ms for
 * five districts (under 10 ms at worst, with many small counts) and 30 to
 * 70 ms for twenty districts of small counts. Callers that answer many
 * requests should cache the result per (indicator, municipality, year, as_of).
 *
 * A municipality without districts is a single row whose quarters are the
 * reported cells; it has only its row relation. */
#ifndef SAMLAD_PROTECT_H
#define SAMLAD_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include "audit.h"
#include "compiler.h"

/* Columns: 0..3 are Q1..Q4, then the year. */
#define PROTECT_NCOLS 5
#define PROTECT_YEAR 4
/* The threshold when neither the deployment nor the indicator sets one. */
#define PROTECT_K_DEFAULT 5

/* How a year is made of its quarters (catalogue.h's indicator kind). */
enum protect_kind {
	PROTECT_FLOW,   /* new cases: the year is the sum of the quarters */
	PROTECT_STOCK,  /* open cases at period end: the year is Q4 */
};

struct protect_table {
	size_t ndistricts;         /* district rows 0..ndistricts-1 */
	size_t nrows;              /* ndistricts + 1: the municipality is the last row */
	enum protect_kind kind;    /* flow or stock */
	struct linked_table lt;    /* cells nrows x PROTECT_NCOLS row-major, relations, k;
	                            * its arrays are owned by this table */
	size_t *parts;             /* owned storage that lt.rels[i].parts point into */
	int (*rels_of)[2];         /* owned; per cell the (at most two) relations that hold
	                            * it, -1 for none: its row's and its column's */
	size_t nprimary;           /* after protect_run: primary suppressions */
	size_t nsecondary;         /* after protect_run: secondary suppressions */
	bool audit_passed;         /* after protect_run: the final audit found nothing exposed */
};

/* A table with every cell missing. k < 1 is taken as 1 (nothing is small).
 * NULL when memory ran out. Free with protect_table_free. */
struct protect_table *protect_table_new(size_t ndistricts, enum protect_kind kind,
                                        long long k) WUR;
void protect_table_free(struct protect_table *t);
/* The index of a cell in t->lt.cells. */
size_t protect_index(const struct protect_table *t, size_t row, size_t col);
/* The cell at row, col (col PROTECT_YEAR for the year). */
struct linked_cell *protect_cell(struct protect_table *t, size_t row, size_t col);
/* Records a reported count (published until protect_run decides). quarter is
 * 0..3; row is a district, or row 0 when the municipality has no districts. */
void protect_set(struct protect_table *t, size_t row, size_t quarter, long long value);
/* Derives every year cell and the municipality row from the reported cells,
 * overwriting them; see the header comment for when a derived cell is missing. */
void protect_fill_totals(struct protect_table *t);
/* Suppresses the table (any earlier suppression is forgotten first) and
 * fills nprimary, nsecondary and audit_passed. Missing cells stay missing.
 * AUDIT_INCONSISTENT when the values do not add up (the caller forgot
 * protect_fill_totals, or a value is negative); then nothing is suppressed
 * and audit_passed is false: publish nothing from such a table. */
enum audit_status protect_run(struct protect_table *t) WUR;

#endif
