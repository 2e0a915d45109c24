/* Unit tests of dc_protect over several states of one table: one test per
 * way a reader recovered a small count by reading a table at two times
 * (issue 7, "What leaks today"). Each test first draws what the earlier
 * aggregator published for the state (its protection looked at one state
 * at a time) and shows dc_audit, the reader's LP over every state, pin the
 * small count down; then it lets dc_protect choose and shows the reader
 * held at k or wider. Pictures as in history_fixture.h. k = 5. */
#include "tap.h"
#include "history_fixture.h"

/* The last state's pattern chosen by dc_protect, and no finding exposed. */
static void protects(struct fx *f, const char *want, const char *name)
{
	char pic[PICTURE_MAX];
	size_t last = f->h.nstates - 1;
	is_int(dc_protect(&f->h, &f->last), DC_OK, "%s: protect runs", name);
	is_str(fx_picture(f, last, pic), want, "%s: pattern", name);
	ok(f->last.passed && !f->last.fallback, "%s: passed without the fallback", name);
	is_int(fx_exposed(f, NULL), 0, "%s: no small cell of any state narrower than k", name);
}

/* Draws the last state as the old protection would have, and shows that
 * the reader of all states pins a small cell down. */
static void old_leaks(struct fx *f, const char *old, const char *name)
{
	fx_draw(f, f->h.nstates - 1, old);
	ok(fx_exposed(f, NULL) > 0, "%s: the old pattern %s gives a small count away", name, old);
}

/* Leak 1: a cell published in an earlier state hidden later as a partner.
 * Four districts report quarter by quarter; after Q3 every cell was
 * published (district a: 10, 12, 14). Q4 brings a = 2. The old protection
 * hid a Q1, b Q1, a Q4, b Q4 and published a's year 38: with a Q1 = 10
 * from the earlier state, a Q4 = 38 - 10 - 12 - 14 = 2. Partners must be
 * new cells: a's year (new, computable only now), b's Q4 and b's year. */
static void test_q4_last(void)
{
	static const long long s1[4][4] = { { 10, -1, -1, -1 }, { 11, -1, -1, -1 },
	                                    { 20, -1, -1, -1 }, { 30, -1, -1, -1 } };
	static const long long s2[4][4] = { { 10, 12, -1, -1 }, { 11, 13, -1, -1 },
	                                    { 20, 21, -1, -1 }, { 30, 31, -1, -1 } };
	static const long long s3[4][4] = { { 10, 12, 14, -1 }, { 11, 13, 15, -1 },
	                                    { 20, 21, 22, -1 }, { 30, 31, 32, -1 } };
	static const long long s4[4][4] = { { 10, 12, 14, 2 }, { 11, 13, 15, 16 },
	                                    { 20, 21, 22, 23 }, { 30, 31, 32, 33 } };
	struct fx f;
	char pic[PICTURE_MAX];

	fx_init(&f);
	is_int(fx_next(&f, 4, DC_FLOW, 5, s1), DC_OK, "q4 last: Q1");
	is_int(fx_next(&f, 4, DC_FLOW, 5, s2), DC_OK, "q4 last: Q2");
	is_int(fx_next(&f, 4, DC_FLOW, 5, s3), DC_OK, "q4 last: Q3");
	is_str(fx_picture(&f, 2, pic), "...--/...--/...--/...--/...--",
	       "q4 last: after Q3 all published");
	fx_add(&f, 4, true, DC_FLOW, 5, s4, NULL);
	old_leaks(&f, "h..hh/h..h./...../...../.....", "q4 last");
	double lo, hi;
	fx_interval(&f, 3, 0, 3, &lo, &hi);
	is_double(hi - lo, 0, 1e-9, "q4 last: the old pattern pins a Q4 exactly");
	protects(&f, "...hh/...hh/...../...../.....", "q4 last");
	fx_interval(&f, 3, 0, 3, &lo, &hi);
	is_double(lo, 0, 1e-9, "q4 last: a Q4 can be 0");
	is_double(hi, 18, 1e-9, "q4 last: a Q4 can be 18 (2 + b's 16)");
}

/* Leak 3: a catalogue change re-protected all history. A fourth district
 * is added to the catalogue and has reported nothing: it is part of the
 * table from Q1 (the operator gave no later first period), so every
 * municipality total becomes missing. A fresh protection of that state
 * looks at rows only and picks a's Q1 as the partner of its 3; the reader
 * still has the first state's totals and b's published Q2. Kept: what the
 * first state hid stays hidden, and nothing new is shown. */
static void test_catalogue_district(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s2[4][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 }, { -1, -1, -1, -1 } };
	struct fx f;
	char pic[PICTURE_MAX];

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "new district: first state");
	is_str(fx_picture(&f, 0, pic), "hh.../hh.../...../.....", "new district: the rectangle");
	fx_add(&f, 4, true, DC_FLOW, 5, s2, NULL);
	old_leaks(&f, "hh..h/.h..h/...../-----/-----", "new district");
	protects(&f, "hh.../hh.../...../-----/-----", "new district");
}

/* The same district with a first period after the year: it is no part of
 * the table, which does not change at all. */
static void test_catalogue_later(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s2[4][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 }, { -2, -2, -2, -2 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "later district: first state");
	fx_add(&f, 4, true, DC_FLOW, 5, s2, NULL);
	protects(&f, "hh.../hh.../...../-----/.....", "later district: totals as before");
	is_int(f.last.secondary, 0, "later district: nothing new hidden");
	is_int(f.last.kept, 4, "later district: the four hidden cells kept");
}

/* A district that joins in Q3: its Q1 and Q2 are no part of any total, so
 * the first half-year's totals stay what they were and stay published. */
static void test_district_from_q3(void)
{
	static const long long s1[2][4] = { { 20, 21, -1, -1 }, { 30, 31, -1, -1 } };
	static const long long s2[3][4] = { { 20, 21, 22, 23 }, { 30, 31, 32, 33 },
	                                    { -2, -2, 40, 41 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 2, DC_FLOW, 5, s1), DC_OK, "from Q3: first half");
	fx_add(&f, 3, true, DC_FLOW, 5, s2, NULL);
	is_int(fx_value(&f, 1, 3, 0), 50, "from Q3: M's Q1 sums the two districts then");
	is_int(fx_value(&f, 1, 3, 2), 94, "from Q3: M's Q3 sums all three");
	is_int(fx_value(&f, 1, 2, DC_YEAR), 81, "from Q3: the new district's year is its half");
	protects(&f, "...../...../--.../.....", "from Q3");
}

/* Leak 4: cells kept hidden from earlier states were never audited. The
 * first state hides a's 3 with the rectangle a, b x Q1, Q2. Then the 3 is
 * revised to 20: no cell of the new state is small any more, so a
 * protection that keeps what was hidden and looks for small cells in the
 * current state only publishes the new 20 and a's new year. a's Q1 is then
 * the year minus its published quarters, and the first state's year of a
 * gives the 3. The earlier state's small cells are targets too: a's Q1 is
 * kept hidden, so its row needs a new partner: the 20 itself, cheaper
 * than the new year. */
static void test_small_revised_up(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s2[3][4] = { { 7, 20, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "3 to 20: first state");
	fx_add(&f, 3, true, DC_FLOW, 5, s2, NULL);
	old_leaks(&f, "h..../hh.../...../.....", "3 to 20");
	protects(&f, "hh.../hh.../...../.....", "3 to 20: the new 20 is the partner");
	is_int(f.last.primary, 0, "3 to 20: nothing in the new state is small");
	is_int(f.last.kept, 3, "3 to 20: three cells kept");
}

/* Leak 5a: a published 10 revised to 3. The first state's totals hold the
 * 10; the new state's totals would hold the 3 with every other cell the
 * same (published constants): the difference of the two totals is 7. New
 * cells only: the Q1 total, a's year and the year's total go with it. */
static void test_revised_down(void)
{
	static const long long s1[3][4] = { { 10, 12, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 } };
	static const long long s2[3][4] = { { 3, 12, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "10 to 3: first state");
	fx_add(&f, 3, true, DC_FLOW, 5, s2, NULL);
	old_leaks(&f, "hh.../hh.../...../.....", "10 to 3");
	protects(&f, "h...h/...../...../h...h", "10 to 3");
}

/* Leak 5b: a hidden 3 revised to 4 and then to 0. Each revision moves the
 * published totals by the change of the cell. At the 4 the rectangle still
 * leaves the reader one free parameter (the old aggregator gave it away
 * only together with its count of primary suppressions, leak 2), but the
 * new totals say the 4 is the 3 plus one: at least 1, someone is there. So
 * a's new year and the new totals hide with it. At the 0, which is not
 * small and is published, a protection that keeps the hidden cells and
 * publishes what is new gives a's Q1 from a's new year, and the first
 * state's row gives the 3. The new year goes with it. */
static void test_revised_twice(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s2[3][4] = { { 7, 4, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s3[3][4] = { { 7, 0, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "3, 4, 0: first state");
	fx_add(&f, 3, true, DC_FLOW, 5, s2, NULL);
	protects(&f, "hh..h/hh.../...../.h..h", "3, 4, 0: the 4");
	fx_add(&f, 3, true, DC_FLOW, 5, s3, NULL);
	old_leaks(&f, "h..../hh.../...../.....", "3, 4, 0: the 0");
	protects(&f, "h...h/hh.../...../.h..h", "3, 4, 0: the 0");
}

/* A raised k: values published under k = 5 stay published (the reader has
 * them), new cells are protected with 10. */
static void test_k_raised(void)
{
	static const long long s1[2][4] = { { 7, 20, -1, -1 }, { 30, 40, -1, -1 } };
	static const long long s2[2][4] = { { 7, 20, 6, -1 }, { 30, 40, 50, -1 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 2, DC_FLOW, 5, s1), DC_OK, "k raised: first state");
	fx_add(&f, 2, true, DC_FLOW, 10, s2, NULL);
	protects(&f, "..h--/..h--/...--", "k raised: the 7 stays, the 6 hides with b's Q3");
	is_int(f.last.primary, 1, "k raised: the 6 is small under 10");
}

/* Nothing changes for a reader who already knows: the same state again
 * (a catalogue change that leaves this table alone) is published the same. */
static void test_same_again(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	struct fx f;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "same again: first state");
	fx_add(&f, 3, true, DC_FLOW, 5, s1, NULL);
	protects(&f, "hh.../hh.../...../.....", "same again");
	is_int(f.last.kept, 4, "same again: four kept");
	is_int(f.last.secondary + f.last.primary, 0, "same again: nothing new");
}

int main(void)
{
	test_q4_last();
	test_catalogue_district();
	test_catalogue_later();
	test_district_from_q3();
	test_small_revised_up();
	test_revised_down();
	test_revised_twice();
	test_k_raised();
	test_same_again();
	return tap_done();
}
