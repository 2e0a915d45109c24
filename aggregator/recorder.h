/* The recorder: records the states of every table as the data arrive
 * (states.h), so that reads are lookups, and advances the watermark in
 * record_progress when every table is recorded up to a point.
 *
 * One round: read the current point P and the watermark W; list the tables
 * that an event in (W, P] may have changed (the submissions' counts, found
 * through count_history's block-range index on submission_id, and, for each
 * catalogue import, the tables of indicators and municipalities whose
 * shape it changed; when the new submissions are more than a quarter of
 * all, as at the first start over stored data, simply every indicator in
 * every municipality); record them with `threads` workers, each on a
 * connection of its own; then append P to record_progress. A round that
 * fails is tried again from the same watermark.
 *
 * With several aggregators on one database only one records at a time:
 * the recorder holds a session advisory lock while it is the one. The
 * others keep reading, and record the states of their own requests' tables
 * inline when the data are newer than the watermark. */
#ifndef SAMLAD_RECORDER_H
#define SAMLAD_RECORDER_H

#include <stddef.h>
#include "compiler.h"
#include "timeline.h"

struct recorder;

/* What the recorder has done since it started (for the log and the
 * benchmark). */
struct recorder_stats {
	size_t rounds;     /* rounds that advanced the watermark */
	size_t tables;     /* (indicator, municipality) pairs recorded */
	size_t states;     /* states recorded */
	size_t fallbacks;  /* of which fell back to hiding every new cell */
	size_t failures;   /* tables whose recording failed (tried again next round) */
	double seconds;    /* wall time spent in rounds */
	struct point newest; /* the newest data and catalogue version seen, 0 before */
	struct point recorded; /* the watermark: every table recorded up to it */
};

/* Starts the recorder thread and its workers on connections to
 * `conninfo`. `tl` is shared with the requests and must outlive the
 * recorder. NULL when a thread could not start or memory ran out. */
struct recorder *recorder_start(const char *conninfo, struct timeline *tl, unsigned threads,
                                unsigned interval_ms) WUR;
/* Stops the threads (a round in progress ends first) and frees it. */
void recorder_stop(struct recorder *r);
void recorder_stats(struct recorder *r, struct recorder_stats *out);

#endif
