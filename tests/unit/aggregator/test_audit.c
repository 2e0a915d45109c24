/* Unit tests of aggregator/audit.c: GLPK intervals of suppressed cells in
 * hand-checked tables. Suppression patterns are drawn by hand (see
 * table_fixture.h for the picture syntax) and every interval is derived in
 * the comment above its test. k = 5 throughout. */
#include "tap.h"
#include "audit.h"
#include "protect.h"
#include "table_fixture.h"

#include <math.h>
#include <stdint.h>

/* Checks the interval of the cell at row, col. */
static void interval_is(const struct audit_report *rep, struct protect_table *t,
                        size_t row, size_t col, double lo, double hi, bool exposed,
                        const char *name)
{
	const struct audit_interval *iv = &rep->cells[protect_index(t, row, col)];
	is_double(iv->lo, lo, 1e-9, "%s: (%zu,%zu) lo", name, row, col);
	if (isinf(hi))
		ok(isinf(iv->hi) && iv->hi > 0, "%s: (%zu,%zu) hi unbounded", name, row, col);
	else
		is_double(iv->hi, hi, 1e-9, "%s: (%zu,%zu) hi", name, row, col);
	is_int(iv->exposed, exposed, "%s: (%zu,%zu) exposed", name, row, col);
}

/* Runs the audit and checks the summary. Returns the report (caller frees). */
static struct audit_report *audited(struct protect_table *t, size_t nsuppressed,
                                    size_t nexposed, const char *name)
{
	struct audit_report *rep = NULL;
	is_int(audit_run(&t->lt, &rep), AUDIT_OK, "%s: audit runs", name);
	if (!rep)
		abort();
	is_int(rep->nsuppressed, nsuppressed, "%s: suppressed cells audited", name);
	is_int(rep->nexposed, nexposed, "%s: exposed cells", name);
	is_int(rep->passed, nexposed == 0, "%s: passed", name);
	return rep;
}

/* Three districts, flow:
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    2  7 10 10 | 29
 *   d2    6  5 10 10 | 31
 *   d3    8  9 10 10 | 37
 *   M    16 21 30 30 | 97 */
static const long long three[3][4] = { { 2, 7, 10, 10 }, { 6, 5, 10, 10 }, { 8, 9, 10, 10 } };

/* Nothing suppressed: nothing to audit, the table passes. */
static void test_nothing_suppressed(void)
{
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	struct audit_report *rep = audited(t, 0, 0, "none");
	audit_report_free(rep);
	protect_table_free(t);
}

/* One suppressed cell: its row gives it away (29 - 7 - 10 - 10 = 2), and so
 * does its column: lo = hi = 2. A suppressed total is as exposed: M's Q1 is
 * the sum of the districts, 16. */
static void test_single(void)
{
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	draw(t, "s..../...../...../.....");
	struct audit_report *rep = audited(t, 1, 1, "single");
	interval_is(rep, t, 0, 0, 2, 2, true, "single");
	audit_report_free(rep);
	draw(t, "...../...../...../s....");
	rep = audited(t, 1, 1, "total");
	interval_is(rep, t, 3, 0, 16, 16, true, "total");
	audit_report_free(rep);
	protect_table_free(t);
}

/* The rectangle d1,d2 x Q1,Q2: the reader knows every row and column sum,
 * so the four cells move together, x11 = 2+e, x12 = 7-e, x21 = 6-e,
 * x22 = 5+e, and x >= 0 gives -2 <= e <= 6: width 8 for each cell. */
static void test_rectangle(void)
{
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	draw(t, "ss.../ss.../...../.....");
	struct audit_report *rep = audited(t, 4, 0, "rectangle");
	interval_is(rep, t, 0, 0, 0, 8, false, "rectangle");
	interval_is(rep, t, 0, 1, 1, 9, false, "rectangle");
	interval_is(rep, t, 1, 0, 0, 8, false, "rectangle");
	interval_is(rep, t, 1, 1, 3, 11, false, "rectangle");
	audit_report_free(rep);
	protect_table_free(t);
}

/* The width of a rectangle is min(x11, x22) + min(x12, x21). With 2 3 / 3 2
 * it is 2 + 3 = 5 = k: protected, just. With 2 2 / 2 2 it is 4 < k: all four
 * cells exposed even though every relation holds two suppressions. */
static void test_width_boundary(void)
{
	static const long long five[3][4] = { { 2, 3, 10, 10 }, { 3, 2, 10, 10 }, { 10, 10, 10, 10 } };
	static const long long four[3][4] = { { 2, 2, 10, 10 }, { 2, 2, 10, 10 }, { 10, 10, 10, 10 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, five);
	draw(t, "ss.../ss.../...../.....");
	struct audit_report *rep = audited(t, 4, 0, "width 5");
	interval_is(rep, t, 0, 0, 0, 5, false, "width 5");
	interval_is(rep, t, 1, 0, 0, 5, false, "width 5");
	audit_report_free(rep);
	protect_table_free(t);

	t = fixture(3, PROTECT_FLOW, 5, four);
	draw(t, "ss.../ss.../...../.....");
	rep = audited(t, 4, 4, "width 4");
	interval_is(rep, t, 0, 0, 0, 4, true, "width 4");
	interval_is(rep, t, 1, 1, 0, 4, true, "width 4");
	audit_report_free(rep);
	protect_table_free(t);
}

/* The famous case: four districts, flow.
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1   3* 4* 20 30 |  57
 *   d2   4* 3* 2* 25 |  34
 *   d3   20 25 4* 3* |  52
 *   d4   30 20 3* 4* |  57
 *   M    57 52 29 62 | 200
 * Nine cells suppressed (*): two rectangles, d1,d2 x Q1,Q2 and d3,d4 x
 * Q3,Q4, joined by d2's Q3 = 2. Every row and column holds two or three
 * suppressions, none holds exactly one, yet the link is exactly
 * recoverable: rows d1 and d2 give x11+x12 = 7 and x21+x22+x23 = 9, columns
 * Q1 and Q2 give x11+x21 = 7 and x12+x22 = 7, so x23 = 9 + 7 - 7 - 7 = 2.
 * The rectangles themselves are safe: x11 = 3+e, x12 = 4-e, x21 = 4-e,
 * x22 = 3+e with -3 <= e <= 4, width 7; the same for the other one. */
static const long long famous[4][4] = {
	{ 3, 4, 20, 30 }, { 4, 3, 2, 25 }, { 20, 25, 4, 3 }, { 30, 20, 3, 4 },
};
static const char famous_pattern[] = "ss.../sss../..ss./..ss./.....";

/* True when no published relation holds exactly one suppressed cell. */
static bool no_lone_relation(const struct protect_table *t)
{
	for (size_t r = 0; r < t->lt.nrels; r++) {
		const struct linked_relation *rel = &t->lt.rels[r];
		size_t n = cell_is_suppressed(t->lt.cells[rel->total].status);
		for (size_t i = 0; i < rel->nparts; i++)
			n += cell_is_suppressed(t->lt.cells[rel->parts[i]].status);
		if (n == 1)
			return false;
	}
	return true;
}

static void test_famous(void)
{
	struct protect_table *t = fixture(4, PROTECT_FLOW, 5, famous);
	char pic[PICTURE_MAX];
	draw(t, famous_pattern);
	is_str(picture(t, pic), "ss.../sss../..ss./..ss./.....", "famous: pattern drawn");
	is_int(value_at(t, 4, PROTECT_YEAR), 200, "famous: grand total");
	ok(no_lone_relation(t), "famous: every relation holds 0 or >= 2 suppressions");
	struct audit_report *rep = audited(t, 9, 1, "famous");
	interval_is(rep, t, 1, 2, 2, 2, true, "famous: the link is recoverable");
	interval_is(rep, t, 0, 0, 0, 7, false, "famous");
	interval_is(rep, t, 0, 1, 0, 7, false, "famous");
	interval_is(rep, t, 1, 0, 0, 7, false, "famous");
	interval_is(rep, t, 1, 1, 0, 7, false, "famous");
	interval_is(rep, t, 2, 2, 0, 7, false, "famous");
	interval_is(rep, t, 2, 3, 0, 7, false, "famous");
	interval_is(rep, t, 3, 2, 0, 7, false, "famous");
	interval_is(rep, t, 3, 3, 0, 7, false, "famous");
	audit_report_free(rep);

	struct audit_interval iv = { 0, 0, false };
	size_t cell = 0;
	is_int(audit_first_exposed(&t->lt, &cell, &iv), AUDIT_OK, "famous: first exposed runs");
	is_int(cell, protect_index(t, 1, 2), "famous: first exposed is the link");
	ok(iv.lo == 2 && iv.hi == 2 && iv.exposed, "famous: first exposed interval [2, 2]");
	draw(t, "ss.../ss.../..ss./..ss./.....");
	is_int(audit_first_exposed(&t->lt, &cell, &iv), AUDIT_OK, "two rectangles: runs");
	ok(cell == SIZE_MAX, "two rectangles alone: nothing exposed");
	protect_table_free(t);
}

/* Stock: the year is Q4, and Q1..Q3 sit in their columns only.
 *        Q1 Q2 Q3 Q4 | Y
 *   d1   10 12  8  3 | 3
 *   d2    9 11  7  6 | 6
 *   M    19 23 15  9 | 9
 * Q2 of both districts suppressed: x12 + x22 = 23 is all the reader has,
 * so each lies in [0, 23]. The same cells of a flow table are fixed by
 * their rows (x12 = Y - Q1 - Q3 - Q4). d1's Q4 and year suppressed alone:
 * column Q4 fixes Q4 = 9 - 6 = 3 and column Y the year. With d2's Q4 and
 * year too: x14 = y1, x24 = y2, x14 + x24 = 9: each in [0, 9]. */
static void test_stock(void)
{
	static const long long q[2][4] = { { 10, 12, 8, 3 }, { 9, 11, 7, 6 } };
	struct protect_table *t = fixture(2, PROTECT_STOCK, 5, q);
	struct audit_report *rep;

	is_int(value_at(t, 0, PROTECT_YEAR), 3, "stock: year is Q4");
	is_int(value_at(t, 2, PROTECT_YEAR), 9, "stock: municipality year is its Q4");
	draw(t, ".s.../.s.../.....");
	rep = audited(t, 2, 0, "stock Q2");
	interval_is(rep, t, 0, 1, 0, 23, false, "stock Q2");
	interval_is(rep, t, 1, 1, 0, 23, false, "stock Q2");
	audit_report_free(rep);
	draw(t, "...ss/...../.....");
	rep = audited(t, 2, 2, "stock Q4 alone");
	interval_is(rep, t, 0, 3, 3, 3, true, "stock Q4 alone");
	interval_is(rep, t, 0, 4, 3, 3, true, "stock Q4 alone");
	audit_report_free(rep);
	draw(t, "...ss/...ss/.....");
	rep = audited(t, 4, 0, "stock Q4 pair");
	interval_is(rep, t, 0, 3, 0, 9, false, "stock Q4 pair");
	interval_is(rep, t, 1, 4, 0, 9, false, "stock Q4 pair");
	audit_report_free(rep);
	protect_table_free(t);

	t = fixture(2, PROTECT_FLOW, 5, q);
	draw(t, ".s.../.s.../.....");
	rep = audited(t, 2, 2, "flow Q2");
	interval_is(rep, t, 0, 1, 12, 12, true, "flow Q2");
	audit_report_free(rep);
	protect_table_free(t);
}

/* Missing cells protect nothing, and relations through them are unknown.
 * d2 did not report Q3, so d2's year, M's Q3 and M's year are missing and
 * row d2, row M, column Q3 and column Y are not published relations.
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    3 10 10 10 | 33
 *   d2   10 10  - 10 |  -
 *   M    13 20  - 20 |  -
 * d1's Q1 and Q2 suppressed: column Q1 still fixes Q1 = 13 - 10 = 3 and
 * column Q2 fixes Q2 = 10. A municipality without districts that lacks Q3
 * has no published relation at all: a suppressed Q1 is in [0, inf). */
static void test_missing(void)
{
	static const long long q[2][4] = { { 3, 10, 10, 10 }, { 10, 10, -1, 10 } };
	static const long long solo[1][4] = { { 3, 10, -1, 10 } };
	struct protect_table *t = fixture(2, PROTECT_FLOW, 5, q);
	char pic[PICTURE_MAX];
	struct audit_report *rep;

	is_str(picture(t, pic), "...../..-.-/..-.-", "missing: derived cells missing");
	draw(t, "ss.../..-.-/..-.-");
	rep = audited(t, 2, 2, "missing");
	interval_is(rep, t, 0, 0, 3, 3, true, "missing: column still fixes Q1");
	interval_is(rep, t, 0, 1, 10, 10, true, "missing: column still fixes Q2");
	audit_report_free(rep);
	protect_table_free(t);

	t = fixture(0, PROTECT_FLOW, 5, solo);
	is_str(picture(t, pic), "..-.-", "solo: year missing");
	draw(t, "s.-.-");
	rep = audited(t, 1, 0, "solo");
	interval_is(rep, t, 0, 0, 0, INFINITY, false, "solo: unbounded");
	audit_report_free(rep);
	protect_table_free(t);
}

/* A relation whose total alone is missing is not published either. In
 * the table of three districts, d1's Q1 and Q2 are suppressed and M's Q1
 * and Q2 marked missing by hand (protect_fill_totals would also have made
 * a part missing): only row d1 is left, x11 + x12 = 9, each in [0, 9]. */
static void test_missing_total(void)
{
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	struct audit_report *rep;

	draw(t, "ss.../...../...../.....");
	protect_cell(t, 3, 0)->status = CELL_MISSING;
	protect_cell(t, 3, 1)->status = CELL_MISSING;
	ok(!linked_relation_published(&t->lt, &t->lt.rels[4 + 0]), "column Q1 not published");
	ok(linked_relation_published(&t->lt, &t->lt.rels[0]), "row d1 published");
	rep = audited(t, 2, 0, "missing total");
	interval_is(rep, t, 0, 0, 0, 9, false, "missing total");
	interval_is(rep, t, 0, 1, 0, 9, false, "missing total");
	audit_report_free(rep);
	protect_table_free(t);
}

/* Values that do not add up, or a negative count, are refused before any LP. */
static void test_inconsistent(void)
{
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	struct audit_report *rep = (struct audit_report *)&rep;

	draw(t, "ss.../ss.../...../.....");
	protect_cell(t, 0, 0)->value = 3;  /* year and M's Q1 no longer match */
	is_int(audit_run(&t->lt, &rep), AUDIT_INCONSISTENT, "inconsistent: refused");
	ok(rep == NULL, "inconsistent: no report");
	is_int(audit_check(&t->lt), AUDIT_INCONSISTENT, "inconsistent: check says so");
	protect_fill_totals(t);
	is_int(audit_check(&t->lt), AUDIT_OK, "refilled: consistent");
	protect_set(t, 2, 3, -1);
	protect_fill_totals(t);
	is_int(audit_check(&t->lt), AUDIT_INCONSISTENT, "negative count refused");
	protect_table_free(t);
}

/* audit_cell on a suppressed, a published and a missing cell. */
static void test_audit_cell(void)
{
	static const long long q[2][4] = { { 3, 10, 10, 10 }, { 10, 10, -1, 10 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, three);
	struct audit_interval iv;

	draw(t, "ss.../ss.../...../.....");
	is_int(audit_cell(&t->lt, protect_index(t, 1, 1), &iv), AUDIT_OK, "cell: ok");
	ok(iv.lo == 3 && iv.hi == 11 && !iv.exposed, "cell: [3, 11] as in the rectangle");
	is_int(audit_cell(&t->lt, protect_index(t, 2, 0), &iv), AUDIT_OK, "published: ok");
	ok(iv.lo == 8 && iv.hi == 8 && !iv.exposed, "published cell: its value, not exposed");
	protect_table_free(t);

	t = fixture(2, PROTECT_FLOW, 5, q);
	is_int(audit_cell(&t->lt, protect_index(t, 1, 2), &iv), AUDIT_OK, "missing: ok");
	ok(iv.lo == 0 && isinf(iv.hi) && !iv.exposed, "missing cell: [0, inf)");
	protect_table_free(t);
}

static void test_names(void)
{
	is_str(cell_status_name(CELL_PUBLISHED), "published", "name published");
	is_str(cell_status_name(CELL_PRIMARY), "suppressed", "primary shows as suppressed");
	is_str(cell_status_name(CELL_SECONDARY), "suppressed", "secondary shows as suppressed");
	is_str(cell_status_name(CELL_MISSING), "missing", "name missing");
	is_str(audit_status_message(AUDIT_INCONSISTENT),
	       "the table's values do not satisfy its relations", "inconsistent message");
	ok(!cell_is_suppressed(CELL_MISSING) && cell_is_suppressed(CELL_PRIMARY),
	   "missing is not a suppression");
}

int main(void)
{
	test_nothing_suppressed();
	test_single();
	test_rectangle();
	test_width_boundary();
	test_famous();
	test_stock();
	test_missing();
	test_missing_total();
	test_inconsistent();
	test_audit_cell();
	test_names();
	return tap_done();
}
