/* The recorded states of the year tables: what every endpoint publishes.
 *
 * A table is one indicator in one municipality and one year. It gets a new
 * state at every point of the timeline (timeline.h) where its content
 * changes: a submission changes one of its counts, or a catalogue import
 * changes its rows, their quarters, its kind or its k. Each state is
 * protected once, in timeline order, against every earlier state of the
 * table (disclosure.h), and recorded in table_state; every answer about
 * the table at a point is the recorded state in force then. So the same
 * request with the same as_of answers the same forever, from any
 * aggregator, and a state is protected the same whether or not anyone
 * read the states before it.
 *
 * The recorder (recorder.h) records states as the data arrive and
 * advances the watermark in record_progress: every state up to it is
 * recorded. A read at a point beyond the watermark records the states of
 * its own tables first (tables_record). Recording a table holds the
 * advisory lock of (indicator, municipality), so two aggregators never
 * record one table at once. */
#ifndef SAMLAD_STATES_H
#define SAMLAD_STATES_H

#include <stddef.h>
#include "catalogue.h"
#include "compiler.h"
#include "db.h"
#include "disclosure.h"
#include "ptable.h"
#include "timeline.h"

struct state_cache;

/* What reading tables needs. */
struct tables_ctx {
	struct db *db;                 /* the request's connection */
	const struct catalogue *cat;   /* the current catalogue (area codes) */
	struct timeline *tl;           /* the catalogue's history */
	struct point at;               /* the point to answer for */
	struct point recorded;         /* the watermark: every state up to it is recorded */
	struct state_cache *cache;     /* the newest states in memory (state_cache.h), or NULL */
	long long flagged_from;        /* the first submission with a flag (load_versions),
	                                * 0 for none: then no flag is read */
};

/* What recording did, for the log and the benchmark. */
struct record_stats {
	size_t states;      /* states recorded */
	size_t fallbacks;   /* of which fell back to hiding every new cell */
	size_t hidden;      /* hidden cells in them */
	size_t cells;       /* present cells in them */
};

/* The agg_status of a query's db_status. */
enum agg_status tables_status(enum db_status st);

/* The tables of years y0..y1 of (indicator, municipality) at ctx->at, each
 * a new ptable (free()) in out[year - y0]; a year without any state is a
 * table of missing cells in the rows of the catalogue then. Records the
 * tables' states first when ctx->at is beyond the watermark. */
enum agg_status tables_read(const struct tables_ctx *ctx, int indicator_id,
                            int municipality_id, int y0, int y1, struct ptable **out) WUR;

/* Protects and records every state of the tables (indicator, municipality,
 * years y0..y1) up to `to`, in one transaction under the table's lock:
 * the events after `from` (a point up to which every table is known to be
 * recorded) or after the table's newest recorded state, whichever is
 * later. `stats` (may be NULL) is added to. */
enum agg_status tables_record(struct db *db, const struct catalogue *cat, struct timeline *tl,
                              int indicator_id, int municipality_id, int y0, int y1,
                              struct point from, struct point to,
                              struct record_stats *stats) WUR;

#endif
