/* What a review reads from the database, as plain data: the review's plan
 * (review_plan in review.h: the municipality's leaves and the indicators
 * reported there) and what tables/review_load.h reads for it (each
 * indicator's tables, the arrivals of the reports, the data version's
 * time). review_build computes the review from it with no connection. */
#ifndef SAMLAD_REVIEW_INPUT_H
#define SAMLAD_REVIEW_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "catalogue.h"
#include "ptable.h"
#include "series_build.h"

/* Years a review shows: the review year and the five before it. */
#define REVIEW_YEARS 6
/* The tables a review reads per indicator: the review year and the years
 * before it that its series show, and one more for the first moving
 * total. */
#define REVIEW_TABLES (REVIEW_YEARS + 1)
/* Room for "2024-05-01T12:00:00Z" and its NUL. */
#define REVIEW_TIME_MAX 24

/* What one agency reported for one quarter in the areas asked about. */
struct review_arrival {
	int agency_id;   /* agency.id of the submissions */
	int period;      /* yyyyq */
	long long keys;  /* distinct (indicator, area) pairs with a count */
	time_t first;    /* when the first of those counts arrived */
	time_t last;     /* when the last key got its first count: the report's completion */
};

/* A key (indicator, area) that has a count in a quarter. */
struct review_key_id {
	int indicator_id;  /* indicator.id */
	int area_id;       /* area.id of a leaf */
};

/* One indicator's tables, years year - REVIEW_YEARS .. year. */
struct review_tables {
	struct ptable *t[REVIEW_TABLES];  /* owned; each free()d, NULL until read */
};

/* Everything a review is computed from. review_plan fills the first part,
 * the reader (review_input_read) the rest; review_input_free frees it. */
struct review_input {
	const struct catalogue *cat;              /* borrowed; held by the caller */
	const struct cat_area *municipality;      /* borrowed; a top-level area */
	int year;                                 /* the review year */
	bool as_of_asked;                         /* the version's time is not needed */
	struct layout layout;                     /* owned; the municipality's leaves */
	const struct cat_indicator **indicators;  /* owned array of borrowed pointers: the
	                                           * indicators reported in the municipality,
	                                           * first-line first, then by code */
	size_t nindicators;                       /* entries in indicators and tables */
	struct review_tables *tables;             /* owned; one per indicator (read) */
	struct review_arrival *arrivals;          /* owned; per agency and quarter (read) */
	size_t narrivals;                         /* entries in arrivals */
	char version_time[REVIEW_TIME_MAX];       /* when the data version was made, RFC 3339,
	                                           * or "" (read unless as_of_asked) */
};

#endif
