/* The data of one municipality-year review (issue 4), computed from the
 * published tables and nothing else: every number in a struct review has
 * passed the same disclosure control as /v1/series and /v1/table, because
 * it comes from the recorded table states (tables/states.h). Pure: the
 * caller plans the review (review_plan), reads its input on a connection
 * (tables/review_load.h: review_input_read), lets the connection go, and
 * computes it (review_build). The renderer (review_html.h) is pure too and
 * only formats what is here.
 *
 * Per indicator the review holds the municipality's quarterly series over
 * REVIEW_YEARS years (with the moving annual total and the trend), the
 * yearly series (with the year-on-year change), a quarterly series per
 * district for the small multiples, and the review year's protected table
 * (what /v1/table answers). Beside them: per agency and quarter of the
 * year, whether it reported and whether the first report came late. */
#ifndef SAMLAD_REVIEW_H
#define SAMLAD_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "catalogue.h"
#include "compiler.h"
#include "review_input.h"
#include "series.h"
#include "series_build.h"

/* The grace period when the deployment sets none, in days. */
#define REVIEW_GRACE_DAYS_DEFAULT 30

/* Whether an agency reported a quarter. */
enum review_state {
	REVIEW_NOT_REPORTED,  /* no count at all */
	REVIEW_PARTIAL,       /* some of the counts it may report */
	REVIEW_REPORTED,      /* every count it may report */
	REVIEW_NOT_DUE,       /* the quarter has not ended yet */
};

/* One agency's report of one quarter. */
struct review_report {
	int period;               /* yyyyq */
	enum review_state state;  /* reported or not */
	long long expected;       /* (indicator, area) pairs the catalogue permits */
	long long reported;       /* pairs that have a count */
	bool late;                /* the first count came after the deadline */
	time_t first;             /* when the first count came (0 when none) */
	time_t last;              /* when the last key got its first count (0 when none) */
	time_t deadline;          /* the quarter's end plus the grace period */
};

/* The agencies that report in the municipality, one row each. */
struct review_agency {
	const struct cat_agency *agency;  /* borrowed from the catalogue */
	struct review_report quarters[4]; /* Q1..Q4 of the review year */
};

/* Everything shown of one indicator. */
struct review_indicator {
	const struct cat_indicator *indicator; /* borrowed from the catalogue */
	const struct cat_agency *agency;       /* the indicator's agency; borrowed */
	struct series quarters;                /* the municipality by quarter; owned */
	struct series years;                   /* the municipality by year; owned */
	struct series *districts;              /* owned; ndistricts quarterly series */
	size_t ndistricts;                     /* the layout's districts (0 without) */
	struct ptable *table;                  /* owned; the review year's protected table (its
	                                        * k is the one the method text names) */
};

/* One review. Catalogue pointers stay valid while the caller holds the
 * catalogue (the read lock in the aggregator). */
struct review {
	const struct catalogue *cat;          /* borrowed; names of the tables' rows */
	const struct cat_area *municipality;  /* borrowed */
	struct layout layout;                 /* owned; the districts in row order */
	int year;                             /* the review year */
	int first_year;                       /* year - REVIEW_YEARS + 1 */
	int last_period;                      /* the last quarter shown (yyyyq) */
	double alpha;                         /* the trend test's significance level */
	int grace_days;                       /* days after a quarter's end a report is on time */
	char as_of[REVIEW_TIME_MAX + 24];     /* the data's as-of time, RFC 3339, or "" */
	bool as_of_asked;                     /* as_of came from the request */
	char generated[REVIEW_TIME_MAX];      /* when the page was made, RFC 3339 */
	struct review_indicator *items;       /* owned; first-line first, then by code */
	size_t nitems;                        /* indicators reported in the municipality */
	struct review_agency *agencies;       /* owned; by agency code */
	size_t nagencies;                     /* agencies that may report here */
};

/* What to review. */
struct review_params {
	const struct cat_area *municipality;  /* a top-level area */
	int year;                             /* the review year */
	int grace_days;                       /* --grace-days */
	double alpha;                         /* --alpha */
	const char *as_of;                    /* the canonical as_of asked for, or NULL */
	time_t now;                           /* the clock, for quarters not yet due */
};

/* What the review reads: the municipality's leaves and the indicators
 * reported there, into *out (review_input_free, also on failure). 0, or -1
 * when memory ran out. */
int review_plan(const struct catalogue *cat, const struct review_params *p,
                struct review_input *out) WUR;
/* Frees what the input owns and empties it. */
void review_input_free(struct review_input *in);
/* Computes the review from its input, read in full: every series with its
 * derived values and trend, and every agency's reports judged. Needs no
 * connection. The layout and each indicator's table of the review year
 * move from `in` to the review (left empty in `in`). On failure *out is
 * empty (review_free is still safe). */
enum agg_status review_build(struct review_input *in, const struct review_params *p,
                             struct review *out) WUR;
/* Frees what the review owns and empties it. */
void review_free(struct review *r);

/* The state of one report from what arrived; pure, exposed for tests.
 * `now` decides whether a quarter is due yet. */
void review_report_judge(struct review_report *r, long long reported, time_t first,
                         int grace_days, time_t now);

/* ---- completeness over quarters (GET /v1/completeness, /reporting) ---- */

/* One agency's reports of the quarters from..to in one municipality. */
struct review_matrix_row {
	const struct cat_agency *agency;  /* borrowed from the catalogue */
	struct review_report *reports;    /* owned; one per quarter from..to */
};

/* Every agency permitted in a municipality by quarter, judged as the
 * review judges them. A key (indicator, district) is expected in a quarter
 * only when its area is active then (catalogue_area_active). */
struct review_matrix {
	int from;                         /* the first quarter (yyyyq) */
	int to;                           /* the last quarter, >= from */
	size_t nperiods;                  /* quarters from..to */
	int grace_days;                   /* days after a quarter's end a report is on time */
	struct review_matrix_row *rows;   /* owned; by catalogue order (agency code) */
	size_t nrows;                     /* agencies with a permission in the municipality */
};

/* A quarter's status word: "complete", "partial", "late" (complete, the
 * last key after the due date), "missing", "not_due" (nothing came and
 * the due date, the quarter's end plus the grace days, has not passed), or "not_expected" (no key of the agency's is
 * active in the quarter). */
const char *review_report_status(const struct review_report *r);

/* The rates DHIS2 gives, over the due reports (neither not_due nor
 * not_expected): reports complete (on time or late) and complete on
 * time, per 100 due reports. */
struct review_rates {
	long long due;       /* reports that were due */
	long long complete;  /* of them, complete (on time or late) */
	long long on_time;   /* of them, complete by the due date */
};
/* Adds one report to the rates. */
void review_rates_add(struct review_rates *rt, const struct review_report *r);

/* Judges every permitted agency's quarters from..to in the layout's leaves
 * from the arrivals (review_load_arrivals over the same quarters). 0, or
 * -1 when memory ran out (review_matrix_free is still safe). */
int review_matrix_build(const struct catalogue *cat, const struct layout *lay, int from,
                        int to, const struct review_arrival *arr, size_t narr,
                        int grace_days, time_t now, struct review_matrix *out) WUR;
/* Frees what the matrix owns and empties it. */
void review_matrix_free(struct review_matrix *m);

/* One expected key of an agency's quarter. */
struct review_key {
	const struct cat_indicator *indicator;  /* borrowed from the catalogue */
	const struct cat_area *area;            /* borrowed; a leaf of the layout */
};

/* The keys of agency_id the matrix expects in the quarter (the same rule
 * as review_report.expected: its permissions in the layout's leaves whose
 * area is active then) that are not among `have` (the keys with a count,
 * e.g. tables/review_load.h's review_load_keys). *out, ordered by
 * indicator code and then by the layout's leaf order, is the caller's to
 * free, also on failure (NULL when nothing is missing). 0, or -1 when
 * memory ran out. */
int review_missing_keys(const struct catalogue *cat, const struct layout *lay, int agency_id,
                        int period, const struct review_key_id *have, size_t nhave,
                        struct review_key **out, size_t *n) WUR;

#endif
