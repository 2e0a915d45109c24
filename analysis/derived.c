/* Moving annual totals and year-on-year changes; see derived.h for the
 * definitions. */
#include "derived.h"

#include <math.h>
#include <string.h>

/* Quarters in a year: the window of a quarterly moving total. */
#define QUARTERS 4

size_t derived_lead(enum series_freq freq)
{
	return freq == FREQ_QUARTER ? QUARTERS : 1;
}

double derived_round1(double x)
{
	return round(x * 10.0) / 10.0;
}

static bool published(const struct series_point *p)
{
	return p->status == POINT_PUBLISHED;
}

/* The quarterly window ending at in[i]: flow sums, stock averages. */
static void quarter_total(const struct series_point *in, size_t i,
                          enum indicator_kind kind, struct derived_point *out)
{
	long long sum = 0;

	if (i + 1 < QUARTERS)
		return;
	for (size_t j = i + 1 - QUARTERS; j <= i; j++) {
		if (!published(&in[j]))
			return;
		sum += in[j].value;
	}
	out->has_total = true;
	out->total = kind == KIND_FLOW ? (double)sum : derived_round1((double)sum / QUARTERS);
}

/* The change on the point `lag` places earlier. */
static void yoy(const struct series_point *in, size_t i, size_t lag,
                struct derived_point *out)
{
	if (i < lag || !published(&in[i]) || !published(&in[i - lag]))
		return;
	long long before = in[i - lag].value;
	out->has_change = true;
	out->change = in[i].value - before;
	if (before != 0) {
		out->has_percent = true;
		out->percent = derived_round1((double)out->change / (double)before * 100.0);
	}
}

void derived_compute(const struct series_point *in, size_t n, enum series_freq freq,
                     enum indicator_kind kind, struct derived_point *out)
{
	size_t lag = derived_lead(freq);

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		if (freq == FREQ_QUARTER)
			quarter_total(in, i, kind, &out[i]);
		else if (published(&in[i])) {
			out[i].has_total = true;
			out[i].total = (double)in[i].value;
		}
		yoy(in, i, lag, &out[i]);
	}
}
