/* The current-value cache without a database: classification against the
 * map, the version check, applying a batch only after its COMMIT and only
 * at the version it saw, invalidation, the byte budget, growth of the map,
 * when a load is asked for, a batch in flight holding back the next one of
 * another thread, and batches committed during a load applied after it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "current.h"
#include "flag.h"
#include "tap.h"

/* Loads `n` rows into the cache at `version` as a loader would. */
static void load(struct current *c, const struct valid_row *rows, size_t n, long long version)
{
	ok(current_load_begin(c), "a load is asked for at version %lld", version);
	struct current_load *l = current_load_new(c);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = current_load_set(l, rows[i].indicator_id, rows[i].area_id, rows[i].period,
		                      rows[i].value, rows[i].flag);
	is_int(rc, 0, "the load's %zu rows fit", n);
	current_load_end(c, l, true, false, version);
}

/* The classes as a string: c(reated), u(pdated), =(unchanged). */
static const char *classes(const unsigned char *cls, size_t n)
{
	static char s[64];
	for (size_t i = 0; i < n && i < sizeof s - 1; i++)
		s[i] = cls[i] == CLASS_CREATED ? 'c' : cls[i] == CLASS_UPDATED ? 'u' : '=';
	s[n < sizeof s - 1 ? n : sizeof s - 1] = '\0';
	return s;
}

static void test_classify_and_commit(void)
{
	struct current *c = current_new(1 << 20);
	/* Two rows of one key in submission order: the last one is current. */
	const struct valid_row loaded[] = {
		{ 1, 10, 20241, 5, 0 }, { 1, 10, 20241, 7, 0 }, { 1, 11, 20241, 0, 0 }, { 2, 10, 20242, 9, 0 },
	};
	const struct valid_row batch[] = {
		{ 1, 10, 20241, 7, 0 },  /* unchanged */
		{ 1, 11, 20241, 1, 0 },  /* updated from 0 */
		{ 2, 10, 20241, 9, 0 },  /* created: another period */
		{ 2, 10, 20242, 9, 0 },  /* unchanged */
		{ 3, 10, 20242, 0, 0 },  /* created: value 0 is a value */
	};
	unsigned char cls[5];
	struct current_stats s;
	int v = -1;

	ok(!current_classify(c, 0, batch, 5, cls), "a cache never loaded is not used");
	load(c, loaded, 4, 12);
	current_stats(c, &s);
	ok(s.valid && s.version == 12 && s.keys == 3, "loaded: valid at 12 with 3 keys "
	   "(valid %d, version %lld, keys %zu)", s.valid, s.version, s.keys);
	ok(current_get(c, 1, 10, 20241, &v) && v == 7, "the later row of a key is current (%d)", v);

	ok(current_classify(c, 12, batch, 5, cls), "at its own version the cache classifies");
	is_str(classes(cls, 5), "=uc=c", "each row's class");
	current_commit(c, 12, 13, batch, 5);
	current_stats(c, &s);
	ok(s.valid && s.version == 13 && s.keys == 5, "committed: valid at 13 with 5 keys "
	   "(valid %d, version %lld, keys %zu)", s.valid, s.version, s.keys);
	ok(current_get(c, 1, 11, 20241, &v) && v == 1, "the updated value is current (%d)", v);
	ok(current_get(c, 3, 10, 20242, &v) && v == 0, "the created value is there (%d)", v);

	ok(current_classify(c, 13, batch, 5, cls), "the next batch at 13 is classified");
	is_str(classes(cls, 5), "=====", "the same batch again is unchanged throughout");
	current_commit(c, 13, 14, batch, 5);

	/* Another collector wrote submission 15: the cache at 14 is stale. */
	ok(!current_classify(c, 15, batch, 5, cls), "at another version the cache is not used");
	current_stats(c, &s);
	ok(!s.valid, "and it is invalid from then on");
	current_commit(c, 15, 16, batch, 5);
	ok(!current_classify(c, 16, batch, 5, cls), "a commit does not make it valid again");
	current_stats(c, &s);
	is_int(s.hits, 2, "hits counted");
	is_int(s.misses, 3, "misses counted");
	current_free(c);
}

static void test_abort_and_late_commit(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row one[] = { { 1, 1, 20001, 3, 0 } };
	unsigned char cls[1];
	struct current_stats s;
	int v = -1;

	load(c, NULL, 0, 0);
	ok(current_classify(c, 0, one, 1, cls), "an empty database at version 0 is a map");
	is_str(classes(cls, 1), "c", "so every row is created");
	/* The COMMIT's outcome is unknown. */
	current_abort(c);
	current_stats(c, &s);
	ok(!s.valid, "an aborted batch leaves the cache invalid");
	ok(!current_get(c, 1, 1, 20001, &v), "and its row is not in the map");

	ok(!current_load_begin(c), "and no load is asked for before a streak of our own");
	current_free(c);

	/* A load at version 5 lands while a transaction that saw 4 commits:
	 * that batch must not be applied on top of the state at 5. */
	struct current *d = current_new(1 << 20);
	load(d, one, 1, 5);
	current_commit(d, 4, 6, (const struct valid_row[]){ { 1, 1, 20001, 8, 0 } }, 1);
	ok(current_get(d, 1, 1, 20001, &v) && v == 3, "a batch that saw another version is not "
	   "applied (%d)", v);
	current_stats(d, &s);
	is_int(s.version, 5, "the map still stands for 5");
	current_free(d);
}

/* A budget in bytes: a table of the largest power of two 16-byte slots
 * that fits, at most three quarters full. */
static void test_bound_and_growth(void)
{
	/* 64 KiB and almost 8 more: 4096 slots (8192 would take 128 KiB), so
	 * 3072 keys. */
	struct current *c = current_new(65536 + 8191);
	struct valid_row *rows = malloc(3073 * sizeof *rows);
	unsigned char *cls = malloc(3073);
	struct current_stats s;
	int v = -1;
	bool all = true;

	for (int i = 0; i < 3073; i++)
		rows[i] = (struct valid_row){ 1 + i % 7, 100 + i, 20001 + 10 * (i % 20), i, 0 };
	load(c, NULL, 0, 1);
	ok(current_classify(c, 1, rows, 3072, cls), "3072 rows classified");
	current_commit(c, 1, 2, rows, 3072);
	current_stats(c, &s);
	ok(s.valid && !s.off && s.keys == 3072, "3072 keys fit, the map grown from 1024 slots "
	   "to 4096 (valid %d, keys %zu)", s.valid, s.keys);
	for (int i = 0; i < 3072; i++)
		all = all && current_get(c, rows[i].indicator_id, rows[i].area_id, rows[i].period,
		                         &v) && v == i;
	ok(all, "every key is found with its value after the growth");
	ok(current_classify(c, 2, rows, 3073, cls), "one more key classified");
	is_int(cls[3072], CLASS_CREATED, "as created");
	current_commit(c, 2, 3, rows, 3073);
	current_stats(c, &s);
	ok(!s.valid && s.off && s.keys == 0, "the key that would grow the table to 8192 slots "
	   "(128 KiB) turns the cache off (valid %d, off %d, keys %zu)", s.valid, s.off, s.keys);
	ok(!current_load_begin(c), "and no load is asked for any more");

	/* A load that finds too many keys turns it off too: 32 bytes are two
	 * slots, one key. */
	struct current *d = current_new(32);
	ok(current_load_begin(d), "a second cache asks for its first load");
	struct current_load *l = current_load_new(d);
	is_int(current_load_set(l, 1, 1, 20001, 1, 0), 0, "first key");
	is_int(current_load_set(l, 1, 1, 20001, 2, 0), 0, "the same key again");
	is_int(current_load_set(l, 1, 2, 20001, 1, 0), 1, "a second key is over the budget");
	current_load_end(d, l, false, true, 9);
	current_stats(d, &s);
	ok(s.off && !s.valid, "the load turned the cache off");
	current_free(d);

	/* 1 MiB, as --cache-mb 1: 65,536 slots, 49,152 keys. */
	struct current *m = current_new(1 << 20);
	ok(current_load_begin(m), "a 1 MiB cache asks for its first load");
	l = current_load_new(m);
	int rc = 0, k = 0;
	for (; k < 49152 && rc == 0; k++)
		rc = current_load_set(l, 1 + k / 4096, k % 4096, 20001, k % 5, 0);
	is_int(rc, 0, "1 MiB holds 49,152 keys");
	is_int(current_load_set(l, 99, 1, 20001, 1, 0), 1, "the 49,153rd is over the budget");
	current_load_end(m, l, false, true, 1);
	current_free(m);

	ok(current_new(0) == NULL, "a budget of 0 makes no cache");
	ok(current_new(31) == NULL, "nor one of a single slot, which holds no key");
	current_free(c);
	free(rows);
	free(cls);
}

/* The batches kept during a load share the budget with the load's table,
 * at sizeof(struct valid_row) a row. */
static void test_pending_budget(void)
{
	struct valid_row *rows = malloc(820 * sizeof *rows);
	struct current_stats s;

	is_int((int)sizeof *rows, 20, "a kept row takes 20 bytes");
	for (int i = 0; i < 820; i++)
		rows[i] = (struct valid_row){ 1, i, 20001, i % 3, 0 };
	/* 32 KiB: the load's first table of 1024 slots (16 KiB) leaves 16384
	 * bytes, 819 rows. */
	for (size_t n = 819; n <= 820; n++) {
		struct current *c = current_new(32768);
		ok(current_load_begin(c), "%zu rows: a load begins", n);
		struct current_load *l = current_load_new(c);
		current_commit(c, 1, 2, rows, n);
		current_load_end(c, l, true, false, 1);
		current_stats(c, &s);
		if (n == 819)
			ok(s.valid && s.version == 2 && s.keys == 819, "819 rows were kept and applied "
			   "(valid %d, version %lld, keys %zu)", s.valid, s.version, s.keys);
		else
			ok(s.valid && s.version == 1 && s.keys == 0, "820 rows were not kept: the map "
			   "stays at the load's version (valid %d, version %lld, keys %zu)", s.valid,
			   s.version, s.keys);
		current_free(c);
	}

	/* A load's table grown to 2048 slots takes the whole budget. */
	struct current *c = current_new(32768);
	ok(current_load_begin(c), "grown: a load begins");
	struct current_load *l = current_load_new(c);
	int rc = 0;
	for (int k = 0; k < 769 && rc == 0; k++)
		rc = current_load_set(l, 2, k, 20001, 1, 0);
	is_int(rc, 0, "769 keys grow the load's table to 2048 slots");
	current_commit(c, 1, 2, rows, 1);
	current_load_end(c, l, true, false, 1);
	current_stats(c, &s);
	ok(s.valid && s.version == 1 && s.keys == 769, "grown: a batch of one row was not kept "
	   "(valid %d, version %lld, keys %zu)", s.valid, s.version, s.keys);
	current_free(c);
	free(rows);
}

/* A batch of this process at `version` that the map does not classify
 * (the database does), committed as version + 1. */
static void miss_and_commit(struct current *c, long long version, const char *what)
{
	const struct valid_row one[] = { { 1, 1, 20001, 3, 0 } };
	unsigned char cls[1];

	ok(!current_classify(c, version, one, 1, cls), "%s", what);
	current_commit(c, version, version + 1, one, 1);
}

static void test_when_to_load(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row one[] = { { 1, 1, 20001, 3, 0 } };
	unsigned char cls[1];

	ok(current_load_begin(c), "never loaded: a load is asked for");
	ok(!current_load_begin(c), "not twice at once");
	current_load_end(c, NULL, false, false, 0);
	/* The load failed; the cache is invalid. Submission 1 is ours. */
	miss_and_commit(c, 0, "invalid: the database classifies");
	ok(!current_load_begin(c), "after one write of ours no load yet (the streak is 0)");
	miss_and_commit(c, 1, "our write was the last one: the streak is 1");
	ok(current_load_begin(c), "so a load is asked for");
	current_load_end(c, current_load_new(c), true, false, 2);
	/* Another collector wrote 3 before the map was used: a wasted load. */
	miss_and_commit(c, 3, "stale before any use");
	miss_and_commit(c, 4, "streak 1 of our own");
	ok(!current_load_begin(c), "a wasted load doubles the streak needed: 1 is not enough");
	miss_and_commit(c, 5, "streak 2 of our own");
	ok(current_load_begin(c), "2 is");
	current_load_end(c, current_load_new(c), true, false, 6);
	ok(current_classify(c, 6, one, 1, cls), "the map is used");
	current_commit(c, 6, 7, one, 1);
	current_free(c);
}

/* The first load, made at start-up, may go stale before any batch uses
 * it (another collector wrote first): the next load still waits for a
 * streak of one, not two. */
static void test_first_load_wasted(void)
{
	struct current *c = current_new(1 << 20);

	load(c, NULL, 0, 0);
	miss_and_commit(c, 1, "first load: stale before any use");
	ok(!current_load_begin(c), "first load: after one write of ours no load yet");
	miss_and_commit(c, 2, "first load: streak 1 of our own");
	ok(current_load_begin(c), "first load: a streak of 1 is enough, as before it");
	current_load_end(c, NULL, false, false, 0);
	current_free(c);
}

/* A second thread classifying while a batch is in flight. */
struct waiter {
	struct current *c;       /* the shared cache */
	bool hit;                /* what current_classify answered */
	unsigned char cls[1];    /* its class */
};

static void *classify_thread(void *arg)
{
	struct waiter *w = arg;
	const struct valid_row one[] = { { 1, 1, 20001, 4, 0 } };

	w->hit = current_classify(w->c, 2, one, 1, w->cls);
	current_commit(w->c, 2, 3, one, 1);
	return NULL;
}

static void test_inflight(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row one[] = { { 1, 1, 20001, 4, 0 } };
	unsigned char cls[1];
	struct waiter w = { c, false, { 9 } };
	pthread_t t;

	load(c, NULL, 0, 1);
	ok(current_classify(c, 1, one, 1, cls), "batch 2 classified at version 1");
	/* It committed as 2; before it is applied, the next ingest sees 2. */
	pthread_create(&t, NULL, classify_thread, &w);
	usleep(50 * 1000);
	current_commit(c, 1, 2, one, 1);
	pthread_join(t, NULL);
	ok(w.hit, "the next thread waited for the batch in flight and used the map");
	is_int(w.cls[0], CLASS_UNCHANGED, "it saw the value the first batch set");
	current_free(c);
}

/* A batch applied while its COMMIT is on its way stays in flight until
 * the outcome: the next thread waits, a COMMIT confirms it without
 * applying it twice, a failure drops the map with what was applied. */
static void test_apply_early(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row one[] = { { 1, 1, 20001, 4, 0 } };
	unsigned char cls[1];
	struct waiter w = { c, false, { 9 } };
	struct current_stats s;
	pthread_t t;
	int v = -1;

	load(c, NULL, 0, 1);
	ok(current_classify(c, 1, one, 1, cls), "batch 2 classified at version 1");
	current_apply(c, 1, 2, one, 1);
	ok(current_get(c, 1, 1, 20001, &v) && v == 4, "applied early: the value is there (%d)", v);
	pthread_create(&t, NULL, classify_thread, &w);
	usleep(50 * 1000);
	ok(!w.hit && w.cls[0] == 9, "the next thread waits while the COMMIT is on its way");
	current_commit(c, 1, 2, one, 1);
	pthread_join(t, NULL);
	ok(w.hit, "after the COMMIT it used the map");
	is_int(w.cls[0], CLASS_UNCHANGED, "and saw the value applied early");
	current_stats(c, &s);
	ok(s.valid && s.version == 3 && s.keys == 1, "valid at 3 with 1 key (valid %d, version "
	   "%lld, keys %zu)", s.valid, s.version, s.keys);

	ok(current_classify(c, 3, one, 1, cls), "batch 4 classified at version 3");
	const struct valid_row five[] = { { 1, 1, 20001, 5, 0 } };
	current_apply(c, 3, 4, five, 1);
	/* The COMMIT failed, or its outcome is unknown. */
	current_abort(c);
	current_stats(c, &s);
	ok(!s.valid, "a failed COMMIT leaves the cache invalid");
	ok(!current_get(c, 1, 1, 20001, &v), "and the value applied early is gone with the map");
	current_free(c);
}

/* A chain batch waiting for the one before it. */
struct chain_waiter {
	struct current *c;              /* the shared cache */
	struct current_ticket *t;       /* the waiting batch's ticket */
	volatile bool done;             /* current_chain_wait returned */
};

static void *chain_wait_thread(void *arg)
{
	struct chain_waiter *w = arg;

	current_chain_wait(w->c, w->t);
	w->done = true;
	return NULL;
}

/* Batches classified ahead of the lock: each sees the rows of the ones
 * before it, waits for the one before it to commit, and a failure drops
 * the map. */
static void test_chain(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row x[] = { { 1, 1, 20001, 4, 0 } };
	const struct valid_row y[] = { { 1, 1, 20001, 4, 0 }, { 1, 2, 20001, 6, 0 } };
	const struct valid_row z[] = { { 1, 2, 20001, 7, 0 } };
	struct current_ticket tx, ty, tz;
	unsigned char cls[2];
	struct current_stats s;
	pthread_t th;
	int v = -1;

	ok(!current_chain_classify(c, 0, x, 1, cls, &tx), "chain: no map, no chain");
	load(c, NULL, 0, 1);
	ok(current_chain_classify(c, 1, x, 1, cls, &tx), "chain: x classified at 1");
	is_str(classes(cls, 1), "c", "chain: x creates its key");
	is_int(tx.pred, 1, "chain: x follows submission 1");
	current_chain_apply(c, &tx, 2, x, 1);
	ok(tx.applied, "chain: x's rows are in the map as submission 2");
	/* x's COMMIT may be done in the database before it landed here. */
	ok(current_chain_classify(c, 2, y, 2, cls, &ty), "chain: y classified behind x");
	is_str(classes(cls, 2), "=c", "chain: y sees x's row");
	is_int(ty.pred, 2, "chain: y follows x");
	current_chain_apply(c, &ty, 3, y, 2);
	struct chain_waiter w = { c, &ty, false };
	pthread_create(&th, NULL, chain_wait_thread, &w);
	usleep(50 * 1000);
	ok(!w.done, "chain: y waits while x is not committed");
	current_chain_end(c, &tx, 2, true);
	pthread_join(th, NULL);
	ok(w.done, "chain: y goes on once x committed");
	current_chain_end(c, &ty, 3, true);
	current_stats(c, &s);
	ok(s.valid && s.version == 3 && s.keys == 2, "chain: valid at 3 with 2 keys (valid %d, "
	   "version %lld, keys %zu)", s.valid, s.version, s.keys);

	ok(!current_chain_classify(c, 5, z, 1, cls, &tz), "chain: not when the database has a "
	   "submission past the map's");
	ok(current_chain_classify(c, 3, z, 1, cls, &tz), "chain: z classified at 3");
	is_str(classes(cls, 1), "u", "chain: z updates y's row");
	current_chain_apply(c, &tz, 4, z, 1);
	ok(current_get(c, 1, 2, 20001, &v) && v == 7, "chain: z's value is in the map (%d)", v);
	current_chain_end(c, &tz, 4, false);
	current_stats(c, &s);
	ok(!s.valid, "chain: a batch that did not commit drops the map");
	ok(!current_chain_classify(c, 3, z, 1, cls, &tz), "chain: and the chain waits for a load");
	current_free(c);
}

/* Batches this process commits while a load runs are applied to the
 * loaded map in id order, as far as their versions chain. */
static void test_commits_during_load(void)
{
	const struct valid_row a[] = { { 1, 1, 20001, 3, 0 } };
	const struct valid_row b[] = { { 1, 1, 20001, 4, 0 }, { 1, 2, 20001, 5, 0 } };
	unsigned char cls[2];
	struct current_stats s;
	int v = -1;

	for (int snapshot = 0; snapshot <= 1; snapshot++) {
		struct current *c = current_new(1 << 20);
		ok(current_load_begin(c), "snapshot %d: a load begins", snapshot);
		struct current_load *l = current_load_new(c);
		/* Committed by other threads of this process meanwhile, the later
		 * one applied first. */
		current_commit(c, 1, 2, b, 2);
		current_commit(c, 0, 1, a, 1);
		if (snapshot == 1)
			is_int(current_load_set(l, 1, 1, 20001, 3, 0), 0, "the snapshot holds batch 1");
		current_load_end(c, l, true, false, snapshot);
		current_stats(c, &s);
		ok(s.valid && s.version == 2, "snapshot %d: the map is brought up to 2 (valid %d, "
		   "version %lld)", snapshot, s.valid, s.version);
		ok(current_get(c, 1, 1, 20001, &v) && v == 4, "snapshot %d: the later value (%d)",
		   snapshot, v);
		ok(current_classify(c, 2, b, 2, cls), "snapshot %d: and used at 2", snapshot);
		is_str(classes(cls, 2), "==", "snapshot %d: both rows unchanged", snapshot);
		current_commit(c, 2, 3, b, 2);
		current_free(c);
	}

	/* Submission 2 came from another collector: the chain stops at 1. */
	struct current *c = current_new(1 << 20);
	ok(current_load_begin(c), "gap: a load begins");
	struct current_load *l = current_load_new(c);
	current_commit(c, 0, 1, a, 1);
	current_commit(c, 2, 3, b, 2);
	current_load_end(c, l, true, false, 0);
	current_stats(c, &s);
	ok(s.valid && s.version == 1, "gap: the map stops at 1 (version %lld)", s.version);
	ok(!current_classify(c, 3, b, 2, cls), "gap: so at 3 it is stale");
	current_free(c);
}

/* A flag is part of the stored value: the same count with another flag
 * is an update, the same count with the same flag unchanged. */
static void test_flags(void)
{
	struct current *c = current_new(1 << 20);
	const struct valid_row loaded[] = {
		{ 1, 10, 20241, 5, FLAG_NONE }, { 1, 11, 20241, 1000000000, FLAG_BREAK },
		{ 1, 12, 20241, 7, FLAG_PROVISIONAL },
	};
	const struct valid_row batch[] = {
		{ 1, 10, 20241, 5, FLAG_PROVISIONAL },  /* updated: a flag set */
		{ 1, 11, 20241, 1000000000, FLAG_BREAK }, /* unchanged: the largest count, flagged */
		{ 1, 12, 20241, 7, FLAG_BREAK },        /* updated: another flag */
		{ 1, 13, 20241, 0, FLAG_BREAK },        /* created */
	};
	const struct valid_row cleared[] = { { 1, 12, 20241, 7, FLAG_NONE } };
	unsigned char cls[4];
	int v = -1;

	load(c, loaded, 3, 4);
	ok(current_get(c, 1, 11, 20241, &v) && v == 1000000000,
	   "a flagged value reads back without its flag (%d)", v);
	ok(current_classify(c, 4, batch, 4, cls), "the cache classifies at its version");
	is_str(classes(cls, 4), "u=uc", "a flag changes a value, the same flag does not");
	current_commit(c, 4, 5, batch, 4);
	ok(current_classify(c, 5, batch, 4, cls), "and after the commit");
	is_str(classes(cls, 4), "====", "the committed flags are current");
	current_commit(c, 5, 6, batch, 4);
	ok(current_classify(c, 6, cleared, 1, cls), "a flag taken away");
	is_str(classes(cls, 1), "u", "is an update too");
	current_abort(c);
	current_free(c);
}

int main(void)
{
	test_flags();
	test_classify_and_commit();
	test_abort_and_late_commit();
	test_bound_and_growth();
	test_pending_budget();
	test_when_to_load();
	test_first_load_wasted();
	test_inflight();
	test_apply_early();
	test_chain();
	test_commits_during_load();
	return tap_done();
}
