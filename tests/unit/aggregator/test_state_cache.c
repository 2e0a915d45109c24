/* Unit tests of tables/state_cache.c without a database: what a put
 * keeps, when a get answers (from the state's start up to the watermark it
 * was read at; a stateless table only under its catalogue version), that a
 * put read at an older watermark never replaces a newer one, and that the
 * byte budget evicts the least recently used. Advancing (which closes
 * entries at a table's next state) needs the database: the aggregator's
 * integration tests read tables before and after new states through it. */
#include "tap.h"
#include "state_cache.h"

#include <stdlib.h>

/* A two-district table of `year` whose state began at `at`, every cell
 * published as base + its index, the second hidden. */
static struct ptable *table(int year, struct point at, long long base)
{
	struct ptable *t = ptable_new(year, 2, true);
	if (!t)
		abort();
	t->leaves[0] = 11;
	t->leaves[1] = 12;
	t->k = 5;
	t->passed = true;
	t->hidden = 1;
	t->at = at;
	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++)
		t->cells[i] = (struct pcell){ i == 1 ? 0 : base + (long long)i,
		                              i == 1 ? DC_HIDDEN : DC_PUBLISHED };
	return t;
}

static struct point P(long long d, long long c)
{
	return (struct point){ d, c };
}

static void test_put_get(void)
{
	struct state_cache *c = state_cache_new(1 << 20);
	struct ptable *t = table(2024, P(5, 1), 100), *got;

	state_cache_put(c, 7, 3, t, P(9, 1));
	got = state_cache_get(c, 7, 3, 2024, P(9, 1));
	ok(got && got->nleaves == 2 && got->total && got->leaves[1] == 12 && got->k == 5 &&
	   got->hidden == 1 && got->passed && point_cmp(got->at, P(5, 1)) == 0,
	   "a put is got back at the watermark it was read at");
	ok(got && got->cells[0].value == 100 && got->cells[1].status == DC_HIDDEN &&
	   got->cells[1].value == 0 && got->cells[14].value == 114,
	   "with every cell as it was");
	free(got);
	got = state_cache_get(c, 7, 3, 2024, P(5, 1));
	ok(got != NULL, "and at the state's start");
	free(got);
	ok(!(got = state_cache_get(c, 7, 3, 2024, P(4, 9))), "not before its start");
	free(got);
	ok(!(got = state_cache_get(c, 7, 3, 2024, P(10, 1))), "not after the watermark it knows");
	free(got);
	ok(!(got = state_cache_get(c, 7, 3, 2025, P(9, 1))), "not for another year");
	free(got);
	struct state_cache_stats st;
	state_cache_stats(c, &st);
	is_int(st.entries, 1, "one entry");
	is_int(st.hits, 2, "two hits");
	is_int(st.misses, 3, "three misses");
	free(t);
	state_cache_free(c);
}

static void test_stateless(void)
{
	struct state_cache *c = state_cache_new(1 << 20);
	struct ptable *t = table(2030, P(0, 0), 0), *got;

	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++)
		t->cells[i] = (struct pcell){ 0, DC_MISSING };
	state_cache_put(c, 7, 3, t, P(9, 4));
	ok((got = state_cache_get(c, 7, 3, 2030, P(9, 4))) != NULL,
	   "a table with no state is kept for its catalogue version");
	free(got);
	ok(!(got = state_cache_get(c, 7, 3, 2030, P(8, 3))),
	   "but not for another version, whose rows may differ");
	free(got);
	free(t);
	state_cache_free(c);
}

static void test_newer_wins(void)
{
	struct state_cache *c = state_cache_new(1 << 20);
	struct ptable *newer = table(2024, P(8, 1), 200), *older = table(2024, P(5, 1), 100);
	struct ptable *got;

	state_cache_put(c, 7, 3, newer, P(9, 1));
	state_cache_put(c, 7, 3, older, P(6, 1));
	got = state_cache_get(c, 7, 3, 2024, P(9, 1));
	ok(got && got->cells[0].value == 200, "a put read at an older watermark does not replace "
	   "a newer one");
	free(got);
	free(newer);
	free(older);
	state_cache_free(c);
}

/* Cells are kept as varints of their codes (0 missing, 1 hidden, the
 * value plus 2): the values next to each byte length's edge, and ones
 * beyond 32 bits, come back as they went in, beside a hidden and a
 * missing cell. */
static void test_widths(void)
{
	static const long long values[] = { 0, 125, 126, 127, 16381, 16382, 16383,
	                                    4294967295LL, 1LL << 40, (1LL << 62) + 1 };
	struct state_cache *c = state_cache_new(1 << 20);
	struct ptable *t = table(2024, P(5, 1), 0), *got;

	t->cells[DC_NCOLS].status = DC_MISSING;
	t->cells[DC_NCOLS].value = 0;
	for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
		t->cells[2].value = values[v];
		state_cache_put(c, 7 + (int)v, 3, t, P(9, 1));
		got = state_cache_get(c, 7 + (int)v, 3, 2024, P(9, 1));
		ok(got && got->hidden == 1 && got->cells[2].value == values[v] && got->cells[2].status == DC_PUBLISHED &&
		   got->cells[1].status == DC_HIDDEN && got->cells[1].value == 0 &&
		   got->cells[DC_NCOLS].status == DC_MISSING && got->cells[3].value == 3,
		   "%lld comes back published, beside a hidden and a missing cell", values[v]);
		free(got);
	}
	free(t);
	state_cache_free(c);
}

/* The byte budget holds: entries go by the clock, and one read again
 * since the hand last passed it is spared, as is the one just put. */
static void test_budget(void)
{
	/* Room for a few entries besides the buckets (8 KiB of 1024 pointers). */
	struct state_cache *c = state_cache_new(1024 * sizeof(void *) + 2048);
	struct state_cache_stats st;
	struct ptable *t = table(2024, P(1, 1), 1), *got;

	for (int ind = 1; ind <= 40; ind++) {
		state_cache_put(c, ind, 3, t, P(2, 1));
		free(state_cache_get(c, 1, 3, 2024, P(2, 1)));
	}
	state_cache_stats(c, &st);
	ok(st.bytes <= st.budget && st.entries > 1 && st.entries < 40 && st.evicted == 40 - st.entries,
	   "the budget holds %zu of 40 entries (%zu bytes of %zu), the rest evicted", st.entries,
	   st.bytes, st.budget);
	ok((got = state_cache_get(c, 40, 3, 2024, P(2, 1))) != NULL, "the one just put is kept");
	free(got);
	ok((got = state_cache_get(c, 1, 3, 2024, P(2, 1))) != NULL, "the one read after every put is kept");
	free(got);
	int kept = 0;
	for (int ind = 2; ind < 40; ind++) {
		got = state_cache_get(c, ind, 3, 2024, P(2, 1));
		kept += got != NULL;
		free(got);
	}
	ok(kept == (int)st.entries - 2, "the others kept are the %d the budget leaves room for", kept);
	free(t);
	state_cache_free(c);
}

int main(void)
{
	test_put_get();
	test_stateless();
	test_newer_wins();
	test_widths();
	test_budget();
	return tap_done();
}
