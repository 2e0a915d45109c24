/* The aggregator's SQL of versions, tokens and counts, each query a small
 * typed function beside its text (the recorded states' SQL is in states.c,
 * the catalogue history's in timeline.c). The aggregator's role reads the
 * catalogue, tokens, counts and the id and arrival time of submissions; it
 * writes only table states and the recorder's progress.
 *
 * A "data version" is a submission id: the counts as of version v are, per
 * key, the row with the highest submission id <= v. Ingests are serialised
 * and ids increase with received_at (docs/architecture.md), so the version
 * of "as of time T" is the highest id received at or before T, and the
 * counts of a version never change once it is visible. */
#ifndef SAMLAD_LOAD_H
#define SAMLAD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include "auth.h"
#include "compiler.h"
#include "db.h"
#include "timeline.h"

/* What the versions query returns: the point to answer for, and how far
 * the table states are recorded (timeline.h, states.h). */
struct load_versions {
	struct point at;        /* the data and catalogue version now, or as of a time */
	struct point recorded;  /* the watermark of record_progress */
	long long catalogue;    /* the current catalogue version (at's may be older) */
	bool settled;           /* no submission or import can still join `at` (see
	                         * load_versions); always true without as_of */
	bool future;            /* as_of lies after the database's clock */
	bool standby;           /* the server is a hot standby (pg_is_in_recovery()):
	                         * read-only, so nothing can be recorded on it */
	long long flagged_from; /* the first submission that carried a flag, 0 for none */
};

/* One row of count_history: a count as one submission wrote it. */
struct load_revision {
	int area_id;             /* area.id of a leaf area */
	int period;              /* yyyyq */
	long long submission;    /* the submission that wrote it: its state's version */
	long long value;         /* the count */
};

/* The periods with data of one leaf area, over every indicator. */
struct load_span {
	int area_id;  /* area.id */
	int first;    /* the earliest period with a count, yyyyq */
	int last;     /* the latest */
};

/* The point now (as_of NULL) or as of an RFC 3339 time (already checked
 * by the caller), and the watermark. With as_of, `settled` says whether
 * the answer can never change: an ingest or import that holds the ingest
 * lock takes its time stamp under the lock, so as_of may still gain it
 * when it is at or after the newest committed submission while the lock
 * is held (the lock is looked at before the versions are read). */
enum db_status load_versions(struct db *db, const char *as_of,
                             struct load_versions *out) WUR;

/* Every row of count_history of one indicator for the given leaf areas
 * over periods from..to with a submission id <= `version`, ordered by area, period and submission: the counts as of
 * every version up to `version` in one query (the last row of a key at or
 * below a version is its count then). *out is the caller's to free (NULL
 * when there are none). */
enum db_status load_history(struct db *db, int indicator_id, const int *area_ids,
                            size_t nareas, int from, int to, long long version,
                            struct load_revision **out, size_t *n) WUR;

/* The earliest period with a count of the indicator in any of the areas as
 * of `version`; *first is 0 when there is none. */
enum db_status load_first_period(struct db *db, int indicator_id, const int *area_ids,
                                 size_t nareas, long long version, int *first) WUR;

/* The first and last period with data of every area that has any, as of
 * `version`. *out is the caller's to free. */
enum db_status load_spans(struct db *db, long long version, struct load_span **out,
                          size_t *n) WUR;

/* A bearer token's row by id (as auth_token_load) and the current versions
 * (as load_versions with no as_of), in one round trip: what every read
 * needs first. The versions are set only when the token exists
 * (tok->found). */
enum db_status load_token_versions(struct db *db, long long id, struct auth_token_row *tok,
                                   struct load_versions *versions) WUR;

#endif
