/* Trend statistics of a series of counts: Mann-Kendall, Sen's slope and the
 * seasonal Kendall test for quarterly series. Pure arithmetic: no database,
 * no JSON. The caller passes only points that have a published value
 * (missing and suppressed points are dropped beforehand) and keeps each
 * point's original time position, so gaps stay gaps.
 *
 * Definitions (n points, pairs i < j in time order):
 *   S      = sum of sign(x_j - x_i)
 *   var(S) = [n(n-1)(2n+5) - sum over tie groups of t(t-1)(2t+5)] / 18
 *   z      = (S-1)/sqrt(var) if S > 0, (S+1)/sqrt(var) if S < 0, 0 if S = 0
 *   p      = erfc(|z| / sqrt 2)                (two-sided, normal)
 *   tau    = S / (n(n-1)/2)
 *   Sen    = median of (x_j - x_i)/(t_j - t_i); intercept = median(x) - Sen * median(t)
 * The seasonal test sums S and var(S) over the seasons (each season with its
 * own tie correction), takes z, p from the sums and tau = S / sum n_s(n_s-1)/2;
 * its slope is the median of all within-season slopes per year. */
#ifndef SAMLAD_TREND_H
#define SAMLAD_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* The significance level used when the deployment does not set one. */
#define TREND_ALPHA_DEFAULT 0.05
/* Seasons are numbered 1..TREND_SEASONS (quarters). */
#define TREND_SEASONS 4

enum trend_status {
	TREND_OK = 0,
	TREND_NOMEM,      /* memory ran out; the result is untouched */
	TREND_BAD_INPUT,  /* two points share a time position, or a season is not 1..4 */
};

enum trend_direction { TREND_NONE, TREND_INCREASING, TREND_DECREASING };

/* One observed value of the series. */
struct trend_point {
	int t;       /* time position, e.g. the period index: consecutive quarters differ by 1 */
	int season;  /* 1..4 (the quarter) for the seasonal test; ignored by the others */
	int year;    /* calendar year, used by the seasonal test only */
	double x;    /* the value */
};

/* A Kendall trend test (plain or seasonal). When valid is false there were
 * too few points for the test to mean anything: every member but n is 0
 * and the JSON layer prints null. */
struct trend_test {
	bool valid;    /* the statistics below are computable */
	size_t n;      /* points that took part */
	long long s;   /* Kendall's S */
	double var_s;  /* variance of S under no trend, tie-corrected */
	double z;      /* normal score with continuity correction */
	double p;      /* two-sided p-value */
	double tau;    /* Kendall's tau: S over the number of pairs */
};

/* Sen's slope and the intercept of the line through the medians. */
struct trend_sen {
	bool valid;        /* at least two points (one pair) */
	double slope;      /* change per unit of t */
	double intercept;  /* value of the line at t = 0 */
};

/* The seasonal Kendall test and its slope. */
struct trend_seasonal {
	struct trend_test test;  /* S, var(S), z, p, tau summed over the seasons */
	double slope;            /* median within-season slope per year; 0 when !test.valid */
};

/* Everything the series endpoint reports about one series. */
struct trend_result {
	size_t n;                       /* points with a value */
	struct trend_test mk;           /* Mann-Kendall over all points */
	bool has_seasonal;              /* the seasonal test was asked for (quarterly series) */
	struct trend_seasonal seasonal; /* zeroed when !has_seasonal */
	struct trend_sen sen;           /* Sen's slope over t */
	enum trend_direction direction; /* from the Mann-Kendall test at the given alpha */
};

/* Mann-Kendall over the points (any order; pairs are ordered by t).
 * Valid when n >= 3. */
enum trend_status trend_mann_kendall(const struct trend_point *pts, size_t n,
                                     struct trend_test *out) WUR;
/* Sen's slope over t and its intercept. Valid when n >= 2. */
enum trend_status trend_sen_slope(const struct trend_point *pts, size_t n,
                                  struct trend_sen *out) WUR;
/* Seasonal Kendall test over seasons 1..4, pairs ordered by year within a
 * season. Valid when at least three points lie in seasons that have two or
 * more points (the same "n >= 3" floor as the plain test, counting only
 * points that form a within-season pair). */
enum trend_status trend_seasonal_kendall(const struct trend_point *pts, size_t n,
                                         struct trend_seasonal *out) WUR;
/* Increasing or decreasing when the test is valid and p < alpha, by the sign
 * of S; otherwise none. */
enum trend_direction trend_direction_of(const struct trend_test *test, double alpha);
/* "increasing", "decreasing" or "none". */
const char *trend_direction_name(enum trend_direction d);
/* All of the above in one call; the seasonal test only when `seasonal`. */
enum trend_status trend_analyse(const struct trend_point *pts, size_t n, bool seasonal,
                                double alpha, struct trend_result *out) WUR;
/* The median of v[0..n-1] (n > 0); sorts v in place. Exposed for tests. */
double trend_median(double *v, size_t n);

#endif
