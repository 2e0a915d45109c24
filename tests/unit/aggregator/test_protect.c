/* Unit tests of aggregator/protect.c: primary and secondary suppression of
 * hand-checked district-by-quarter tables. Each test states the table, the
 * suppression it expects and why (see table_fixture.h for the pictures:
 * '.' published, 'p' primary, 's' secondary, '-' missing; rows Q1 Q2 Q3 Q4
 * year, municipality last), and ends by auditing the protected table again
 * with a fresh audit_run. k = 5 unless a test says otherwise. */
#include "tap.h"
#include "audit.h"
#include "protect.h"
#include "table_fixture.h"

#include <math.h>
#include <pthread.h>

/* Protects the table and checks the picture and the counts. */
static void protected_as(struct protect_table *t, const char *want, size_t nprimary,
                         size_t nsecondary, const char *name)
{
	char pic[PICTURE_MAX];
	is_int(protect_run(t), AUDIT_OK, "%s: protect runs", name);
	is_str(picture(t, pic), want, "%s: suppression pattern", name);
	is_int(t->nprimary, nprimary, "%s: primary suppressions", name);
	is_int(t->nsecondary, nsecondary, "%s: secondary suppressions", name);
	ok(t->audit_passed, "%s: protect reports the audit passed", name);
}

/* The final word: a fresh audit finds every suppressed cell, and none exposed. */
static void audit_passes(struct protect_table *t, const char *name)
{
	struct audit_report *rep = NULL;
	is_int(audit_run(&t->lt, &rep), AUDIT_OK, "%s: final audit runs", name);
	if (!rep)
		return;
	ok(rep->passed && rep->nexposed == 0, "%s: final audit passes", name);
	is_int(rep->nsuppressed, t->nprimary + t->nsecondary,
	       "%s: audit saw every suppression", name);
	audit_report_free(rep);
}

/* The interval the reader has for the cell at row, col. */
static void interval_is(struct protect_table *t, size_t row, size_t col, double lo,
                        double hi, const char *name)
{
	struct audit_interval iv;
	is_int(audit_cell(&t->lt, protect_index(t, row, col), &iv), AUDIT_OK,
	       "%s: (%zu,%zu) interval", name, row, col);
	is_double(iv.lo, lo, 1e-9, "%s: (%zu,%zu) lo", name, row, col);
	if (isinf(hi))
		ok(isinf(iv.hi), "%s: (%zu,%zu) hi unbounded", name, row, col);
	else
		is_double(iv.hi, hi, 1e-9, "%s: (%zu,%zu) hi", name, row, col);
}

/* One small cell, flow, three districts:
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    7 2*  9 12 | 30
 *   d2    6  5 11 10 | 32
 *   d3    8 10  9 10 | 37
 *   M    21 17 29 32 | 99
 * Row d1 needs one more: the smallest value >= 5 - 2 = 3 is Q1 = 7. Column
 * Q1 then needs one: the smallest is d2's 6. Columns Q2 and row d2 now hold
 * one each, and d2's Q2 = 5 mends both: the rectangle closes. Three
 * secondaries, one in the row, one in the column, one corner. The four move
 * together, x11 = 7+e, x12 = 2-e, x21 = 6-e, x22 = 5+e, -5 <= e <= 2, so the
 * 2 is anywhere in [0, 7]. */
static void test_single(void)
{
	static const long long q[3][4] = { { 7, 2, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, "sp.../ss.../...../.....", 1, 3, "single");
	interval_is(t, 0, 1, 0, 7, "single");
	interval_is(t, 0, 0, 2, 9, "single");
	interval_is(t, 1, 0, 4, 11, "single");
	interval_is(t, 1, 1, 0, 7, "single");
	audit_passes(t, "single");
	protect_table_free(t);
}

/* The famous case (the table of test_audit.c), now as primaries:
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1   3* 4* 20 30 |  57
 *   d2   4* 3* 2* 25 |  34
 *   d3   20 25 4* 3* |  52
 *   M... every other value >= 20.
 * Every relation already holds 0, 2 or 3 suppressions, so phase A adds
 * nothing; the audit finds d2's Q3 pinned at 2. One more cell that joins
 * the two rectangles a second way puts it on a cycle: the cheapest are the
 * 20s at d1 Q3, d3 Q1 and d4 Q2, and the first in row-major order wins.
 * Then rows d1 and d2 and columns Q1, Q2 give x13 + x23 = 22 and column Q3
 * x33 + x43 = 7; with x23 = 9 - x21 - x22 and x21, x22 <= 7, x23 is in
 * [0, 9] and x13 = 22 - x23 in [13, 22]. */
static void test_famous(void)
{
	static const long long q[4][4] = {
		{ 3, 4, 20, 30 }, { 4, 3, 2, 25 }, { 20, 25, 4, 3 }, { 30, 20, 3, 4 },
	};
	struct protect_table *t = fixture(4, PROTECT_FLOW, 5, q);

	protected_as(t, "pps../ppp../..pp./..pp./.....", 9, 1, "famous");
	interval_is(t, 1, 2, 0, 9, "famous: the link is free again");
	interval_is(t, 0, 2, 13, 22, "famous: the new cell");
	interval_is(t, 0, 0, 0, 7, "famous: rectangle unchanged");
	audit_passes(t, "famous");
	protect_table_free(t);
}

/* Zeros are published and make poor complements (a 0 adds no width).
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    0 2*  0  9 | 11
 *   d2    6  5 11 10 | 32
 *   d3    8 10  9 10 | 37
 * Row d1's cells >= 3 are Q4 = 9 and Y = 11: Q4. Column Q4's smallest is
 * d2's 10, and d2's Q2 = 5 then mends column Q2 and row d2. The rectangle
 * d1,d2 x Q2,Q4 spans min(2,10) + min(9,5) = 7. */
static void test_zero(void)
{
	static const long long q[3][4] = { { 0, 2, 0, 9 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, ".p.s./.s.s./...../.....", 1, 3, "zero");
	is_int(protect_cell(t, 0, 0)->status, CELL_PUBLISHED, "zero: a 0 is published");
	interval_is(t, 0, 1, 0, 7, "zero");
	audit_passes(t, "zero");
	protect_table_free(t);
}

/* Three primaries around a zero corner:
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1   1*  4*  9  9 |  23
 *   d2   4*  0   9  9 |  22
 *   d3   20 20  20 20 |  80
 *   M    25 24  38 38 | 125
 * Row d2 and column Q2 hold one suppression each, and the 0 at d2 Q2 would
 * mend both, but the rectangle would span min(1, 0) + min(4, 4) = 4 < 5.
 * So row d2 takes Q3 = 9, column Q2 takes d3's 20, and d3's Q3 = 20 mends
 * column Q3 and row d3: a six-cycle whose cells move by +e (1, 20, 9) and
 * -e (4, 20, 4), -1 <= e <= 4: width exactly 5. Three is the least
 * possible: any one or two cells leave a relation with one suppression or
 * a width of 4; and 9 + 20 + 20 is the cheapest such cycle. */
static void test_zero_corner(void)
{
	static const long long q[3][4] = { { 1, 4, 9, 9 }, { 4, 0, 9, 9 }, { 20, 20, 20, 20 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, "pp.../p.s../.ss../.....", 3, 3, "zero corner");
	interval_is(t, 0, 0, 0, 5, "zero corner");
	interval_is(t, 1, 0, 0, 5, "zero corner");
	audit_passes(t, "zero corner");
	protect_table_free(t);
}

/* The same numbers as flow and as stock:
 *        Q1 Q2 Q3 Q4 | Y flow | Y stock
 *   d1    7 2*  9 12 |   30   |   12
 *   d2    6  5 11 10 |   32   |   10
 *   d3    8 10  9 10 |   37   |   10
 * A stock's Q2 lies in no row relation (the year is Q4), so only column Q2
 * must be mended: d2's 5 (>= 3), and x12 + x22 = 7 puts both in [0, 7]. The
 * flow table needs the whole rectangle of test_single. */
static void test_stock_vs_flow(void)
{
	static const long long q[3][4] = { { 7, 2, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct protect_table *t = fixture(3, PROTECT_STOCK, 5, q);

	is_int(value_at(t, 0, PROTECT_YEAR), 12, "stock: year is Q4");
	is_int(value_at(t, 3, PROTECT_YEAR), 32, "stock: municipality year is its Q4");
	protected_as(t, ".p.../.s.../...../.....", 1, 1, "stock");
	interval_is(t, 0, 1, 0, 7, "stock");
	audit_passes(t, "stock");
	protect_table_free(t);

	t = fixture(3, PROTECT_FLOW, 5, q);
	is_int(value_at(t, 0, PROTECT_YEAR), 30, "flow: year is the sum");
	protected_as(t, "sp.../ss.../...../.....", 1, 3, "flow");
	audit_passes(t, "flow");
	protect_table_free(t);
}

/* A small stock Q4 makes the year small too, since they are equal:
 *        Q1 Q2 Q3 Q4 | Y
 *   d1   10 12  8 3* | 3*
 *   d2    9 11  7  6 | 6
 *   d3   20 21 22 23 | 23
 * Two primaries in row d1 ({Q4, Y} is mended), columns Q4 and Y each hold
 * one. Column Q4 takes the smallest >= 2, d2's 6, whose row then takes its
 * year 6, which also mends column Y. x14 = y1, x24 = y2, x14 + x24 = 9. */
static void test_stock_q4(void)
{
	static const long long q[3][4] = { { 10, 12, 8, 3 }, { 9, 11, 7, 6 }, { 20, 21, 22, 23 } };
	struct protect_table *t = fixture(3, PROTECT_STOCK, 5, q);

	protected_as(t, "...pp/...ss/...../.....", 2, 2, "stock q4");
	interval_is(t, 0, 3, 0, 9, "stock q4");
	interval_is(t, 0, 4, 0, 9, "stock q4");
	audit_passes(t, "stock q4");
	protect_table_free(t);
}

/* A missing quarter: d2 did not report Q3.
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    6  9 2*  8 | 25
 *   d2    5 10  - 12 |  -
 *   d3    7 11 13 14 | 45
 *   M    18 30  - 34 |  -
 * Derived cells are missing: d2's year, M's Q3 and M's year. Column Q3 and
 * column Y are therefore not published relations, and the 2 hides in row
 * d1 alone. Of row d1's cells, the year's other relation (column Y) is not
 * published, so suppressing it opens nothing: one secondary, and the 2 is
 * then x13 = y1 - 23 with nothing bounding y1. The missing cells protect
 * nothing and are never suppressed. */
static void test_missing(void)
{
	static const long long q[3][4] = { { 6, 9, 2, 8 }, { 5, 10, -1, 12 }, { 7, 11, 13, 14 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);
	char pic[PICTURE_MAX];

	is_str(picture(t, pic), "...../..-.-/...../..-.-", "missing: derived cells missing");
	protected_as(t, "..p.s/..-.-/...../..-.-", 1, 1, "missing");
	interval_is(t, 0, 2, 0, INFINITY, "missing");
	audit_passes(t, "missing");
	protect_table_free(t);
}

/* A stock with a missing quarter: the year is Q4, yet a year with a gap
 * is missing all the same (never shown from partial data).
 *        Q1 Q2 Q3 Q4 | Y
 *   d1   10  -  8 12 | -
 *   d2    9 11  7 3* | 3*
 *   M    19  - 15 15 | -
 * d2's 3 makes its year primary too. Row d1 and row M ({Q4, Y}) are not
 * published, nor columns Q2 and Y. Column Q4 holds the 3 alone and takes
 * the smallest cell >= 2, d1's 12: then x14 + x24 = 15, the 3 in [0, 15]. */
static void test_stock_missing(void)
{
	static const long long q[2][4] = { { 10, -1, 8, 12 }, { 9, 11, 7, 3 } };
	struct protect_table *t = fixture(2, PROTECT_STOCK, 5, q);
	char pic[PICTURE_MAX];

	is_str(picture(t, pic), ".-..-/...../.-..-", "stock missing: years with a gap missing");
	protected_as(t, ".-.s-/...pp/.-..-", 2, 1, "stock missing");
	interval_is(t, 1, 3, 0, 15, "stock missing");
	interval_is(t, 1, 4, 0, 15, "stock missing");
	audit_passes(t, "stock missing");
	protect_table_free(t);
}

/* A municipality without districts: one row, only the row relation.
 * 10 3* 8 12 | 33: the smallest cell >= 2 is Q3 = 8; x2 + x3 = 11. */
static void test_solo(void)
{
	static const long long q[1][4] = { { 10, 3, 8, 12 } };
	struct protect_table *t = fixture(0, PROTECT_FLOW, 5, q);

	protected_as(t, ".ps..", 1, 1, "solo");
	interval_is(t, 0, 1, 0, 11, "solo");
	audit_passes(t, "solo");
	protect_table_free(t);
}

/* One district: the municipality row repeats it, so its 2 is primary too
 * and both rows take the same complement, Q2 = 6 (the smallest >= 3). */
static void test_one_district(void)
{
	static const long long q[1][4] = { { 2, 6, 9, 12 } };
	struct protect_table *t = fixture(1, PROTECT_FLOW, 5, q);

	protected_as(t, "ps.../ps...", 2, 2, "one district");
	interval_is(t, 1, 0, 0, 8, "one district");
	audit_passes(t, "one district");
	protect_table_free(t);
}

/* A block of four 2s: every relation already holds two suppressions, yet
 * every rectangle among them spans 2 + 2 = 4 < 5, and no single added
 * cell helps (it would stand alone in its other relation).
 *        Q1 Q2 Q3 Q4 |   Y
 *   d1   2*  2* 10 11 |  25
 *   d2   2*  2* 12 13 |  29
 *   d3    9  8  20 20 |  57
 *   M    13 12  42 44 | 111
 * By hand: a 2 in row d1 is at most the suppressed mass of its row (4), so
 * rows d1 and d2 and columns Q1 and Q2 each need one more cell, four
 * distinct cells. The row cells must share a column and the column cells a
 * row, or a new relation would hold one suppression: the cheapest are
 * column Q3 (10 + 12) and row d3 (9 + 8), the 3x3 block minus its corner.
 * Then x31 + x32 = 17 with x32 <= 12 puts x31 >= 5, so x11 + x21 <= 8 and
 * x11 is in [0, 8]; x32 = 17 - x31 with x31 <= 13 is in [4, 12]. The
 * greedy first closes the corner d3 Q3 too (phase B's rectangle), and the
 * pruning pass publishes it again. */
static void test_block(void)
{
	static const long long q[3][4] = { { 2, 2, 10, 11 }, { 2, 2, 12, 13 }, { 9, 8, 20, 20 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, "pps../pps../ss.../.....", 4, 4, "block");
	interval_is(t, 0, 0, 0, 8, "block");
	interval_is(t, 2, 1, 4, 12, "block");
	audit_passes(t, "block");
	protect_table_free(t);
}

/* Phase B completes a rectangle when no single cell can help.
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1    0 1*  2*  6 |  9
 *   d2   2*  0  3*  5 | 10
 *   M    2* 1*   5 11 | 19
 * Six primaries, two per relation, forming one cycle; but row d1's hidden
 * cells add up to 3 (9 - 0 - 6) and row M's to 3 (19 - 5 - 11), so the 1s
 * and 2s there are in [0, 3]: exposed. Each of those rows needs another
 * cell, and the two must share a column or that column would hold one:
 * {d1 Q4, M Q4} (6 + 11) or {d1 Y, M Y} (9 + 19); d1's 0 adds no room.
 * Phase B finds the cheaper as the rectangle d1,M x Q2,Q4. By hand, with
 * a = x12 and b = x13: x14 = 9-a-b, x23 = 5-b, x21 = m1 = b, m2 = a,
 * m4 = 14-a-b, so a in [0, 9] and b in [0, 5]. */
static void test_rectangle(void)
{
	static const long long q[2][4] = { { 0, 1, 2, 6 }, { 2, 0, 3, 5 } };
	struct protect_table *t = fixture(2, PROTECT_FLOW, 5, q);

	protected_as(t, ".pps./p.p../pp.s.", 6, 2, "rectangle");
	interval_is(t, 0, 1, 0, 9, "rectangle: x12");
	interval_is(t, 0, 2, 0, 5, "rectangle: x13");
	interval_is(t, 2, 3, 5, 14, "rectangle: m4");
	audit_passes(t, "rectangle");
	protect_table_free(t);
}

/* A 0 can be the right complement, when the LP says so.
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1    0  0 2* 3* |  5
 *   d2    6 1* 2* 1* | 10
 *   M     6 1* 4* 4* | 15
 * Eight primaries. Row d2's hidden cells add up to 4, so its 1s and 2 are
 * exposed; row d2 needs its Q1 (6) or its year (10), and that cell's
 * column then needs a partner. In column Q1 d1's 0 costs nothing, and
 * hidden it can be anything up to 5 (row d1): x11 + x21 = 6, x21 in
 * [1, 6], x11 in [0, 5]; d2's 1 in Q2 can then be 9 (x21 = 1, x23 = x24 =
 * 0, so m3 = m4 = 0, x13 = x14 = 0, x11 = 5) or 0. Phase A would never
 * pick a 0 (it adds no width in a rectangle); phase B, trying each cell
 * with the partners it forces, finds the pair {d1 Q1, d2 Q1} of value 6. */
static void test_zero_complement(void)
{
	static const long long q[2][4] = { { 0, 0, 2, 3 }, { 6, 1, 2, 1 } };
	struct protect_table *t = fixture(2, PROTECT_FLOW, 5, q);

	protected_as(t, "s.pp./sppp./.ppp.", 8, 2, "zero complement");
	interval_is(t, 0, 0, 0, 5, "zero complement: the 0");
	interval_is(t, 1, 0, 1, 6, "zero complement: the 6");
	interval_is(t, 1, 1, 0, 9, "zero complement: the 1");
	audit_passes(t, "zero complement");
	protect_table_free(t);
}

/* Mostly small counts:
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1    1  1  1  1 |  4
 *   d2    2  0  3  1 |  6
 *   d3    0  0  0  0 |  0
 *   M     3  1  4  2 | 10
 * Twelve primaries. Every relation but column Y then holds two or more;
 * column Y holds d1's 4 alone and takes d2's 6 (the smallest >= 1 whose
 * row needs nothing; d3's 0 is not big enough). */
static void test_small_counts(void)
{
	static const long long q[3][4] = { { 1, 1, 1, 1 }, { 2, 0, 3, 1 }, { 0, 0, 0, 0 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, "ppppp/p.pps/...../pppp.", 12, 1, "small counts");
	audit_passes(t, "small counts");
	protect_table_free(t);
}

/* k decides what is small: 5 is never primary at k = 5, 4 is; at k = 3
 * only 1 and 2 are; k = 1 (and k <= 0, taken as 1) suppresses nothing. A
 * table of zeros has nothing to hide. */
static void test_threshold(void)
{
	static const long long q[2][4] = { { 5, 4, 2, 10 }, { 10, 10, 10, 10 } };
	static const long long zeros[2][4] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	struct protect_table *t = fixture(2, PROTECT_FLOW, PROTECT_K_DEFAULT, q);
	char pic[PICTURE_MAX];

	is_int(protect_run(t), AUDIT_OK, "k=5: runs");
	is_int(t->nprimary, 2, "k=5: 4 and 2 are primary, 5 is not");
	ok(protect_cell(t, 0, 0)->status == CELL_PUBLISHED, "k=5: 5 is published");
	audit_passes(t, "k=5");
	protect_table_free(t);

	t = fixture(2, PROTECT_FLOW, 3, q);
	is_int(protect_run(t), AUDIT_OK, "k=3: runs");
	is_int(t->nprimary, 1, "k=3: only the 2 is primary");
	audit_passes(t, "k=3");
	protect_table_free(t);

	t = fixture(2, PROTECT_FLOW, 0, q);
	protected_as(t, "...../...../.....", 0, 0, "k=0");
	protect_table_free(t);

	t = fixture(2, PROTECT_STOCK, 5, zeros);
	protected_as(t, "...../...../.....", 0, 0, "zeros");
	is_str(picture(t, pic), "...../...../.....", "zeros: all published");
	protect_table_free(t);
}

/* protect_run forgets the previous run: the same table twice gives the
 * same answer, and after a value grows its suppressions go away. */
static void test_rerun(void)
{
	static const long long q[3][4] = { { 7, 2, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct protect_table *t = fixture(3, PROTECT_FLOW, 5, q);

	protected_as(t, "sp.../ss.../...../.....", 1, 3, "rerun 1");
	protected_as(t, "sp.../ss.../...../.....", 1, 3, "rerun 2");
	protect_set(t, 0, 1, 20);
	protect_fill_totals(t);
	protected_as(t, "...../...../...../.....", 0, 0, "rerun after the 2 became 20");
	protect_table_free(t);
}

/* Values that do not add up: refused, and fail safe: every present cell is
 * suppressed, so a caller that ignores the status still shows nothing. */
static void test_inconsistent(void)
{
	static const long long q[2][4] = { { 7, 2, 9, 12 }, { 6, 5, -1, 10 } };
	struct protect_table *t = fixture(2, PROTECT_FLOW, 5, q);
	char pic[PICTURE_MAX];

	protect_cell(t, 0, 0)->value = 8;  /* row d1 and column Q1 no longer add up */
	is_int(protect_run(t), AUDIT_INCONSISTENT, "inconsistent: refused");
	ok(!t->audit_passed, "inconsistent: audit not passed");
	is_str(picture(t, pic), "sssss/ss-s-/ss-s-", "inconsistent: everything present hidden");
	is_int(t->nprimary, 0, "inconsistent: no primaries counted");
	is_int(t->nsecondary, 11, "inconsistent: all eleven present cells counted");
	protect_table_free(t);
}

/* Creating tables of several sizes; the relations are what the header says. */
static void test_structure(void)
{
	struct protect_table *t = protect_table_new(5, PROTECT_FLOW, 5);
	struct protect_table *s = protect_table_new(5, PROTECT_STOCK, 5);
	struct protect_table *solo = protect_table_new(0, PROTECT_STOCK, 5);

	ok(t && s && solo, "tables created");
	is_int(t->lt.ncells, 30, "5 districts: 6 x 5 cells");
	is_int(t->lt.nrels, 11, "5 districts: 6 row and 5 column relations");
	is_int(t->lt.rels[0].nparts, 4, "flow row: four quarters make the year");
	is_int(s->lt.rels[0].nparts, 1, "stock row: Q4 makes the year");
	is_int(s->lt.rels[0].parts[0], 3, "stock row: the part is Q4");
	is_int(t->lt.rels[6].nparts, 5, "column: five districts");
	is_int(t->lt.rels[6].total, protect_index(t, 5, 0), "column Q1 total is M's Q1");
	is_int(solo->lt.nrels, 1, "no districts: the row relation only");
	is_int(t->lt.cells[0].status, CELL_MISSING, "new cells are missing");
	protect_table_free(t);
	protect_table_free(s);
	protect_table_free(solo);
	protect_table_free(NULL);
}

/* One worker of test_threads: protects the famous table 50 times and
 * counts wrong answers. */
static void *protect_famous_repeatedly(void *arg)
{
	static const long long q[4][4] = {
		{ 3, 4, 20, 30 }, { 4, 3, 2, 25 }, { 20, 25, 4, 3 }, { 30, 20, 3, 4 },
	};
	long *wrong = arg;
	for (int i = 0; i < 50; i++) {
		struct protect_table *t = fixture(4, PROTECT_FLOW, 5, q);
		char pic[PICTURE_MAX];
		if (protect_run(t) != AUDIT_OK || !t->audit_passed ||
		    strcmp(picture(t, pic), "pps../ppp../..pp./..pp./.....") != 0)
			(*wrong)++;
		protect_table_free(t);
	}
	return NULL;
}

/* The aggregator answers requests in several threads; GLPK keeps its state
 * per thread, so concurrent runs must not disturb each other. */
static void test_threads(void)
{
	pthread_t th[4];
	long wrong[4] = { 0, 0, 0, 0 };
	int started = 0;

	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, protect_famous_repeatedly, &wrong[i]) == 0)
			started++;
	is_int(started, 4, "threads: four started");
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	is_int(wrong[0] + wrong[1] + wrong[2] + wrong[3], 0,
	       "threads: 200 concurrent runs all give the famous answer");
}

int main(void)
{
	test_single();
	test_famous();
	test_zero();
	test_zero_corner();
	test_stock_vs_flow();
	test_stock_q4();
	test_missing();
	test_stock_missing();
	test_solo();
	test_one_district();
	test_block();
	test_rectangle();
	test_zero_complement();
	test_small_counts();
	test_threshold();
	test_rerun();
	test_inconsistent();
	test_structure();
	test_threads();
	return tap_done();
}
