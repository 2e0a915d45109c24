/* GET /submit/template.xlsx through real HTTP against the real collector
 * and PostgreSQL: the workbook downloaded with libcurl, read back with
 * openpyxl (template_check.py beside this file) row by row, filled in,
 * saved as Swedish Excel saves CSV (';', a BOM, CRLF) and posted to
 * POST /v1/counts; by a bearer token and by the form's session; every
 * refusal with its status and error. Mini-Maria reports one indicator
 * (minimaria.arenden) for the ten districts of Nacka and Norrköping. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "json_get.h"
#include "tap.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define IND "minimaria.arenden"
#define DISTRICTS(row) \
	row("0182-alta", "Älta") row("0182-boo", "Boo") row("0182-fisksatra", "Fisksätra") \
	row("0182-saltsjobaden", "Saltsjöbaden") row("0182-sicklaon", "Sicklaön") \
	row("0581-hageby", "Hageby") row("0581-klockaretorpet", "Klockaretorpet") \
	row("0581-marielund", "Marielund") row("0581-navestad", "Navestad") \
	row("0581-skarblacka", "Skärblacka")
#define ROW(area, name) IND "|" area "|2025Q3|\n"
#define NAME_SV(area, name) IND "|" area "|Antal ärenden|" name "\n"
#define NAME_EN(area, name) IND "|" area "|Mini-Maria cases|" name "\n"

static struct harness_db db;
static struct harness_proc collector;
static char *tok_sub, *tok_analyst;
static char dir[] = "/tmp/samlad-template-test-XXXXXX";

static long get(const char *path, const char *token, const char *cookie,
                struct http_result *r)
{
	char url[256], header[400];
	const char *headers[2] = { header, NULL };

	snprintf(url, sizeof url, "%s%s", collector.base_url, path);
	snprintf(header, sizeof header, "Cookie: %s", cookie ? cookie : "");
	if (http_do("GET", url, token, NULL, NULL, 0, cookie ? headers : NULL, r) != 0)
		return 0;
	return r->status;
}

static const char *header(const struct http_result *r, const char *name)
{
	static char got[512];

	got[0] = '\0';
	http_result_header(r, name, got, sizeof got);
	return got;
}

static const char *save(const char *name, const struct http_result *r)
{
	static char path[2][320];
	static int slot;
	char *p = path[slot++ % 2];

	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(r->body.data, 1, r->body.len, f) != r->body.len || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(1);
	}
	return p;
}

/* Runs template_check.py with its arguments; its stdout in *out. */
static int check_script(const char *a1, const char *a2, const char *a3, struct buf *out)
{
	char script[512];

	snprintf(script, sizeof script, "%s/tests/integration/template_check.py",
	         getenv("SAMLAD_SOURCE_DIR"));
	const char *argv[] = { "/usr/bin/python3", script, a1, a2, a3, NULL };
	buf_reset(out);
	return harness_run(argv, NULL, NULL, out, NULL);
}

static void test_download(void)
{
	struct http_result r;
	struct buf out = BUF_INIT;

	is_int(get("/submit/template.xlsx?quarter=2025K3", tok_sub, NULL, &r), 200,
	       "a submitter's token: 200");
	is_str(header(&r, "Content-Type"), XLSX_TYPE, "  the xlsx media type");
	is_str(header(&r, "Content-Disposition"),
	       "attachment; filename=\"samlad-minimaria-2025Q3.xlsx\"", "  an attachment named "
	       "for the agency and the quarter");
	ok(r.body.len > 4 && memcmp(r.body.data, "PK\x03\x04", 4) == 0, "  a zip");
	const char *xlsx = save("sv.xlsx", &r);
	http_result_free(&r);
	is_int(check_script("show", xlsx, NULL, &out), 0, "openpyxl reads it");
	is_str(out.data ? out.data : "",
	       "sheet counts\nindicator|area|period|value\n" DISTRICTS(ROW)
	       "sheet namn\nindicator|area|indikator|område\n" DISTRICTS(NAME_SV)
	       "types s\n", "  the exact rows, every cell a string, the value empty");

	is_int(get("/submit/template.xlsx?quarter=2025Q3&lang=en", tok_sub, NULL, &r), 200,
	       "lang=en: 200");
	xlsx = save("en.xlsx", &r);
	http_result_free(&r);
	is_int(check_script("show", xlsx, NULL, &out), 0, "openpyxl reads it");
	is_str(out.data ? out.data : "",
	       "sheet counts\nindicator|area|period|value\n" DISTRICTS(ROW)
	       "sheet names\nindicator|area|indicator name|area name\n" DISTRICTS(NAME_EN)
	       "types s\n", "  the same rows, the names in English");
	buf_free(&out);
}

/* Filled in and saved as Swedish Excel saves CSV, the template is a batch. */
static void test_fill_and_post(void)
{
	struct http_result r;
	struct buf out = BUF_INIT, csv = BUF_INIT;
	char url[256], csv_path[320];

	is_int(get("/submit/template.xlsx?quarter=2025Q3", tok_sub, NULL, &r), 200, "download");
	const char *xlsx = save("fill.xlsx", &r);
	http_result_free(&r);
	snprintf(csv_path, sizeof csv_path, "%s/filled.csv", dir);
	is_int(check_script("fill", xlsx, csv_path, &out), 0, "filled and saved as CSV");
	if (buf_read_file(&csv, csv_path, 1 << 20) != 0)
		abort();
	ok(csv.len > 3 && memcmp(csv.data, "\xEF\xBB\xBF" "indicator;area;period;value\r\n"
	   IND ";0182-alta;2025Q3;1\r\n", 50) == 0, "  with a BOM, ';' and CRLF");
	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	if (http_do("POST", url, tok_sub, "text/csv", csv.data, csv.len, NULL, &r) != 0)
		abort();
	is_int(r.status, 201, "posted to /v1/counts: 201");
	cJSON *o = cJSON_Parse(r.body.data ? r.body.data : "");
	is_int(json_int(o, "rows"), 10, "  ten rows");
	is_int(json_int(o, "created"), 10, "  ten created");
	cJSON_Delete(o);
	http_result_free(&r);
	char *values = harness_sql_text(&db, "SELECT string_agg(a.code || '=' || h.value, ',' "
	                                "ORDER BY a.code) FROM count_history h JOIN area a ON "
	                                "a.id = h.area_id WHERE h.period = 20253");
	is_str(values, "0182-alta=1,0182-boo=2,0182-fisksatra=3,0182-saltsjobaden=4,"
	       "0182-sicklaon=5,0581-hageby=6,0581-klockaretorpet=7,0581-marielund=8,"
	       "0581-navestad=9,0581-skarblacka=10", "  the values filled in are stored");
	free(values);
	unlink(csv_path);
	buf_free(&csv);
	buf_free(&out);
}

/* The form's session cookie, as the page's link sends it. */
static void test_session(void)
{
	struct http_result r;
	char url[256], body[256], set[512] = "", cookie[300];
	const char *headers[] = { "Sec-Fetch-Site: same-origin", NULL };

	snprintf(url, sizeof url, "%s/login", collector.base_url);
	snprintf(body, sizeof body, "token=%s", tok_sub);
	if (http_do("POST", url, NULL, "application/x-www-form-urlencoded", body, strlen(body),
	            headers, &r) != 0)
		abort();
	http_result_header(&r, "Set-Cookie", set, sizeof set);
	snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(set, ";"), set);
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q3", NULL, cookie, &r), 200,
	       "the form's session: 200");
	is_str(header(&r, "Content-Disposition"),
	       "attachment; filename=\"samlad-minimaria-2025Q3.xlsx\"", "  the attachment");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q9", NULL, cookie, &r), 400,
	       "the session, a bad quarter: 400");
	http_result_free(&r);
}

static void test_refused(void)
{
	struct http_result r;

	is_int(get("/submit/template.xlsx?quarter=2025Q3", NULL, NULL, &r), 303,
	       "neither token nor session: 303");
	is_str(header(&r, "Location"), "/login", "  to /login, as /submit");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q3", NULL, "samlad_session=forged", &r),
	       303, "a forged session: 303");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q3",
	           "smd_999999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &r), 401,
	       "an unknown token: 401");
	is_str(json_error_text(r.body.data), "unauthorized: unknown token: no such token, or its secret does not match", "  unauthorized");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q3", tok_analyst, NULL, &r), 403,
	       "an analyst's token: 403");
	is_str(json_error_text(r.body.data), "forbidden: only an agency's submitter token may download the "
	       "template", "  forbidden");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx", tok_sub, NULL, &r), 400, "no quarter: 400");
	is_str(json_error_text(r.body.data), "invalid_parameter: give the quarter, quarter=2025Q3", "  says so");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=", tok_sub, NULL, &r), 400,
	       "an empty quarter: 400");
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2025Q9", tok_sub, NULL, &r), 400,
	       "quarter 2025Q9: 400");
	ok(strncmp(json_error_text(r.body.data), "invalid_parameter: quarter '2025Q9': ", 37) == 0,
	   "  invalid_parameter naming it (%s)", json_error_text(r.body.data));
	http_result_free(&r);
	is_int(get("/submit/template.xlsx?quarter=2999Q1", tok_sub, NULL, &r), 400,
	       "a future quarter: 400");
	http_result_free(&r);
}

int main(void)
{
	harness_db_create(&db, "template");
	tok_sub = harness_token(&db, "submitter", "minimaria");
	tok_analyst = harness_token(&db, "analyst", NULL);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_download();
	test_fill_and_post();
	test_session();
	test_refused();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	static const char *const names[] = { "sv.xlsx", "en.xlsx", "fill.xlsx" };
	for (size_t i = 0; i < 3; i++) {
		char path[320];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(tok_sub);
	free(tok_analyst);
	harness_db_drop(&db);
	return tap_done();
}
