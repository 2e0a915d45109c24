/* Unit tests of analysis/trend.c against known values.
 *
 * Where a number is not obvious it was computed twice: by hand (shown in the
 * comments) and with an independent brute-force script in python3 that shares
 * no code with trend.c (itertools.combinations over the pairs,
 * collections.Counter for the tie groups, statistics.median, math.erfc; the
 * scipy-free formulas of the issue), kept beside this file as
 * trend_reference.py. Results are checked to 1e-9. */
#include "tap.h"
#include "trend.h"

#include <math.h>

#define EPS 1e-9

/* Points at positions t with values x; season and year left 0. */
static size_t series(struct trend_point *pts, const int *t, const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pts[i] = (struct trend_point){ .t = t[i], .x = x[i] };
	return n;
}

static void check_test(const struct trend_test *got, long long s, double var_s,
                       double z, double p, double tau, const char *name)
{
	ok(got->valid, "%s: valid", name);
	is_int(got->s, s, "%s: S", name);
	is_double(got->var_s, var_s, EPS, "%s: var(S)", name);
	is_double(got->z, z, EPS, "%s: z", name);
	is_double(got->p, p, EPS, "%s: p", name);
	is_double(got->tau, tau, EPS, "%s: tau", name);
}

/* x = 3 1 4 1 5 at t = 1..5. By hand: 6 rising pairs, 3 falling, 1 tied
 * (the two 1s), so S = 3; one tie group of 2 gives 2*1*9 = 18, var(S) =
 * (5*4*15 - 18)/18 = 282/18; z = 2/sqrt(282/18); tau = 3/10. The ten
 * slopes sorted are -3 -2 -2/3 0 .5 .5 .5 4/3 3 4, median (.5+.5)/2 = .5;
 * intercept = median x 3 - .5 * median t 3 = 1.5. python3 gives
 * z = 0.5052911526399114, p = 0.6133543559547467. */
static void test_ties(void)
{
	static const int t[] = { 1, 2, 3, 4, 5 };
	static const double x[] = { 3, 1, 4, 1, 5 };
	struct trend_point pts[5];
	struct trend_test mk;
	struct trend_sen sen;
	size_t n = series(pts, t, x, 5);

	is_int(trend_mann_kendall(pts, n, &mk), TREND_OK, "ties: ok");
	is_int(mk.n, 5, "ties: n");
	check_test(&mk, 3, 282.0 / 18, 0.5052911526399114, 0.6133543559547467, 0.3, "ties");
	is_int(trend_sen_slope(pts, n, &sen), TREND_OK, "ties: sen ok");
	ok(sen.valid, "ties: sen valid");
	is_double(sen.slope, 0.5, EPS, "ties: sen slope (even count of slopes)");
	is_double(sen.intercept, 1.5, EPS, "ties: sen intercept");
	is_int(trend_direction_of(&mk, 0.05), TREND_NONE, "ties: no direction at p=0.61");
}

/* All values equal: one tie group of n, so var(S) = 0 exactly, S = 0,
 * z = 0, p = erfc(0) = 1, tau = 0, slope 0 and intercept the value. */
static void test_all_equal(void)
{
	static const int t[] = { 0, 1, 2, 3 };
	static const double x[] = { 7, 7, 7, 7 };
	struct trend_point pts[4];
	struct trend_result r;
	size_t n = series(pts, t, x, 4);

	is_int(trend_analyse(pts, n, false, 0.05, &r), TREND_OK, "equal: ok");
	check_test(&r.mk, 0, 0, 0, 1, 0, "equal");
	ok(r.sen.valid, "equal: sen valid");
	is_double(r.sen.slope, 0, EPS, "equal: slope 0");
	is_double(r.sen.intercept, 7, EPS, "equal: intercept is the value");
	is_int(r.direction, TREND_NONE, "equal: direction none");
	ok(!r.has_seasonal && !r.seasonal.test.valid, "equal: no seasonal test asked");
}

/* Strictly increasing, n = 6: every pair rises, S = 15 = n(n-1)/2, tau = 1;
 * var(S) = 6*5*17/18 = 510/18; z = 14/sqrt(510/18) = 2.630142022557628,
 * p = 0.00853492041422708 (python3). */
static void test_increasing(void)
{
	static const int t[] = { 0, 1, 2, 3, 4, 5 };
	static const double x[] = { 1, 2, 3, 5, 8, 13 };
	struct trend_point pts[6];
	struct trend_result r;
	size_t n = series(pts, t, x, 6);

	is_int(trend_analyse(pts, n, false, TREND_ALPHA_DEFAULT, &r), TREND_OK, "inc: ok");
	is_int(r.n, 6, "inc: n");
	check_test(&r.mk, 15, 510.0 / 18, 2.630142022557628, 0.00853492041422708, 1.0, "inc");
	is_int(r.direction, TREND_INCREASING, "inc: direction increasing");
	is_str(trend_direction_name(r.direction), "increasing", "inc: direction name");
	/* Slopes 1 1 2 3 5 | 1 2 4 ... ; median of the 15 pair slopes is 2
	 * (python3 statistics.median gives 2.0); median t 2.5, median x 4. */
	is_double(r.sen.slope, 2.0, EPS, "inc: sen slope (odd count of slopes)");
	is_double(r.sen.intercept, 4 - 2.0 * 2.5, EPS, "inc: sen intercept");
}

/* Strictly decreasing, n = 5, given in reverse time order to show that
 * pairs are ordered by t, not by position: S = -10, tau = -1, var = 5*4*15/18,
 * z = -9/sqrt(300/18) = -2.2045407685048604, p = 0.027486336111510353. */
static void test_decreasing(void)
{
	static const int t[] = { 4, 3, 2, 1, 0 };
	static const double x[] = { 1, 2, 4, 7, 9 };
	struct trend_point pts[5];
	struct trend_result r;
	size_t n = series(pts, t, x, 5);

	is_int(trend_analyse(pts, n, false, 0.05, &r), TREND_OK, "dec: ok");
	check_test(&r.mk, -10, 300.0 / 18, -2.2045407685048604, 0.027486336111510353,
	           -1.0, "dec");
	is_int(r.direction, TREND_DECREASING, "dec: direction decreasing");
	is_str(trend_direction_name(r.direction), "decreasing", "dec: direction name");
	is_int(trend_direction_of(&r.mk, 0.01), TREND_NONE, "dec: none at alpha 0.01");
	/* Slopes median -2 (python3), median t 2, median x 4: intercept 8. */
	is_double(r.sen.slope, -2.0, EPS, "dec: sen slope");
	is_double(r.sen.intercept, 8.0, EPS, "dec: sen intercept");
}

/* n = 4 rising: S = 6, var = 4*3*13/18, z = 5/sqrt(156/18) =
 * 1.6984155512168937, p = 0.08942935902899359: significant at 0.1 only. */
static void test_alpha(void)
{
	static const int t[] = { 0, 1, 2, 3 };
	static const double x[] = { 1, 2, 3, 4 };
	struct trend_point pts[4];
	struct trend_result r;
	size_t n = series(pts, t, x, 4);

	is_int(trend_analyse(pts, n, false, 0.05, &r), TREND_OK, "alpha: ok");
	is_double(r.mk.p, 0.08942935902899359, EPS, "alpha: p");
	is_int(r.direction, TREND_NONE, "alpha: none at 0.05");
	is_str(trend_direction_name(r.direction), "none", "alpha: name none");
	is_int(trend_analyse(pts, n, false, 0.1, &r), TREND_OK, "alpha 0.1: ok");
	is_int(r.direction, TREND_INCREASING, "alpha: increasing at 0.1");
}

/* Two points: Mann-Kendall is not computable (n < 3) but the one pair gives
 * Sen's slope: (9-5)/(7-3) = 1; intercept = 7 - 1*5 = 2. */
static void test_two_points(void)
{
	static const int t[] = { 3, 7 };
	static const double x[] = { 5, 9 };
	struct trend_point pts[2];
	struct trend_result r;
	size_t n = series(pts, t, x, 2);

	/* Both are fourth quarters, one year apart: one seasonal pair only. */
	pts[0].season = pts[1].season = 4;
	pts[0].year = 2020;
	pts[1].year = 2021;
	is_int(trend_analyse(pts, n, true, 0.05, &r), TREND_OK, "n=2: ok");
	is_int(r.n, 2, "n=2: n");
	is_int(r.mk.n, 2, "n=2: mk n");
	ok(!r.mk.valid, "n=2: mann-kendall not computable");
	ok(r.mk.s == 0 && r.mk.var_s == 0 && r.mk.p == 0, "n=2: invalid test zeroed");
	is_int(r.direction, TREND_NONE, "n=2: direction none");
	ok(r.sen.valid, "n=2: sen computable");
	is_double(r.sen.slope, 1.0, EPS, "n=2: slope");
	is_double(r.sen.intercept, 2.0, EPS, "n=2: intercept");
	ok(r.has_seasonal && !r.seasonal.test.valid, "n=2: seasonal not computable");
}

/* No points and one point: nothing is computable, nothing fails. */
static void test_empty(void)
{
	struct trend_point one = { .t = 1, .season = 1, .year = 2024, .x = 4 };
	struct trend_result r;

	is_int(trend_analyse(NULL, 0, true, 0.05, &r), TREND_OK, "n=0: ok");
	is_int(r.n, 0, "n=0: n");
	ok(!r.mk.valid && !r.sen.valid && !r.seasonal.test.valid, "n=0: nothing valid");
	is_int(r.direction, TREND_NONE, "n=0: direction none");
	is_int(trend_analyse(&one, 1, true, 0.05, &r), TREND_OK, "n=1: ok");
	ok(!r.mk.valid && !r.sen.valid && !r.seasonal.test.valid, "n=1: nothing valid");
}

/* Gaps (t = 0 1 3 7, as if quarters 2, 4-6 were suppressed): slopes use the
 * real distances. By hand: 2/1, 3/3, 15/7, 1/2, 13/6, 12/4 sorted
 * .5 1 2 2.142857 2.1667 3, median (2 + 15/7)/2 = 29/14; intercept =
 * median x 12.5 - 29/14 * median t 2 = 117/14. */
static void test_gaps(void)
{
	static const int t[] = { 0, 1, 3, 7 };
	static const double x[] = { 10, 12, 13, 25 };
	struct trend_point pts[4];
	struct trend_sen sen;
	size_t n = series(pts, t, x, 4);

	is_int(trend_sen_slope(pts, n, &sen), TREND_OK, "gaps: ok");
	is_double(sen.slope, 29.0 / 14, EPS, "gaps: slope over real distances");
	is_double(sen.intercept, 117.0 / 14, EPS, "gaps: intercept at t = 0");
}

/* Three points, three slopes (odd count): 2/2 = 1, -1/5 = -.2, -3/3 = -1,
 * median -.2; intercept = median x 4 - (-.2) * median t 2 = 4.4. */
static void test_odd_slopes(void)
{
	static const int t[] = { 0, 2, 5 };
	static const double x[] = { 4, 6, 3 };
	struct trend_point pts[3];
	struct trend_sen sen;
	size_t n = series(pts, t, x, 3);

	is_int(trend_sen_slope(pts, n, &sen), TREND_OK, "odd: ok");
	is_double(sen.slope, -0.2, EPS, "odd: median of three slopes");
	is_double(sen.intercept, 4.4, EPS, "odd: intercept");
}

static void test_median(void)
{
	double odd[] = { 5, 1, 3 };
	double even[] = { 4, 1, 3, 2 };
	double one[] = { -2 };

	is_double(trend_median(odd, 3), 3, 0, "median of 5 1 3");
	is_double(trend_median(even, 4), 2.5, 0, "median of 4 1 3 2 is the mean of 2 and 3");
	is_double(trend_median(one, 1), -2, 0, "median of one value");
}

/* Quarterly values 2020-2023 with 2022Q3 missing:
 *        Q1  Q2  Q3  Q4
 *  2020  10  20  15  30
 *  2021  12  19  18  33
 *  2022  15  25   -  33
 *  2023  14  27  22  40
 * By hand, per season S = 4, 4, 3, 5 (Q4 has one tie, 33 33), total 16;
 * var = 156/18 + 156/18 + 66/18 + (156-18)/18 = 516/18; pairs 6+6+3+6 = 21,
 * tau = 16/21. The 21 within-season slopes per year sorted are
 * -1 -1 0 1 4/3 1.5 2 2 2 7/3 7/3 2.5 2.5 3 3 3 10/3 3.5 4 6 7: median 7/3.
 * python3: z = 2.8015776286411067, p = 0.00508534046621581; the plain
 * Mann-Kendall over t = period index gives S = 37, var = 406.3333333333333,
 * z = 1.7859170165009706, p = 0.07411269533036723, tau = 37/105; Sen 0.875
 * per quarter, intercept -56.125 (t counts quarters since 2000Q1). */
static size_t quarterly(struct trend_point *pts)
{
	static const double v[4][4] = {
		{ 10, 20, 15, 30 }, { 12, 19, 18, 33 }, { 15, 25, -1, 33 }, { 14, 27, 22, 40 },
	};
	size_t n = 0;
	for (int y = 0; y < 4; y++) {
		for (int q = 0; q < 4; q++) {
			if (v[y][q] < 0)
				continue;
			pts[n++] = (struct trend_point){ .t = (20 + y) * 4 + q, .season = q + 1,
			                                 .year = 2020 + y, .x = v[y][q] };
		}
	}
	return n;
}

static void test_seasonal(void)
{
	struct trend_point pts[16];
	struct trend_result r;
	size_t n = quarterly(pts);

	is_int(n, 15, "seasonal: 15 points");
	is_int(trend_analyse(pts, n, true, 0.05, &r), TREND_OK, "seasonal: ok");
	ok(r.has_seasonal, "seasonal: asked for");
	is_int(r.seasonal.test.n, 15, "seasonal: n");
	check_test(&r.seasonal.test, 16, 516.0 / 18, 2.8015776286411067,
	           0.00508534046621581, 16.0 / 21, "seasonal");
	is_double(r.seasonal.slope, 7.0 / 3, EPS, "seasonal: slope per year");
	check_test(&r.mk, 37, 406.3333333333333, 1.7859170165009706,
	           0.07411269533036723, 37.0 / 105, "seasonal series, plain mk");
	is_double(r.sen.slope, 0.875, EPS, "seasonal series: sen per quarter");
	is_double(r.sen.intercept, -56.125, EPS, "seasonal series: sen intercept");
	/* The direction follows the plain test: p = 0.074 is not below 0.05. */
	is_int(r.direction, TREND_NONE, "seasonal series: direction from mann-kendall");
	is_int(trend_direction_of(&r.seasonal.test, 0.05), TREND_INCREASING,
	       "seasonal test alone: increasing");
}

/* The seasonal floor: five quarters (one season with a pair) are not
 * enough, six (two seasons with a pair, four paired points) are. Six
 * quarters 2023Q1..2024Q2 = 1 2 3 4 | 2 1: season 1 rises (+1), season 2
 * falls (-1), S = 0, var = 1 + 1, z = 0, p = 1, slope median(1, -1) = 0. */
static void test_seasonal_floor(void)
{
	static const double v[] = { 1, 2, 3, 4, 2, 1 };
	struct trend_point pts[6];
	struct trend_seasonal sk;

	for (int i = 0; i < 6; i++)
		pts[i] = (struct trend_point){ .t = i, .season = i % 4 + 1,
		                               .year = 2023 + i / 4, .x = v[i] };
	is_int(trend_seasonal_kendall(pts, 5, &sk), TREND_OK, "floor: five ok");
	ok(!sk.test.valid, "floor: five quarters not computable");
	is_int(sk.test.n, 5, "floor: n 5");
	is_int(trend_seasonal_kendall(pts, 6, &sk), TREND_OK, "floor: six ok");
	check_test(&sk.test, 0, 2, 0, 1, 0, "floor six");
	is_double(sk.slope, 0, EPS, "floor: slope");
}

static void test_bad_input(void)
{
	struct trend_point pts[3] = {
		{ .t = 1, .season = 1, .year = 2020, .x = 1 },
		{ .t = 2, .season = 2, .year = 2020, .x = 2 },
		{ .t = 1, .season = 3, .year = 2020, .x = 3 },
	};
	struct trend_test mk = { .valid = true, .s = 99 };
	struct trend_sen sen = { .valid = true, .slope = 99 };
	struct trend_seasonal sk = { .slope = 99 };
	struct trend_result r = { .n = 99 };

	is_int(trend_mann_kendall(pts, 3, &mk), TREND_BAD_INPUT, "same t twice: mk refuses");
	ok(mk.valid && mk.s == 99, "same t twice: mk result untouched");
	is_int(trend_sen_slope(pts, 3, &sen), TREND_BAD_INPUT, "same t twice: sen refuses");
	ok(sen.slope == 99, "same t twice: sen result untouched");
	is_int(trend_analyse(pts, 3, false, 0.05, &r), TREND_BAD_INPUT, "same t: analyse refuses");
	is_int(r.n, 99, "same t: analyse result untouched");
	pts[2].t = 3;
	pts[2].season = 0;
	is_int(trend_seasonal_kendall(pts, 3, &sk), TREND_BAD_INPUT, "season 0 refused");
	pts[2].season = 5;
	is_int(trend_seasonal_kendall(pts, 3, &sk), TREND_BAD_INPUT, "season 5 refused");
	pts[2].season = 1;
	is_int(trend_seasonal_kendall(pts, 3, &sk), TREND_BAD_INPUT,
	       "two Q1 points in one year refused");
	is_double(sk.slope, 99, 0, "seasonal result untouched");
	pts[2].year = 2021;
	is_int(trend_seasonal_kendall(pts, 3, &sk), TREND_OK, "distinct years accepted");
}

int main(void)
{
	test_ties();
	test_all_equal();
	test_increasing();
	test_decreasing();
	test_alpha();
	test_two_points();
	test_empty();
	test_gaps();
	test_odd_slopes();
	test_median();
	test_seasonal();
	test_seasonal_floor();
	test_bad_input();
	return tap_done();
}
