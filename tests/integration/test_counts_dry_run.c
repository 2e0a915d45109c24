/* POST /v1/counts?dry_run=true against the real collector and PostgreSQL:
 * the answer a real post would give (receipt counts, 422 conflicts, key
 * replays), marked "dry_run": true, and nothing stored: no submission, no
 * counts, the Idempotency-Key still free, the current-value cache still
 * right for the real posts that follow. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "harness.h"
#include "tap.h"
#include "json_get.h"

static struct harness_db db;
static struct harness_proc collector;
static char *tok_bup;

/* POSTs body as JSON to /v1/counts with the query `query` ("" for none). */
static void post(const char *query, const char *body, const char *const *headers,
                 struct http_result *res)
{
	char url[256];

	snprintf(url, sizeof url, "%s/v1/counts%s", collector.base_url, query);
	http_do("POST", url, tok_bup, "application/json", body, strlen(body), headers, res);
}

static long long submissions(void)
{
	return harness_sql_int(&db, "SELECT count(*) FROM submission");
}

static long long history(void)
{
	return harness_sql_int(&db, "SELECT count(*) FROM count_history");
}

/* Checks a dry run's 200 receipt: the counts, the body's hash, a time, no
 * submission, "dry_run": true, no Location, nothing more. */
static void check_dry_receipt(const char *what, const struct http_result *res,
                              const char *body, long long created, long long updated,
                              long long unchanged)
{
	char sha[2 * AUTH_HASH_BYTES + 1], location[128];
	cJSON *o = cJSON_Parse(res->body.data);

	crypto_sha256_hex(body, strlen(body), sha);
	is_int(res->status, 200, "%s: 200", what);
	ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "submission")),
	   "%s: submission is null (%s)", what, res->body.data);
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "dry_run")), "%s: dry_run true", what);
	ok(harness_is_rfc3339(json_string(o, "received_at")), "%s: received_at is RFC 3339 (%s)",
	   what, json_string(o, "received_at"));
	is_str(json_string(o, "sha256"), sha, "%s: sha256 of the body", what);
	is_int(json_int(o, "rows"), created + updated + unchanged, "%s: rows", what);
	is_int(json_int(o, "created"), created, "%s: created", what);
	is_int(json_int(o, "updated"), updated, "%s: updated", what);
	is_int(json_int(o, "unchanged"), unchanged, "%s: unchanged", what);
	is_int(cJSON_GetArraySize(o), 8, "%s: the receipt's seven members and dry_run", what);
	ok(!http_result_header(res, "Location", location, sizeof location),
	   "%s: no Location", what);
	cJSON_Delete(o);
}

static const char batch[] =
	"{\"counts\":["
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\",\"value\":12},"
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":7},"
	"{\"indicator\":\"bup.aktuella_barn\",\"area\":\"0182-boo\",\"period\":\"2024Q3\",\"value\":30}"
	"]}";

/* hageby changed, navestad the same, boo the same, alta new. */
static const char revised[] =
	"{\"counts\":["
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\",\"value\":15},"
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":7},"
	"{\"indicator\":\"bup.aktuella_barn\",\"area\":\"0182-boo\",\"period\":\"2024Q3\",\"value\":30},"
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"0182-alta\",\"period\":\"2024Q3\",\"value\":4}"
	"]}";

/* A dry run of new rows says created 3 and stores nothing. */
static void test_new_rows(void)
{
	struct http_result res;
	char url[256];

	post("?dry_run=true", batch, NULL, &res);
	check_dry_receipt("dry run of new rows", &res, batch, 3, 0, 0);
	http_result_free(&res);
	is_int(submissions(), 0, "dry run of new rows: no submission row");
	is_int(history(), 0, "dry run of new rows: no counts");

	snprintf(url, sizeof url, "%s/v1/counts?period=2024Q3", collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 200, "GET /v1/counts after the dry run: 200");
	is_str(res.body.data, "{\"period\":\"2024Q3\",\"counts\":[]}",
	       "GET /v1/counts after the dry run: nothing stored");
	http_result_free(&res);
}

/* After a real post, a dry run classifies against what is stored, and a
 * second dry run says the same (neither changed the cache). */
static void test_after_post(void)
{
	struct http_result res;

	post("?dry_run=false", batch, NULL, &res);
	is_int(res.status, 201, "dry_run=false: a real post, 201");
	http_result_free(&res);
	is_int(history(), 3, "the real post stored three counts");

	post("?dry_run=true", batch, NULL, &res);
	check_dry_receipt("dry run of the same rows", &res, batch, 0, 0, 3);
	http_result_free(&res);
	for (int i = 0; i < 2; i++) {
		post("?dry_run=true", revised, NULL, &res);
		check_dry_receipt(i ? "dry run of the revision again" : "dry run of the revision",
		                  &res, revised, 1, 1, 2);
		http_result_free(&res);
	}
	is_int(submissions(), 1, "dry runs after the post: still one submission");
	is_int(history(), 3, "dry runs after the post: still three counts");

	post("", revised, NULL, &res);
	is_int(res.status, 201, "the revision posted for real: 201");
	cJSON *o = cJSON_Parse(res.body.data);
	ok(json_int(o, "created") == 1 && json_int(o, "updated") == 1 &&
	   json_int(o, "unchanged") == 2, "the real revision's receipt says what the dry run did");
	ok(!cJSON_GetObjectItemCaseSensitive(o, "dry_run"), "a real receipt has no dry_run");
	cJSON_Delete(o);
	http_result_free(&res);
	is_int(history(), 5, "the real revision stored two counts");
}

/* Invalid rows: the same 422 a real post gives, with every conflict. */
static void test_conflicts(void)
{
	static const char bad[] =
		"{\"counts\":["
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\",\"value\":-1},"
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":7},"
		"{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2999Q1\",\"value\":1}"
		"]}";
	struct http_result real, dry;
	long long subs = submissions(), rows = history();

	post("", bad, NULL, &real);
	post("?dry_run=true", bad, NULL, &dry);
	is_int(dry.status, 422, "dry run with conflicts: 422");
	cJSON *o = cJSON_Parse(dry.body.data), *r = cJSON_Parse(real.body.data);
	is_str(json_string(o, "error"), "validation_failed", "dry run 422: validation_failed");
	is_str(json_string(o, "message"), "2 of 3 rows are invalid; nothing was stored",
	       "dry run 422: the message");
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "dry_run")), "dry run 422: dry_run true");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "conflicts");
	is_int(cJSON_GetArraySize(list), 2, "dry run 422: both conflicts");
	is_str(json_string(cJSON_GetArrayItem(list, 0), "code"), "negative_count",
	       "dry run 422: row 0 negative_count");
	is_int(json_int(cJSON_GetArrayItem(list, 1), "index"), 2, "dry run 422: then row 2");
	is_str(json_string(cJSON_GetArrayItem(list, 1), "code"), "future_period",
	       "dry run 422: row 2 future_period");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "dry_run");
	ok(cJSON_Compare(o, r, true), "dry run 422: the real post's 422 but for dry_run");
	cJSON_Delete(o);
	cJSON_Delete(r);
	http_result_free(&real);
	http_result_free(&dry);
	is_int(submissions(), subs, "conflicts: no submission");
	is_int(history(), rows, "conflicts: no counts");
}

/* An Idempotency-Key sent with a dry run is not consumed: the real post
 * with it afterwards stores; dry runs with it then answer as posts would. */
static void test_key(void)
{
	static const char body[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-marielund\","
		"\"period\":\"2023Q4\",\"value\":9}]}";
	static const char other[] =
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-marielund\","
		"\"period\":\"2023Q4\",\"value\":10}]}";
	const char *key[] = { "Idempotency-Key: 9b1f0c2e-dry-run-key", NULL };
	struct http_result res;
	char replayed[16] = "", location[256] = "";

	post("?dry_run=true", body, key, &res);
	check_dry_receipt("keyed dry run", &res, body, 1, 0, 0);
	http_result_free(&res);
	post("", body, key, &res);
	is_int(res.status, 201, "the real post with the dry run's key: 201, stored");
	cJSON *o = cJSON_Parse(res.body.data);
	char submission[64];
	snprintf(submission, sizeof submission, "%s", json_string(o, "submission"));
	is_int(json_int(o, "created"), 1, "the real post with the key: created 1");
	cJSON_Delete(o);
	http_result_free(&res);

	post("?dry_run=true", body, key, &res);
	is_int(res.status, 200, "dry run of the stored key and body: 200");
	http_result_header(&res, "Idempotent-Replayed", replayed, sizeof replayed);
	is_str(replayed, "true", "dry run replay: Idempotent-Replayed: true");
	ok(http_result_header(&res, "Location", location, sizeof location) &&
	   strstr(location, submission), "dry run replay: Location of the submission (%s)",
	   location);
	o = cJSON_Parse(res.body.data);
	is_str(json_string(o, "submission"), submission, "dry run replay: the original receipt");
	ok(json_int(o, "created") == 1 && json_int(o, "updated") == 0,
	   "dry run replay: the original counts");
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "dry_run")),
	   "dry run replay: dry_run true");
	cJSON_Delete(o);
	http_result_free(&res);

	long long subs = submissions();
	post("?dry_run=true", other, key, &res);
	is_int(res.status, 409, "dry run of the key with another body: 409");
	o = cJSON_Parse(res.body.data);
	is_str(json_string(o, "error"), "idempotency_key_reused", "dry run 409: error code");
	cJSON_Delete(o);
	http_result_free(&res);
	is_int(submissions(), subs, "dry runs with a used key: nothing stored");
}

/* The query: dry_run is true or false, given once; no other name. */
static void test_bad_query(void)
{
	static const struct { const char *query, *message; } bad[] = {
		{ "?dry_run=maybe", "dry_run 'maybe': write dry_run=true to check the batch "
		  "without storing it, or dry_run=false" },
		{ "?dry_run=", "dry_run '': write dry_run=true" },
		{ "?dry_run=TRUE", "dry_run 'TRUE': write dry_run=true" },
		{ "?dry_run=1", "dry_run '1': write dry_run=true" },
		{ "?dry_run=true&dry_run=true", "give dry_run once" },
		{ "?dryrun=true", "unknown query parameter 'dryrun'; the only one is dry_run" },
		{ "?dry_run=true&x=1", "unknown query parameter 'x'; the only one is dry_run" },
	};
	long long subs = submissions(), rows = history();

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_result res;
		post(bad[i].query, revised, NULL, &res);
		is_int(res.status, 400, "%s: 400", bad[i].query);
		cJSON *o = cJSON_Parse(res.body.data);
		is_str(json_string(o, "error"), "invalid_parameter", "%s: invalid_parameter",
		       bad[i].query);
		ok(strstr(json_string(o, "message"), bad[i].message) != NULL, "%s: message (%s)",
		   bad[i].query, json_string(o, "message"));
		cJSON_Delete(o);
		http_result_free(&res);
	}
	is_int(submissions(), subs, "bad queries: no submission");
	is_int(history(), rows, "bad queries: no counts");
}

int main(void)
{
	harness_db_create(&db, "counts_dry_run");
	tok_bup = harness_token(&db, "submitter", "bup");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_new_rows();
	test_after_post();
	test_conflicts();
	test_key();
	test_bad_query();

	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_bup);
	harness_db_drop(&db);
	return tap_done();
}
