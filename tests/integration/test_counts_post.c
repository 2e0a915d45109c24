/* POST /v1/counts against the real collector and PostgreSQL: receipts,
 * stored rows and history, reading back, and Idempotency-Key replays. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "catalogue.h"
#include "compiler.h"
#include "harness.h"
#include "tap.h"
#include "json_get.h"

/* A receipt as the collector returns it. */
struct receipt {
	char submission[64];   /* the uuid */
	char received_at[64];  /* RFC 3339 */
	char sha256[80];       /* hex of the body received */
	long long rows, created, updated, unchanged; /* the batch's tally */
	int nkeys;             /* members in the receipt object */
};

static struct harness_db db;
static struct harness_proc collector;
static char *tok_bup, *tok_soc;
static char counts_url[160];

/* Parses a receipt body; returns false when it is not a JSON object. */
static bool receipt_parse(const char *text, struct receipt *r)
{
	cJSON *o = cJSON_Parse(text);
	memset(r, 0, sizeof *r);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return false;
	}
	snprintf(r->submission, sizeof r->submission, "%s", json_string(o, "submission"));
	snprintf(r->received_at, sizeof r->received_at, "%s", json_string(o, "received_at"));
	snprintf(r->sha256, sizeof r->sha256, "%s", json_string(o, "sha256"));
	r->rows = json_int(o, "rows");
	r->created = json_int(o, "created");
	r->updated = json_int(o, "updated");
	r->unchanged = json_int(o, "unchanged");
	r->nkeys = cJSON_GetArraySize(o);
	cJSON_Delete(o);
	return true;
}

/* Checks every field of a 201/200 receipt against the body that was sent. */
static void check_receipt(const char *what, const struct http_result *res, const char *body,
                          long long rows, long long created, long long updated,
                          long long unchanged, struct receipt *r)
{
	char sha[2 * AUTH_HASH_BYTES + 1];

	crypto_sha256_hex(body, strlen(body), sha);
	ok(receipt_parse(res->body.data, r), "%s: the answer is a JSON object", what);
	is_int(r->nkeys, 7, "%s: the receipt has exactly its seven members", what);
	ok(harness_is_uuid(r->submission), "%s: submission is a uuid (%s)", what, r->submission);
	ok(harness_is_rfc3339(r->received_at), "%s: received_at is RFC 3339 (%s)", what,
	   r->received_at);
	is_str(r->sha256, sha, "%s: sha256 is the SHA-256 of the body sent", what);
	is_int(r->rows, rows, "%s: rows", what);
	is_int(r->created, created, "%s: created", what);
	is_int(r->updated, updated, "%s: updated", what);
	is_int(r->unchanged, unchanged, "%s: unchanged", what);
}

static int post(const char *token, const char *type, const char *body,
                const char *const *headers, struct http_result *res)
{
	return http_do("POST", counts_url, token, type, body, strlen(body), headers, res);
}

/* harness_sql_int with the statement built from a format. */
PRINTF(1, 2)
static long long sql_int(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return harness_sql_int(&db, sql);
}

/* The value stored most recently for a key (count_current), -1 when none. */
static long long current_value(const char *indicator, const char *area, int period)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT coalesce((SELECT c.value FROM count_current c"
	         " JOIN indicator i ON i.id = c.indicator_id JOIN area a ON a.id = c.area_id"
	         " WHERE i.code = '%s' AND a.code = '%s' AND c.period = %d), -1)",
	         indicator, area, period);
	return harness_sql_int(&db, sql);
}

static const char json_first[] =
	"{\"counts\":["
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\",\"value\":12},"
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":7},"
	"{\"indicator\":\"bup.aktuella_barn\",\"area\":\"0182-boo\",\"period\":\"2024-Q3\",\"value\":30},"
	"{\"indicator\":\"bup.npf_utredningar\",\"area\":\"0182-alta\",\"period\":\"2024Q2\",\"value\":0}"
	"]}";

/* The same four keys, the hageby value changed from 12 to 15. */
static const char json_revised[] =
	"{\"counts\":["
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\",\"value\":15},"
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":7},"
	"{\"indicator\":\"bup.aktuella_barn\",\"area\":\"0182-boo\",\"period\":\"2024Q3\",\"value\":30},"
	"{\"indicator\":\"bup.npf_utredningar\",\"area\":\"0182-alta\",\"period\":\"2024Q2\",\"value\":0}"
	"]}";

static const char csv_first[] =
	"indicator,area,period,value\r\n"
	"bup.nya_barn,0182-boo,2024Q1,3\r\n"
	"bup.nya_barn,0182-fisksatra,2024-Q1,1000000000\r\n"
	"\"bup.aktuella_barn\",0581-skarblacka,2024Q1,41\r\n";

static struct receipt first;   /* the receipt of json_first */

/* A full disk (SQLSTATE 53100, raised here by a trigger, as PostgreSQL
 * raises it when a file cannot grow) is a 503 with Retry-After, not a 500
 * "bug": nothing is stored, and the same batch goes through once there is
 * room again. */
static void test_disk_full(void)
{
	static const char body[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
		"\"period\":\"2023Q1\",\"value\":4}]}";
	struct http_result res;
	char v[64];
	long long history = sql_int("SELECT count(*) FROM count_history");
	long long submissions = sql_int("SELECT count(*) FROM submission");

	harness_sql(&db, "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
	            "$$BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; "
	            "END$$");
	harness_sql(&db, "CREATE TRIGGER disk_full BEFORE INSERT ON count_history "
	            "FOR EACH STATEMENT EXECUTE FUNCTION disk_full()");
	post(tok_bup, "application/json", body, NULL, &res);
	is_int(res.status, 503, "disk full: 503");
	ok(strstr(res.body.data, "\"error\":\"database_unavailable\"") &&
	   strstr(res.body.data, "no room"), "disk full: database_unavailable, no room (%s)",
	   res.body.data);
	ok(http_result_header(&res, "Retry-After", v, sizeof v) && strcmp(v, "5") == 0,
	   "disk full: Retry-After 5");
	http_result_free(&res);
	is_int(sql_int("SELECT count(*) FROM count_history"), history, "disk full: no row stored");
	is_int(sql_int("SELECT count(*) FROM submission"), submissions,
	       "disk full: no submission stored");
	harness_sql(&db, "DROP TRIGGER disk_full ON count_history");
	post(tok_bup, "application/json", body, NULL, &res);
	is_int(res.status, 201, "room again: the same batch is stored");
	http_result_free(&res);
}

static void test_json_post(void)
{
	struct http_result res;
	char location[256], want[128];

	post(tok_bup, "application/json", json_first, NULL, &res);
	is_int(res.status, 201, "JSON post: 201 Created");
	check_receipt("JSON post", &res, json_first, 4, 4, 0, 0, &first);
	ok(http_result_header(&res, "Content-Type", location, sizeof location) &&
	   strncmp(location, "application/json", 16) == 0, "JSON post: the receipt is JSON");
	snprintf(want, sizeof want, "/v1/submissions/%s", first.submission);
	ok(http_result_header(&res, "Location", location, sizeof location) &&
	   strlen(location) >= strlen(want) &&
	   strcmp(location + strlen(location) - strlen(want), want) == 0,
	   "JSON post: Location names the submission (%s)", location);
	http_result_free(&res);

	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 1, "one submission stored");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), 4, "four counts stored");
	is_int(sql_int("SELECT count(*) FROM submission s JOIN agency a ON a.id = s.agency_id"
	               " WHERE s.uuid = '%s' AND a.code = 'bup' AND s.rows = 4"
	               " AND s.created = 4 AND s.updated = 0 AND s.unchanged = 0",
	               first.submission), 1,
	       "the submission row has the receipt's uuid, agency and tally");
	is_int(sql_int("SELECT count(*) FROM submission WHERE encode(body_sha256, 'hex') = '%s'",
	               first.sha256), 1, "the submission row keeps the body's SHA-256");
	is_int(sql_int("SELECT count(*) FROM count_history h JOIN submission s"
	               " ON s.id = h.submission_id WHERE s.uuid = '%s'", first.submission), 4,
	       "every count carries the submission's id");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20243), 12, "hageby 2024Q3 is 12");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20243), 7, "navestad 2024Q3 is 7");
	is_int(current_value("bup.aktuella_barn", "0182-boo", 20243), 30,
	       "'2024-Q3' is stored as period 20243");
	is_int(current_value("bup.npf_utredningar", "0182-alta", 20242), 0, "a zero is stored");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history WHERE period NOT IN (20242, 20243)"),
	       0, "no other period was stored");
}

static void test_csv_post(void)
{
	struct http_result res;
	struct receipt r;

	post(tok_bup, "text/csv", csv_first, NULL, &res);
	is_int(res.status, 201, "CSV post: 201 Created");
	check_receipt("CSV post", &res, csv_first, 3, 3, 0, 0, &r);
	ok(strcmp(r.submission, first.submission) != 0, "CSV post: a new submission uuid");
	http_result_free(&res);
	is_int(current_value("bup.nya_barn", "0182-boo", 20241), 3, "CSV: boo 2024Q1 is 3");
	is_int(current_value("bup.nya_barn", "0182-fisksatra", 20241), 1000000000,
	       "CSV: '2024-Q1' stored as 20241 with the largest count 10^9");
	is_int(current_value("bup.aktuella_barn", "0581-skarblacka", 20241), 41,
	       "CSV: a quoted field is read");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), 7, "seven counts stored");
}

static void test_revision(void)
{
	struct http_result res;
	struct receipt r;

	post(tok_bup, "application/json", json_revised, NULL, &res);
	is_int(res.status, 201, "revision: 201 Created");
	check_receipt("revision", &res, json_revised, 4, 0, 1, 3, &r);
	http_result_free(&res);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), 8,
	       "revision: only the changed row was written again");
	is_int(harness_sql_int(&db,
	       "SELECT count(*) FROM count_history h JOIN indicator i ON i.id = h.indicator_id"
	       " JOIN area a ON a.id = h.area_id WHERE i.code = 'bup.nya_barn'"
	       " AND a.code = '0581-hageby' AND h.period = 20243"), 2,
	       "revision: the history holds the old and the new row");
	char *history = harness_sql_text(&db,
		"SELECT string_agg(h.value::text, ',' ORDER BY h.submission_id)"
		" FROM count_history h JOIN indicator i ON i.id = h.indicator_id"
		" JOIN area a ON a.id = h.area_id WHERE i.code = 'bup.nya_barn'"
		" AND a.code = '0581-hageby' AND h.period = 20243");
	is_str(history, "12,15", "revision: the history keeps 12, then 15");
	free(history);
	is_int(sql_int("SELECT h.value FROM count_history h JOIN submission s"
	               " ON s.id = h.submission_id JOIN area a ON a.id = h.area_id"
	               " WHERE s.uuid = '%s' AND a.code = '0581-hageby'", first.submission), 12,
	       "revision: the old row (first submission) still says 12");
	is_int(sql_int("SELECT h.value FROM count_history h JOIN submission s"
	               " ON s.id = h.submission_id WHERE s.uuid = '%s'", r.submission), 15,
	       "revision: the new row belongs to the new submission and says 15");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20243), 15,
	       "revision: the current value is the new one");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20243), 7,
	       "revision: an unchanged value stays");
}

/* The soc agency stores a value for 2024Q3 that bup must not see. */
static void post_soc(void)
{
	static const char body[] =
		"{\"counts\":[{\"indicator\":\"soc.placerade\",\"area\":\"0581-hageby\","
		"\"period\":\"2024Q3\",\"value\":4}]}";
	struct http_result res;
	post(tok_soc, "application/json", body, NULL, &res);
	is_int(res.status, 201, "soc posts its own 2024Q3 value");
	http_result_free(&res);
}

/* Finds the value of one key in a GET /v1/counts answer; -1 when absent. */
static long long listed_value(const cJSON *list, const char *ind, const char *area)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, list)
		if (strcmp(json_string(c, "indicator"), ind) == 0 &&
		    strcmp(json_string(c, "area"), area) == 0)
			return json_int(c, "value");
	return -1;
}

static void test_get_counts(void)
{
	struct http_result res;
	char url[256];

	snprintf(url, sizeof url, "%s/v1/counts?period=2024Q3", collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 200, "GET /v1/counts?period=2024Q3: 200");
	cJSON *o = cJSON_Parse(res.body.data);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "counts");
	is_int(cJSON_GetArraySize(list), 3, "GET: exactly bup's three current 2024Q3 values");
	is_int(listed_value(list, "bup.nya_barn", "0581-hageby"), 15, "GET: hageby is the new 15");
	is_int(listed_value(list, "bup.nya_barn", "0581-navestad"), 7, "GET: navestad is 7");
	is_int(listed_value(list, "bup.aktuella_barn", "0182-boo"), 30, "GET: boo is 30");
	is_int(listed_value(list, "soc.placerade", "0581-hageby"), -1,
	       "GET: another agency's value is not listed");
	const cJSON *c;
	bool periods = true;
	cJSON_ArrayForEach(c, list)
		periods = periods && strcmp(json_string(c, "period"), "2024Q3") == 0;
	ok(periods, "GET: every row names the period 2024Q3");
	cJSON_Delete(o);
	http_result_free(&res);

	snprintf(url, sizeof url, "%s/v1/counts?period=2024Q5", collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 400, "GET /v1/counts?period=2024Q5: 400");
	o = cJSON_Parse(res.body.data);
	is_str(json_string(o, "error"), "invalid_parameter", "GET with a bad period: invalid_parameter");
	cJSON_Delete(o);
	http_result_free(&res);

	snprintf(url, sizeof url, "%s/v1/counts?period=2024Q3", collector.base_url);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 401, "GET /v1/counts without a token: 401");
	http_result_free(&res);
}

static void test_get_submission(void)
{
	struct http_result res;
	struct receipt r;
	char url[256];

	snprintf(url, sizeof url, "%s/v1/submissions/%s", collector.base_url, first.submission);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 200, "GET own submission: 200");
	receipt_parse(res.body.data, &r);
	is_str(r.submission, first.submission, "GET own submission: same uuid");
	is_str(r.received_at, first.received_at, "GET own submission: same received_at");
	is_str(r.sha256, first.sha256, "GET own submission: same sha256");
	ok(r.rows == 4 && r.created == 4 && r.updated == 0 && r.unchanged == 0,
	   "GET own submission: same tally");
	http_result_free(&res);

	http_do("GET", url, tok_soc, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 404, "GET another agency's submission: 404");
	cJSON *o = cJSON_Parse(res.body.data);
	is_str(json_string(o, "error"), "not_found", "GET another agency's submission: not_found");
	cJSON_Delete(o);
	http_result_free(&res);

	snprintf(url, sizeof url, "%s/v1/submissions/00000000-0000-4000-8000-000000000000",
	         collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 404, "GET an unknown submission: 404");
	http_result_free(&res);
}

static void test_idempotency(void)
{
	static const char body[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-marielund\","
		"\"period\":\"2023Q4\",\"value\":9}]}";
	static const char other[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-marielund\","
		"\"period\":\"2023Q4\",\"value\":10}]}";
	const char *key[] = { "Idempotency-Key: 3f1c6a52-9d0e-4b8e-a1c2-5d7e9f0a1b2c", NULL };
	struct http_result res;
	struct receipt r1, r2;

	post(tok_bup, "application/json", body, key, &res);
	is_int(res.status, 201, "keyed post: 201");
	check_receipt("keyed post", &res, body, 1, 1, 0, 0, &r1);
	http_result_free(&res);
	long long subs = harness_sql_int(&db, "SELECT count(*) FROM submission");
	long long rows = harness_sql_int(&db, "SELECT count(*) FROM count_history");

	post(tok_bup, "application/json", body, key, &res);
	is_int(res.status, 200, "replay with the same key and body: 200");
	char replayed[16] = "";
	http_result_header(&res, "Idempotent-Replayed", replayed, sizeof replayed);
	is_str(replayed, "true", "replay: Idempotent-Replayed: true");
	receipt_parse(res.body.data, &r2);
	ok(strcmp(r1.submission, r2.submission) == 0 && strcmp(r1.received_at, r2.received_at) == 0 &&
	   strcmp(r1.sha256, r2.sha256) == 0 && r2.rows == 1 && r2.created == 1 &&
	   r2.updated == 0 && r2.unchanged == 0, "replay: the original receipt, field for field");
	http_result_free(&res);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), subs, "replay: no new submission");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), rows, "replay: no new counts");

	post(tok_bup, "application/json", other, key, &res);
	is_int(res.status, 409, "same key, different body: 409");
	cJSON *o = cJSON_Parse(res.body.data);
	is_str(json_string(o, "error"), "idempotency_key_reused", "same key, different body: error code");
	ok(json_string(o, "message")[0] != '\0', "same key, different body: a message");
	cJSON_Delete(o);
	http_result_free(&res);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), subs, "409: no new submission");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), rows, "409: no new counts");
	is_int(current_value("bup.nya_barn", "0581-marielund", 20234), 9, "409: the value stays 9");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission WHERE idempotency_sha256 IS NOT NULL"),
	       1, "the key is kept (as its hash) with the one submission");
	is_int(harness_sql_int(&db,
	       "SELECT count(*) FROM submission WHERE encode(idempotency_sha256, 'hex') ="
	       " encode(sha256('3f1c6a52-9d0e-4b8e-a1c2-5d7e9f0a1b2c'), 'hex')"), 1,
	       "the key is stored as SHA-256, not as text");

	/* Keys belong to an agency: soc may use the same key for its own batch. */
	static const char soc_body[] =
		"{\"counts\":[{\"indicator\":\"soc.placerade\",\"area\":\"0581-marielund\","
		"\"period\":\"2023Q4\",\"value\":2}]}";
	post(tok_soc, "application/json", soc_body, key, &res);
	is_int(res.status, 201, "another agency with the same key: 201, its own batch");
	http_result_free(&res);
}

/* A count is a number with no fractional part, however it is written
 * (JSON Schema's integer), in JSON and in CSV alike: each is stored as
 * the exact integer. */
static void test_integral_notation(void)
{
	static const char json[] =
		"{\"counts\":["
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2022Q1\",\"value\":12.0},"
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2022Q2\",\"value\":1e3},"
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2022Q3\",\"value\":1E+2},"
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2022Q4\",\"value\":-0.0}"
		"]}";
	static const char csv[] =
		"indicator,area,period,value\r\n"
		"bup.nya_barn,0581-navestad,2022Q1,12.0\r\n"
		"bup.nya_barn,0581-navestad,2022Q2,1e3\r\n"
		"bup.nya_barn,0581-navestad,2022Q3,1.5e1\r\n";
	struct http_result res;

	post(tok_bup, "application/json", json, NULL, &res);
	is_int(res.status, 201, "JSON 12.0, 1e3, 1E+2, -0.0: 201 (%s)", res.body.data);
	http_result_free(&res);
	is_int(current_value("bup.nya_barn", "0581-hageby", 20221), 12, "JSON 12.0 is stored as 12");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20222), 1000, "JSON 1e3 is stored as 1000");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20223), 100, "JSON 1E+2 is stored as 100");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20224), 0, "JSON -0.0 is stored as 0");

	post(tok_bup, "text/csv", csv, NULL, &res);
	is_int(res.status, 201, "CSV 12.0, 1e3, 1.5e1: 201 (%s)", res.body.data);
	http_result_free(&res);
	is_int(current_value("bup.nya_barn", "0581-navestad", 20221), 12, "CSV 12.0 is stored as 12");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20222), 1000,
	       "CSV 1e3 is stored as 1000");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20223), 15,
	       "CSV 1.5e1 is stored as 15");
}

/* A POST made in a thread of its own, for one that waits on a lock. */
struct pending_post {
	pthread_t thread;         /* the thread */
	bool started;             /* the thread was created */
	const char *body;         /* what it posts (borrowed) */
	const char *const *headers; /* extra request headers, or NULL (borrowed) */
	struct http_result res;   /* the answer */
};

static void *post_thread(void *arg)
{
	struct pending_post *p = arg;
	post(tok_bup, "application/json", p->body, p->headers, &p->res);
	return NULL;
}

/* Sessions of this database waiting for an advisory lock. */
static long long lock_waiters(void)
{
	return sql_int("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
	               " AND database = (SELECT oid FROM pg_database"
	               "                  WHERE datname = current_database())");
}

/* Waits (at most 2 s) until some session waits for the ingest lock. */
static void await_lock_waiter(void)
{
	for (int i = 0; i < 200 && lock_waiters() == 0; i++)
		harness_sleep_ms(10);
}

/* An import that commits after a batch was checked but before the batch
 * got the ingest lock: the batch is checked again against the new
 * catalogue. The test holds the lock itself, lets the POST block on it
 * (checked against the old catalogue), and meanwhile ends 0182-boo with
 * 2024Q2 as an import would: a new catalogue version with its history.
 * When the lock is let go the batch, a 2024Q3 count of boo, is refused. */
static void test_import_between(void)
{
	static const char body[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
	                           "\"area\":\"0182-boo\",\"period\":\"2024Q3\",\"value\":9}]}";
	struct pending_post p = { .body = body };
	long long stored = sql_int("SELECT count(*) FROM count_history");

	harness_sql(&db, "BEGIN");
	harness_sql(&db, "SELECT pg_advisory_xact_lock(" CATALOGUE_TIMELINE_LOCK ")");
	if (pthread_create(&p.thread, NULL, post_thread, &p) != 0) {
		harness_sql(&db, "ROLLBACK");
		ok(false, "import between: the POST thread starts");
		return;
	}
	/* The POST checks its rows and waits on the lock. */
	await_lock_waiter();
	harness_sql(&db, "UPDATE area SET last_period = 20242 WHERE code = '0182-boo'");
	harness_sql(&db, "UPDATE catalogue_version SET version = version + 1");
	harness_sql(&db, "INSERT INTO catalogue_import SELECT v.version, clock_timestamp(),"
	                 " (SELECT coalesce(max(id), 0) FROM submission), 5 FROM catalogue_version v");
	harness_sql(&db, "INSERT INTO area_history SELECT v.version, a.id, a.parent_id,"
	                 " a.first_period, a.last_period FROM area a, catalogue_version v");
	harness_sql(&db, "INSERT INTO indicator_history SELECT v.version, i.id, i.kind,"
	                 " coalesce(i.suppress_below, 5) FROM indicator i, catalogue_version v");
	harness_sql(&db, "COMMIT");
	pthread_join(p.thread, NULL);
	is_int(p.res.status, 422, "import between: the batch is checked again and refused");
	ok(p.res.body.data && strstr(p.res.body.data, "\"code\":\"period_after_area\"") &&
	   strstr(p.res.body.data, "area '0182-boo' is counted until 2024Q2"),
	   "import between: for the period the new catalogue ends boo at (%s)", p.res.body.data);
	is_int(sql_int("SELECT count(*) FROM count_history"), stored,
	       "import between: nothing was stored");
	http_result_free(&p.res);
}

/* A count of test_chain_order's, posted again (unchanged) by warm_cache. */
static const char chain_first[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
                                  "\"area\":\"0581-hageby\",\"period\":\"2022Q1\","
                                  "\"value\":3}]}";

/* Starts a POST of `body` in a thread while the test holds the ingest lock
 * in an open transaction, and waits until the POST waits for the lock. */
static void post_blocked(struct pending_post *p)
{
	harness_sql(&db, "BEGIN");
	harness_sql(&db, "SELECT pg_advisory_xact_lock(" CATALOGUE_TIMELINE_LOCK ")");
	p->started = pthread_create(&p->thread, NULL, post_thread, p) == 0;
	await_lock_waiter();
}

/* Two batches of one collector written ahead of the lock at once. With
 * the ingest lock held by the test, one database session waits for it:
 * the other batch waits in the collector for the one before it in the
 * chain, which must commit first. A dry run, which takes no lock,
 * answers meanwhile. (Were both to wait on the lock, the second would
 * within milliseconds; the test gives it 300.) */
static void test_chain_order(void)
{
	const char *a = chain_first;
	static const char b[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
	                        "\"area\":\"0581-navestad\",\"period\":\"2022Q1\",\"value\":4}]}";
	struct pending_post p[2] = { { .body = a }, { .body = b } };
	int ahead = harness_log_count(&collector, "ahead of the lock");
	struct http_result dry;
	char url[300];

	post_blocked(&p[0]);
	p[1].started = pthread_create(&p[1].thread, NULL, post_thread, &p[1]) == 0;
	harness_sleep_ms(300);
	is_int(lock_waiters(), 1, "chain: of two POSTs in flight, one session waits for the lock");
	snprintf(url, sizeof url, "%s?dry_run=true", counts_url);
	http_do("POST", url, tok_bup, "application/json", a, strlen(a), NULL, &dry);
	is_int(dry.status, 200, "chain: a dry run answers meanwhile");
	http_result_free(&dry);
	harness_sql(&db, "COMMIT");
	for (int i = 0; i < 2; i++)
		if (p[i].started)
			pthread_join(p[i].thread, NULL);
	ok(p[0].started && p[1].started, "chain: both POST threads ran");
	is_int(p[0].res.status, 201, "chain: the first POST is stored once the lock is free");
	is_int(p[1].res.status, 201, "chain: and the second");
	is_int(harness_log_count(&collector, "ahead of the lock") - ahead, 2,
	       "chain: both were classified from the cache ahead of the lock");
	is_int(current_value("bup.nya_barn", "0581-hageby", 20221), 3, "chain: hageby's count");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20221), 4, "chain: navestad's count");
	for (int i = 0; i < 2; i++)
		http_result_free(&p[i].res);
}

/* The same batch with the same Idempotency-Key sent twice at once (a
 * client that retried too soon): one is stored (201), the other waits for
 * it and answers its receipt (200), even though both began ahead of the
 * lock. */
static void test_same_key_at_once(void)
{
	static const char body[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
	                           "\"area\":\"0581-navestad\",\"period\":\"2020Q2\",\"value\":8}]}";
	static const char *const key[] = { "Idempotency-Key: same-key-at-once", NULL };
	struct pending_post p[2] = { { .body = body, .headers = key },
	                             { .body = body, .headers = key } };
	long long submissions = sql_int("SELECT count(*) FROM submission");
	struct receipt r[2];

	post_blocked(&p[0]);
	p[1].started = pthread_create(&p[1].thread, NULL, post_thread, &p[1]) == 0;
	harness_sleep_ms(300);
	harness_sql(&db, "COMMIT");
	for (int i = 0; i < 2; i++)
		if (p[i].started)
			pthread_join(p[i].thread, NULL);
	int created = p[0].res.status == 201 ? 0 : 1;
	is_int(p[created].res.status, 201, "same key at once: one is stored");
	is_int(p[1 - created].res.status, 200, "same key at once: the other answers its receipt");
	check_receipt("same key at once, stored", &p[created].res, body, 1, 1, 0, 0, &r[0]);
	check_receipt("same key at once, replayed", &p[1 - created].res, body, 1, 1, 0, 0, &r[1]);
	is_str(r[1].submission, r[0].submission, "same key at once: the same submission");
	is_int(sql_int("SELECT count(*) FROM submission"), submissions + 1,
	       "same key at once: one submission stored");
	for (int i = 0; i < 2; i++)
		http_result_free(&p[i].res);
}

/* Makes sure the cache can be used, as a batch that went the locked way
 * drops it and a load follows only batches of this collector's own: posts
 * chain_first again until one is classified ahead of the lock. */
static void warm_cache(void)
{
	int ahead = harness_log_count(&collector, "ahead of the lock");
	struct http_result res;
	int status = 0;

	for (int i = 0; i < 4 && harness_log_count(&collector, "ahead of the lock") == ahead; i++) {
		post(tok_bup, "application/json", chain_first, NULL, &res);
		status = res.status;
		http_result_free(&res);
	}
	ok(harness_log_count(&collector, "ahead of the lock") > ahead,
	   "a batch is written ahead of the lock again (last status %d)", status);
}

/* Another writer commits between a batch's start ahead of the lock and
 * its check: the check finds a submission it was not classified after,
 * and the batch is stored the locked way, classified through the
 * database. The other writer stored the batch's very value, so the
 * receipt says unchanged, where the cache had said created. */
static void test_ahead_overtaken(void)
{
	static const char body[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
	                           "\"area\":\"0581-hageby\",\"period\":\"2022Q3\",\"value\":11}]}";
	struct pending_post p = { .body = body };
	struct receipt r;

	warm_cache();
	long long stored = sql_int("SELECT count(*) FROM count_history");
	int ahead = harness_log_count(&collector, "ahead of the lock");
	int by_db = harness_log_count(&collector, "classified by the database");
	post_blocked(&p);
	harness_sql(&db, "INSERT INTO submission (uuid, agency_id, token_id, received_at,"
	                 " body_sha256, rows, created, updated, unchanged)"
	                 " SELECT gen_random_uuid(), t.agency_id, t.id, clock_timestamp(),"
	                 " sha256('other writer'), 1, 1, 0, 0 FROM token t WHERE t.agency_id IS NOT NULL"
	                 " ORDER BY t.id LIMIT 1");
	harness_sql(&db, "INSERT INTO count_history (indicator_id, area_id, period, submission_id,"
	                 " value) SELECT i.id, a.id, 20223, (SELECT max(id) FROM submission), 11"
	                 " FROM indicator i, area a WHERE i.code = 'bup.nya_barn'"
	                 " AND a.code = '0581-hageby'");
	harness_sql(&db, "COMMIT");
	if (p.started)
		pthread_join(p.thread, NULL);
	is_int(p.res.status, 201, "overtaken: the batch is stored all the same");
	check_receipt("overtaken", &p.res, body, 1, 0, 0, 1, &r);
	is_int(sql_int("SELECT count(*) FROM count_history"), stored + 1,
	       "overtaken: only the other writer's row was written");
	is_int(harness_log_count(&collector, "ahead of the lock") - ahead, 1,
	       "overtaken: the batch was first classified ahead of the lock");
	is_int(harness_log_count(&collector, "classified by the database") - by_db, 1,
	       "overtaken: and then through the database");
	http_result_free(&p.res);
}

/* A year locked while a batch is written ahead of the lock: the check
 * under the lock finds it, and nothing is stored. */
static void test_ahead_locked(void)
{
	static const char body[] = "{\"counts\":[{\"indicator\":\"bup.nya_barn\","
	                           "\"area\":\"0581-navestad\",\"period\":\"2022Q4\",\"value\":2}]}";
	struct pending_post p = { .body = body };

	warm_cache();
	long long stored = sql_int("SELECT count(*) FROM count_history");
	long long submissions = sql_int("SELECT count(*) FROM submission");
	int ahead = harness_log_count(&collector, "ahead of the lock");
	post_blocked(&p);
	harness_sql(&db, "INSERT INTO period_lock (area_id, year, locked, by_whom)"
	                 " SELECT id, 2022, true, 'test' FROM area WHERE code = '0581'");
	harness_sql(&db, "COMMIT");
	if (p.started)
		pthread_join(p.thread, NULL);
	is_int(p.res.status, 409, "locked ahead: 409");
	ok(p.res.body.data && strstr(p.res.body.data, "\"error\":\"period_locked\"") &&
	   strstr(p.res.body.data, "2022Q4"), "locked ahead: period_locked, naming 2022Q4 (%s)",
	   p.res.body.data ? p.res.body.data : "");
	is_int(sql_int("SELECT count(*) FROM count_history"), stored, "locked ahead: no count stored");
	is_int(sql_int("SELECT count(*) FROM submission"), submissions,
	       "locked ahead: no submission stored");
	is_int(harness_log_count(&collector, "ahead of the lock") - ahead, 1,
	       "locked ahead: the batch was classified ahead of the lock");
	harness_sql(&db, "INSERT INTO period_lock (area_id, year, locked, by_whom)"
	                 " SELECT id, 2022, false, 'test' FROM area WHERE code = '0581'");
	http_result_free(&p.res);
}

/* Quarters written the Swedish way (K for kvartal) are stored and read
 * back as the canonical 2021Q3; a lower-case k is refused as a lower-case
 * q is. */
static void test_swedish_quarters(void)
{
	static const char json[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
		"\"period\":\"2021K3\",\"value\":6}]}";
	static const char csv[] =
		"indicator,area,period,value\r\n"
		"bup.nya_barn,0581-navestad,2021K3,8\r\n"
		"bup.nya_barn,0581-navestad,2021-K2,5\r\n";
	static const char lower[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
		"\"period\":\"2021k4\",\"value\":6}]}";
	struct http_result res;
	struct receipt r;
	char url[256];

	post(tok_bup, "application/json", json, NULL, &res);
	is_int(res.status, 201, "JSON period 2021K3: 201");
	check_receipt("JSON period 2021K3", &res, json, 1, 1, 0, 0, &r);
	http_result_free(&res);
	is_int(current_value("bup.nya_barn", "0581-hageby", 20213), 6,
	       "JSON '2021K3' is stored as period 20213");
	post(tok_bup, "text/csv", csv, NULL, &res);
	is_int(res.status, 201, "CSV periods 2021K3 and 2021-K2: 201");
	check_receipt("CSV periods 2021K3 and 2021-K2", &res, csv, 2, 2, 0, 0, &r);
	http_result_free(&res);
	is_int(current_value("bup.nya_barn", "0581-navestad", 20213), 8,
	       "CSV '2021K3' is stored as period 20213");
	is_int(current_value("bup.nya_barn", "0581-navestad", 20212), 5,
	       "CSV '2021-K2' is stored as period 20212");

	snprintf(url, sizeof url, "%s/v1/counts?period=2021-K3", collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 200, "GET /v1/counts?period=2021-K3: 200");
	cJSON *o = cJSON_Parse(res.body.data);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "counts");
	is_str(json_string(o, "period"), "2021Q3", "GET period=2021-K3: answers period 2021Q3");
	is_int(cJSON_GetArraySize(list), 2, "GET period=2021-K3: the two 2021Q3 values");
	is_int(listed_value(list, "bup.nya_barn", "0581-hageby"), 6, "GET 2021-K3: hageby 6");
	is_int(listed_value(list, "bup.nya_barn", "0581-navestad"), 8, "GET 2021-K3: navestad 8");
	is_str(json_string(cJSON_GetArrayItem(list, 0), "period"), "2021Q3",
	       "GET 2021-K3: rows name the period 2021Q3");
	cJSON_Delete(o);
	http_result_free(&res);

	long long history = sql_int("SELECT count(*) FROM count_history");
	post(tok_bup, "application/json", lower, NULL, &res);
	is_int(res.status, 422, "period 2021k4 (lower case): 422");
	ok(strstr(res.body.data, "\"code\":\"invalid_period\"") &&
	   strstr(res.body.data, "YYYYKn"), "period 2021k4: invalid_period naming YYYYKn (%s)",
	   res.body.data);
	http_result_free(&res);
	is_int(sql_int("SELECT count(*) FROM count_history"), history,
	       "period 2021k4: nothing stored");
}

int main(void)
{
	harness_db_create(&db, "counts_post");
	tok_bup = harness_token(&db, "submitter", "bup");
	tok_soc = harness_token(&db, "submitter", "soc");
	/* At debug level the log says which way each batch was stored. */
	const char *extra[] = { "--log-level", "debug", NULL };
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, extra) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	snprintf(counts_url, sizeof counts_url, "%s/v1/counts", collector.base_url);

	test_json_post();
	test_csv_post();
	test_revision();
	post_soc();
	test_get_counts();
	test_get_submission();
	test_idempotency();
	test_integral_notation();
	test_import_between();
	test_disk_full();
	test_swedish_quarters();
	test_chain_order();
	test_same_key_at_once();
	test_ahead_overtaken();
	test_ahead_locked();

	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_bup);
	free(tok_soc);
	harness_db_drop(&db);
	return tap_done();
}
