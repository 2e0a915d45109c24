/* Trend statistics: Mann-Kendall, Sen's slope, seasonal Kendall.
 *
 * Each test works on a "sample": values with an integer ordering key (the
 * time position for the plain tests, the year within one season for the
 * seasonal test). Pairs are ordered by key rather than by array position,
 * so the caller may pass points in any order; two points with the same key
 * have no order and are refused. Series are at most a few hundred quarters,
 * so the O(n^2) pair loops cost nothing worth optimising. */
#include "trend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Values with an ordering key. Both arrays are owned by the sample
 * (sample_alloc, sample_free) and have room for every point. */
struct sample {
	int *key;    /* owned; time position or year */
	double *x;   /* owned; the values */
	size_t n;    /* entries used */
};

/* Kendall's S, var(S) and the pair count of one sample. */
struct kendall_sums {
	long long s;   /* sum of pair signs */
	double var_s;  /* tie-corrected variance of S */
	double pairs;  /* n(n-1)/2 */
};

static int sign_of(double v)
{
	return (v > 0) - (v < 0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double trend_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void sample_free(struct sample *sm)
{
	free(sm->key);
	free(sm->x);
}

/* Allocates room for n entries; 0 or -1 (nothing is left to free). */
static int sample_alloc(struct sample *sm, size_t n)
{
	sm->n = 0;
	sm->key = malloc((n ? n : 1) * sizeof *sm->key);
	sm->x = malloc((n ? n : 1) * sizeof *sm->x);
	if (sm->key && sm->x)
		return 0;
	sample_free(sm);
	return -1;
}

/* True when no two keys are equal. A pair with equal keys has no time
 * order, so such input is malformed rather than a tie. */
static bool keys_distinct(const struct sample *sm)
{
	for (size_t i = 0; i < sm->n; i++)
		for (size_t j = i + 1; j < sm->n; j++)
			if (sm->key[i] == sm->key[j])
				return false;
	return true;
}

/* S: the sum over all pairs, each ordered by key, of the sign of the later
 * value minus the earlier one. Keys are distinct. */
static long long kendall_s(const struct sample *sm)
{
	long long s = 0;
	for (size_t i = 0; i < sm->n; i++) {
		for (size_t j = i + 1; j < sm->n; j++) {
			int order = (sm->key[j] > sm->key[i]) - (sm->key[j] < sm->key[i]);
			s += order * sign_of(sm->x[j] - sm->x[i]);
		}
	}
	return s;
}

/* The tie term sum of t(t-1)(2t+5) over groups of equal values. Ties lower
 * the variance of S because tied pairs contribute 0 instead of +-1. Sorts
 * `scratch`, a copy of the values. */
static double tie_term(double *scratch, size_t n)
{
	double sum = 0;
	qsort(scratch, n, sizeof *scratch, cmp_double);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && scratch[j] == scratch[i])
			j++;
		double t = (double)(j - i);
		sum += t * (t - 1) * (2 * t + 5);
		i = j;
	}
	return sum;
}

/* S, var(S) and pairs of one sample with distinct keys; 0 or -1 when
 * memory ran out. */
static int kendall_sums(const struct sample *sm, struct kendall_sums *out)
{
	double dn = (double)sm->n;
	double *scratch = malloc((sm->n ? sm->n : 1) * sizeof *scratch);
	if (!scratch)
		return -1;
	memcpy(scratch, sm->x, sm->n * sizeof *scratch);
	out->s = kendall_s(sm);
	out->var_s = (dn * (dn - 1) * (2 * dn + 5) - tie_term(scratch, sm->n)) / 18.0;
	out->pairs = dn * (dn - 1) / 2;
	free(scratch);
	return 0;
}

/* A valid test from S, var(S) and the number of pairs: fills z, p and tau.
 * The continuity correction moves S one step toward 0 because S only takes
 * every other integer. With var(S) = 0 all values are tied, so S = 0 and
 * z = 0. */
static void kendall_finish(struct trend_test *t, const struct kendall_sums *k)
{
	double sd = sqrt(k->var_s), pairs = k->pairs;

	t->valid = true;
	t->s = k->s;
	t->var_s = k->var_s;
	t->z = 0;
	if (t->s > 0 && sd > 0)
		t->z = (double)(t->s - 1) / sd;
	else if (t->s < 0 && sd > 0)
		t->z = (double)(t->s + 1) / sd;
	t->p = erfc(fabs(t->z) / sqrt(2.0));
	t->tau = pairs > 0 ? (double)t->s / pairs : 0;
}

/* The plain sample of all points, keyed by t. */
static int sample_by_time(const struct trend_point *pts, size_t n, struct sample *sm)
{
	if (sample_alloc(sm, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sm->key[i] = pts[i].t;
		sm->x[i] = pts[i].x;
	}
	sm->n = n;
	return 0;
}

/* The points of one season, keyed by year. */
static void sample_season(const struct trend_point *pts, size_t n, int season,
                          struct sample *sm)
{
	sm->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (pts[i].season != season)
			continue;
		sm->key[sm->n] = pts[i].year;
		sm->x[sm->n] = pts[i].x;
		sm->n++;
	}
}

enum trend_status trend_mann_kendall(const struct trend_point *pts, size_t n,
                                     struct trend_test *out)
{
	struct sample sm;
	struct kendall_sums k;
	struct trend_test t = { .n = n };
	enum trend_status st = TREND_OK;

	if (sample_by_time(pts, n, &sm) != 0)
		return TREND_NOMEM;
	if (!keys_distinct(&sm))
		st = TREND_BAD_INPUT;
	else if (n >= 3 && kendall_sums(&sm, &k) != 0)
		st = TREND_NOMEM;
	else if (n >= 3)
		kendall_finish(&t, &k);
	if (st == TREND_OK)
		*out = t;
	sample_free(&sm);
	return st;
}

/* Appends the slope (x_j - x_i)/(key_j - key_i) of every pair to `slopes`
 * from index *count on. Keys are distinct (checked by the caller). */
static void pair_slopes(const struct sample *sm, double *slopes, size_t *count)
{
	for (size_t i = 0; i < sm->n; i++)
		for (size_t j = i + 1; j < sm->n; j++)
			slopes[(*count)++] = (sm->x[j] - sm->x[i]) /
			                     (double)(sm->key[j] - sm->key[i]);
}

/* The intercept median(x) - slope * median(t): the line through the point
 * of medians, as in Sen (1968) and Conover's intercept. */
static int sen_intercept(const struct sample *sm, double slope, double *out)
{
	double *v = malloc(sm->n * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < sm->n; i++)
		v[i] = sm->key[i];
	double mt = trend_median(v, sm->n);
	memcpy(v, sm->x, sm->n * sizeof *v);
	double mx = trend_median(v, sm->n);
	*out = mx - slope * mt;
	free(v);
	return 0;
}

enum trend_status trend_sen_slope(const struct trend_point *pts, size_t n,
                                  struct trend_sen *out)
{
	struct sample sm;
	struct trend_sen r = { .valid = false };
	double *slopes = NULL;
	size_t count = 0;
	enum trend_status st = TREND_NOMEM;

	if (sample_by_time(pts, n, &sm) != 0)
		return TREND_NOMEM;
	if (!keys_distinct(&sm)) {
		st = TREND_BAD_INPUT;
		goto done;
	}
	if (n >= 2) {
		slopes = malloc(n * (n - 1) / 2 * sizeof *slopes);
		if (!slopes)
			goto done;
		pair_slopes(&sm, slopes, &count);
		r.slope = trend_median(slopes, count);
		if (sen_intercept(&sm, r.slope, &r.intercept) != 0)
			goto done;
		r.valid = true;
	}
	*out = r;
	st = TREND_OK;
done:
	free(slopes);
	sample_free(&sm);
	return st;
}

/* Every season must be 1..4. */
static bool seasons_valid(const struct trend_point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pts[i].season < 1 || pts[i].season > TREND_SEASONS)
			return false;
	return true;
}

/* Adds one season's S, var(S), pairs and slopes to the running totals and
 * counts its points toward n_paired when it has a pair at all. */
static int add_season(const struct sample *sm, struct kendall_sums *sum,
                      size_t *n_paired, double *slopes, size_t *nslopes)
{
	struct kendall_sums k;
	if (kendall_sums(sm, &k) != 0)
		return -1;
	sum->s += k.s;
	sum->var_s += k.var_s;
	sum->pairs += k.pairs;
	if (sm->n >= 2)
		*n_paired += sm->n;
	pair_slopes(sm, slopes, nslopes);
	return 0;
}

/* Runs every season through add_season. TREND_BAD_INPUT when a season has
 * two points in one year. */
static enum trend_status sum_seasons(const struct trend_point *pts, size_t n,
                                     struct sample *sm, struct kendall_sums *sum,
                                     size_t *n_paired, double *slopes, size_t *nslopes)
{
	for (int season = 1; season <= TREND_SEASONS; season++) {
		sample_season(pts, n, season, sm);
		if (!keys_distinct(sm))
			return TREND_BAD_INPUT;
		if (add_season(sm, sum, n_paired, slopes, nslopes) != 0)
			return TREND_NOMEM;
	}
	return TREND_OK;
}

enum trend_status trend_seasonal_kendall(const struct trend_point *pts, size_t n,
                                         struct trend_seasonal *out)
{
	struct sample sm;
	struct kendall_sums sum = { 0, 0, 0 };
	struct trend_seasonal r = { .test = { .n = n } };
	size_t n_paired = 0, nslopes = 0;
	/* At most n(n-1)/2 within-season pairs; +1 keeps malloc(0) away. */
	double *slopes = malloc((n * (n ? n - 1 : 0) / 2 + 1) * sizeof *slopes);
	enum trend_status st = seasons_valid(pts, n) ? TREND_NOMEM : TREND_BAD_INPUT;

	if (st == TREND_BAD_INPUT || !slopes || sample_alloc(&sm, n) != 0) {
		free(slopes);
		return st;
	}
	st = sum_seasons(pts, n, &sm, &sum, &n_paired, slopes, &nslopes);
	if (st == TREND_OK && n_paired >= 3) {
		kendall_finish(&r.test, &sum);
		r.slope = trend_median(slopes, nslopes);
	}
	if (st == TREND_OK)
		*out = r;
	sample_free(&sm);
	free(slopes);
	return st;
}

enum trend_direction trend_direction_of(const struct trend_test *test, double alpha)
{
	if (!test->valid || !(test->p < alpha) || test->s == 0)
		return TREND_NONE;
	return test->s > 0 ? TREND_INCREASING : TREND_DECREASING;
}

const char *trend_direction_name(enum trend_direction d)
{
	switch (d) {
	case TREND_INCREASING:
		return "increasing";
	case TREND_DECREASING:
		return "decreasing";
	case TREND_NONE:
		break;
	}
	return "none";
}

enum trend_status trend_analyse(const struct trend_point *pts, size_t n, bool seasonal,
                                double alpha, struct trend_result *out)
{
	struct trend_result r = { .n = n, .has_seasonal = seasonal };
	enum trend_status st = trend_mann_kendall(pts, n, &r.mk);

	if (st == TREND_OK)
		st = trend_sen_slope(pts, n, &r.sen);
	if (st == TREND_OK && seasonal)
		st = trend_seasonal_kendall(pts, n, &r.seasonal);
	if (st != TREND_OK)
		return st;
	r.direction = trend_direction_of(&r.mk, alpha);
	*out = r;
	return TREND_OK;
}
