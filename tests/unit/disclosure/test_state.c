/* Unit tests of dc_protect on a table's first state: primary and secondary
 * suppression of hand-checked district-by-quarter tables (the tables of
 * the earlier aggregator/protect.c, whose patterns the search keeps). Each
 * test states the table, the pattern it expects and why (pictures as in
 * history_fixture.h: '.' published, 'h' hidden, '-' missing; rows Q1 Q2 Q3
 * Q4 year, the municipality last), and ends with a fresh dc_audit over the
 * state. k = 5 unless a test says otherwise. */
#include "tap.h"
#include "history_fixture.h"

#include <pthread.h>

/* Protects the first state of a municipality without districts (one row)
 * and checks the picture and the counts. */
static void protected_as(struct fx *f, enum dc_kind kind, long long k,
                         const long long (*q)[4], const char *want, size_t nprimary,
                         size_t nsecondary, const char *name)
{
	char pic[PICTURE_MAX];
	fx_init(f);
	fx_add(f, 1, false, kind, k, q, NULL);
	is_int(dc_protect(&f->h, &f->last), DC_OK, "%s: protect runs", name);
	is_str(fx_picture(f, 0, pic), want, "%s: pattern", name);
	is_int(f->last.primary, nprimary, "%s: primary", name);
	is_int(f->last.secondary, nsecondary, "%s: secondary", name);
	ok(f->last.passed && !f->last.fallback, "%s: the audit passed without the fallback", name);
	is_int(fx_exposed(f, NULL), 0, "%s: a fresh audit finds nothing exposed", name);
}

/* The same for a municipality with nd districts (a total row even with one). */
static void districts(struct fx *f, size_t nd, enum dc_kind kind, long long k,
                      const long long (*q)[4], const char *want, size_t np, size_t ns,
                      const char *name)
{
	char pic[PICTURE_MAX];
	fx_init(f);
	fx_add(f, nd, true, kind, k, q, NULL);
	is_int(dc_protect(&f->h, &f->last), DC_OK, "%s: protect runs", name);
	is_str(fx_picture(f, 0, pic), want, "%s: pattern", name);
	is_int(f->last.primary, np, "%s: primary", name);
	is_int(f->last.secondary, ns, "%s: secondary", name);
	ok(f->last.passed && !f->last.fallback, "%s: the audit passed without the fallback", name);
	is_int(fx_exposed(f, NULL), 0, "%s: a fresh audit finds nothing exposed", name);
}

static void interval_is(const struct fx *f, size_t row, size_t col, double lo, double hi,
                        const char *name)
{
	double l, h;
	fx_interval(f, 0, row, col, &l, &h);
	is_double(l, lo, 1e-9, "%s: (%zu,%zu) lo", name, row, col);
	if (isinf(hi))
		ok(isinf(h), "%s: (%zu,%zu) hi unbounded", name, row, col);
	else
		is_double(h, hi, 1e-9, "%s: (%zu,%zu) hi", name, row, col);
}

/* One small cell, flow, three districts:
 *        Q1 Q2 Q3 Q4 | Y
 *   d1    7 2*  9 12 | 30
 *   d2    6  5 11 10 | 32
 *   d3    8 10  9 10 | 37
 *   M    21 17 29 32 | 99
 * Row d1 needs one more: the smallest value >= 5 - 2 = 3 is Q1 = 7. Column
 * Q1 then needs one: the smallest is d2's 6. Column Q2 and row d2 now hold
 * one each, and d2's Q2 = 5 mends both: the rectangle closes. The four move
 * together, x11 = 7+e, x12 = 2-e, x21 = 6-e, x22 = 5+e, -5 <= e <= 2, so the
 * 2 is anywhere in [0, 7]. */
static void test_single(void)
{
	static const long long q[3][4] = { { 7, 2, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, "hh.../hh.../...../.....", 1, 3, "single");
	interval_is(&f, 0, 1, 0, 7, "single");
}

/* The famous case:
 *        Q1 Q2 Q3 Q4 |  Y
 *   d1   3* 4* 20 30 |  57
 *   d2   4* 3* 2* 25 |  34
 *   d3   20 25 4* 3* |  52
 *   d4   30 20 3* 4* |  57
 * Every relation already holds 0, 2 or 3 hidden cells, so phase A adds
 * nothing; the audit finds d2's Q3 pinned at 2. One more cell that joins
 * the two rectangles a second way puts it on a cycle: the cheapest are the
 * 20s at d1 Q3, d3 Q1 and d4 Q2, and the first in row-major order wins;
 * then d2's 2 is in [0, 9]. */
static void test_famous(void)
{
	static const long long q[4][4] = {
		{ 3, 4, 20, 30 }, { 4, 3, 2, 25 }, { 20, 25, 4, 3 }, { 30, 20, 3, 4 },
	};
	struct fx f;
	districts(&f, 4, DC_FLOW, 5, q, "hhh../hhh../..hh./..hh./.....", 9, 1, "famous");
	interval_is(&f, 1, 2, 0, 9, "famous: the link is free again");
	interval_is(&f, 0, 0, 0, 7, "famous: rectangle unchanged");
}

/* Zeros are published and make poor partners (a 0 adds no width).
 *   d1    0 2*  0  9 | 11
 *   d2    6  5 11 10 | 32
 *   d3    8 10  9 10 | 37
 * Row d1's cells >= 3 are Q4 = 9 and Y = 11: Q4. Column Q4's smallest is
 * d2's 10, and d2's Q2 = 5 then mends column Q2 and row d2. */
static void test_zero(void)
{
	static const long long q[3][4] = { { 0, 2, 0, 9 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, ".h.h./.h.h./...../.....", 1, 3, "zero");
	interval_is(&f, 0, 1, 0, 7, "zero");
}

/* Three primaries around a zero corner:
 *   d1   1*  4*  9  9 |  23
 *   d2   4*  0   9  9 |  22
 *   d3   20 20  20 20 |  80
 * The 0 at d2 Q2 would mend row d2 and column Q2, but the rectangle would
 * span 4 < 5. A six-cycle 9 + 20 + 20 of width exactly 5 is the least. */
static void test_zero_corner(void)
{
	static const long long q[3][4] = { { 1, 4, 9, 9 }, { 4, 0, 9, 9 }, { 20, 20, 20, 20 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, "hh.../h.h../.hh../.....", 3, 3, "zero corner");
	interval_is(&f, 0, 0, 0, 5, "zero corner");
	interval_is(&f, 1, 0, 0, 5, "zero corner");
}

/* The same numbers as flow and as stock. A stock's Q2 lies in no row
 * relation (the year is Q4), so only column Q2 needs mending; the flow
 * table needs the whole rectangle. */
static void test_stock_vs_flow(void)
{
	static const long long q[3][4] = { { 7, 2, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;
	districts(&f, 3, DC_STOCK, 5, q, ".h.../.h.../...../.....", 1, 1, "stock");
	is_int(fx_value(&f, 0, 0, DC_YEAR), 12, "stock: year is Q4");
	is_int(fx_value(&f, 0, 3, DC_YEAR), 32, "stock: municipality year is its Q4");
	interval_is(&f, 0, 1, 0, 7, "stock");
	districts(&f, 3, DC_FLOW, 5, q, "hh.../hh.../...../.....", 1, 3, "flow");
	is_int(fx_value(&f, 0, 0, DC_YEAR), 30, "flow: year is the sum");
}

/* A small stock Q4 makes the year small too: they are the same unknown,
 * one primary hidden in two cells. Column Q4 takes d2's 6, whose year
 * (the same unknown) goes with it. */
static void test_stock_q4(void)
{
	static const long long q[3][4] = { { 10, 12, 8, 3 }, { 9, 11, 7, 6 }, { 20, 21, 22, 23 } };
	struct fx f;
	districts(&f, 3, DC_STOCK, 5, q, "...hh/...hh/...../.....", 2, 2, "stock q4");
	interval_is(&f, 0, 3, 0, 9, "stock q4");
	interval_is(&f, 0, 4, 0, 9, "stock q4");
}

/* A missing quarter: d2 did not report Q3, so its year, M's Q3 and M's
 * year are missing, and the 2 hides in row d1 alone: its year is the one
 * partner whose other relation (column Y) is not known to hold. */
static void test_missing(void)
{
	static const long long q[3][4] = { { 6, 9, 2, 8 }, { 5, 10, -1, 12 }, { 7, 11, 13, 14 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, "..h.h/..-.-/...../..-.-", 1, 1, "missing");
	interval_is(&f, 0, 2, 0, INFINITY, "missing");
}

/* A stock with a missing quarter: a year with a gap is missing. d2's 3 is
 * its year too; column Q4 holds it alone and takes d1's 12. */
static void test_stock_missing(void)
{
	static const long long q[2][4] = { { 10, -1, 8, 12 }, { 9, 11, 7, 3 } };
	struct fx f;
	districts(&f, 2, DC_STOCK, 5, q, ".-.h-/...hh/.-..-", 2, 1, "stock missing");
	interval_is(&f, 1, 3, 0, 15, "stock missing");
}

/* A municipality without districts: one row, only the row relation.
 * 10 3* 8 12 | 33: the smallest cell >= 2 is Q3 = 8; x2 + x3 = 11. */
static void test_solo(void)
{
	static const long long q[1][4] = { { 10, 3, 8, 12 } };
	struct fx f;
	protected_as(&f, DC_FLOW, 5, q, ".hh..", 1, 1, "solo");
	interval_is(&f, 0, 1, 0, 11, "solo");
}

/* One district: the municipality row is the same unknowns, so it shares
 * every status of the district's row (the counts are of cells: the 2 and
 * its partner 6 are hidden twice each). */
static void test_one_district(void)
{
	static const long long q[1][4] = { { 2, 6, 9, 12 } };
	struct fx f;
	districts(&f, 1, DC_FLOW, 5, q, "hh.../hh...", 2, 2, "one district");
	interval_is(&f, 1, 0, 0, 8, "one district");
}

/* A block of four 2s: every rectangle among them spans 4 < 5; rows d1, d2
 * and columns Q1, Q2 each need one more cell: column Q3 (10 + 12) and row
 * d3 (9 + 8), the 3x3 block minus its corner. */
static void test_block(void)
{
	static const long long q[3][4] = { { 2, 2, 10, 11 }, { 2, 2, 12, 13 }, { 9, 8, 20, 20 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, "hhh../hhh../hh.../.....", 4, 4, "block");
	interval_is(&f, 0, 0, 0, 8, "block");
}

/* Phase B completes a rectangle when no single cell can help: rows d1 and
 * M need another cell each, in one column: d1 Q4 and M Q4 (6 + 11). */
static void test_rectangle(void)
{
	static const long long q[2][4] = { { 0, 1, 2, 6 }, { 2, 0, 3, 5 } };
	struct fx f;
	districts(&f, 2, DC_FLOW, 5, q, ".hhh./h.h../hh.h.", 6, 2, "rectangle");
	interval_is(&f, 0, 1, 0, 9, "rectangle: x12");
	interval_is(&f, 0, 2, 0, 5, "rectangle: x13");
}

/* A 0 can be the right partner when the LP says so: the pair d1 Q1 (0),
 * d2 Q1 (6) lets d2's 1 in Q2 be anything from 0 to 9. */
static void test_zero_complement(void)
{
	static const long long q[2][4] = { { 0, 0, 2, 3 }, { 6, 1, 2, 1 } };
	struct fx f;
	districts(&f, 2, DC_FLOW, 5, q, "h.hh./hhhh./.hhh.", 8, 2, "zero complement");
	interval_is(&f, 1, 1, 0, 9, "zero complement: the 1");
}

/* Mostly small counts: twelve primaries; column Y holds d1's 4 alone and
 * takes d2's 6. */
static void test_small_counts(void)
{
	static const long long q[3][4] = { { 1, 1, 1, 1 }, { 2, 0, 3, 1 }, { 0, 0, 0, 0 } };
	struct fx f;
	districts(&f, 3, DC_FLOW, 5, q, "hhhhh/h.hhh/...../hhhh.", 12, 1, "small counts");
}

/* k decides what is small: 5 is never hidden at k = 5, 4 is; at k = 3
 * only the 2 is; k = 1 hides nothing. A table of zeros has nothing to hide. */
static void test_threshold(void)
{
	static const long long q[2][4] = { { 5, 4, 2, 10 }, { 10, 10, 10, 10 } };
	static const long long zeros[2][4] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	struct fx f;

	fx_init(&f);
	fx_add(&f, 2, true, DC_FLOW, DC_K_DEFAULT, q, NULL);
	is_int(dc_protect(&f.h, &f.last), DC_OK, "k=5: runs");
	is_int(f.last.primary, 2, "k=5: 4 and 2 are primary, 5 is not");
	is_int(f.cells[0][0], DC_PUBLISHED, "k=5: 5 is published");
	is_int(fx_exposed(&f, NULL), 0, "k=5: audit");
	fx_init(&f);
	fx_add(&f, 2, true, DC_FLOW, 3, q, NULL);
	is_int(dc_protect(&f.h, &f.last), DC_OK, "k=3: runs");
	is_int(f.last.primary, 1, "k=3: only the 2 is primary");
	districts(&f, 2, DC_FLOW, 1, q, "...../...../.....", 0, 0, "k=1");
	districts(&f, 2, DC_STOCK, 5, zeros, "...../...../.....", 0, 0, "zeros");
}

/* Malformed histories are refused and leave nothing half-done. */
static void test_invalid(void)
{
	static const long long q[2][4] = { { 7, 2, 9, 12 }, { 6, 5, -1, 10 } };
	struct fx f;
	struct dc_finding *fs = NULL;
	size_t n = 9;

	fx_init(&f);
	fx_add(&f, 2, true, DC_FLOW, 5, q, NULL);
	f.unknowns[0][0] = 99;
	is_int(dc_protect(&f.h, &f.last), DC_INVALID, "an unknown out of range is refused");
	f.unknowns[0][0] = 0;
	f.values[1] = -3;
	is_int(dc_protect(&f.h, &f.last), DC_INVALID, "a negative value is refused");
	f.values[1] = 2;
	f.states[0].k = 0;
	is_int(dc_protect(&f.h, &f.last), DC_INVALID, "k 0 is refused");
	f.states[0].k = 5;
	fx_add(&f, 2, true, DC_FLOW, 5, q, NULL);
	fx_draw(&f, 0, "...../..-.-/..-.-");
	f.cells[0][7] = DC_PUBLISHED;  /* d2 Q3 has no value */
	is_int(dc_protect(&f.h, &f.last), DC_INVALID, "a published cell without a value is refused");
	is_int(dc_audit(&f.h, &fs, &n), DC_INVALID, "the audit refuses it too");
	ok(fs == NULL && n == 0, "and returns nothing");
	struct dc_history empty = { NULL, 0, NULL, 0 };
	is_int(dc_protect(&empty, &f.last), DC_INVALID, "no state is refused");
}

/* One worker of test_threads: protects the famous table 50 times. */
static void *famous_repeatedly(void *arg)
{
	static const long long q[4][4] = {
		{ 3, 4, 20, 30 }, { 4, 3, 2, 25 }, { 20, 25, 4, 3 }, { 30, 20, 3, 4 },
	};
	long *wrong = arg;
	struct fx *f = malloc(sizeof *f);
	for (int i = 0; f && i < 50; i++) {
		char pic[PICTURE_MAX];
		fx_init(f);
		fx_add(f, 4, true, DC_FLOW, 5, q, NULL);
		if (dc_protect(&f->h, &f->last) != DC_OK || !f->last.passed ||
		    strcmp(fx_picture(f, 0, pic), "hhh../hhh../..hh./..hh./.....") != 0)
			(*wrong)++;
	}
	free(f);
	return NULL;
}

/* The aggregator protects in several threads; GLPK keeps its state per
 * thread, so concurrent runs must not disturb each other. */
static void test_threads(void)
{
	pthread_t th[4];
	long wrong[4] = { 0, 0, 0, 0 };
	int started = 0;

	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, famous_repeatedly, &wrong[i]) == 0)
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
	test_invalid();
	test_threads();
	return tap_done();
}
