/* GET /v1/submissions against the real collector and PostgreSQL: an
 * agency's own submissions, newest first, with their receipts and the
 * token that sent each; paging by "next" until it is null; another
 * agency's submissions never listed; every bad parameter a 400 with its
 * message, no token 401, another role 403.
 *
 * The collector runs with --log-format json: after it stops, every line
 * of its log is a JSON object, and each request of the test has its line
 * with the status as a number.
 *
 * bup posts five batches (the first and third with its labelled token,
 * the others with a second token that has no label), bvc one. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_get.h"
#include "tap.h"

static struct harness_db db;
static struct harness_proc collector;
static char *tok_bup, *tok_bup2, *tok_bvc, *tok_analyst;
/* The uuids bup's five posts got, oldest first, and bvc's one. */
static char bup_uuid[5][40], bvc_uuid[40];

/* Posts one count with `value`; copies the receipt's uuid to uuid. */
static void post(const char *token, const char *indicator, int value, char *uuid)
{
	char url[256], body[256];
	struct http_result res;

	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	snprintf(body, sizeof body, "{\"counts\":[{\"indicator\":\"%s\",\"area\":\"0581-hageby\","
	         "\"period\":\"2024Q3\",\"value\":%d}]}", indicator, value);
	http_do("POST", url, token, "application/json", body, strlen(body), NULL, &res);
	is_int(res.status, 201, "post %s %d: 201", indicator, value);
	cJSON *o = cJSON_Parse(res.body.data);
	snprintf(uuid, 40, "%s", o ? json_string(o, "submission") : "");
	cJSON_Delete(o);
	http_result_free(&res);
}

/* GETs path (from /v1/...) with token; the parsed body or NULL. */
static cJSON *get(const char *path, const char *token, long *status)
{
	char url[512];
	struct http_result res;

	snprintf(url, sizeof url, "%s%s", collector.base_url, path);
	http_do("GET", url, token, NULL, NULL, 0, NULL, &res);
	*status = res.status;
	cJSON *o = cJSON_Parse(res.body.data);
	http_result_free(&res);
	return o;
}

static void setup(void)
{
	tok_bup = harness_token(&db, "submitter", "bup");
	harness_sql(&db, "UPDATE token SET label = 'BUP Östergötland, journal system'"
	                 " WHERE id = (SELECT max(id) FROM token)");
	tok_bup2 = harness_token(&db, "submitter", "bup");
	tok_bvc = harness_token(&db, "submitter", "bvc");
	tok_analyst = harness_token(&db, "analyst", NULL);
	post(tok_bup, "bup.nya_barn", 10, bup_uuid[0]);
	post(tok_bup2, "bup.nya_barn", 11, bup_uuid[1]);
	post(tok_bup, "bup.nya_barn", 11, bup_uuid[2]);
	post(tok_bvc, "bvc.samverkan_soc", 3, bvc_uuid);
	post(tok_bup2, "bup.aktuella_barn", 20, bup_uuid[3]);
	post(tok_bup2, "bup.aktuella_barn", 21, bup_uuid[4]);
}

/* Checks item i of list against bup's post `k` (0 oldest). */
static void check_item(const cJSON *list, int i, int k, long long created,
                       long long updated, long long unchanged, const char *label)
{
	const cJSON *it = cJSON_GetArrayItem(list, i);

	is_str(json_string(it, "submission"), bup_uuid[k], "item %d is post %d", i, k);
	ok(harness_is_rfc3339(json_string(it, "received_at")), "item %d: received_at", i);
	is_int(json_int(it, "rows"), 1, "item %d: rows", i);
	is_int(json_int(it, "created"), created, "item %d: created", i);
	is_int(json_int(it, "updated"), updated, "item %d: updated", i);
	is_int(json_int(it, "unchanged"), unchanged, "item %d: unchanged", i);
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(it, "token_label");
	if (label)
		is_str(cJSON_GetStringValue(l), label, "item %d: token_label", i);
	else
		ok(cJSON_IsNull(l), "item %d: token_label null", i);
	ok(json_int(it, "token_id") > 0, "item %d: token_id", i);
}

static void test_whole_list(void)
{
	long status;
	cJSON *o = get("/v1/submissions", tok_bup, &status);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "submissions");

	is_int(status, 200, "list: 200");
	is_int(cJSON_GetArraySize(list), 5, "list: bup's five, not bvc's");
	check_item(list, 0, 4, 0, 1, 0, NULL);
	check_item(list, 1, 3, 1, 0, 0, NULL);
	check_item(list, 2, 2, 0, 0, 1, "BUP Östergötland, journal system");
	check_item(list, 3, 1, 0, 1, 0, NULL);
	check_item(list, 4, 0, 1, 0, 0, "BUP Östergötland, journal system");
	ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "next")), "list: next null");
	cJSON_Delete(o);

	o = get("/v1/submissions", tok_bvc, &status);
	list = cJSON_GetObjectItemCaseSensitive(o, "submissions");
	is_int(cJSON_GetArraySize(list), 1, "bvc: its one");
	is_str(json_string(cJSON_GetArrayItem(list, 0), "submission"), bvc_uuid, "bvc: its uuid");
	cJSON_Delete(o);
}

static void test_paging(void)
{
	static const int want[3][2] = { { 4, 3 }, { 2, 1 }, { 0, -1 } };
	char path[256] = "/v1/submissions?limit=2", expect[256];
	long status;

	for (int page = 0; page < 3; page++) {
		cJSON *o = get(path, tok_bup, &status);
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "submissions");
		const cJSON *next = cJSON_GetObjectItemCaseSensitive(o, "next");
		int n = want[page][1] < 0 ? 1 : 2;

		is_int(status, 200, "page %d: 200", page);
		is_int(cJSON_GetArraySize(list), n, "page %d: %d items", page, n);
		for (int i = 0; i < n; i++)
			is_str(json_string(cJSON_GetArrayItem(list, i), "submission"),
			       bup_uuid[want[page][i]], "page %d item %d", page, i);
		if (page < 2) {
			snprintf(expect, sizeof expect, "/v1/submissions?limit=2&before=%s",
			         bup_uuid[want[page][1]]);
			is_str(cJSON_GetStringValue(next), expect, "page %d: next", page);
			snprintf(path, sizeof path, "%s", expect);
		} else {
			ok(cJSON_IsNull(next), "last page: next null");
		}
		cJSON_Delete(o);
	}
}

/* A GET that must be refused with status and message. */
static void refused(const char *path, const char *token, long want, const char *error,
                    const char *message)
{
	long status;
	cJSON *o = get(path, token, &status);

	is_int(status, want, "%s: %ld", path, want);
	is_str(json_string(o, "error"), error, "%s: error", path);
	if (message)
		is_str(json_string(o, "message"), message, "%s: message", path);
	cJSON_Delete(o);
}

static void test_refusals(void)
{
	static const char limit_msg[] = "limit must be a whole number from 1 to 500";
	char path[256];

	refused("/v1/submissions?limit=0", tok_bup, 400, "invalid_parameter", limit_msg);
	refused("/v1/submissions?limit=501", tok_bup, 400, "invalid_parameter", limit_msg);
	refused("/v1/submissions?limit=1.5", tok_bup, 400, "invalid_parameter", limit_msg);
	refused("/v1/submissions?limit=-1", tok_bup, 400, "invalid_parameter", limit_msg);
	refused("/v1/submissions?limit=", tok_bup, 400, "invalid_parameter", limit_msg);
	refused("/v1/submissions?limit=2&limit=3", tok_bup, 400, "invalid_parameter",
	        "give limit and before once each");
	refused("/v1/submissions?page=2", tok_bup, 400, "invalid_parameter",
	        "unknown query parameter 'page'; the parameters are limit and before");
	refused("/v1/submissions?before=xyz", tok_bup, 400, "invalid_parameter",
	        "before must be the id of one of your submissions, as \"next\" gives it");
	snprintf(path, sizeof path, "/v1/submissions?before=%s", bvc_uuid);
	refused(path, tok_bup, 400, "invalid_parameter",
	        "before: your agency has no submission with this id");
	refused("/v1/submissions", NULL, 401, "unauthorized", NULL);
	refused("/v1/submissions", "not-a-token", 401, "unauthorized", NULL);
	refused("/v1/submissions", tok_analyst, 403, "forbidden", NULL);
}

static void test_empty(void)
{
	char *tok = harness_token(&db, "submitter", "familjeradgivning");
	long status;
	cJSON *o = get("/v1/submissions", tok, &status);

	is_int(status, 200, "no submissions: 200");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "submissions")), 0,
	       "no submissions: empty list");
	ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "next")), "no submissions: next null");
	cJSON_Delete(o);
	free(tok);
}

/* Every line of the collector's log parses as a JSON object; counts the
 * access lines of GET /v1/submissions with status 400. */
static void test_json_log(void)
{
	FILE *f = fopen(collector.log_path, "r");
	char line[8192];
	int lines = 0, objects = 0, refusals = 0;

	while (f && fgets(line, sizeof line, f)) {
		cJSON *o = cJSON_Parse(line);
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
		const char *msg = json_string(o, "message");

		lines++;
		objects += cJSON_IsObject(o) && json_string(o, "time") && msg &&
		           strcmp(json_string(o, "program"), "samlad-collector") == 0;
		refusals += msg && strncmp(msg, "http GET /v1/submissions", 24) == 0 &&
		            cJSON_IsNumber(status) && status->valueint == 400;
		cJSON_Delete(o);
	}
	if (f)
		fclose(f);
	ok(lines > 10, "json log: %d lines", lines);
	is_int(objects, lines, "json log: every line a JSON object of the collector");
	is_int(refusals, 9, "json log: the nine 400s, status a number");
}

int main(void)
{
	static const char *const json_log[] = { "--log-format", "json", NULL };

	harness_db_create(&db, "submissions_list");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, json_log) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	setup();
	test_whole_list();
	test_paging();
	test_refusals();
	test_empty();

	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	test_json_log();
	free(tok_bup);
	free(tok_bup2);
	free(tok_bvc);
	free(tok_analyst);
	harness_db_drop(&db);
	return tap_done();
}
