/* Unit tests of analysis/derived.c: moving annual totals and changes on
 * the year before, checked against values worked out by hand (in the
 * comments). */
#include "derived.h"
#include "tap.h"

/* P: published, S: suppressed, M: missing. */
#define P(v) { 0, v, POINT_PUBLISHED, 0 }
#define S { 0, 0, POINT_SUPPRESSED, 0 }
#define M { 0, 0, POINT_MISSING, 0 }

#define EPS 1e-9

static struct derived_point out[16];

/* Checks the moving total of out[i]: has it or not, and its value. */
static void total_is(size_t i, bool has, double want, const char *name)
{
	is_int(out[i].has_total, has, "%s: point %zu %s a moving total", name, i,
	       has ? "has" : "has no");
	if (has)
		is_double(out[i].total, want, EPS, "%s: point %zu moving total", name, i);
}

static void change_is(size_t i, bool has, long long want, const char *name)
{
	is_int(out[i].has_change, has, "%s: point %zu %s a change", name, i,
	       has ? "has" : "has no");
	if (has)
		is_int(out[i].change, want, "%s: point %zu change", name, i);
}

static void percent_is(size_t i, bool has, double want, const char *name)
{
	is_int(out[i].has_percent, has, "%s: point %zu %s a percentage", name, i,
	       has ? "has" : "has no");
	if (has)
		is_double(out[i].percent, want, EPS, "%s: point %zu percentage", name, i);
}

/* Flow 10 20 ... 80: the total at i is x(i-3)+...+x(i); the change at i is
 * x(i) - x(i-4) = 40 everywhere, 400% at i=4 (on 10) and 100% at i=7 (on 40). */
static void flow_quarters(void)
{
	const struct series_point in[] = { P(10), P(20), P(30), P(40), P(50), P(60), P(70), P(80) };
	const char *name = "flow quarters";

	derived_compute(in, 8, FREQ_QUARTER, KIND_FLOW, out);
	for (size_t i = 0; i < 3; i++)
		total_is(i, false, 0, name);
	total_is(3, true, 100, name);
	total_is(4, true, 140, name);
	total_is(7, true, 260, name);
	for (size_t i = 0; i < 4; i++)
		change_is(i, false, 0, name);
	change_is(4, true, 40, name);
	percent_is(4, true, 400.0, name);
	change_is(5, true, 40, name);
	percent_is(5, true, 200.0, name);
	change_is(7, true, 40, name);
	percent_is(7, true, 100.0, name);
}

/* Stock: the total is the mean of four quarters to one decimal:
 * (10+11+13+12)/4 = 11.5, (11+13+12+14)/4 = 12.5, (13+12+14+1)/4 = 10,
 * (12+14+1+1)/4 = 7. And 1 1 1 2: 1.25, a half, rounds up to 1.3. */
static void stock_quarters(void)
{
	const struct series_point in[] = { P(10), P(11), P(13), P(12), P(14), P(1), P(1) };
	const struct series_point halves[] = { P(1), P(1), P(1), P(2) };
	const char *name = "stock quarters";

	derived_compute(in, 7, FREQ_QUARTER, KIND_STOCK, out);
	total_is(2, false, 0, name);
	total_is(3, true, 11.5, name);
	total_is(4, true, 12.5, name);
	total_is(5, true, 10.0, name);
	total_is(6, true, 7.0, name);
	/* The change of a stock is a change of level: 14 - 10 = 4, 40%. */
	change_is(4, true, 4, name);
	percent_is(4, true, 40.0, name);
	change_is(5, true, -10, name);    /* 1 - 11 */
	percent_is(5, true, -90.9, name); /* -10/11 = -90.909...% */
	change_is(6, true, -12, name);    /* 1 - 13 */
	percent_is(6, true, -92.3, name); /* -12/13 = -92.307...% */
	derived_compute(halves, 4, FREQ_QUARTER, KIND_STOCK, out);
	total_is(3, true, 1.3, "stock 1 1 1 2");
}

/* A suppressed or missing cell takes out every window that touches it. */
static void gaps(void)
{
	const struct series_point in[] = { P(10), S, P(30), P(40), P(50), P(60), M, P(80), P(90) };
	const char *name = "gaps";

	derived_compute(in, 9, FREQ_QUARTER, KIND_FLOW, out);
	total_is(3, false, 0, name);  /* 10 S 30 40 */
	total_is(4, false, 0, name);  /* S 30 40 50 */
	total_is(5, true, 180, name); /* 30 40 50 60 */
	total_is(6, false, 0, name);  /* 40 50 60 M */
	total_is(8, false, 0, name);  /* 60 M 80 90 */
	change_is(4, true, 40, name); /* 50 - 10: neither end is hidden */
	change_is(5, false, 0, name); /* 60 - S */
	change_is(6, false, 0, name); /* M - 30 */
	change_is(7, true, 40, name); /* 80 - 40 */
	percent_is(7, true, 100.0, name);
	change_is(8, true, 40, name); /* 90 - 50 */
	percent_is(8, true, 80.0, name);
	ok(!out[1].has_total && !out[1].has_change && !out[1].has_percent,
	   "gaps: a suppressed point has no derived value at all");
}

/* The percentage: absent on 0, one decimal, halves away from zero. The
 * issue's example: 47 on 44 is +3, 6.818...% shown as 6.8. */
static void percentages(void)
{
	const struct series_point zero[] = { P(0), P(1), P(1), P(1), P(7) };
	const struct series_point issue[] = { P(44), P(1), P(1), P(1), P(47) };
	const struct series_point half[] = { P(16), P(1), P(1), P(1), P(15) };

	derived_compute(zero, 5, FREQ_QUARTER, KIND_FLOW, out);
	change_is(4, true, 7, "on zero");
	percent_is(4, false, 0, "on zero");
	derived_compute(issue, 5, FREQ_QUARTER, KIND_FLOW, out);
	change_is(4, true, 3, "issue example");
	percent_is(4, true, 6.8, "issue example");
	total_is(4, true, 50, "issue example"); /* 1+1+1+47 */
	/* -1/16 = -6.25%: the half goes away from zero, to -6.3. */
	derived_compute(half, 5, FREQ_QUARTER, KIND_FLOW, out);
	percent_is(4, true, -6.3, "a negative half");
	is_double(derived_round1(0.25), 0.3, EPS, "round1 0.25 -> 0.3");
	is_double(derived_round1(-0.25), -0.3, EPS, "round1 -0.25 -> -0.3");
	is_double(derived_round1(2.04), 2.0, EPS, "round1 2.04 -> 2.0");
}

/* Years: the lag is one year and the moving total is the year itself. */
static void years(void)
{
	const struct series_point in[] = { P(100), P(120), S, P(90), P(90) };
	const char *name = "years";

	derived_compute(in, 5, FREQ_YEAR, KIND_FLOW, out);
	total_is(0, true, 100, name);
	total_is(1, true, 120, name);
	total_is(2, false, 0, name);
	total_is(3, true, 90, name);
	change_is(0, false, 0, name);
	change_is(1, true, 20, name);
	percent_is(1, true, 20.0, name);
	change_is(2, false, 0, name);
	change_is(3, false, 0, name); /* the year before is suppressed */
	change_is(4, true, 0, name);
	percent_is(4, true, 0.0, name);
	derived_compute(in, 2, FREQ_YEAR, KIND_STOCK, out);
	total_is(1, true, 120, "stock years");
}

int main(void)
{
	is_int(derived_lead(FREQ_QUARTER), 4, "a quarterly window reaches 4 quarters back");
	is_int(derived_lead(FREQ_YEAR), 1, "a yearly window reaches 1 year back");
	flow_quarters();
	stock_quarters();
	gaps();
	percentages();
	years();
	return tap_done();
}
