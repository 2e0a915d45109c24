/* Flags on values (issue 10) against the real collector and PostgreSQL:
 * "flag" in JSON and the optional flag column in CSV, every bad flag a 422
 * naming its row and field with nothing stored, a flag as part of the
 * stored value (another flag is an update, the same one unchanged, with
 * the cache and in a dry run), GET /v1/counts showing it, and a flag
 * change in a locked year refused with 409 period_locked. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_get.h"
#include "tap.h"

static struct harness_db db;
static struct harness_proc collector;
static char *tok_bup;

static void post(const char *type, const char *query, const char *body,
                 struct http_result *res)
{
	char url[256];

	snprintf(url, sizeof url, "%s/v1/counts%s", collector.base_url, query);
	http_do("POST", url, tok_bup, type, body, strlen(body), NULL, res);
}

/* Posts and checks the status and the receipt's created/updated/unchanged. */
static void post_receipt(const char *what, const char *type, const char *query,
                         const char *body, int status, int created, int updated,
                         int unchanged)
{
	struct http_result res;

	post(type, query, body, &res);
	is_int(res.status, status, "%s: %d", what, status);
	cJSON *o = cJSON_Parse(res.body.data);
	ok(json_int(o, "created") == created && json_int(o, "updated") == updated &&
	   json_int(o, "unchanged") == unchanged, "%s: created %d, updated %d, unchanged %d (%s)",
	   what, created, updated, unchanged, res.body.data);
	cJSON_Delete(o);
	http_result_free(&res);
}

static long long history(void)
{
	return harness_sql_int(&db, "SELECT count(*) FROM count_history");
}

#define ROW(area, value, flag) \
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"" area "\",\"period\":\"2024Q3\"," \
	"\"value\":" #value flag "}"

static void test_json(void)
{
	struct http_result res;
	char url[256];

	post_receipt("flags set", "application/json", "",
	             "{\"counts\":[" ROW("0581-hageby", 12, ",\"flag\":\"break\"") ","
	             ROW("0581-navestad", 7, ",\"flag\":\"provisional\"") ","
	             ROW("0182-alta", 3, "") "]}", 201, 3, 0, 0);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history WHERE flag = 'break'"),
	       1, "break stored");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history WHERE flag IS NULL"), 1,
	       "no flag stored as NULL");

	snprintf(url, sizeof url, "%s/v1/counts?period=2024Q3", collector.base_url);
	http_do("GET", url, tok_bup, NULL, NULL, 0, NULL, &res);
	is_int(res.status, 200, "GET /v1/counts: 200");
	cJSON *o = cJSON_Parse(res.body.data), *c = cJSON_GetObjectItem(o, "counts");
	is_int(cJSON_GetArraySize(c), 3, "three counts");
	is_str(json_string(cJSON_GetArrayItem(c, 0), "area"), "0182-alta", "alta first");
	ok(!cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "flag"), "alta: no flag member");
	is_str(json_string(cJSON_GetArrayItem(c, 1), "flag"), "break", "hageby: break");
	is_str(json_string(cJSON_GetArrayItem(c, 2), "flag"), "provisional",
	       "navestad: provisional");
	cJSON_Delete(o);
	http_result_free(&res);

	const char same[] = "{\"counts\":[" ROW("0581-hageby", 12, ",\"flag\":\"break\"") ","
	                    ROW("0581-navestad", 7, ",\"flag\":\"provisional\"") ","
	                    ROW("0182-alta", 3, "") "]}";
	post_receipt("the same flags again", "application/json", "", same, 201, 0, 0, 3);
	const char changed[] = "{\"counts\":[" ROW("0581-hageby", 12, "") ","
	                       ROW("0581-navestad", 7, ",\"flag\":\"break\"") ","
	                       ROW("0182-alta", 3, ",\"flag\":\"provisional\"") "]}";
	long long rows = history();
	post_receipt("dry run of changed flags", "application/json", "?dry_run=true", changed,
	             200, 0, 3, 0);
	is_int(history(), rows, "the dry run stored nothing");
	post_receipt("changed flags, same values", "application/json", "", changed, 201, 0, 3,
	             0);
	is_int(history(), rows + 3, "a flag change is a new row of the history");
	post_receipt("changed flags again", "application/json", "", changed, 201, 0, 0, 3);
}

static void test_csv(void)
{
	long long rows = history();

	post_receipt("CSV with a flag column", "text/csv", "",
	             "indicator,area,period,value,flag\n"
	             "bup.nya_barn,0581-hageby,2024Q2,5,provisional\n"
	             "bup.nya_barn,0581-navestad,2024Q2,6,\n", 201, 2, 0, 0);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history WHERE period = 20242"
	                            " AND flag = 'provisional'"), 1, "CSV: the flag stored");
	post_receipt("CSV, flag column first, flag changed", "text/csv", "",
	             "flag,indicator,area,period,value\n"
	             "break,bup.nya_barn,0581-hageby,2024Q2,5\n", 201, 0, 1, 0);
	post_receipt("CSV without the column: the flag taken away", "text/csv", "",
	             "indicator,area,period,value\nbup.nya_barn,0581-hageby,2024Q2,5\n",
	             201, 0, 1, 0);
	is_int(history(), rows + 4, "CSV: four rows written");
}

/* One bad row among good ones: 422, the conflict, nothing stored. */
static void bad(const char *what, const char *type, const char *body, const char *code,
                const char *message)
{
	struct http_result res;
	long long rows = history();

	post(type, "", body, &res);
	is_int(res.status, 422, "%s: 422", what);
	cJSON *o = cJSON_Parse(res.body.data), *c = cJSON_GetObjectItem(o, "conflicts");
	cJSON *first = cJSON_GetArrayItem(c, 0);
	is_str(json_string(o, "error"), "validation_failed", "%s: validation_failed", what);
	is_int(cJSON_GetArraySize(c), 1, "%s: one conflict", what);
	is_int(json_int(first, "index"), 1, "%s: the second row", what);
	is_str(json_string(first, "field"), "flag", "%s: field flag", what);
	is_str(json_string(first, "code"), code, "%s: %s", what, code);
	is_str(json_string(first, "message"), message, "%s: message", what);
	cJSON_Delete(o);
	http_result_free(&res);
	is_int(history(), rows, "%s: nothing stored", what);
}

static void test_bad(void)
{
	static const char *const not_a_flag = "is not a flag; a flag is break or provisional";
	char msg[256];
	struct {
		const char *what, *flag, *code, *message;
	} cases[] = {
		{ "another word", "\"Break\"", "invalid_flag", "flag 'Break' " },
		{ "empty string", "\"\"", "invalid_flag", "flag '' " },
		{ "free text", "\"omorganisation i mars\"", "invalid_flag",
		  "flag 'omorganisation i mars' " },
		{ "a long string",
		  "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
		  "invalid_flag", "flag 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' " },
		{ "a number", "1", "wrong_type",
		  "flag must be a string, break or provisional, not a number" },
		{ "null", "null", "wrong_type", "flag must be a string, break or provisional, not null" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char body[512];
		snprintf(body, sizeof body, "{\"counts\":[" ROW("0581-hageby", 1, "") ","
		         "{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-navestad\","
		         "\"period\":\"2024Q1\",\"value\":2,\"flag\":%s}]}", cases[i].flag);
		snprintf(msg, sizeof msg, "%s%s", cases[i].message,
		         strcmp(cases[i].code, "invalid_flag") == 0 ? not_a_flag : "");
		bad(cases[i].what, "application/json", body, cases[i].code, msg);
	}
	bad("CSV: another word", "text/csv",
	    "indicator,area,period,value,flag\nbup.nya_barn,0581-hageby,2024Q1,1,\n"
	    "bup.nya_barn,0581-navestad,2024Q1,2,preliminary\n", "invalid_flag",
	    "flag 'preliminary' is not a flag; a flag is break or provisional");
	bad("CSV: a space", "text/csv",
	    "indicator,area,period,value,flag\nbup.nya_barn,0581-hageby,2024Q1,1,\n"
	    "bup.nya_barn,0581-navestad,2024Q1,2, \n", "invalid_flag",
	    "flag ' ' is not a flag; a flag is break or provisional");
}

/* A flag change in a locked year changes the value: 409; the same flag
 * passes as unchanged. */
static void test_locked(void)
{
	struct http_result res;
	const char same[] = "{\"counts\":[" ROW("0581-navestad", 7, ",\"flag\":\"break\"") "]}";
	const char other[] = "{\"counts\":[" ROW("0581-navestad", 7, "") "]}";

	harness_sql(&db, "INSERT INTO period_lock (area_id, year, locked, by_whom)"
	                 " SELECT id, 2024, true, 'test' FROM area WHERE code = '0581'");
	post_receipt("locked: the same flag", "application/json", "", same, 201, 0, 0, 1);
	long long rows = history();
	for (int dry = 0; dry < 2; dry++) {
		post("application/json", dry ? "?dry_run=true" : "", other, &res);
		is_int(res.status, 409, "locked: the flag taken away%s: 409", dry ? " (dry run)" : "");
		cJSON *o = cJSON_Parse(res.body.data);
		is_str(json_string(o, "error"), "period_locked", "locked: period_locked");
		cJSON *periods = cJSON_GetObjectItem(o, "periods");
		ok(cJSON_GetArraySize(periods) == 1 &&
		   strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(periods, 0)), "2024Q3") == 0,
		   "locked: the period 2024Q3 named (%s)", res.body.data);
		cJSON_Delete(o);
		http_result_free(&res);
	}
	is_int(history(), rows, "locked: nothing stored");
}

int main(void)
{
	harness_db_create(&db, "flags");
	tok_bup = harness_token(&db, "submitter", "bup");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_json();
	test_csv();
	test_bad();
	test_locked();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_bup);
	harness_db_drop(&db);
	return tap_done();
}
