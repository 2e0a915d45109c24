/* Derived values of a published series: the moving annual total and the
 * change on the same period a year earlier. Pure arithmetic over points
 * that already passed disclosure control, so everything here is a function
 * of published values only.
 *
 * Definitions (lag L = 4 for quarters, 1 for years):
 *   moving_annual_total, quarters, flow:  the sum of the four quarters
 *       ending at the point;
 *   moving_annual_total, quarters, stock: the mean of those four quarters,
 *       rounded to one decimal (a stock is a level, and a sum of four levels
 *       counts the same open case up to four times);
 *   moving_annual_total, years: the year's own value (a year is its own
 *       annual figure: flow the sum of its quarters, stock its Q4);
 *   yoy_change  = x(t) - x(t - L);
 *   yoy_percent = yoy_change / x(t - L) * 100, rounded to one decimal
 *       (halves away from zero), absent when x(t - L) is 0.
 * A window that touches a point that is not published (suppressed or
 * missing), or that reaches before the first point given, has no value. */
#ifndef SAMLAD_DERIVED_H
#define SAMLAD_DERIVED_H

#include <stddef.h>
#include "catalogue.h"
#include "series.h"

/* Points before the first reported one that a window can reach back to:
 * the caller prepends that many so that the first point has its values. */
size_t derived_lead(enum series_freq freq);

/* Fills out[0..n-1] from the points in[0..n-1] (time order, consecutive
 * periods). */
void derived_compute(const struct series_point *in, size_t n, enum series_freq freq,
                     enum indicator_kind kind, struct derived_point *out);

/* Rounds to one decimal, halves away from zero. */
double derived_round1(double x);

#endif
