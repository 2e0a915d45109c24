/* The collector's CSV as Excel saves it, through real HTTP against the real
 * collector and PostgreSQL: the same counts posted as comma CSV and as
 * Swedish Excel's (';', a BOM, CRLF, no line end after the last line)
 * give the same receipt and the same stored values; a header with both
 * separators, an unterminated quote and a bad row name their lines; an
 * Excel workbook (.xlsx, .xls) sent as CSV, or with a workbook's media
 * type, is 415 with the one sentence, and nothing is stored. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json_get.h"
#include "tap.h"

#define IND "minimaria.arenden"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define WORKBOOK "the file is an Excel workbook, not CSV; save it in Excel as \"CSV UTF-8 " \
                 "(kommaavgr\xC3\xA4nsad) (*.csv)\" and send that file"

static struct harness_db db;
static struct harness_proc collector;
static char *tok;

static const char comma_csv[] =
	"indicator,area,period,value\n"
	IND ",0182-boo,2025Q2,4\n"
	IND ",\"0182-alta\",2025Q2,0\n"
	IND ",0182-fisksatra,2025K2,17\n";
/* The same counts as Swedish Excel saves them. */
static const char semicolon_csv[] =
	"\xEF\xBB\xBF" "indicator;area;period;value\r\n"
	IND ";0182-boo;2025Q2;4\r\n"
	IND ";\"0182-alta\";2025Q2;0\r\n"
	IND ";0182-fisksatra;2025K2;17";

static long post(const char *path, const char *type, const char *body, size_t len,
                 struct http_result *r)
{
	char url[256];

	snprintf(url, sizeof url, "%s%s", collector.base_url, path);
	if (http_do("POST", url, tok, type, body, len, NULL, r) != 0)
		return 0;
	return r->status;
}

/* "rows/created/updated/unchanged" of a receipt, or the body. */
static const char *tally(const struct http_result *r)
{
	static char out[256];
	cJSON *o = cJSON_Parse(r->body.data ? r->body.data : "");

	if (cJSON_IsObject(o))
		snprintf(out, sizeof out, "%lld/%lld/%lld/%lld", json_int(o, "rows"),
		         json_int(o, "created"), json_int(o, "updated"), json_int(o, "unchanged"));
	else
		snprintf(out, sizeof out, "%.200s", r->body.data ? r->body.data : "");
	cJSON_Delete(o);
	return out;
}

static char *stored(void)
{
	return harness_sql_text(&db, "SELECT string_agg(a.code || '=' || h.value, ',' ORDER BY "
	                        "a.code) FROM count_history h JOIN area a ON a.id = h.area_id "
	                        "WHERE h.period = 20252");
}

static void test_same_counts(void)
{
	struct http_result r;

	is_int(post("/v1/counts?dry_run=true", "text/csv", comma_csv, strlen(comma_csv), &r),
	       200, "comma CSV, dry run: 200");
	is_str(tally(&r), "3/3/0/0", "  three to create");
	http_result_free(&r);
	is_int(post("/v1/counts?dry_run=true", "text/csv", semicolon_csv, strlen(semicolon_csv),
	            &r), 200, "semicolon CSV with BOM and CRLF, dry run: 200");
	is_str(tally(&r), "3/3/0/0", "  the same three to create");
	http_result_free(&r);
	is_int(post("/v1/counts", "text/csv", semicolon_csv, strlen(semicolon_csv), &r), 201,
	       "semicolon CSV: 201");
	is_str(tally(&r), "3/3/0/0", "  three created");
	http_result_free(&r);
	char *values = stored();
	is_str(values, "0182-alta=0,0182-boo=4,0182-fisksatra=17", "the values as sent");
	free(values);
	is_int(post("/v1/counts", "text/csv", comma_csv, strlen(comma_csv), &r), 201,
	       "the same counts as comma CSV: 201");
	is_str(tally(&r), "3/0/0/3", "  all three unchanged: the same values");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), 3,
	       "nothing written twice");
}

static void test_bad_dialects(void)
{
	struct http_result r;
	long long subs = harness_sql_int(&db, "SELECT count(*) FROM submission");
	static const char mixed[] = "indicator;area,period;value\r\n" IND ";0182-boo;2025Q2;5\r\n";
	static const char open_quote[] = "indicator;area;period;value\r\n"
	                                 IND ";0182-boo;2025Q2;5\r\n" IND ";\"0182-boo;2025Q2;5\r\n";
	static const char decimal[] = "\xEF\xBB\xBF" "indicator;area;period;value\r\n"
	                              IND ";0182-boo;2025Q2;5\r\n" IND ";0182-alta;2025Q2;1,5\r\n";

	is_int(post("/v1/counts", "text/csv", mixed, strlen(mixed), &r), 400,
	       "a header with ',' and ';': 400");
	is_str(json_error_text(r.body.data), "malformed_csv: the body is not valid CSV: line 1: the header line "
	       "has both ',' and ';'; separate the columns with one of them only", "  says so");
	http_result_free(&r);
	is_int(post("/v1/counts", "text/csv", open_quote, strlen(open_quote), &r), 400,
	       "an unterminated quote: 400");
	is_str(json_error_text(r.body.data), "malformed_csv: the body is not valid CSV: line 3: unterminated "
	       "quoted field", "  with its line");
	http_result_free(&r);
	is_int(post("/v1/counts", "text/csv", decimal, strlen(decimal), &r), 422,
	       "a decimal comma: 422");
	ok(strstr(r.body.data ? r.body.data : "", "{\"index\":1,\"line\":3,\"field\":\"value\","
	          "\"code\":\"wrong_type\",") != NULL, "  the conflict names line 3, its value");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), subs, "nothing stored");
}

static void test_workbooks(void)
{
	struct http_result r;
	long long subs = harness_sql_int(&db, "SELECT count(*) FROM submission");
	static const char xlsx[] = "PK\x03\x04\x14\x00\x06\x00";
	static const char xls[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

	is_int(post("/v1/counts", "text/csv", xlsx, 8, &r), 415, "an xlsx as text/csv: 415");
	is_str(json_error_text(r.body.data), "unsupported_media_type: " WORKBOOK, "  the sentence");
	http_result_free(&r);
	is_int(post("/v1/counts", "text/csv", xls, 8, &r), 415, "an xls as text/csv: 415");
	is_str(json_error_text(r.body.data), "unsupported_media_type: " WORKBOOK, "  the sentence");
	http_result_free(&r);
	is_int(post("/v1/counts", XLSX_TYPE, comma_csv, strlen(comma_csv), &r), 415,
	       "the xlsx media type: 415");
	is_str(json_error_text(r.body.data), "unsupported_media_type: " WORKBOOK, "  the sentence");
	http_result_free(&r);
	is_int(post("/v1/counts", "application/vnd.ms-excel", xls, 8, &r), 415,
	       "the xls media type: 415");
	is_str(json_error_text(r.body.data), "unsupported_media_type: " WORKBOOK, "  the sentence");
	http_result_free(&r);
	is_int(post("/v1/counts", "text/plain", comma_csv, strlen(comma_csv), &r), 415,
	       "another media type: 415 as before");
	is_str(json_error_text(r.body.data), "unsupported_media_type: send the counts as application/json or "
	       "text/csv", "  the old sentence");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), subs, "nothing stored");
}

int main(void)
{
	harness_db_create(&db, "csv_dialects");
	tok = harness_token(&db, "submitter", "minimaria");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_same_counts();
	test_bad_dialects();
	test_workbooks();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok);
	harness_db_drop(&db);
	return tap_done();
}
