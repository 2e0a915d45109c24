/* GET /v1/series through real HTTP against a real PostgreSQL: exact
 * quarterly and yearly values of planted counts (planted.h), sums over
 * districts, missing quarters, derived values, trend statistics, as_of over
 * the history (planted with chosen arrival times and posted through a real
 * collector), CSV, and the SDMX-JSON message checked against the official
 * schema with python3-jsonschema. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg_support.h"
#include "period.h"
#include "planted.h"
#include "tap.h"

static struct agg_env env;

/* -1: the value is null. */
#define NUL (-1)

/* One expected point. */
struct want_point {
	const char *period;  /* as the API spells it */
	long long value;     /* NUL for null */
	const char *status;  /* published, suppressed or missing */
};

/* One expected derived entry; has_ flags say whether the member is a number. */
struct want_derived {
	const char *period;  /* the point's period */
	double mat;          /* moving_annual_total, NAN for null */
	double change;       /* yoy_change, NAN for null */
	double percent;      /* yoy_percent, NAN for null */
};

/* GETs path as the analyst and parses the JSON; checks the 200. */
static cJSON *get_json(const char *what, const char *path)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	is_int(r.status, 200, "%s: 200", what);
	if (r.status != 200)
		diag("body: %s", r.body.data);
	cJSON *o = agg_json(&r);
	http_result_free(&r);
	return o;
}

static void check_points(const char *what, const cJSON *o, const struct want_point *w,
                         size_t n)
{
	const cJSON *pts = agg_at(o, "points");

	is_int(cJSON_GetArraySize(pts), n, "%s: %zu points", what, n);
	for (size_t i = 0; i < n; i++) {
		const cJSON *p = cJSON_GetArrayItem(pts, (int)i);
		is_str(agg_str(p, "period"), w[i].period, "%s: point %zu is %s", what, i, w[i].period);
		is_str(agg_str(p, "status"), w[i].status, "%s %s: status %s", what, w[i].period,
		       w[i].status);
		if (w[i].value == NUL)
			ok(agg_is_null(p, "value"), "%s %s: value is null (not 0)", what, w[i].period);
		else
			is_int((long long)agg_num(p, "value"), w[i].value, "%s %s: value %lld", what,
			       w[i].period, w[i].value);
		is_int(cJSON_GetArraySize(p), 3, "%s %s: period, value, status only", what,
		       w[i].period);
	}
}

/* A derived member: a number equal to want, or null when want is NAN. */
static void check_member(const char *what, const cJSON *d, const char *name, double want)
{
	if (isnan(want))
		ok(agg_is_null(d, name), "%s: %s is null", what, name);
	else
		is_double(agg_num(d, name), want, 1e-9, "%s: %s is %g", what, name, want);
}

static void check_derived(const char *what, const cJSON *o, const struct want_derived *w,
                          size_t n)
{
	const cJSON *list = agg_at(o, "derived");
	char name[160];

	is_int(cJSON_GetArraySize(list), n, "%s: %zu derived entries", what, n);
	for (size_t i = 0; i < n; i++) {
		const cJSON *d = cJSON_GetArrayItem(list, (int)i);
		snprintf(name, sizeof name, "%s derived %s", what, w[i].period);
		is_str(agg_str(d, "period"), w[i].period, "%s: period", name);
		check_member(name, d, "moving_annual_total", w[i].mat);
		check_member(name, d, "yoy_change", w[i].change);
		check_member(name, d, "yoy_percent", w[i].percent);
	}
}

/* ---- quarters ------------------------------------------------------------ */

static const struct want_point hageby_q[] = {
	{ "2022Q1", 11, "published" }, { "2022Q2", 14, "published" },
	{ "2022Q3", 12, "published" }, { "2022Q4", 18, "published" },
	{ "2023Q1", 16, "published" }, { "2023Q2", 20, "published" },
	{ "2023Q3", 19, "published" }, { "2023Q4", 23, "published" },
	{ "2024Q1", 22, "published" }, { "2024Q2", NUL, "suppressed" },
	{ "2024Q3", NUL, "suppressed" }, { "2024Q4", 32, "published" },
	{ "2025Q1", 30, "published" }, { "2025Q2", 33, "published" },
	{ "2025Q3", NUL, "missing" }, { "2025Q4", 37, "published" },
};

/* Moving annual totals: sums of the four quarters ending at the point,
 * null while the window reaches before 2022Q1 (no data), touches 2024Q2/Q3
 * (suppressed) or 2025Q3 (missing). Changes on the same quarter a year
 * earlier, percent to one decimal: 2023Q1 (16-11)/11 = 45.45 -> 45.5. */
static const struct want_derived hageby_d[] = {
	{ "2022Q1", NAN, NAN, NAN }, { "2022Q2", NAN, NAN, NAN },
	{ "2022Q3", NAN, NAN, NAN }, { "2022Q4", 55, NAN, NAN },
	{ "2023Q1", 60, 5, 45.5 }, { "2023Q2", 66, 6, 42.9 },
	{ "2023Q3", 73, 7, 58.3 }, { "2023Q4", 78, 5, 27.8 },
	{ "2024Q1", 84, 6, 37.5 }, { "2024Q2", NAN, NAN, NAN },
	{ "2024Q3", NAN, NAN, NAN }, { "2024Q4", NAN, 9, 39.1 },
	{ "2025Q1", NAN, 8, 36.4 }, { "2025Q2", NAN, NAN, NAN },
	{ "2025Q3", NAN, NAN, NAN }, { "2025Q4", NAN, 5, 15.6 },
};

static void test_district_quarters(void)
{
	cJSON *o = get_json("hageby quarters",
	                    "/v1/series?indicator=" NB "&area=0581-hageby&from=2022Q1&to=2025Q4");

	is_str(agg_str(o, "indicator.code"), NB, "series: indicator.code");
	is_str(agg_str(o, "indicator.kind"), "flow", "series: indicator.kind");
	is_str(agg_str(o, "indicator.agency"), "bup", "series: indicator.agency");
	is_str(agg_str(o, "indicator.level"), "specialised", "series: indicator.level");
	is_str(agg_str(o, "indicator.name_en"), "New children", "series: indicator.name_en");
	is_str(agg_str(o, "area.code"), "0581-hageby", "series: area.code");
	is_str(agg_str(o, "area.name"), "Hageby", "series: area.name");
	is_str(agg_str(o, "area.parent"), "0581", "series: area.parent");
	is_str(agg_str(o, "freq"), "quarter", "series: freq quarter by default");
	check_points("hageby", o, hageby_q, ARRAY_LEN(hageby_q));
	check_derived("hageby", o, hageby_d, ARRAY_LEN(hageby_d));
	cJSON_Delete(o);
}

/* The Swedish spelling of a quarter, K for kvartal: from=2024K1 reads as
 * 2024Q1, and the answer writes every period the canonical way. */
static void test_swedish_quarters(void)
{
	static const struct want_point want[] = {
		{ "2024Q1", 22, "published" }, { "2024Q2", NUL, "suppressed" },
		{ "2024Q3", NUL, "suppressed" }, { "2024Q4", 32, "published" },
	};
	cJSON *k = get_json("from=2024K1", "/v1/series?indicator=" NB
	                    "&area=0581-hageby&from=2024K1&to=2024-K4");
	cJSON *q = get_json("from=2024Q1", "/v1/series?indicator=" NB
	                    "&area=0581-hageby&from=2024Q1&to=2024Q4");

	check_points("from=2024K1", k, want, ARRAY_LEN(want));
	ok(cJSON_Compare(k, q, true), "from=2024K1&to=2024-K4 answers exactly what "
	   "from=2024Q1&to=2024Q4 answers");
	cJSON_Delete(k);
	cJSON_Delete(q);
}

/* Trend over the 13 published points at positions 0..8, 11, 12, 13, 15
 * (t = 0 at `from`), values 11 14 12 18 16 20 19 23 22 32 30 33 37: by
 * trend_reference.py S = 68, var 268.667, z 4.0876, p 4.35867e-05,
 * tau 68/78; seasonal S 16, var 22, z 3.19801, p 0.00138379, tau 1,
 * slope 6.33333; Sen 1.70714, intercept 9.75714. */
static void test_trend(void)
{
	cJSON *o = get_json("hageby trend",
	                    "/v1/series?indicator=" NB "&area=0581-hageby&from=2022Q1&to=2025Q4");

	is_int(agg_num(o, "trend.n"), 13, "trend: n counts published points only");
	is_int(agg_num(o, "trend.mann_kendall.s"), 68, "trend: Mann-Kendall S");
	is_double(agg_num(o, "trend.mann_kendall.var_s"), 268.667, 1e-9, "trend: var(S)");
	is_double(agg_num(o, "trend.mann_kendall.z"), 4.0876, 1e-9, "trend: z");
	is_double(agg_num(o, "trend.mann_kendall.p"), 4.35867e-05, 1e-15, "trend: p");
	is_double(agg_num(o, "trend.mann_kendall.tau"), 0.871795, 1e-9, "trend: tau");
	is_int(agg_num(o, "trend.seasonal_kendall.s"), 16, "trend: seasonal S");
	is_double(agg_num(o, "trend.seasonal_kendall.var_s"), 22, 1e-9, "trend: seasonal var");
	is_double(agg_num(o, "trend.seasonal_kendall.z"), 3.19801, 1e-9, "trend: seasonal z");
	is_double(agg_num(o, "trend.seasonal_kendall.p"), 0.00138379, 1e-12, "trend: seasonal p");
	is_double(agg_num(o, "trend.seasonal_kendall.tau"), 1, 1e-9, "trend: seasonal tau");
	is_double(agg_num(o, "trend.seasonal_kendall.slope"), 6.33333, 1e-9,
	          "trend: seasonal slope");
	is_double(agg_num(o, "trend.sen_slope"), 1.70714, 1e-9, "trend: Sen's slope");
	is_double(agg_num(o, "trend.sen_intercept"), 9.75714, 1e-9, "trend: Sen's intercept");
	is_str(agg_str(o, "trend.direction"), "increasing", "trend: direction increasing");
	cJSON_Delete(o);

	/* navestad: 10 published points (2024Q2/Q3 suppressed, 2025 missing),
	 * S 28, var 124, p 0.0153222 < 0.05; with --alpha default. */
	o = get_json("navestad trend",
	             "/v1/series?indicator=" NB "&area=0581-navestad&from=2022Q1&to=2025Q4");
	is_int(agg_num(o, "trend.n"), 10, "navestad trend: n");
	is_int(agg_num(o, "trend.mann_kendall.s"), 28, "navestad trend: S");
	is_double(agg_num(o, "trend.mann_kendall.var_s"), 124, 1e-9, "navestad trend: var(S)");
	is_double(agg_num(o, "trend.mann_kendall.tau"), 0.622222, 1e-9, "navestad trend: tau");
	is_double(agg_num(o, "trend.sen_slope"), 1.09091, 1e-9, "navestad trend: Sen");
	is_str(agg_str(o, "trend.direction"), "increasing", "navestad trend: increasing");
	/* The window of 2024Q4 touches the suppressed 2024Q2/Q3: no total;
	 * its change on 2023Q4 (35) is 8, 22.9 %. 2024Q1's window holds only
	 * published quarters: 35+36+... = 36+35+45+39 = 155. */
	const cJSON *d = agg_point(agg_at(o, "derived"), "2024Q4");
	ok(agg_is_null(d, "moving_annual_total"), "navestad 2024Q4: a window over a suppressed "
	   "cell has no moving total");
	is_double(agg_num(d, "yoy_change"), 8, 0, "navestad 2024Q4: yoy_change 43 - 35");
	is_double(agg_num(d, "yoy_percent"), 22.9, 1e-9, "navestad 2024Q4: yoy_percent");
	d = agg_point(agg_at(o, "derived"), "2024Q1");
	is_double(agg_num(d, "moving_annual_total"), 155, 0, "navestad 2024Q1: moving total");
	d = agg_point(agg_at(o, "derived"), "2025Q2");
	ok(agg_is_null(d, "yoy_change") && agg_is_null(d, "yoy_percent"),
	   "navestad 2025Q2: no change on a suppressed quarter");
	cJSON_Delete(o);

	/* Three yearly points 55 78 106: S 3, p 0.29627: no direction. */
	o = get_json("hageby years trend", "/v1/series?indicator=" NB
	             "&area=0581-hageby&from=2022&to=2025&freq=year");
	is_int(agg_num(o, "trend.n"), 3, "year trend: n");
	is_int(agg_num(o, "trend.mann_kendall.s"), 3, "year trend: S");
	ok(agg_is_null(o, "trend.seasonal_kendall"), "year trend: no seasonal test");
	is_double(agg_num(o, "trend.sen_slope"), 25.5, 0, "year trend: Sen slope median(23,28,25.5)");
	is_double(agg_num(o, "trend.sen_intercept"), 52.5, 1e-9, "year trend: intercept 78 - 25.5");
	is_str(agg_str(o, "trend.direction"), "none", "year trend: p 0.296 gives none");
	cJSON_Delete(o);
}

/* ---- the municipality and years ------------------------------------------- */

static void test_municipality(void)
{
	static const struct want_point q[] = {
		{ "2022Q1", 256, "published" }, { "2022Q2", 266, "published" },
		{ "2022Q3", 272, "published" }, { "2022Q4", 286, "published" },
		{ "2024Q2", 308, "published" }, { "2025Q1", NUL, "missing" },
	};
	cJSON *o = get_json("0581 quarters",
	                    "/v1/series?indicator=" NB "&area=0581&from=2022Q1&to=2025Q1");

	is_str(agg_str(o, "area.code"), "0581", "0581: area.code");
	ok(agg_is_null(o, "area.parent"), "0581: a municipality has parent null");
	is_int(cJSON_GetArraySize(agg_at(o, "points")), 13, "0581: 13 quarters");
	for (size_t i = 0; i < ARRAY_LEN(q); i++) {
		const cJSON *p = agg_point(agg_at(o, "points"), q[i].period);
		is_str(agg_str(p, "status"), q[i].status, "0581 %s: %s", q[i].period, q[i].status);
		if (q[i].value == NUL)
			ok(agg_is_null(p, "value"), "0581 %s: null: only hageby and the other "
			   "districts have no 2025 counts", q[i].period);
		else
			is_int(agg_num(p, "value"), q[i].value, "0581 %s: the sum of its districts",
			       q[i].period);
	}
	cJSON_Delete(o);

	/* The flow year sums its quarters; 2025 lacks quarters: missing. */
	static const struct want_point y[] = {
		{ "2022", 1080, "published" }, { "2023", 1235, "published" },
		{ "2024", 1367, "published" }, { "2025", NUL, "missing" },
	};
	o = get_json("0581 years", "/v1/series?indicator=" NB "&area=0581&from=2022&to=2025&freq=year");
	is_str(agg_str(o, "freq"), "year", "0581 years: freq year");
	check_points("0581 years", o, y, ARRAY_LEN(y));
	cJSON_Delete(o);

	static const struct want_point hy[] = {
		{ "2022", 55, "published" }, { "2023", 78, "published" },
		{ "2024", 106, "published" }, { "2025", NUL, "missing" },
	};
	static const struct want_derived hyd[] = {
		{ "2022", 55, NAN, NAN }, { "2023", 78, 23, 41.8 },
		{ "2024", 106, 28, 35.9 }, { "2025", NAN, NAN, NAN },
	};
	o = get_json("hageby years",
	             "/v1/series?indicator=" NB "&area=0581-hageby&from=2022Q3&to=2025&freq=year");
	check_points("hageby years (2025Q3 not reported)", o, hy, ARRAY_LEN(hy));
	check_derived("hageby years", o, hyd, ARRAY_LEN(hyd));
	cJSON_Delete(o);
}

static void test_stock(void)
{
	/* A stock's year is its fourth quarter; 2024 lacks Q2: missing. */
	static const struct want_point y[] = {
		{ "2023", 13, "published" }, { "2024", NUL, "missing" },
	};
	cJSON *o = get_json("stock years", "/v1/series?indicator=" AB
	                    "&area=0581-hageby&from=2023&to=2024&freq=year");
	is_str(agg_str(o, "indicator.kind"), "stock", "stock: indicator.kind");
	check_points("stock years", o, y, ARRAY_LEN(y));
	cJSON_Delete(o);

	/* A stock's moving annual figure is the mean of four quarters, to one
	 * decimal: 2023: (8+9+10+13)/4 = 10. 2024Q1: (9+10+13+14)/4 = 11.5, and
	 * 14 - 8 = 6 on 2023Q1 (the lead-in before `from` is read), 75 %. */
	o = get_json("stock quarters", "/v1/series?indicator=" AB
	             "&area=0581-hageby&from=2023Q4&to=2024Q2");
	static const struct want_point q[] = {
		{ "2023Q4", 13, "published" }, { "2024Q1", 14, "published" },
		{ "2024Q2", NUL, "missing" },
	};
	static const struct want_derived qd[] = {
		{ "2023Q4", 10, NAN, NAN }, { "2024Q1", 11.5, 6, 75 },
		{ "2024Q2", NAN, NAN, NAN },
	};
	check_points("stock quarters", o, q, ARRAY_LEN(q));
	check_derived("stock quarters", o, qd, ARRAY_LEN(qd));
	cJSON_Delete(o);
}

/* Without from and to: from the first quarter with data of the indicator
 * in the municipality (2022Q1) to the last finished quarter. */
static void test_default_bounds(void)
{
	char last[PERIOD_STRLEN];
	cJSON *o = get_json("default bounds", "/v1/series?indicator=" NB "&area=0581-navestad");
	int n = cJSON_GetArraySize(agg_at(o, "points"));

	period_format(period_last_finished(time(NULL)), last);
	is_str(agg_str(o, "points.0.period"), "2022Q1", "default from: the first quarter with data");
	is_str(agg_str(cJSON_GetArrayItem(agg_at(o, "points"), n - 1), "period"), last,
	       "default to: the last finished quarter");
	cJSON_Delete(o);
}

/* With no data at all and no from: the year of `to`, every point missing;
 * by year, the one year `to`. */
static void test_default_bounds_empty(void)
{
	char first[PERIOD_STRLEN], year[8];
	int to = period_last_finished(time(NULL));
	cJSON *o = get_json("empty series", "/v1/series?indicator=familjeradgivning.barn&area=0581");
	cJSON *y = get_json("empty yearly series",
	                    "/v1/series?indicator=familjeradgivning.barn&area=0581&freq=year");
	int n = cJSON_GetArraySize(agg_at(o, "points"));

	period_format(period_make(period_year(to), 1), first);
	is_str(agg_str(o, "points.0.period"), first, "no data: from the first quarter of to's year");
	is_int(n, period_quarter(to), "no data: to's year up to to, one point a quarter");
	is_str(agg_str(cJSON_GetArrayItem(agg_at(o, "points"), n - 1), "status"), "missing",
	       "no data: the points are missing");
	snprintf(year, sizeof year, "%d", period_quarter(to) == 4 ? period_year(to)
	                                                          : period_year(to) - 1);
	is_int(cJSON_GetArraySize(agg_at(y, "points")), 1, "no data, by year: one year");
	is_str(agg_str(y, "points.0.period"), year, "no data, by year: the year of to");
	cJSON_Delete(o);
	cJSON_Delete(y);
}

/* ---- as_of --------------------------------------------------------------- */

/* The value of one point of a series as of `as_of` ("" for now); NUL when
 * null; -2 when the answer is not 200. */
static long long value_as_of(const char *as_of, const char *period)
{
	struct http_result r;
	char path[512];

	snprintf(path, sizeof path, "/v1/series?indicator=bup.npf_utredningar&area=0581-hageby"
	         "&from=2024Q1&to=2024Q4%s%s", as_of[0] ? "&as_of=" : "", as_of);
	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	cJSON *o = agg_json(&r);
	const cJSON *p = agg_point(agg_at(o, "points"), period);
	long long v = r.status != 200 || !p ? -2 : agg_is_null(p, "value") ? NUL
	                                                                    : (long long)agg_num(p, "value");
	if (r.status != 200)
		diag("as_of %s: %ld %s", as_of, r.status, r.body.data);
	cJSON_Delete(o);
	http_result_free(&r);
	return v;
}

static void test_as_of_planted(void)
{
	/* 50 arrives 2025-02-01, its revision 60 on 2025-06-01. */
	long long s1 = agg_submission(&env, "bup", "2025-02-01T00:00:00Z");
	struct agg_count c1 = { "bup.npf_utredningar", "0581-hageby", 20241, 50 };
	agg_plant(&env, s1, &c1, 1);
	agg_commit(&env);
	long long s2 = agg_submission(&env, "bup", "2025-06-01T00:00:00Z");
	struct agg_count c2 = { "bup.npf_utredningar", "0581-hageby", 20241, 60 };
	agg_plant(&env, s2, &c2, 1);
	agg_commit(&env);

	is_int(value_as_of("", "2024Q1"), 60, "as_of absent: the revision");
	is_int(value_as_of("2025-03-01T00:00:00Z", "2024Q1"), 50, "as_of between: the old value");
	is_int(value_as_of("2025-06-01T00:00:00Z", "2024Q1"), 60,
	       "as_of at the revision's arrival: the revision (at or before)");
	is_int(value_as_of("2025-06-01T01:59:59%2B02:00", "2024Q1"), 50,
	       "as_of with an offset: 23:59:59Z the day before, the old value");
	is_int(value_as_of("2025-06-01T02:00:00%2B02:00", "2024Q1"), 60,
	       "as_of with an offset: 00:00Z, the revision");
	is_int(value_as_of("2025-06-01T01:59:59.999999-00:00", "2024Q1"), 60,
	       "as_of with a fraction and -00:00");
	is_int(value_as_of("2025-01-01T00:00:00Z", "2024Q1"), NUL,
	       "as_of before any data: missing");
	is_int(value_as_of("2025-01-01T00:00:00Z", "2024Q2"), NUL, "as_of before: Q2 missing too");

	/* The planted tables as of before the first submission: all missing. */
	cJSON *o = get_json("as_of before", "/v1/series?indicator=" NB "&area=0581-hageby"
	                    "&from=2022Q1&to=2022Q2&as_of=2024-12-31T23:59:59Z");
	is_str(agg_str(o, "points.0.status"), "missing", "as_of before any data: 2022Q1 missing");
	ok(agg_is_null(o, "points.0.value"), "as_of before any data: value null");
	cJSON_Delete(o);

	struct http_result r;
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?indicator=" NB
	        "&area=0581&as_of=2025-13-01T00:00:00Z");
	agg_check_error("as_of month 13", &r, 400, "invalid_parameter");
	http_result_free(&r);
}

/* The collector's receipt gives received_at to the millisecond; as_of that
 * very time must include the submission, so that a receipt's time
 * reproduces what was stored. */
static void test_as_of_collector(void)
{
	struct harness_proc col;
	struct http_result r;
	char url[160], at1[64] = "", at2[64] = "";
	static const char first[] = "{\"counts\":[{\"indicator\":\"bup.npf_utredningar\","
	                            "\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":70}]}";
	static const char second[] = "{\"counts\":[{\"indicator\":\"bup.npf_utredningar\","
	                             "\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":80}]}";

	if (harness_start(&col, harness_program("collector/samlad-collector"),
	                  env.db.collector_url, NULL) != 0) {
		ok(false, "the collector starts");
		return;
	}
	snprintf(url, sizeof url, "%s/v1/counts", col.base_url);
	http_do("POST", url, env.submitter, "application/json", first, strlen(first), NULL, &r);
	is_int(r.status, 201, "collector: first post 201");
	cJSON *o = agg_json(&r);
	snprintf(at1, sizeof at1, "%s", agg_str(o, "received_at"));
	cJSON_Delete(o);
	http_result_free(&r);
	harness_sleep_ms(20);
	http_do("POST", url, env.submitter, "application/json", second, strlen(second), NULL, &r);
	is_int(r.status, 201, "collector: revision 201");
	o = agg_json(&r);
	snprintf(at2, sizeof at2, "%s", agg_str(o, "received_at"));
	cJSON_Delete(o);
	http_result_free(&r);
	harness_stop(&col);

	char path[512];
	long long v1 = -2, v2 = -2, now = -2;
	for (int i = 0; i < 3; i++) {
		const char *at = i == 0 ? at1 : i == 1 ? at2 : "";
		snprintf(path, sizeof path, "/v1/series?indicator=bup.npf_utredningar&area=0581-navestad"
		         "&from=2024Q3&to=2024Q3%s%s", at[0] ? "&as_of=" : "", at);
		agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
		o = agg_json(&r);
		long long v = agg_is_null(o, "points.0.value") ? NUL : (long long)agg_num(o, "points.0.value");
		*(i == 0 ? &v1 : i == 1 ? &v2 : &now) = r.status == 200 ? v : -2;
		cJSON_Delete(o);
		http_result_free(&r);
	}
	is_int(v1, 70, "as_of = the first receipt's received_at (%s): the first value", at1);
	is_int(v2, 80, "as_of = the revision's received_at (%s): the revision", at2);
	is_int(now, 80, "no as_of: the revision");
}

/* ---- CSV and SDMX --------------------------------------------------------- */

static void test_csv(void)
{
	static const char want[] =
		"indicator,area,period,value,status\r\n"
		"bup.nya_barn,0581-hageby,2024Q1,22,published\r\n"
		"bup.nya_barn,0581-hageby,2024Q2,,suppressed\r\n"
		"bup.nya_barn,0581-hageby,2024Q3,,suppressed\r\n"
		"bup.nya_barn,0581-hageby,2024Q4,32,published\r\n"
		"bup.nya_barn,0581-hageby,2025Q1,30,published\r\n"
		"bup.nya_barn,0581-hageby,2025Q2,33,published\r\n"
		"bup.nya_barn,0581-hageby,2025Q3,,missing\r\n";
	static const char want_year[] =
		"indicator,area,period,value,status\r\n"
		"bup.nya_barn,0581-hageby,2024,106,published\r\n"
		"bup.nya_barn,0581-hageby,2025,,missing\r\n";
	const char *accept[] = { "Accept: text/csv", NULL };
	struct http_result r;
	char type[128] = "";

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?indicator=" NB
	        "&area=0581-hageby&from=2024Q1&to=2025Q3&format=csv");
	is_int(r.status, 200, "series CSV: 200");
	is_str(r.body.data, want, "series CSV: the exact body");
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "text/csv; charset=utf-8") == 0, "series CSV: text/csv; charset=utf-8 (%s)",
	   type);
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, accept, &r, "/v1/series?indicator=" NB
	        "&area=0581-hageby&from=2024Q1&to=2025Q3");
	is_int(r.status, 200, "Accept: text/csv: 200");
	is_str(r.body.data, want, "Accept: text/csv: the same body as format=csv");
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, accept, &r, "/v1/series?indicator=" NB
	        "&area=0581-hageby&from=2024Q1&to=2025Q3&format=json");
	cJSON *o = agg_json(&r);
	ok(r.status == 200 && cJSON_IsObject(o), "format=json wins over Accept: text/csv");
	cJSON_Delete(o);
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?indicator=" NB
	        "&area=0581-hageby&from=2024&to=2025&freq=year&format=csv");
	is_str(r.body.data, want_year, "series CSV by year: the exact body");
	http_result_free(&r);
}

/* Fetches a series as SDMX-JSON, checks it against the schema and the
 * series it shows. */
static void check_sdmx(const char *what, const char *query, const char *const *time_ids,
                       const char *const *obs, size_t n)
{
	struct http_result r;
	char type[128] = "";

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?%s&format=sdmx-json", query);
	is_int(r.status, 200, "%s: 200", what);
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "application/vnd.sdmx.data+json; version=2.1.0") == 0,
	   "%s: the SDMX-JSON 2.1 media type (%s)", what, type);
	agg_check_schema(&r, "sdmx-json-2.1.0-data-schema.json", what, "SDMX-JSON 2.1.0 schema");

	cJSON *o = agg_json(&r);
	const cJSON *st = agg_at(o, "data.structures.0.dimensions");
	is_str(agg_str(st, "series.0.id"), "INDICATOR", "%s: dimension 0 INDICATOR", what);
	is_str(agg_str(st, "series.0.values.0.id"), "bup@nya_barn", "%s: '.' written '@'", what);
	is_str(agg_str(st, "series.1.id"), "AREA", "%s: dimension 1 AREA", what);
	is_str(agg_str(st, "observation.0.id"), "TIME_PERIOD", "%s: TIME_PERIOD", what);
	const cJSON *times = agg_at(st, "observation.0.values");
	const cJSON *os = agg_at(o, "data.dataSets.0.series.0:0.observations");
	is_int(cJSON_GetArraySize(times), n, "%s: %zu periods", what, n);
	is_int(cJSON_GetArraySize(os), n, "%s: %zu observations", what, n);
	for (size_t i = 0; i < n; i++) {
		char key[16];
		snprintf(key, sizeof key, "%zu", i);
		is_str(agg_str(cJSON_GetArrayItem(times, (int)i), "id"), time_ids[i],
		       "%s: period %zu is %s", what, i, time_ids[i]);
		char *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(os, key));
		is_str(text, obs[i], "%s: observation %s", what, time_ids[i]);
		free(text);
	}
	cJSON_Delete(o);
	http_result_free(&r);
}

static void test_sdmx(void)
{
	static const char *const q_ids[] = { "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1" };
	/* [value, OBS_STATUS (0 A, 1 Q, 2 O), CONF_STATUS (0 F, 1 C)] */
	static const char *const q_obs[] = { "[45,0,0]", "[null,1,1]", "[null,1,1]", "[43,0,0]",
	                                     "[null,2,null]" };
	check_sdmx("sdmx quarters", "indicator=" NB "&area=0581-navestad&from=2024Q1&to=2025Q1",
	           q_ids, q_obs, 5);
	static const char *const y_ids[] = { "2022", "2023", "2024", "2025" };
	static const char *const y_obs[] = { "[1080,0,0]", "[1235,0,0]", "[1367,0,0]",
	                                     "[null,2,null]" };
	check_sdmx("sdmx years", "indicator=" NB "&area=0581&from=2022&to=2025&freq=year",
	           y_ids, y_obs, 4);
}

int main(void)
{
	agg_env_start(&env, "aggseries", NULL);
	plant_all(&env);
	test_district_quarters();
	test_swedish_quarters();
	test_trend();
	test_municipality();
	test_stock();
	test_default_bounds();
	test_default_bounds_empty();
	test_csv();
	test_sdmx();
	test_as_of_planted();
	test_as_of_collector();
	agg_env_stop(&env);
	return tap_done();
}
