/* The demo catalogue (catalogue/demo, what scripts/run.sh shows) against
 * the real collector and PostgreSQL: BUP and BVC are run by the regions,
 * so Nacka's (Region Stockholm) and Norrköping's (Region Östergötland)
 * come from two agencies with separate tokens, each refused the other's
 * municipality (422 not_permitted, nothing stored); `bup` and `bvc`, the
 * kinds of service that own the indicators, may report nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tap.h"

static struct harness_db db;
static struct harness_proc collector;
static struct buf out = BUF_INIT, err = BUF_INIT;
static char counts_url[160];

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
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	harness_db_drop(&db);
	buf_free(&out);
	buf_free(&err);
	return tap_done();
}
