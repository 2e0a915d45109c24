/* Bad requests to the aggregator through real HTTP: every one answers with
 * its exact status and error code in a JSON body {"error", "message"}, and
 * the message names the parameter. Good spellings of the same parameters
 * are accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg_support.h"
#include "period.h"
#include "tap.h"

static struct agg_env env;

#define S "/v1/series?"
#define T "/v1/table?"
#define IND "indicator=bup.nya_barn"

/* One bad request and what it must answer. */
struct bad {
	const char *path;     /* the request (GET) */
	long status;          /* the status */
	const char *error;    /* the error code */
	const char *message;  /* a piece the message must hold */
};

static const struct bad bads[] = {
	{ S "area=0581", 400, "invalid_parameter", "indicator is required" },
	{ S "indicator=&area=0581", 400, "invalid_parameter", "indicator '': no such indicator" },
	{ S "indicator=bup.nope&area=0581", 400, "invalid_parameter",
	  "indicator 'bup.nope': no such indicator" },
	{ S IND, 400, "invalid_parameter", "area is required" },
	{ S IND "&area=0999", 400, "invalid_parameter", "area '0999': no such area" },
	{ S IND "&area=0581&from=2024Q3&to=2024Q1", 400, "invalid_parameter",
	  "from '2024Q3' is after to '2024Q1'" },
	{ S IND "&area=0581&from=2024&to=2023&freq=year", 400, "invalid_parameter",
	  "from '2024' is after to '2023'" },
	{ S IND "&area=0581&from=2024Q5", 400, "invalid_parameter", "from '2024Q5': a period is" },
	{ S IND "&area=0581&from=2024q1", 400, "invalid_parameter", "from '2024q1'" },
	{ S IND "&area=0581&from=2024k1", 400, "invalid_parameter",
	  "from '2024k1': a period is a quarter YYYYQn or YYYY-Qn (or YYYYKn, YYYY-Kn)" },
	{ S IND "&area=0581&to=2024K5", 400, "invalid_parameter", "to '2024K5': a period is" },
	{ S IND "&area=0581&to=24Q1", 400, "invalid_parameter", "to '24Q1'" },
	{ S IND "&area=0581&from=", 400, "invalid_parameter", "from ''" },
	{ S IND "&area=0581&from=1999Q4", 400, "invalid_parameter", "periods start at 2000Q1" },
	{ S IND "&area=0581&freq=month", 400, "invalid_parameter", "freq 'month': use quarter or year" },
	{ S IND "&area=0581&freq=", 400, "invalid_parameter", "freq ''" },
	{ S IND "&area=0581&format=xml", 400, "invalid_parameter",
	  "format 'xml': use json, csv, sdmx-json, sdmx-csv or xlsx" },
	{ S IND "&area=0581&format=CSV", 400, "invalid_parameter", "format 'CSV'" },
	{ S IND "&area=0581&foo=1", 400, "invalid_parameter", "unknown query parameter 'foo'" },
	{ S IND "&area=0581&year=2024", 400, "invalid_parameter", "unknown query parameter 'year'" },
	{ S IND "&area=0581&area=0182", 400, "invalid_parameter", "area: give it once" },
	{ S IND "&area=0581&as_of=yesterday", 400, "invalid_parameter", "as_of 'yesterday'" },
	{ S IND "&area=0581&as_of=2025-01-01T00:00:00", 400, "invalid_parameter",
	  "as_of '2025-01-01T00:00:00': not an RFC 3339 time" },
	{ S IND "&area=0581&as_of=2025-02-29T00:00:00Z", 400, "invalid_parameter", "as_of" },
	{ S IND "&area=0581&as_of=2025-01-01", 400, "invalid_parameter", "as_of" },
	{ S IND "&area=0581&as_of=2025-01-01T24:00:00Z", 400, "invalid_parameter", "as_of" },
	{ S IND "&area=0581&as_of=2025-01-01T00:00:00%2B1:00", 400, "invalid_parameter", "as_of" },
	/* Beyond PostgreSQL's 15:59, which once answered 500. */
	{ S IND "&area=0581&as_of=2025-01-01T00:00:00%2B16:00", 400, "invalid_parameter", "as_of" },
	{ S IND "&area=0581&as_of=2025-01-01T00:00:00-23:59", 400, "invalid_parameter", "as_of" },
	{ S IND "&area=0581&as_of=2025-01-01T00:00:00%00", 400, "malformed_request", "%00" },
	{ S "indicator=%01%02&area=0581", 400, "invalid_parameter", "indicator '?" "?'" },
	{ S "indicator=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&area=0581", 400,
	  "invalid_parameter", "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
	{ T IND "&area=0581-hageby&year=2024", 400, "invalid_parameter",
	  "area '0581-hageby': a table is of a municipality; this area's municipality is '0581'" },
	{ T IND "&area=0581&year=24", 400, "invalid_parameter", "year '24': a year is written YYYY" },
	{ T IND "&area=0581&year=2024Q1", 400, "invalid_parameter", "year '2024Q1'" },
	{ T IND "&area=0581&year=1999", 400, "invalid_parameter", "the first year is 2000" },
	{ T IND "&area=0581&year=9999", 400, "invalid_parameter", "the year has not begun" },
	{ T IND "&area=0581", 400, "invalid_parameter", "year is required" },
	{ T "area=0581&year=2024", 400, "invalid_parameter", "indicator is required" },
	{ T IND "&year=2024", 400, "invalid_parameter", "area is required" },
	{ T IND "&area=0581&year=2024&format=json-stat2", 400, "invalid_parameter",
	  "format 'json-stat2': use json, csv, sdmx-json, sdmx-csv or xlsx" },
	{ T IND "&area=0581&year=2024&lang=de", 400, "invalid_parameter",
	  "lang 'de': expected sv or en" },
	{ S IND "&area=0581&lang=EN", 400, "invalid_parameter", "lang 'EN': expected sv or en" },
	{ T IND "&area=0581&year=2024&from=2024Q1", 400, "invalid_parameter",
	  "unknown query parameter 'from'" },
	{ T IND "&area=0581&year=2024&as_of=now", 400, "invalid_parameter", "as_of 'now'" },
	{ "/v1/catalogue?indicator=bup.nya_barn", 400, "invalid_parameter",
	  "unknown query parameter 'indicator'" },
	{ "/v1/catalogue?as_of=2025", 400, "invalid_parameter", "as_of '2025'" },
	{ "/v1/nothing", 404, "not_found", "" },
	{ "/v1/series/0581", 404, "not_found", "" },
};

static void test_bad(void)
{
	struct http_result r;

	for (size_t i = 0; i < ARRAY_LEN(bads); i++) {
		agg_get(&env.agg, env.analyst, NULL, &r, "%s", bads[i].path);
		agg_check_error(bads[i].path, &r, bads[i].status, bads[i].error);
		cJSON *o = agg_json(&r);
		ok(strstr(agg_str(o, "message"), bads[i].message) != NULL, "%s: the message says "
		   "\"%s\"", bads[i].path, bads[i].message);
		cJSON_Delete(o);
		http_result_free(&r);
	}
}

/* Periods after the current quarter, and years after the current one. */
static void test_future(void)
{
	char next[PERIOD_STRLEN], path[256];
	struct http_result r;
	int now = period_current(time(NULL));

	period_format(period_add(now, 1), next);
	snprintf(path, sizeof path, S IND "&area=0581&to=%s", next);
	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	agg_check_error("to the next quarter", &r, 400, "invalid_parameter");
	http_result_free(&r);
	snprintf(path, sizeof path, S IND "&area=0581&from=%d&freq=year", period_year(now) + 1);
	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	agg_check_error("from next year", &r, 400, "invalid_parameter");
	http_result_free(&r);
	snprintf(path, sizeof path, T IND "&area=0581&year=%d", period_year(now) + 1);
	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	agg_check_error("a table of next year", &r, 400, "invalid_parameter");
	http_result_free(&r);
	/* The current quarter has begun: it may be asked for (and is missing). */
	period_format(now, next);
	snprintf(path, sizeof path, S IND "&area=0581&from=%s&to=%s", next, next);
	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	cJSON *o = agg_json(&r);
	is_int(r.status, 200, "the current quarter: 200");
	is_str(agg_str(o, "points.0.status"), "missing", "the current quarter: missing");
	cJSON_Delete(o);
	http_result_free(&r);
}

/* Spellings that are accepted. */
static void test_good(void)
{
	static const char *const goods[] = {
		S IND "&area=0581&from=2024-Q1&to=2024-Q4",
		S IND "&area=0581&from=2024&to=2024",
		S IND "&area=0581&from=2024K1&to=2024-K4",
		S IND "&area=0581-hageby&from=2024Q1&to=2024&freq=year",
		S IND "&area=0581&format=json&freq=quarter&from=2024Q1&to=2024Q1",
		S IND "&area=0581&from=2024Q1&to=2024Q1&as_of=2025-01-01T00:00:00.5%2B01:00",
		S IND "&area=0581&from=2024Q1&to=2024Q1&as_of=2025-01-01t00:00:00z",
		T IND "&area=0182&year=2024&format=csv",
		"/v1/catalogue?as_of=2025-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < ARRAY_LEN(goods); i++) {
		struct http_result r;
		agg_get(&env.agg, env.analyst, NULL, &r, "%s", goods[i]);
		is_int(r.status, 200, "accepted: %s", goods[i]);
		if (r.status != 200)
			diag("%s", r.body.data);
		http_result_free(&r);
	}
}

/* The method and the token are checked before any parameter. */
static void test_order(void)
{
	struct http_result r;
	char url[256], allow[64] = "";

	agg_get(&env.agg, NULL, NULL, &r, S "indicator=nope");
	agg_check_error("a bad parameter without a token", &r, 401, "unauthorized");
	http_result_free(&r);
	snprintf(url, sizeof url, "%s" S IND "&area=0581", env.agg.base_url);
	http_do("POST", url, env.analyst, "application/json", "{}", 2, NULL, &r);
	agg_check_error("POST /v1/series", &r, 405, "method_not_allowed");
	ok(http_result_header(&r, "Allow", allow, sizeof allow) && strcmp(allow, "GET") == 0,
	   "POST /v1/series: Allow: GET (%s)", allow);
	http_result_free(&r);
}

int main(void)
{
	agg_env_start(&env, "aggparams", NULL);
	test_bad();
	test_future();
	test_good();
	test_order();
	agg_env_stop(&env);
	return tap_done();
}
