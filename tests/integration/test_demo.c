/* The demo catalogue (catalogue/demo, what scripts/run.sh shows) against
 * the real collector, aggregator and PostgreSQL: BUP and BVC are run by
 * the regions, so Nacka's (Region Stockholm) and Norrköping's (Region
 * Östergötland) come from two agencies with separate tokens, each refused
 * the other's municipality (422 not_permitted, nothing stored); `bup` and
 * `bvc`, the kinds of service that own the indicators, may report nothing.
 * samlad-admin demo-load (demo only) loads the demo's reports with their
 * arrival times as of a given day, so that /v1/completeness shows exactly
 * these statuses; it refuses bad options, an agency without a token and a
 * database with other submissions, and a second load adds nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "harness.h"
#include "tap.h"

static struct harness_db db;
static struct harness_proc collector, aggregator;
static struct buf out = BUF_INIT, err = BUF_INIT;
static char counts_url[160];

/* What demo-load says as of 2025-03-15: the latest due quarter is 2024Q4
 * (due 2025-01-31); in each municipality one agency is missing, two late. */
#define DEMO_LOAD_OUT \
	"demo-load: 622 reports, 6287 counts\n" \
	"2024Q4 0182 bup_stockholm: missing\n" \
	"2024Q4 0182 bvc_stockholm: late\n" \
	"2024Q4 0182 sarskola: late\n" \
	"2024Q4 0581 familje_ungdom: late\n" \
	"2024Q4 0581 familjecentral: missing\n" \
	"2024Q4 0581 ungdom: late\n"
/* Norrköping's statuses in 2024 after that load, Q1 to Q4: 2024Q4 agrees
 * with what demo-load said; "partial" where the demo's counts leave out a
 * quarter of a series (one in forty, as demo-data does). */
#define NORRKOPING_2024 \
	"bup_ostergotland:complete,partial,complete,complete\n" \
	"bvc_ostergotland:late,complete,complete,complete\n" \
	"familje_ungdom:partial,complete,complete,late\n" \
	"familjecentral:complete,complete,complete,missing\n" \
	"familjeradgivning:complete,complete,complete,complete\n" \
	"familjeverksamhet:late,complete,late,complete\n" \
	"forskola:complete,complete,partial,complete\n" \
	"habilitering:complete,partial,complete,partial\n" \
	"minimaria:complete,complete,complete,partial\n" \
	"sarskola:complete,late,complete,complete\n" \
	"skola:complete,complete,complete,complete\n" \
	"soc:partial,partial,partial,partial\n" \
	"ungdom:partial,complete,late,late\n"

#define ADMIN(...) harness_admin(db.admin_url, (const char *const[]){ __VA_ARGS__, NULL }, \
                                 &out, &err)

/* One row of `indicator` for `area` in 2024Q1. */
static void body_of(char *b, size_t n, const char *indicator, const char *area)
{
	snprintf(b, n, "{\"counts\":[{\"indicator\":\"%s\",\"area\":\"%s\","
	         "\"period\":\"2024Q1\",\"value\":12}]}", indicator, area);
}

/* Posts one row with the token of `agency`; checks the status and, for a
 * refusal, the exact body and that nothing was stored. */
static void post_as(const char *agency, const char *indicator, const char *area, long want)
{
	char body[256], refusal[512];
	struct http_result res;
	char *token = harness_token(&db, "submitter", agency);
	long long before = harness_sql_int(&db, "SELECT count(*) FROM count_history");

	body_of(body, sizeof body, indicator, area);
	if (http_do("POST", counts_url, token, "application/json", body, strlen(body), NULL,
	            &res) != 0)
		res.status = 0;
	is_int(res.status, want, "%s posts %s for %s: %ld", agency, indicator, area, want);
	if (want == 422) {
		snprintf(refusal, sizeof refusal,
		         "{\"error\":\"validation_failed\",\"message\":\"1 of 1 rows are invalid; nothing "
		         "was stored\",\"conflicts\":[{\"index\":0,\"field\":\"indicator\",\"code\":"
		         "\"not_permitted\",\"message\":\"your agency is not permitted to report "
		         "indicator '%s' for area '%s'\"}]}", indicator, area);
		is_str(res.body.data, refusal, "%s, %s, %s: the refusal names the row", agency,
		       indicator, area);
		is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), before,
		       "%s, %s, %s: nothing stored", agency, indicator, area);
	}
	http_result_free(&res);
	free(token);
}

static void test_regions(void)
{
	post_as("bup_stockholm", "bup.nya_barn", "0182-boo", 201);
	post_as("bup_stockholm", "bup.nya_barn", "0581-hageby", 422);
	post_as("bup_ostergotland", "bup.nya_barn", "0581-hageby", 201);
	post_as("bup_ostergotland", "bup.nya_barn", "0182-boo", 422);
	post_as("bvc_stockholm", "bvc.samverkan_soc", "0182-alta", 201);
	post_as("bvc_stockholm", "bvc.samverkan_soc", "0581-navestad", 422);
	post_as("bvc_ostergotland", "bvc.samverkan_soc", "0581-navestad", 201);
	post_as("bvc_ostergotland", "bvc.samverkan_soc", "0182-alta", 422);
	post_as("bup", "bup.nya_barn", "0581-marielund", 422);
	post_as("bvc", "bvc.samverkan_soc", "0182-sicklaon", 422);
	is_int(harness_sql_int(&db, "SELECT count(DISTINCT s.agency_id) FROM submission s"), 4,
	       "four regional agencies stored one submission each");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_current c"
	                            " JOIN indicator i ON i.id = c.indicator_id"
	                            " WHERE i.code = 'bup.nya_barn'"), 2,
	       "bup.nya_barn holds one value in each municipality, under one indicator code");
}

static void test_import(void)
{
	char dir[4096];
	const char *src = getenv("SAMLAD_SOURCE_DIR");

	snprintf(dir, sizeof dir, "%s/catalogue/demo", src ? src : ".");
	is_int(ADMIN("catalogue", "import", dir), 0, "the demo catalogue imports");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM permission p JOIN agency a"
	                            " ON a.id = p.agency_id WHERE a.code IN ('bup', 'bvc')"), 0,
	       "bup and bvc, the kinds of service, are permitted nothing");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM permission p"
	                            " JOIN agency a ON a.id = p.agency_id"
	                            " JOIN indicator i ON i.id = p.indicator_id"
	                            " JOIN area m ON m.id = p.area_id"
	                            " WHERE a.code LIKE '%\\_stockholm' AND m.code = '0182'"
	                            " AND i.code IN ('bup.nya_barn', 'bup.aktuella_barn',"
	                            " 'bup.npf_utredningar', 'bvc.samverkan_soc')"), 4,
	       "Region Stockholm's agencies are permitted BUP's and BVC's indicators in Nacka");
}

/* Every agency that reports in the demo, as run.sh makes their tokens. */
static const char *const reporting[] = {
	"bup_ostergotland", "bup_stockholm", "bvc_ostergotland", "bvc_stockholm", "familje_ungdom",
	"familjecentral", "familjeradgivning", "familjeverksamhet", "forskola", "habilitering",
	"minimaria", "sarskola", "skola", "soc", "ungdom",
};

/* After the regions' posts: submissions that are not the demo's. */
static void test_load_refused(void)
{
	is_int(ADMIN("demo-load", "--today", "2025-03-15"), 1, "demo-load on posted data exits 1");
	is_str(err.data, "samlad-admin: demo-load: the database holds 4 submissions that are not "
	       "the demo's; demo-load is for a demo database only; nothing loaded\n",
	       "it says why");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 4, "nothing loaded");
}

/* demo-load's refusals of its options, and of an agency without a token. */
static void test_load_usage(void)
{
	static const struct { const char *opt, *val, *msg; } bad[] = {
		{ "--today", "2999-01-01", "--today \"2999-01-01\": the day has not begun" },
		{ "--today", "2025-02-30", "--today \"2025-02-30\": expected a date such as 2025-03-15" },
		{ "--today", "15/3/2025", "--today \"15/3/2025\": expected a date such as 2025-03-15" },
		{ "--from", "2019Q5", "--from \"2019Q5\": expected a quarter such as 2019Q1" },
		{ "--from", "2025Q1", "--from is after the last finished quarter" },
	};
	char want[256];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		is_int(ADMIN("demo-load", "--today", "2025-03-15", bad[i].opt, bad[i].val), 2,
		       "demo-load %s %s exits 2", bad[i].opt, bad[i].val);
		snprintf(want, sizeof want, "samlad-admin: demo-load: %s\n", bad[i].msg);
		is_str(err.data, want, "demo-load %s %s: the message", bad[i].opt, bad[i].val);
	}
	is_int(ADMIN("demo-load", "--today", "2025-03-15"), 1, "demo-load without tokens exits 1");
	is_str(err.data, "samlad-admin: demo-load: agency familjeradgivning has no submitter token;"
	       " create one first\n", "it names the first agency (by arrival) without a token");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 0, "nothing loaded");
}

/* The statuses /v1/completeness gives for Norrköping's 2024, agency by
 * agency, as "agency:Q1,Q2,Q3,Q4". */
static char *statuses(const char *token)
{
	char url[256];
	struct http_result res;
	struct buf b = BUF_INIT;

	snprintf(url, sizeof url, "%s/v1/completeness?area=0581&from=2024Q1&to=2024Q4",
	         aggregator.base_url);
	if (http_do("GET", url, token, NULL, NULL, 0, NULL, &res) != 0 || res.status != 200) {
		printf("Bail out! GET %s failed\n", url);
		exit(1);
	}
	cJSON *root = cJSON_Parse(res.body.data);
	cJSON *agencies = cJSON_GetObjectItem(root, "agencies"), *a, *q;
	cJSON_ArrayForEach(a, agencies) {
		buf_printf(&b, "%s:", cJSON_GetObjectItem(a, "agency")->valuestring);
		cJSON_ArrayForEach(q, cJSON_GetObjectItem(a, "quarters"))
			buf_printf(&b, "%s%s", cJSON_GetObjectItem(q, "status")->valuestring,
			           q->next ? "," : "\n");
	}
	cJSON_Delete(root);
	http_result_free(&res);
	return buf_steal(&b);
}

static void test_load(void)
{
	char *analyst = harness_token(&db, "analyst", NULL);

	for (size_t i = 0; i < sizeof reporting / sizeof *reporting; i++)
		free(harness_token(&db, "submitter", reporting[i]));
	is_int(ADMIN("demo-load", "--today", "2025-03-15"), 0, "demo-load exits 0");
	is_str(out.data, DEMO_LOAD_OUT, "it says what it loaded, and who is late or missing");
	long long subs = harness_sql_int(&db, "SELECT count(*) FROM submission");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission a JOIN submission b"
	                            " ON b.id > a.id WHERE b.received_at < a.received_at"), 0,
	       "submission ids increase with the arrival times");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"
	                            " WHERE received_at >= '2025-03-15T00:00:00Z'"), 0,
	       "nothing arrives after the day it is loaded as of");
	is_int(ADMIN("demo-load", "--today", "2025-03-15"), 0, "a second demo-load exits 0");
	is_str(out.data, "demo-load: the demo's reports are loaded already; nothing done\n",
	       "and says there is nothing to do");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), subs, "and adds nothing");
	if (harness_start(&aggregator, harness_program("aggregator/samlad-aggregator"),
	                  db.aggregator_url, NULL) != 0) {
		printf("Bail out! the aggregator did not start (see %s)\n", aggregator.log_path);
		exit(1);
	}
	char *got = statuses(analyst);
	is_str(got, NORRKOPING_2024, "/v1/completeness: Norrköping's 2024, agency by agency");
	free(got);
	is_int(harness_stop(&aggregator), 0, "the aggregator exits 0 on SIGTERM");
	free(analyst);
}

int main(void)
{
	harness_db_create(&db, "demo");
	test_import();
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	snprintf(counts_url, sizeof counts_url, "%s/v1/counts", collector.base_url);
	test_regions();
	test_load_refused();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	harness_db_drop(&db);
	harness_db_create(&db, "demo_load");
	test_import();
	test_load_usage();
	test_load();
	harness_db_drop(&db);
	buf_free(&out);
	buf_free(&err);
	return tap_done();
}
