/* GET /explore through real HTTP on the counts of planted.h: who may see
 * it (a session, a reader's token, --public; a browser without a session
 * is sent to /login, an agency's token refused); the form alone, Swedish
 * by default and English with lang=en; every table cell equal to the row
 * /v1/data gives for the same selection (value, ".." where it is hidden or
 * missing, "–" for zero, numbers as Swedish or English print them); the
 * download links, which answer with the session cookie alone; a selection
 * with too many cells answered by a message on the page; every bad
 * parameter refused with 400 invalid_parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_support.h"
#include "buf.h"
#include "planted.h"

#define FORM "application/x-www-form-urlencoded"
#define NBSP "\xc2\xa0"
#define CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
            "frame-ancestors 'none'"

static struct agg_env env;
static char cookie[256];

/* Signs the analyst in by the form; keeps "samlad_session=..." in cookie. */
static void sign_in(void)
{
	struct http_result r;
	char url[160], body[256], set[512] = "";

	snprintf(url, sizeof url, "%s/login", env.agg.base_url);
	snprintf(body, sizeof body, "token=%s", env.analyst);
	http_do("POST", url, NULL, FORM, body, strlen(body), NULL, &r);
	is_int(r.status, 303, "sign in: 303");
	http_result_header(&r, "Set-Cookie", set, sizeof set);
	snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(set, ";"), set);
	http_result_free(&r);
}

/* GET path with the session cookie. */
static long get_cookie(const char *path, struct http_result *r)
{
	char header[300];
	const char *headers[] = { header, NULL };

	snprintf(header, sizeof header, "Cookie: %s", cookie);
	agg_get(&env.agg, NULL, headers, r, "%s", path);
	return r->status;
}

static bool has(const struct http_result *r, const char *s)
{
	return r->body.data && strstr(r->body.data, s);
}

static void header_is(const struct http_result *r, const char *name, const char *want,
                      const char *what)
{
	char got[256] = "";

	http_result_header(r, name, got, sizeof got);
	is_str(got, want, "%s: %s", what, name);
}

static void test_gate(void)
{
	struct http_result r;
	char where[64] = "";
	struct harness_proc pub;
	const char *extra[] = { "--public", NULL };

	agg_get(&env.agg, NULL, NULL, &r, "/explore");
	is_int(r.status, 303, "no session: 303");
	http_result_header(&r, "Location", where, sizeof where);
	is_str(where, "/login", "no session: to /login");
	http_result_free(&r);
	agg_get(&env.agg, env.submitter, NULL, &r, "/explore");
	is_int(r.status, 403, "an agency's token: 403");
	http_result_free(&r);
	agg_get(&env.agg, env.admin, NULL, &r, "/explore");
	is_int(r.status, 200, "an admin's token: 200");
	http_result_free(&r);
	is_int(get_cookie("/explore", &r), 200, "the analyst's session: 200");
	http_result_free(&r);
	if (harness_start(&pub, harness_program("aggregator/samlad-aggregator"),
	                  env.db.aggregator_url, extra) != 0) {
		ok(false, "--public: the aggregator starts");
		return;
	}
	agg_get(&pub, NULL, NULL, &r, "/explore?indicator=" NB "&area=0581");
	is_int(r.status, 200, "--public: 200 without a session");
	ok(has(&r, "<table class=\"data\" data-indicator=\"bup.nya_barn\">"),
	   "--public: the table");
	http_result_free(&r);
	harness_stop(&pub);
}

/* The form alone, in Swedish: every choice, nothing chosen yet. */
static void test_form(void)
{
	struct http_result r;

	is_int(get_cookie("/explore", &r), 200, "the form: 200");
	header_is(&r, "Content-Type", "text/html; charset=utf-8", "the form");
	header_is(&r, "Content-Language", "sv", "the form");
	header_is(&r, "Content-Security-Policy", CSP, "the form");
	ok(has(&r, "<html lang=\"sv\">") && has(&r, "<h1>Utforska data</h1>"), "Swedish");
	ok(has(&r, "<form method=\"get\" action=\"/explore\">"), "a GET form");
	ok(has(&r, "<fieldset class=\"agency\"><legend>BUP (barn- och ungdomspsykiatrin)"
	           "</legend>"), "indicators grouped by agency");
	ok(has(&r, "<label><input type=\"checkbox\" name=\"indicator\" value=\"bup.nya_barn\"> "
	           "Antal nya barn (BUP (barn- och ungdomspsykiatrin))</label>"),
	   "an indicator's box, named with its agency");
	ok(has(&r, "<input type=\"checkbox\" name=\"area\" value=\"0581*\"> Norrköping med alla "
	           "delområden</label>"), "a municipality with all its districts");
	ok(has(&r, "<input type=\"checkbox\" name=\"area\" value=\"0581\"> Norrköping</label>"),
	   "a municipality");
	ok(has(&r, "<input type=\"checkbox\" name=\"area\" value=\"0581-hageby\"> Hageby</label>"),
	   "a district");
	ok(has(&r, "<option value=\"quarter\" selected>kvartal</option>"), "quarters by default");
	ok(has(&r, "<p class=\"hint\">Välj minst en indikator och ett område.</p>"), "the hint");
	ok(!has(&r, "<table") && !has(&r, "<script"), "no table, no script");
	http_result_free(&r);
}

/* A number as the page prints it: grouped by thousands. */
static void number_text(long long v, bool english, char *out, size_t size)
{
	char digits[32];
	size_t n, o = 0;

	snprintf(digits, sizeof digits, "%lld", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 4 < size; i++) {
		if (i && (n - i) % 3 == 0)
			o += (size_t)snprintf(out + o, size - o, "%s", english ? "," : NBSP);
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* The table row the page must hold for one (indicator, area) of /v1/data's
 * rows, from row `first` on, nper cells. */
static void expected_row(const cJSON *rows, int first, int nper, bool english,
                         struct buf *out)
{
	char num[64];

	buf_reset(out);
	buf_printf(out, "<tr data-area=\"%s\"><th scope=\"row\">%s</th>",
	           agg_str(cJSON_GetArrayItem(rows, first), "area"),
	           agg_str(cJSON_GetArrayItem(rows, first), "area_name"));
	for (int p = 0; p < nper; p++) {
		const cJSON *row = cJSON_GetArrayItem(rows, first + p);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, "value");
		if (cJSON_IsNull(v))
			snprintf(num, sizeof num, "..");
		else if (v->valuedouble == 0)
			snprintf(num, sizeof num, "\xe2\x80\x93");
		else
			number_text((long long)v->valuedouble, english, num, sizeof num);
		buf_printf(out, "<td data-period=\"%s\">%s</td>", agg_str(row, "period"), num);
	}
	buf_puts(out, "</tr>");
}

/* Every cell of the page's tables against /v1/data's rows. */
static void same_as_data(const char *page_query, const char *data_query, int nper,
                         bool english, const char *what)
{
	struct http_result r, d;
	struct buf row = BUF_INIT;
	int found = 0, pairs;

	is_int(get_cookie(page_query, &r), 200, "%s: the page 200", what);
	agg_get(&env.agg, env.analyst, NULL, &d, "/v1/data%s", data_query);
	cJSON *o = agg_json(&d);
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "rows");
	pairs = cJSON_GetArraySize(rows) / nper;
	ok(pairs > 0, "%s: /v1/data has %d rows", what, cJSON_GetArraySize(rows));
	for (int i = 0; i < pairs; i++) {
		expected_row(rows, i * nper, nper, english, &row);
		if (has(&r, row.data))
			found++;
		else
			diag("missing: %s", row.data);
	}
	is_int(found, pairs, "%s: every table row equals /v1/data's", what);
	buf_free(&row);
	cJSON_Delete(o);
	http_result_free(&d);
	http_result_free(&r);
}

static void test_tables(void)
{
	same_as_data("/explore?indicator=" NB "&indicator=" SP "&area=0581*&from=2022Q1"
	             "&to=2024Q4&freq=all",
	             "?indicator=" NB "," SP "&area=0581*&from=2022Q1&to=2024Q4&freq=all", 15,
	             false, "0581* 2022-2024, all");
	same_as_data("/explore?indicator=" AB "&area=0581-hageby&area=0581&from=2023Q1&to=2024Q4",
	             "?indicator=" AB "&area=0581-hageby,0581&from=2023Q1&to=2024Q4&freq=quarter",
	             8, false, "stock, quarters by default");
	same_as_data("/explore?indicator=" NB "&area=0581&from=2022Q1&to=2024Q4&freq=year&lang=en",
	             "?indicator=" NB "&area=0581&from=2022Q1&to=2024Q4&freq=year", 3, true,
	             "English, years");
}

/* Exact cells and the rest of the results, by hand from planted.h. */
static void test_cells(void)
{
	struct http_result r;

	get_cookie("/explore?indicator=" NB "&area=0581*&from=2024Q1&to=2024Q4&freq=all", &r);
	ok(has(&r, "<tr data-area=\"0581-hageby\"><th scope=\"row\">Hageby</th>"
	           "<td data-period=\"2024Q1\">22</td><td data-period=\"2024Q2\">..</td>"
	           "<td data-period=\"2024Q3\">..</td><td data-period=\"2024Q4\">32</td>"
	           "<td data-period=\"2024\">106</td></tr>"), "hageby 2024: hidden cells are ..");
	ok(has(&r, "<td data-period=\"2024\">1" NBSP "367</td>"), "0581 2024: 1 367");
	ok(!has(&r, ">25<") && !has(&r, ">27<") && !has(&r, ">41<") && !has(&r, ">4<"),
	   "no hidden value in the page");
	ok(has(&r, "<input type=\"checkbox\" name=\"indicator\" value=\"bup.nya_barn\" checked>") &&
	   has(&r, "<input type=\"checkbox\" name=\"area\" value=\"0581*\" checked>") &&
	   has(&r, "value=\"2024Q1\">") && has(&r, "<option value=\"all\" selected>"),
	   "the form keeps the choice");
	ok(has(&r, "<svg") && has(&r, "role=\"img\""), "a chart");
	ok(has(&r, "<h2>Antal nya barn (BUP (barn- och ungdomspsykiatrin))</h2>"),
	   "the indicator's heading with its agency");
	ok(has(&r, "<p class=\"legend\">Teckenförklaring: <b>..</b> uppgift inte tillgänglig"),
	   "the legend");
	ok(has(&r, "<a class=\"download\" href=\"/v1/data?indicator=bup.nya_barn&amp;"
	           "area=0581*&amp;from=2024Q1&amp;to=2024Q4&amp;freq=all&amp;format=csv&amp;"
	           "sep=semicolon\">CSV</a>") &&
	   has(&r, "freq=all&amp;format=json-stat2\">JSON-stat</a>") &&
	   has(&r, "freq=all&amp;format=xlsx\">Excel (xlsx)</a>"), "the download links");
	http_result_free(&r);

	get_cookie("/explore?indicator=" NB "&area=0581&from=2022Q1&to=2022Q4&freq=year&lang=en",
	           &r);
	header_is(&r, "Content-Language", "en", "English");
	ok(has(&r, "<html lang=\"en\">") && has(&r, "<h1>Explore the data</h1>") &&
	   has(&r, "<input type=\"hidden\" name=\"lang\" value=\"en\">"), "English page");
	ok(has(&r, "<td data-period=\"2022\">1,080</td>"), "English numbers: 1,080");
	ok(has(&r, "Legend: <b>..</b> data not available"), "English legend");
	ok(has(&r, "freq=year&amp;lang=en&amp;format=csv"), "the downloads in English");
	http_result_free(&r);
}

/* The downloads answer with the session cookie alone. */
static void test_downloads(void)
{
	static const struct { const char *format, *type; } f[] = {
		{ "&format=csv&sep=semicolon", "text/csv; charset=utf-8" },
		{ "&format=json-stat2", "application/json-stat+json; charset=utf-8" },
		{ "", "application/json" },
	};
	struct http_result r;
	char path[256], type[128];

	for (size_t i = 0; i < ARRAY_LEN(f); i++) {
		snprintf(path, sizeof path, "/v1/data?indicator=" NB "&area=0581*&from=2024Q1"
		         "&to=2024Q4&freq=all%s", f[i].format);
		is_int(get_cookie(path, &r), 200, "the cookie reads /v1/data%s", f[i].format);
		type[0] = '\0';
		http_result_header(&r, "Content-Type", type, sizeof type);
		is_str(type, f[i].type, "its Content-Type");
		http_result_free(&r);
	}
}

static void test_too_many(void)
{
	struct http_result r, d;
	char want[256], cells[32];
	static const char sel[] = "indicator=" NB "," AB "," SP "&area=0581*,0182*&from=2000Q1"
	                          "&to=2024Q4&freq=all";

	agg_get(&env.agg, env.analyst, NULL, &d, "/v1/data?%s&limit=1", sel);
	cJSON *o = agg_json(&d);
	long long total = (long long)agg_num(o, "total");
	ok(total > 4000, "the selection has %lld cells", total);
	number_text(total, false, cells, sizeof cells);
	is_int(get_cookie("/explore?indicator=" NB "&indicator=" AB "&indicator=" SP
	                  "&area=0581*&area=0182*&from=2000Q1&to=2024Q4&freq=all", &r), 200,
	       "too many cells: 200, a page");
	snprintf(want, sizeof want, "<p class=\"error\" role=\"alert\">Urvalet har %s celler, "
	         "fler än de 4" NBSP "000 som en sida visar.", cells);
	ok(has(&r, want), "too many cells: the message (%s)", want);
	ok(!has(&r, "<table") && has(&r, "format=csv"), "no table, the downloads");
	http_result_free(&r);
	cJSON_Delete(o);
	http_result_free(&d);
}

static void test_refusals(void)
{
	static const char *const bad[] = {
		"/explore?lang=fr", "/explore?freq=month", "/explore?nope=1",
		"/explore?from=2024Q1&from=2024Q2", "/explore?indicator=nope&area=0581",
		"/explore?indicator=" NB "&area=9999", "/explore?indicator=" NB "&area=0581&from=2024Q5",
		"/explore?indicator=" NB "&area=0581&from=2024Q3&to=2024Q1",
	};
	struct http_result r;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		get_cookie(bad[i], &r);
		agg_check_error(bad[i], &r, 400, "invalid_parameter");
		http_result_free(&r);
	}
}

/* The sign-in page and the index: Swedish by default, English with
 * lang=en; the index links the explorer. */
static void test_swedish_pages(void)
{
	struct http_result r;
	char url[160], body[256], where[64] = "";

	agg_get(&env.agg, NULL, NULL, &r, "/login");
	ok(has(&r, "<html lang=\"sv\">") && has(&r, "<h1>Samlad: logga in</h1>") &&
	   has(&r, "<label for=\"token\">Nyckel</label>") &&
	   has(&r, "<button type=\"submit\">Logga in</button>") &&
	   has(&r, "<input type=\"hidden\" name=\"lang\" value=\"sv\">"),
	   "/login: Swedish by default");
	http_result_free(&r);
	agg_get(&env.agg, NULL, NULL, &r, "/login?lang=en");
	ok(has(&r, "<html lang=\"en\">") && has(&r, "<button type=\"submit\">Sign in</button>") &&
	   has(&r, "<input type=\"hidden\" name=\"lang\" value=\"en\">"), "/login?lang=en");
	http_result_free(&r);
	snprintf(url, sizeof url, "%s/login", env.agg.base_url);
	http_do("POST", url, NULL, FORM, "token=smd_1_wrong&lang=en", 25, NULL, &r);
	ok(r.status == 401 && has(&r, "That token is not valid."), "a refusal in English");
	http_result_free(&r);
	http_do("POST", url, NULL, FORM, "token=smd_1_wrong", 17, NULL, &r);
	ok(r.status == 401 && has(&r, "Nyckeln gäller inte."), "a refusal in Swedish");
	http_result_free(&r);
	snprintf(body, sizeof body, "lang=en&token=%s", env.analyst);
	http_do("POST", url, NULL, FORM, body, strlen(body), NULL, &r);
	http_result_header(&r, "Location", where, sizeof where);
	is_str(where, "/?lang=en", "signed in in English: to /?lang=en");
	http_result_free(&r);

	get_cookie("/", &r);
	header_is(&r, "Content-Language", "sv", "the index");
	ok(has(&r, "<html lang=\"sv\">") && has(&r, "<button type=\"submit\">Logga ut</button>") &&
	   has(&r, "<a class=\"explore\" href=\"/explore\">Utforska data"),
	   "the index: Swedish, the explorer's link");
	http_result_free(&r);
	get_cookie("/?lang=en", &r);
	ok(has(&r, "<html lang=\"en\">") && has(&r, "Sign out") &&
	   has(&r, "<a class=\"explore\" href=\"/explore?lang=en\">Explore the data"),
	   "the index in English");
	http_result_free(&r);
	get_cookie("/?lang=fr", &r);
	agg_check_error("/?lang=fr", &r, 400, "invalid_parameter");
	http_result_free(&r);
}

int main(void)
{
	agg_env_start(&env, "aggexplore", NULL);
	plant_all(&env);
	sign_in();
	test_gate();
	test_form();
	test_tables();
	test_cells();
	test_downloads();
	test_too_many();
	test_refusals();
	test_swedish_pages();
	agg_env_stop(&env);
	return tap_done();
}
