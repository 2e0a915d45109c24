/* The demo's synthetic counts, shared by samlad-admin demo-data (files to
 * post through the collector) and demo-load (the demo's reports with the
 * times they would have arrived; demo only). */
#ifndef SAMLAD_ADMIN_DEMO_H
#define SAMLAD_ADMIN_DEMO_H

#include <stdint.h>
#include "catalogue.h"
#include "compiler.h"

/* What one series of counts looks like. */
struct demo_series {
	const struct cat_indicator *indicator; /* borrowed from the catalogue */
	const struct cat_area *area;           /* borrowed; a leaf area */
	uint64_t hash;                         /* of the two codes: everything else derives from it */
	int64_t base_milli;                    /* level at the anchor, in thousandths */
	int64_t slope_pm;                      /* change per year, per mille of the base */
	int64_t season_pct;                    /* how much of season_pm applies, percent */
	int64_t noise_pm;                      /* noise is uniform in +-noise_pm per mille */
};

/* The series of one agency. */
struct demo_plan {
	struct demo_series *series; /* owned; sorted by indicator code, then area code */
	size_t n;                   /* entries in series */
};

/* A hash of two codes that depends on nothing else (no id, no clock). */
uint64_t demo_hash(const char *a, const char *b);

/* Every (indicator, leaf area) the agency is permitted, as series; the
 * caller frees plan->series. -1 when memory runs out. */
int demo_plan_agency(const struct catalogue *cat, const struct cat_agency *agency,
                     struct demo_plan *plan) WUR;

/* The count of a series in a quarter, or -1 when the quarter is missing. */
long long demo_series_value(const struct demo_series *s, int period);

#endif
