/* GET /v1/completeness through real HTTP: every agency's quarters in
 * Norrköping with the exact status, expected and arrived keys, times and
 * rates, and the refusals; the start page links the reporting page.
 *
 * The catalogue is the test catalogue (tests/fixtures/catalogue) with one
 * more district, 0581-nyby, from 2024Q3: an agency's keys there are
 * expected from 2024Q3 only. Every agency of it is permitted in every district of 0581, so bup (three
 * indicators) expects 3 x 5 = 15 keys in 2024Q1 and Q2, 3 x 6 = 18 in Q3
 * and Q4; familjeradgivning (two) 10, then 12. With the grace of 30 days
 * the due dates are 2024-05-01, 2024-07-31, 2024-10-31 and 2025-01-31.
 *
 *   bup 2024Q1: all 15 on 2024-04-10                   complete
 *   bup 2024Q2: 10 on 2024-07-05, 5 on 2024-08-15      late (the last after the due date)
 *   bup 2024Q3: 10 of 18 on 2024-10-05                 partial
 *   bup 2024Q4: nothing                                missing
 *   familjeradgivning 2024Q1: all 10 on 2024-04-20     complete
 *   the other eleven agencies: nothing                 missing
 *
 * Rates: bup 2 complete of 4 due (50.0), 1 on time (25.0); overall 13
 * agencies x 4 quarters = 52 due, 3 complete (5.8), 2 on time (3.8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg_support.h"
#include "period.h"
#include "tap.h"

static struct agg_env env;

#define BUP_IND_N 3
static const char *const bup_ind[BUP_IND_N] = { "bup.npf_utredningar", "bup.aktuella_barn",
                                                "bup.nya_barn" };
static const char *const fr_ind[2] = { "familjeradgivning.barn", "familjeradgivning.familjer" };
#define NDIST 5
static const char *const dist[NDIST] = { "0581-hageby", "0581-klockaretorpet",
                                         "0581-marielund", "0581-navestad",
                                         "0581-skarblacka" };

/* Plants keys [k0, k1) of the indicators x districts (indicator-major) in
 * one submission of the agency at `when`. */
static void plant_keys(const char *agency, const char *when, const char *const *ind,
                       int period, int k0, int k1)
{
	struct agg_count c[32];
	size_t n = 0;
	long long sub = agg_submission(&env, agency, when);

	for (int k = k0; k < k1; k++)
		c[n++] = (struct agg_count){ ind[k / NDIST], dist[k % NDIST], period, 1000 + k };
	agg_plant(&env, sub, c, n);
	agg_commit(&env);
}

/* The agency's row in the answer, or NULL. */
static const cJSON *agency_row(const cJSON *o, const char *code)
{
	const cJSON *row;

	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "agencies"))
		if (strcmp(agg_str(row, "agency"), code) == 0)
			return row;
	return NULL;
}

/* Checks one quarter of a row: status, expected, arrived, first, last. */
static void check_quarter(const cJSON *row, int q, const char *period, const char *status,
                          int expected, int arrived, const char *first, const char *last,
                          const char *due)
{
	char path[64];
	const char *code = agg_str(row, "agency");

	snprintf(path, sizeof path, "quarters.%d.period", q);
	is_str(agg_str(row, path), period, "%s %s: the period", code, period);
	snprintf(path, sizeof path, "quarters.%d.status", q);
	is_str(agg_str(row, path), status, "%s %s: %s", code, period, status);
	snprintf(path, sizeof path, "quarters.%d.expected", q);
	is_int((long long)agg_num(row, path), expected, "%s %s: %d expected", code, period,
	       expected);
	snprintf(path, sizeof path, "quarters.%d.arrived", q);
	is_int((long long)agg_num(row, path), arrived, "%s %s: %d arrived", code, period, arrived);
	snprintf(path, sizeof path, "quarters.%d.first", q);
	if (first)
		is_str(agg_str(row, path), first, "%s %s: the first came %s", code, period, first);
	else
		ok(agg_is_null(row, path), "%s %s: no first", code, period);
	snprintf(path, sizeof path, "quarters.%d.last", q);
	if (last)
		is_str(agg_str(row, path), last, "%s %s: the last came %s", code, period, last);
	else
		ok(agg_is_null(row, path), "%s %s: no last", code, period);
	snprintf(path, sizeof path, "quarters.%d.due", q);
	is_str(agg_str(row, path), due, "%s %s: due %s", code, period, due);
}

/* Checks rates: due, complete, on time, and the two rates. */
static void check_rates(const cJSON *o, const char *what, int due, int complete, int on_time,
                        double rate, double on_time_rate)
{
	is_int((long long)agg_num(o, "rates.due"), due, "%s: %d due", what, due);
	is_int((long long)agg_num(o, "rates.complete"), complete, "%s: %d complete", what,
	       complete);
	is_int((long long)agg_num(o, "rates.on_time"), on_time, "%s: %d on time", what, on_time);
	if (due == 0) {
		ok(agg_is_null(o, "rates.reporting_rate") && agg_is_null(o, "rates.on_time_rate"),
		   "%s: nothing due, the rates are null", what);
		return;
	}
	is_double(agg_num(o, "rates.reporting_rate"), rate, 1e-9, "%s: reporting rate %.1f", what,
	          rate);
	is_double(agg_num(o, "rates.on_time_rate"), on_time_rate, 1e-9, "%s: on-time rate %.1f",
	          what, on_time_rate);
}

static void test_year(void)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/completeness?area=0581&from=2024Q1&to=2024Q4");
	cJSON *o = agg_json(&r);
	is_int(r.status, 200, "2024: 200");
	is_str(agg_str(o, "area"), "0581", "2024: the area");
	is_str(agg_str(o, "from"), "2024Q1", "2024: from");
	is_str(agg_str(o, "to"), "2024Q4", "2024: to");
	is_int((long long)agg_num(o, "grace_days"), 30, "2024: the grace days");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(o, "agencies")), 13,
	       "2024: every agency of the test catalogue has a row");
	is_str(agg_str(o, "agencies.0.agency"), "bup", "2024: rows by agency code");
	const cJSON *bup = agency_row(o, "bup"), *fr = agency_row(o, "familjeradgivning");
	const cJSON *soc = agency_row(o, "soc");
	is_str(agg_str(bup, "name"), "BUP (barn- och ungdomspsykiatrin)", "bup: its name");
	check_quarter(bup, 0, "2024Q1", "complete", 15, 15, "2024-04-10T10:00:00Z",
	              "2024-04-10T10:00:00Z", "2024-05-01T00:00:00Z");
	check_quarter(bup, 1, "2024Q2", "late", 15, 15, "2024-07-05T10:00:00Z",
	              "2024-08-15T10:00:00Z", "2024-07-31T00:00:00Z");
	check_quarter(bup, 2, "2024Q3", "partial", 18, 10, "2024-10-05T10:00:00Z",
	              "2024-10-05T10:00:00Z", "2024-10-31T00:00:00Z");
	check_quarter(bup, 3, "2024Q4", "missing", 18, 0, NULL, NULL, "2025-01-31T00:00:00Z");
	check_quarter(fr, 0, "2024Q1", "complete", 10, 10, "2024-04-20T10:00:00Z",
	              "2024-04-20T10:00:00Z", "2024-05-01T00:00:00Z");
	check_quarter(fr, 3, "2024Q4", "missing", 12, 0, NULL, NULL, "2025-01-31T00:00:00Z");
	check_quarter(soc, 0, "2024Q1", "missing", 25, 0, NULL, NULL, "2024-05-01T00:00:00Z");
	check_quarter(soc, 2, "2024Q3", "missing", 30, 0, NULL, NULL, "2024-10-31T00:00:00Z");
	check_rates(bup, "bup", 4, 2, 1, 50.0, 25.0);
	check_rates(fr, "familjeradgivning", 4, 1, 1, 25.0, 25.0);
	check_rates(o, "overall", 52, 3, 2, 5.8, 3.8);
	ok(!agg_has_number(r.body.data, 1000) && !agg_has_number(r.body.data, 1014),
	   "2024: no planted value in the body");
	cJSON_Delete(o);
	http_result_free(&r);
}

/* The current quarter has not ended: nothing is due, no rate. A quarter
 * before nyby's first period expects no key there. */
static void test_not_due(void)
{
	struct http_result r;
	char cur[PERIOD_STRLEN];

	period_format(period_current(time(NULL)), cur);
	agg_get(&env.agg, env.admin, NULL, &r, "/v1/completeness?area=0581&from=%s&to=%s", cur,
	        cur);
	cJSON *o = agg_json(&r);
	is_int(r.status, 200, "current quarter: 200 for an admin");
	is_str(agg_str(agency_row(o, "bup"), "quarters.0.status"), "not_due",
	       "current quarter: bup not_due");
	is_str(agg_str(agency_row(o, "soc"), "quarters.0.status"), "not_due",
	       "current quarter: soc not_due");
	check_rates(o, "current quarter", 0, 0, 0, 0, 0);
	cJSON_Delete(o);
	http_result_free(&r);
}

/* Without bounds: the current year's quarters up to the current one. */
static void test_defaults(void)
{
	struct http_result r;
	char cur[PERIOD_STRLEN], first[PERIOD_STRLEN];
	int now = period_current(time(NULL));

	period_format(now, cur);
	period_format(period_make(period_year(now), 1), first);
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/completeness?area=0581");
	cJSON *o = agg_json(&r);
	is_int(r.status, 200, "no bounds: 200");
	is_str(agg_str(o, "from"), first, "no from: the first quarter of to's year");
	is_str(agg_str(o, "to"), cur, "no to: the current quarter");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(agency_row(o, "bup"), "quarters")),
	       period_quarter(now), "no bounds: one entry per quarter");
	cJSON_Delete(o);
	http_result_free(&r);
}

/* The start page links each municipality's reporting page. */
static void test_index_links(void)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/");
	is_int(r.status, 200, "GET /: 200");
	ok(r.body.data && strstr(r.body.data, "<p><a class=\"reporting\" href=\"/reporting?area="
	                                      "0581\">Rapportering</a>"),
	   "GET /: Norrköping's reporting page is linked, in Swedish");
	ok(r.body.data && strstr(r.body.data, "href=\"/reporting?area=0182\""),
	   "GET /: so is Nacka's");
	http_result_free(&r);
}

/* As of 2024-08-01 the second half of bup's 2024Q2 had not come. */
static void test_as_of(void)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r,
	        "/v1/completeness?area=0581&from=2024Q1&to=2024Q4&as_of=2024-08-01T00:00:00Z");
	cJSON *o = agg_json(&r);
	const cJSON *bup = agency_row(o, "bup");
	is_int(r.status, 200, "as_of: 200");
	is_str(agg_str(bup, "quarters.0.status"), "complete", "as_of: bup 2024Q1 complete");
	is_str(agg_str(bup, "quarters.1.status"), "partial", "as_of: bup 2024Q2 partial");
	is_int((long long)agg_num(bup, "quarters.1.arrived"), 10, "as_of: 10 of its keys");
	is_int((long long)agg_num(bup, "quarters.2.arrived"), 0, "as_of: nothing of 2024Q3");
	cJSON_Delete(o);
	http_result_free(&r);
}

static void test_refusals(void)
{
	struct http_result r;

	agg_get(&env.agg, NULL, NULL, &r, "/v1/completeness?area=0581&from=2024Q1&to=2024Q4");
	agg_check_error("no token", &r, 401, "unauthorized");
	http_result_free(&r);
	agg_get(&env.agg, env.submitter, NULL, &r, "/v1/completeness?area=0581");
	agg_check_error("a submitter's token", &r, 403, "forbidden");
	http_result_free(&r);
	static const char *const bad[] = {
		"area=0581-hageby&from=2024Q1&to=2024Q4", "area=0999", "from=2024Q1",
		"area=0581&from=2024Q5", "area=0581&from=2024Q3&to=2024Q1",
		"area=0581&from=2010Q1&to=2024Q4", "area=0581&to=2999Q1", "area=0581&year=2024",
		"area=0581&area=0182",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		agg_get(&env.agg, env.analyst, NULL, &r, "/v1/completeness?%s", bad[i]);
		agg_check_error(bad[i], &r, 400, "invalid_parameter");
		http_result_free(&r);
	}
}

/* True when the body holds the piece; says which in the test's name. */
static void has(const struct http_result *r, const char *piece, const char *what)
{
	ok(r->body.data && strstr(r->body.data, piece), "%s: the page has %s", what, piece);
}

/* The page: a word and a colour (class) per status, the rates, both
 * languages; a browser without a session goes to /login. */
static void test_page(void)
{
	struct http_result r;
	char lang[16] = "", where[64] = "";

	agg_get(&env.agg, env.analyst, NULL, &r, "/reporting?area=0581&from=2024Q1&to=2024Q4");
	is_int(r.status, 200, "page: 200");
	ok(http_result_header(&r, "Content-Language", lang, sizeof lang) &&
	   strcmp(lang, "sv") == 0, "page: Swedish by default (%s)", lang);
	has(&r, "<h1>Rapportering: Norrköping</h1>", "sv");
	has(&r, "<tr><th>Verksamhet</th><th>2024Q1</th><th>2024Q2</th><th>2024Q3</th>"
	        "<th>2024Q4</th><th>Rapporterat</th><th>I tid</th></tr>", "sv");
	has(&r, "<tr><th>BUP (barn- och ungdomspsykiatrin)</th><td class=\"complete\">komplett</td>"
	        "<td class=\"late\">sen</td><td class=\"partial\">delvis 10/18</td>"
	        "<td class=\"missing\">saknas</td><td>50,0\u00a0%</td><td>25,0\u00a0%</td></tr>",
	    "sv");
	has(&r, "<tr><th>Alla</th><td colspan=\"4\"></td><td>5,8\u00a0%</td><td>3,8\u00a0%</td>",
	    "sv");
	has(&r, ".missing{background:#fcc}", "sv");
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, NULL, &r,
	        "/reporting?area=0581&from=2024Q1&to=2024Q4&lang=en");
	ok(http_result_header(&r, "Content-Language", lang, sizeof lang) &&
	   strcmp(lang, "en") == 0, "page: English with lang=en (%s)", lang);
	has(&r, "<td class=\"complete\">complete</td><td class=\"late\">late</td>"
	        "<td class=\"partial\">partial 10/18</td><td class=\"missing\">missing</td>"
	        "<td>50.0%</td><td>25.0%</td>", "en");
	http_result_free(&r);

	char cur[PERIOD_STRLEN];
	period_format(period_current(time(NULL)), cur);
	agg_get(&env.agg, env.analyst, NULL, &r, "/reporting?area=0581&from=%s&to=%s", cur, cur);
	has(&r, "<td class=\"not_due\">ej förfallen</td>", "current quarter");
	has(&r, "<td>\u2013</td><td>\u2013</td></tr>", "current quarter");
	http_result_free(&r);

	agg_get(&env.agg, NULL, NULL, &r, "/reporting?area=0581");
	is_int(r.status, 303, "page without a session: 303");
	ok(http_result_header(&r, "Location", where, sizeof where) &&
	   strncmp(where, "/login", 6) == 0, "page without a session: to /login (%s)", where);
	http_result_free(&r);
	agg_get(&env.agg, env.analyst, NULL, &r, "/reporting?area=0581&lang=fr");
	agg_check_error("page lang=fr", &r, 400, "invalid_parameter");
	http_result_free(&r);
	agg_get(&env.agg, env.analyst, NULL, &r, "/reporting?area=0581-hageby");
	agg_check_error("page for a district", &r, 400, "invalid_parameter");
	http_result_free(&r);
}

int main(void)
{
	char dir[] = "/tmp/samlad-completeness-XXXXXX";

	agg_env_start(&env, "aggcompl", NULL);
	/* In the order of arrival, as the collector stores them: a data
	 * version is a submission id. */
	ok(mkdtemp(dir) != NULL, "a directory for the catalogue");
	agg_catalogue_copy(dir, "0581-nyby,Nyby,0581,2024Q3,\n");
	is_int(agg_import(&env, dir, NULL), 0, "the catalogue with nyby from 2024Q3 imports");
	plant_keys("bup", "2024-04-10T10:00:00Z", bup_ind, 20241, 0, 15);
	plant_keys("familjeradgivning", "2024-04-20T10:00:00Z", fr_ind, 20241, 0, 10);
	plant_keys("bup", "2024-07-05T10:00:00Z", bup_ind, 20242, 0, 10);
	plant_keys("bup", "2024-08-15T10:00:00Z", bup_ind, 20242, 10, 15);
	plant_keys("bup", "2024-10-05T10:00:00Z", bup_ind, 20243, 0, 10);
	test_year();
	test_not_due();
	test_defaults();
	test_as_of();
	test_refusals();
	test_page();
	test_index_links();
	static const char *const files[] = { "agencies.csv", "areas.csv", "indicators.csv",
	                                     "permissions.csv" };
	char path[128];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		remove(path);
	}
	rmdir(dir);
	agg_env_stop(&env);
	return tap_done();
}
