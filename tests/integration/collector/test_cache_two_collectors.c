/* Two collectors on one database, each with its current-value cache,
 * posting revisions of the same keys: first in a fixed interleaving (so
 * that each cache is used, goes stale when the other one writes, and is
 * loaded again), then from four threads at once (two per collector), then
 * from three threads to one collector alone. (A collector whose
 * --cache-mb is too small for its data is test_cache_start.c's: the
 * smallest budget, 1 MiB, holds 49,152 keys, and these are 60.)
 *
 * Every receipt is checked against a model replayed in submission-id
 * order: exact created, updated and unchanged counts, and afterwards the
 * exact history (every stored row with its submission). A cache that
 * misclassified a single row would show in a tally or in the history. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compiler.h"
#include "harness.h"
#include "tap.h"
#include "json_get.h"
#include "cache_keys.h"

/* Keys per batch: a window that slides over the key space. */
#define WINDOW 24
/* The fixed interleaving of phase one: which collector posts batch b. */
static const char schedule[] = "AAAABBBBAAAABABAAABBBAAB";
#define NSEQ ((int)sizeof schedule - 1)
/* The batch of phase one that repeats the one before it. */
#define REPEAT 4
#define THREADS 4
#define PER_THREAD 8
/* Phase two b: threads posting to collector A alone. */
#define SOLO_THREADS 3
#define MAX_BATCHES (NSEQ + (THREADS + SOLO_THREADS) * PER_THREAD)

/* One posted batch: what it held and what came back. */
struct batch {
	int first;                /* its first key; it holds WINDOW keys from there */
	int salt;                 /* changes the values from batch to batch */
	long status;              /* HTTP status */
	char uuid[40];            /* the receipt's submission */
	long long rows, created, updated, unchanged; /* the receipt's tally */
};

static struct harness_db db;
static struct harness_proc coll[2];   /* A and B */
static char *token;
static struct batch batches[MAX_BATCHES];

static int key_of(int k, int *ind, int *area, int *period)
{
	*period = periods[k % NPER];
	*area = (k / NPER) % NAREA;
	*ind = k / (NPER * NAREA);
	return k;
}

/* The value batch b sends for key k: few distinct values, so that many
 * rows are re-posted unchanged and many change. */
static int value_of(const struct batch *b, int k)
{
	return (k * 7 + b->salt) % 4 + (k % 3 == 0 ? b->salt % 2 : 0);
}

static int window_key(const struct batch *b, int j)
{
	return (b->first + j) % NKEYS;
}

static void body_of(const struct batch *b, struct buf *out)
{
	int ind, area, period;

	buf_reset(out);
	if (buf_puts(out, "{\"counts\":[") != 0)
		abort();
	for (int j = 0; j < WINDOW; j++) {
		key_of(window_key(b, j), &ind, &area, &period);
		if (buf_printf(out, "%s{\"indicator\":\"%s\",\"area\":\"%s\",\"period\":\"%dQ%d\","
		               "\"value\":%d}", j ? "," : "", indicators[ind], areas[area],
		               period / 10, period % 10, value_of(b, window_key(b, j))) != 0)
			abort();
	}
	if (buf_puts(out, "]}") != 0)
		abort();
}

/* Posts batch b to collector c and records the answer. */
static void post(int b, const struct harness_proc *c)
{
	struct batch *x = &batches[b];
	struct buf body = BUF_INIT;
	struct http_result res;
	char url[160];

	body_of(x, &body);
	snprintf(url, sizeof url, "%s/v1/counts", c->base_url);
	http_do("POST", url, token, "application/json", body.data, body.len, NULL, &res);
	x->status = res.status;
	cJSON *o = cJSON_Parse(res.body.data ? res.body.data : "");
	const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "submission"));
	snprintf(x->uuid, sizeof x->uuid, "%s", uuid ? uuid : "");
	x->rows = json_int(o, "rows");
	x->created = json_int(o, "created");
	x->updated = json_int(o, "updated");
	x->unchanged = json_int(o, "unchanged");
	cJSON_Delete(o);
	http_result_free(&res);
	buf_free(&body);
}

static void make_batch(int b)
{
	batches[b].first = (b * 7) % NKEYS;
	batches[b].salt = b;
}

/* A poster thread: PER_THREAD batches in a row to one collector. */
struct poster {
	int first_batch;               /* index of its first batch */
	const struct harness_proc *to; /* the collector */
};

static void *poster_run(void *arg)
{
	const struct poster *p = arg;

	for (int i = 0; i < PER_THREAD; i++)
		post(p->first_batch + i, p->to);
	return NULL;
}

/* The batch whose receipt named uuid, or -1. */
static int batch_by_uuid(const char *uuid, int n)
{
	for (int b = 0; b < n; b++)
		if (strcmp(batches[b].uuid, uuid) == 0)
			return b;
	return -1;
}

/* Replays every batch in submission-id order against a model of the
 * current values: each receipt's tally must be what the model says, and
 * the stored history exactly the rows that changed something. */
static void check_against_model(int n)
{
	char *order = harness_sql_text(&db, "SELECT string_agg(uuid::text, ',' ORDER BY id)"
	                                    " FROM submission");
	int current[NKEYS];
	struct buf history[NKEYS];
	int seen = 0, tally_ok = 0;

	for (int k = 0; k < NKEYS; k++) {
		current[k] = -1;
		history[k] = (struct buf)BUF_INIT;
	}
	for (char *save = NULL, *u = strtok_r(order ? order : (char[]){ "" }, ",", &save); u;
	     u = strtok_r(NULL, ",", &save)) {
		int b = batch_by_uuid(u, n);
		if (b < 0) {
			ok(false, "submission %s is not one of the posted batches", u);
			continue;
		}
		seen++;
		long long created = 0, updated = 0, unchanged = 0;
		for (int j = 0; j < WINDOW; j++) {
			int k = window_key(&batches[b], j), v = value_of(&batches[b], k);
			if (current[k] == v) {
				unchanged++;
				continue;
			}
			if (current[k] < 0)
				created++;
			else
				updated++;
			current[k] = v;
			if (buf_printf(&history[k], "%s/%d;", u, v) != 0)
				abort();
		}
		bool same = batches[b].rows == WINDOW && batches[b].created == created &&
		            batches[b].updated == updated && batches[b].unchanged == unchanged;
		tally_ok += same;
		if (!same)
			ok(false, "batch %d: receipt %lld/%lld/%lld/%lld, model %d/%lld/%lld/%lld", b,
			   batches[b].rows, batches[b].created, batches[b].updated, batches[b].unchanged,
			   WINDOW, created, updated, unchanged);
	}
	is_int(seen, n, "the submissions are exactly the %d batches posted", n);
	is_int(tally_ok, n, "every receipt's created/updated/unchanged is the model's");

	/* The whole history, in key order and then submission order. */
	struct buf want = BUF_INIT;
	for (int k = 0; k < NKEYS; k++) {
		int ind, area, period;
		key_of(k, &ind, &area, &period);
		char *p = history[k].data, *end;
		for (; p && *p; p = end + 1) {
			end = strchr(p, ';');
			if (buf_printf(&want, "%s,%s,%d,%.*s;", indicators[ind], areas[area], period,
			               (int)(end - p), p) != 0)
				abort();
		}
		buf_free(&history[k]);
	}
	char *got = harness_sql_text(&db,
		"SELECT string_agg(i.code || ',' || a.code || ',' || h.period || ',' || s.uuid"
		"       || '/' || h.value || ';', '' ORDER BY i.code COLLATE \"C\","
		"       a.code COLLATE \"C\", h.period, h.submission_id)"
		"  FROM count_history h JOIN indicator i ON i.id = h.indicator_id"
		"  JOIN area a ON a.id = h.area_id JOIN submission s ON s.id = h.submission_id");
	ok(got && want.data && strcmp(got, want.data) == 0,
	   "the history is exactly the model's: every changed row once, with its submission");
	if (!got || !want.data || strcmp(got, want.data) != 0)
		diag("history\n#   got:  %.300s\n#  want: %.300s", got ? got : "(null)",
		     want.data ? want.data : "(null)");
	long long stored = harness_sql_int(&db, "SELECT count(*) FROM count_history");
	diag("%d batches, %lld rows stored", n, stored);
	free(got);
	buf_free(&want);
	free(order);
}

static int start(struct harness_proc *p)
{
	const char *extra[] = { "--log-level", "debug", NULL };

	return harness_start(p, harness_program("collector/samlad-collector"), db.collector_url,
	                     extra);
}

int main(void)
{
	pthread_t threads[THREADS];
	struct poster posters[THREADS];
	int n = 0, fails = 0;

	harness_db_create(&db, "cache_two");
	token = harness_token(&db, "submitter", "bup");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (start(&coll[0]) != 0 || start(&coll[1]) != 0) {
		printf("Bail out! a collector did not start (see %s)\n", coll[0].log_path);
		return 1;
	}

	/* Phase one: a fixed interleaving, one batch at a time. Batch 4 (B)
	 * repeats batch 3 (A) exactly: nothing to COPY, yet a new version. */
	for (; n < NSEQ; n++) {
		make_batch(n);
		if (n == REPEAT) {
			batches[n].first = batches[n - 1].first;
			batches[n].salt = batches[n - 1].salt;
		}
		post(n, &coll[schedule[n] == 'A' ? 0 : 1]);
		fails += batches[n].status != 201;
	}
	is_int(fails, 0, "phase one: all %d batches answered 201", NSEQ);
	is_int(batches[REPEAT].unchanged, WINDOW, "a batch repeated through the other collector "
	       "is unchanged throughout");
	int hits_a = harness_log_count(&coll[0], "classified from the cache");
	int hits_b = harness_log_count(&coll[1], "classified from the cache");
	int misses = harness_log_count(&coll[0], "classified by the database") +
	             harness_log_count(&coll[1], "classified by the database");
	int loads = harness_log_count(&coll[0], "current-value cache: loaded") +
	            harness_log_count(&coll[1], "current-value cache: loaded");
	diag("phase one: hits A %d, B %d; misses %d; loads %d", hits_a, hits_b, misses, loads);
	ok(hits_a >= 3 && hits_b >= 3, "each collector classified batches from its cache");
	ok(misses >= 4, "each stale cache was noticed and the database asked instead");
	ok(loads >= 3, "a cache was loaded again after the other collector wrote");

	/* Phase two: two threads per collector at once. */
	for (int t = 0; t < THREADS; t++) {
		for (int i = 0; i < PER_THREAD; i++)
			make_batch(n + t * PER_THREAD + i);
		posters[t] = (struct poster){ n + t * PER_THREAD, &coll[t % 2] };
		pthread_create(&threads[t], NULL, poster_run, &posters[t]);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	fails = 0;
	for (int i = 0; i < THREADS * PER_THREAD; i++)
		fails += batches[n + i].status != 201;
	n += THREADS * PER_THREAD;
	is_int(fails, 0, "phase two: all %d concurrent batches answered 201", THREADS * PER_THREAD);
	int hits_before = harness_log_count(&coll[0], "classified from the cache");
	diag("after phase two: hits A %d, B %d (timing decides how many)", hits_before,
	     harness_log_count(&coll[1], "classified from the cache"));

	/* Phase two b: three threads to A alone. A's cache is loaded again and
	 * then used by requests that overlap: each waits for the batch of the
	 * one before it to be applied. */
	for (int t = 0; t < SOLO_THREADS; t++) {
		for (int i = 0; i < PER_THREAD; i++)
			make_batch(n + t * PER_THREAD + i);
		posters[t] = (struct poster){ n + t * PER_THREAD, &coll[0] };
		pthread_create(&threads[t], NULL, poster_run, &posters[t]);
	}
	for (int t = 0; t < SOLO_THREADS; t++)
		pthread_join(threads[t], NULL);
	fails = 0;
	for (int i = 0; i < SOLO_THREADS * PER_THREAD; i++)
		fails += batches[n + i].status != 201;
	n += SOLO_THREADS * PER_THREAD;
	is_int(fails, 0, "phase two b: all %d batches to one collector answered 201",
	       SOLO_THREADS * PER_THREAD);
	int hits_solo = harness_log_count(&coll[0], "classified from the cache") - hits_before;
	diag("phase two b: %d of %d batches classified from the cache", hits_solo,
	     SOLO_THREADS * PER_THREAD);
	/* Not a timing bound: A writes alone, so each batch follows one of
	 * its own and a load comes after at most the streak a wasted load
	 * asked for (phase two's short runs cannot have asked for more than
	 * 16); after it, every batch finds the cache current, as each waits
	 * for the one before it to be applied. */
	ok(hits_solo >= SOLO_THREADS * PER_THREAD / 4,
	   "with one writer, concurrent batches used the cache");

	check_against_model(n);
	for (int c = 0; c < 2; c++)
		is_int(harness_stop(&coll[c]), 0, "collector %c exits 0 on SIGTERM", "AB"[c]);
	curl_global_cleanup();
	free(token);
	harness_db_drop(&db);
	return tap_done();
}
