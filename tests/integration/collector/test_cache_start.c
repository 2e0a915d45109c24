/* The current-value cache loaded when the collector starts, on a database
 * that already holds 162,000 keys (written by SQL, one submission):
 *
 * - a collector loads them without any ingest, and logs exactly how many;
 * - a collector whose --cache-mb (1 MiB: 49,152 keys) is too small says so
 *   once, naming --cache-mb, and stores batches correctly without it;
 * - batches posted to a collector while its load runs are classified by
 *   the database, kept, and applied to the loaded map, which the next
 *   batch then uses;
 * - a collector stopped during its load exits at once and cleanly.
 *
 * Every receipt is checked against a model of the current values: exact
 * created, updated and unchanged counts; and at the end the exact number
 * of history rows. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compiler.h"
#include "harness.h"
#include "tap.h"
#include "json_get.h"
#include "cache_keys.h"

/* The area the preload leaves out, so that batches create keys too. */
#define NEW_AREA 9
/* Quarters the preload writes for every indicator and area but NEW_AREA:
 * 2000Q1 to 3499Q4, 3 × 9 × 6000 = 162,000 keys, more than 1 MiB holds
 * (49,152) and three pages of a load (65,536 rows each). */
#define QUARTERS 6000
#define PRELOADED (NIND * (NAREA - 1) * QUARTERS)
/* The value every preloaded key has. */
#define PRELOAD_VALUE 1
#define MAX_BATCHES 16

static struct harness_db db;
static char *token;
/* The current value of each posted key as the model has it; -1: none. */
static int model[NKEYS];
/* Batches posted so far, in order (one at a time, so in submission order). */
static int nbatches;
/* History rows the batches added. */
static long long added;

static void key_of(int k, int *ind, int *area, int *period)
{
	*period = periods[k % NPER];
	*area = (k / NPER) % NAREA;
	*ind = k / (NPER * NAREA);
}

/* The value batch b sends for key k: a third of the keys change from
 * batch to batch, the others keep the value of the first batch, some of
 * which is the preloaded one. */
static int value_of(int b, int k)
{
	return (k * 7 + (k % 3 == 0 ? b : 0)) % 4;
}

static void body_of(int b, struct buf *out)
{
	int ind, area, period;

	buf_reset(out);
	if (buf_puts(out, "{\"counts\":[") != 0)
		abort();
	for (int k = 0; k < NKEYS; k++) {
		key_of(k, &ind, &area, &period);
		if (buf_printf(out, "%s{\"indicator\":\"%s\",\"area\":\"%s\",\"period\":\"%dQ%d\","
		               "\"value\":%d}", k ? "," : "", indicators[ind], areas[area],
		               period / 10, period % 10, value_of(b, k)) != 0)
			abort();
	}
	if (buf_puts(out, "]}") != 0)
		abort();
}

/* Posts the next batch to p and checks its receipt against the model,
 * which it then moves on. Returns the HTTP status. */
static long post_next(const struct harness_proc *p, const char *what)
{
	int b = nbatches++;
	struct buf body = BUF_INIT;
	struct http_result res;
	char url[160];
	long long created = 0, updated = 0, unchanged = 0;

	body_of(b, &body);
	snprintf(url, sizeof url, "%s/v1/counts", p->base_url);
	http_do("POST", url, token, "application/json", body.data, body.len, NULL, &res);
	for (int k = 0; k < NKEYS; k++) {
		int v = value_of(b, k);
		if (model[k] == v)
			unchanged++;
		else
			*(model[k] < 0 ? &created : &updated) += 1;
		model[k] = v;
	}
	added += created + updated;
	cJSON *o = cJSON_Parse(res.body.data ? res.body.data : "");
	is_int(res.status, 201, "%s: batch %d answered 201", what, b);
	ok(json_int(o, "rows") == NKEYS && json_int(o, "created") == created &&
	   json_int(o, "updated") == updated && json_int(o, "unchanged") == unchanged,
	   "%s: batch %d's receipt is the model's %d/%lld/%lld/%lld (got %lld/%lld/%lld/%lld)",
	   what, b, NKEYS, created, updated, unchanged, json_int(o, "rows"),
	   json_int(o, "created"), json_int(o, "updated"), json_int(o, "unchanged"));
	long status = res.status;
	cJSON_Delete(o);
	http_result_free(&res);
	buf_free(&body);
	return status;
}

/* The number (from 1) of the first line of the log that holds `what`,
 * with the line in out; 0 when none. */
static int log_find(const struct harness_proc *p, const char *what, char *out, size_t size)
{
	FILE *f = fopen(p->log_path, "r");
	char line[1024];
	int n = 0, found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		n++;
		if (strstr(line, what)) {
			found = n;
			snprintf(out, size, "%s", line);
		}
	}
	fclose(f);
	return found;
}

/* Waits up to 10 s for a line holding `what`; its number, or 0. */
static int log_wait(const struct harness_proc *p, const char *what, char *out, size_t size)
{
	for (int i = 0; i < 200; i++) {
		int at = log_find(p, what, out, size);
		if (at > 0)
			return at;
		harness_sleep_ms(50);
	}
	return 0;
}

static int start(struct harness_proc *p, const char *cache_mb)
{
	const char *extra[] = { "--log-level", "debug", "--cache-mb", cache_mb, NULL };

	return harness_start(p, harness_program("collector/samlad-collector"), db.collector_url,
	                     extra);
}

/* One submission holding PRELOADED keys of value PRELOAD_VALUE: what a
 * collector finds when it starts on a database in use. */
static void preload(void)
{
	harness_sql(&db,
		"INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
		"                        rows, created, updated, unchanged)"
		" SELECT gen_random_uuid(), agency_id, id, now(), sha256('preload'::bytea),"
		"        0, 0, 0, 0"
		"   FROM token WHERE role = 'submitter' LIMIT 1");
	harness_sql(&db,
		"INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)"
		" SELECT i.id, a.id, (2000 + q / 4) * 10 + q % 4 + 1, 1, 1"
		"   FROM indicator i, area a, generate_series(0, 5999) q"
		"  WHERE i.code IN ('bup.aktuella_barn', 'bup.npf_utredningar', 'bup.nya_barn')"
		"    AND a.code IN ('0182-alta', '0182-boo', '0182-fisksatra', '0182-saltsjobaden',"
		"                   '0182-sicklaon', '0581-hageby', '0581-klockaretorpet',"
		"                   '0581-marielund', '0581-navestad')");
	for (int k = 0; k < NKEYS; k++) {
		int ind, area, period;
		key_of(k, &ind, &area, &period);
		model[k] = area == NEW_AREA ? -1 : PRELOAD_VALUE;
	}
}

/* A collector started on the preloaded database loads it without any
 * ingest. */
static void test_loaded_at_start(struct harness_proc *a)
{
	char line[1024] = "", want[96];

	snprintf(want, sizeof want, "loaded %d keys at submission 1 in ", PRELOADED);
	ok(log_wait(a, "current-value cache: loaded", line, sizeof line) > 0,
	   "started: the cache is loaded without any ingest");
	ok(strstr(line, want) != NULL, "the log says \"%s\" (%.*s)", want,
	   (int)strcspn(line, "\n"), line);
	is_int(harness_log_count(a, "ingest:"), 0, "and no ingest came");
}

/* A budget too small for the data: the cache turns itself off at start,
 * and batches are stored as without it. */
static void test_too_small(struct harness_proc *c)
{
	char line[1024] = "";

	ok(log_wait(c, "more keys than --cache-mb holds", line, sizeof line) > 0,
	   "1 MiB: the load at start finds more keys than the budget holds");
	is_int(harness_log_count(c, "current-value cache: loaded"), 0, "and loads nothing");
	post_next(c, "1 MiB");
	post_next(c, "1 MiB");
	is_int(harness_log_count(c, "more keys than --cache-mb holds"), 1, "1 MiB: said once");
	is_int(harness_log_count(c, "classified by the database"), 2,
	       "both batches classified by the database");
	is_int(harness_log_count(c, "classified from the cache"), 0, "none from the cache");
}

/* Batches posted at once after the start, while the load runs. */
static void test_during_load(struct harness_proc *b)
{
	char line[1024] = "", first[1024] = "";

	for (int i = 0; i < 3; i++)
		post_next(b, "during the load");
	int loaded = log_wait(b, "current-value cache: loaded", line, sizeof line);
	int asked = log_find(b, "classified by the database", first, sizeof first);
	diag("%.*s", (int)strcspn(line, "\n"), line);
	ok(loaded > 0, "during the load: the load ended");
	ok(asked > 0 && asked < loaded, "the first batch came while the load ran and was "
	   "classified by the database (log lines %d and %d)", asked, loaded);
	post_next(b, "after the load");
	is_int(harness_log_count(b, "classified from the cache"), 1,
	       "after the load: the batch is classified from the map, brought up to date "
	       "with the batches kept during the load");
}

/* A stop while the load may still run: the thread is asked to stop and
 * joined before the pool and the cache go. */
static void test_stop_during_load(void)
{
	struct harness_proc d;

	if (start(&d, "1024") != 0) {
		ok(false, "collector D started");
		return;
	}
	is_int(harness_stop(&d), 0, "stopped at once: exits 0 on SIGTERM");
	int abandoned = harness_log_count(&d, "the load was abandoned");
	int loaded = harness_log_count(&d, "current-value cache: loaded");
	diag("stopped at once: abandoned %d, loaded %d", abandoned, loaded);
	is_int(abandoned + loaded, 1, "the load was either abandoned or done, once");
}

int main(void)
{
	struct harness_proc a, b, c;

	harness_db_create(&db, "cache_start");
	token = harness_token(&db, "submitter", "bup");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	preload();
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), PRELOADED,
	       "the preload wrote %d keys", PRELOADED);
	if (start(&a, "1024") != 0) {
		printf("Bail out! collector A did not start (see %s)\n", a.log_path);
		return 1;
	}
	test_loaded_at_start(&a);
	if (start(&c, "1") != 0) {
		printf("Bail out! collector C did not start (see %s)\n", c.log_path);
		return 1;
	}
	test_too_small(&c);
	if (start(&b, "1024") != 0) {
		printf("Bail out! collector B did not start (see %s)\n", b.log_path);
		return 1;
	}
	test_during_load(&b);
	test_stop_during_load();

	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), PRELOADED + added,
	       "the history holds the preload and the %lld rows the batches changed", added);
	is_int(harness_stop(&a), 0, "collector A exits 0 on SIGTERM");
	is_int(harness_stop(&b), 0, "collector B exits 0 on SIGTERM");
	is_int(harness_stop(&c), 0, "collector C exits 0 on SIGTERM");
	curl_global_cleanup();
	free(token);
	harness_db_drop(&db);
	return tap_done();
}
