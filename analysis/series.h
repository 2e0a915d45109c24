/* A series as the aggregator publishes it: types only, shared by the
 * assembly (series_build.c), the renderers (render.c, sdmx.c) and derived.c.
 * Every value in here has passed disclosure control: a point that is not
 * published carries the value 0, never the count behind it. */
#ifndef SAMLAD_SERIES_H
#define SAMLAD_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include "catalogue.h"
#include "disclosure.h"
#include "trend.h"

/* How often the series has a point. */
enum series_freq {
	FREQ_QUARTER,  /* one point per quarter, periods yyyyq */
	FREQ_YEAR,     /* one point per calendar year, periods yyyy */
};

/* What a reader may see of one point. */
enum point_status {
	POINT_PUBLISHED,   /* value holds the count */
	POINT_SUPPRESSED,  /* disclosure control hid it; value is 0 */
	POINT_MISSING,     /* nothing was reported (or a year lacks a quarter); value is 0 */
};

struct series_point {
	int period;                /* yyyyq for quarters, yyyy for years */
	long long value;           /* the published value; 0 unless published */
	enum point_status status;  /* published, suppressed or missing */
	int flag;                  /* its enum flag (core/flag.h) when published, else 0 */
};

/* Moving annual total and change on the year before, for one point.
 * A member is only meaningful when its has_ flag is set; JSON prints null
 * otherwise. */
struct derived_point {
	bool has_total;     /* every cell of the window is published */
	double total;       /* flow: the sum of the four quarters ending here;
	                     * stock: their mean to one decimal; years: the value */
	bool has_change;    /* this point and the one a year earlier are published */
	long long change;   /* value minus the value a year earlier */
	bool has_percent;   /* has_change and the earlier value is not 0 */
	double percent;     /* change / earlier * 100, to one decimal */
};

/* One published series with everything the endpoints report about it.
 * The catalogue pointers stay valid while the caller holds the catalogue
 * lock; the arrays are owned (series_clear frees them). */
struct series {
	const struct cat_indicator *indicator; /* what is counted */
	const struct cat_agency *agency;       /* the indicator's agency */
	const struct cat_area *area;           /* where */
	const struct cat_area *parent;         /* the area's parent, or NULL */
	enum series_freq freq;                 /* quarters or years */
	size_t n;                              /* points from `from` to `to` */
	struct series_point *points;           /* owned; n points in time order */
	struct derived_point *derived;         /* owned; n, one per point */
	struct trend_result trend;             /* over the published points only */
};

/* The status a cell of a protected table shows as a point. */
enum point_status point_status_of(enum dc_cell s);
/* "published", "suppressed" or "missing". */
const char *point_status_name(enum point_status s);
/* Writes the period as the API spells it: "2024Q3", or "2024" for a year
 * (buf of at least 8 bytes). */
void series_period_format(enum series_freq freq, int period, char *buf);
/* Frees the arrays and empties the series. */
void series_clear(struct series *s);

#endif
