/* The protected-table cache (table_cache.h): the compact form gives back
 * exactly what was stored, masks keep exactly the suppressed cells, links
 * lead to their table, the budget holds, and the least recently used
 * entries are the ones evicted. */
#include <stdlib.h>
#include <string.h>
#include "table_cache.h"
#include "tap.h"

/* A table of nd districts whose cells cycle through the four statuses;
 * published cells get distinct values (seeded), others 0. */
static struct ptable *make_table(size_t nd, long long seed)
{
	size_t nrows = nd + 1, n = nrows * PROTECT_NCOLS;
	struct ptable *t = calloc(1, sizeof *t + n * sizeof t->cells[0]);

	if (!t)
		abort();
	*t = (struct ptable){ .ndistricts = nd, .nrows = nrows, .k = 5, .audit_passed = true,
	                      .nprimary = 3, .nsecondary = 7 };
	for (size_t i = 0; i < n; i++) {
		t->cells[i].status = (enum cell_status)((i + (size_t)seed) % 4);
		t->cells[i].value = t->cells[i].status == CELL_PUBLISHED ? seed * 1000 + (long long)i : 0;
	}
	return t;
}

static struct table_key key(int year, long long version)
{
	return (struct table_key){ .indicator_id = 3, .municipality_id = 9001, .year = year,
	                           .k = 5, .version = version, .catalogue = 1 };
}

static bool same_table(const struct ptable *a, const struct ptable *b)
{
	if (a->nrows != b->nrows || a->ndistricts != b->ndistricts || a->k != b->k ||
	    a->audit_passed != b->audit_passed || a->failed != b->failed ||
	    a->nprimary != b->nprimary || a->nsecondary != b->nsecondary)
		return false;
	for (size_t i = 0; i < a->nrows * PROTECT_NCOLS; i++)
		if (a->cells[i].status != b->cells[i].status || a->cells[i].value != b->cells[i].value)
			return false;
	return true;
}

static void test_round_trip(void)
{
	struct protected_cache *c = table_cache_new(1 << 20);
	struct ptable *t = make_table(10, 7), *got;
	struct table_key k = key(2024, 100);

	t->failed = true;
	t->audit_passed = false;
	t->cells[0].status = CELL_PUBLISHED;
	t->cells[0].value = 2147483647;   /* the largest value that fits */
	table_cache_put(c, &k, t);
	got = table_cache_get(c, &k);
	ok(got && same_table(got, t), "a table comes back exactly (55 cells, flags, counters)");
	free(got);
	struct table_key other = k;
	other.k = 10;
	ok(table_cache_get(c, &other) == NULL, "another k is another key");
	other = k;
	other.catalogue = 2;
	ok(table_cache_get(c, &other) == NULL, "another catalogue version is another key");

	/* A value over 32 bits is not stored: a later rebuild, never a wrong value. */
	struct table_key big = key(2023, 100);
	t->cells[0].value = 2147483648LL;
	table_cache_put(c, &big, t);
	ok(table_cache_get(c, &big) == NULL, "a value over 32 bits is not cached");

	/* A municipality without districts: one row. */
	struct ptable *one = make_table(0, 2);
	struct table_key k1 = key(2022, 100);
	table_cache_put(c, &k1, one);
	got = table_cache_get(c, &k1);
	ok(got && same_table(got, one), "a one-row table comes back exactly");
	free(got);

	/* A put replaces the entry of its key. */
	struct ptable *t2 = make_table(10, 9);
	table_cache_put(c, &k, t2);
	got = table_cache_get(c, &k);
	ok(got && same_table(got, t2), "a second put replaces the first");
	free(got);
	free(t);
	free(t2);
	free(one);
	table_cache_free(c);
}

static void test_masks(void)
{
	struct protected_cache *c = table_cache_new(1 << 20);
	struct ptable *t = make_table(10, 1);
	struct table_key k = key(2024, 50);
	size_t n = t->nrows * PROTECT_NCOLS, wrong = 0, suppressed = 0;

	table_cache_put_mask(c, &k, t);
	ok(table_cache_get(c, &k) == NULL, "a mask is not a table");
	struct cell_mask *m = table_cache_get_mask(c, &k);
	ok(m != NULL, "the mask comes back");
	if (m) {
		is_int(m->nrows, 11, "its rows");
		for (size_t i = 0; i < n; i++) {
			bool want = t->cells[i].status == CELL_PRIMARY ||
			            t->cells[i].status == CELL_SECONDARY;
			wrong += cell_mask_has(m, i) != want;
			suppressed += want;
		}
		is_int(wrong, 0, "exactly the primary and secondary cells are marked (%zu of %zu)",
		       suppressed, n);
	}
	free(m);

	/* A table entry serves as a mask too. */
	struct table_key kt = key(2024, 60);
	table_cache_put(c, &kt, t);
	m = table_cache_get_mask(c, &kt);
	struct cell_mask *direct = cell_mask_of(t);
	ok(m && direct && m->nrows == direct->nrows &&
	   memcmp(m->bits, direct->bits, (n + 7) / 8) == 0, "a table's mask is its suppressions");
	free(m);
	free(direct);
	ok(table_cache_get_mask(c, &(struct table_key){ 0 }) == NULL, "no mask for an unknown key");
	free(t);
	table_cache_free(c);
}

static void test_links(void)
{
	struct protected_cache *c = table_cache_new(1 << 20);
	struct ptable *t = make_table(10, 4), *got;
	struct table_key state = key(2024, 40), now = key(2024, 90);

	table_cache_put(c, &state, t);
	table_cache_put_link(c, &now, 40);
	got = table_cache_get(c, &now);
	ok(got && same_table(got, t), "a link leads to its state's table");
	free(got);
	struct cell_mask *m = table_cache_get_mask(c, &now);
	ok(m != NULL, "and to its mask");
	free(m);
	/* A link to a state held only as a mask gives no table. */
	struct table_key masked = key(2023, 40), now2 = key(2023, 90);
	table_cache_put_mask(c, &masked, t);
	table_cache_put_link(c, &now2, 40);
	ok(table_cache_get(c, &now2) == NULL, "a link to a mask is no table");
	/* A link whose table is gone is a miss, not a crash. */
	struct table_key dangling = key(2022, 90);
	table_cache_put_link(c, &dangling, 41);
	ok(table_cache_get(c, &dangling) == NULL, "a dangling link is a miss");
	struct table_cache_stats s;
	table_cache_stats(c, &s);
	is_int(s.tables, 1, "one table");
	is_int(s.masks, 1, "one mask");
	is_int(s.links, 3, "three links");
	free(t);
	table_cache_free(c);
}

static void test_budget_and_lru(void)
{
	/* 256 KiB: a few hundred tables of ten districts, far fewer than put. */
	size_t budget = 256 * 1024;
	struct protected_cache *c = table_cache_new(budget);
	struct ptable *t = make_table(10, 3);
	struct table_cache_stats s;
	size_t over = 0;

	for (int i = 0; i < 5000; i++) {
		struct table_key k = key(2000 + i % 25, 1000 + i);
		table_cache_put(c, &k, t);
		/* Keep the very first one in use: LRU must spare it. */
		struct table_key first = key(2000, 1000);
		free(table_cache_get(c, &first));
		table_cache_stats(c, &s);
		over += s.bytes > budget;
	}
	is_int(over, 0, "the counted bytes never exceed the budget");
	table_cache_stats(c, &s);
	ok(s.tables > 100 && s.tables < 5000, "some tables stayed, most went (%zu)", s.tables);
	is_int(s.evicted, 5000 - s.tables, "every table that went was evicted");
	ok(s.bytes > budget / 2, "the budget is used (%zu of %zu bytes)", s.bytes, budget);
	/* Each table costs about its 5 bytes a cell: 384 counted bytes here,
	 * against 944 in struct ptable form. */
	ok(s.tables * 400 > budget * 3 / 4, "the entries are compact (%zu bytes each)",
	   s.bytes / s.tables);

	struct table_key first = key(2000, 1000), newest = key(2000 + 4999 % 25, 1000 + 4999),
	                 oldest = key(2001, 1001);
	struct ptable *got = table_cache_get(c, &first);
	ok(got != NULL, "the entry used all along is still there");
	free(got);
	got = table_cache_get(c, &newest);
	ok(got != NULL, "the newest is there");
	free(got);
	ok(table_cache_get(c, &oldest) == NULL, "an old one not used since was evicted");

	/* Masks are small: many more of them fit. */
	struct protected_cache *m = table_cache_new(budget);
	for (int i = 0; i < 5000; i++) {
		struct table_key k = key(2000, 1000 + i);
		table_cache_put_mask(m, &k, t);
	}
	struct table_cache_stats ms;
	table_cache_stats(m, &ms);
	ok(ms.masks > 3 * s.tables, "masks take a fraction of a table (%zu masks, %zu tables)",
	   ms.masks, s.tables);
	table_cache_free(m);

	/* A budget below the minimum is raised to it; one table still fits. */
	struct protected_cache *tiny = table_cache_new(1);
	struct table_key k = key(2024, 1);
	table_cache_put(tiny, &k, t);
	got = table_cache_get(tiny, &k);
	ok(got != NULL, "a tiny budget still holds a table");
	free(got);
	table_cache_free(tiny);
	free(t);
	table_cache_free(c);
}

int main(void)
{
	test_round_trip();
	test_masks();
	test_links();
	test_budget_and_lru();
	return tap_done();
}
