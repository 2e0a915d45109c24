/* Disclosure control of year tables over time: what a reader can know
 * from every state of a table that was ever published, and which cells a
 * new state must hide so that no small count can be pinned down.
 *
 * A table is one indicator in one municipality and one year: a row per
 * leaf area (district) and, when the leaves are districts, a last row for
 * the municipality; columns Q1..Q4 and the year. Only leaf-quarters are
 * reported. Every other cell is a sum of them, so each cell of each state
 * is a set of *unknowns*: one unknown per value a leaf-quarter has held
 * (a revision is a new unknown; a value that did not change between two
 * states is the same unknown in both). The reader is assumed to know which
 * values changed, the cautious assumption of ../docs/aggregator.md.
 *
 * The reader's knowledge after states S1..Sn is the union of every state's
 * published cells: for each, "the sum of its unknowns is this value".
 * Unknowns are never negative. For a hidden cell the reader can tell the
 * interval [min, max] of its sum by linear programming; the requirement is
 * that for every state and every hidden cell whose value is 1..k-1 (k of
 * that state), max - min >= k. dc_protect chooses the new state's hidden
 * cells so that the requirement holds over all states given; the earlier
 * states' statuses are fixed (they were published already). One case
 * cannot meet it: when k is raised, a cell hidden at the old k is known to
 * within the old k, and nothing a later state hides can widen it. Such a
 * cell must get no narrower than the earlier states leave it.
 *
 * This library knows no HTTP and no database: the caller turns recorded
 * states and the history of counts into a struct dc_history. It uses GLPK
 * for the linear programs and may be called from several threads at once
 * (each call releases its thread's GLPK environment before returning). */
#ifndef SAMLAD_DISCLOSURE_H
#define SAMLAD_DISCLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#define DC_WUR __attribute__((warn_unused_result))

/* Columns: 0..3 are Q1..Q4, then the year. */
#define DC_NCOLS 5
#define DC_YEAR 4
/* The threshold when the catalogue sets none. */
#define DC_K_DEFAULT 5

/* What a leaf-quarter holds besides an unknown's index. */
#define DC_NONE (-1)      /* part of the table this quarter, but nothing was reported */
#define DC_INACTIVE (-2)  /* not part of the table this quarter (before the area's first
                           * or after its last period) */

/* How a year is made of its quarters. */
enum dc_kind {
	DC_FLOW,   /* new cases in the period: the year is the sum of its quarters */
	DC_STOCK,  /* cases open at the period's end: the year is its fourth quarter */
};

/* What a reader sees of a cell. */
enum dc_cell {
	DC_PUBLISHED,  /* the value is shown */
	DC_HIDDEN,     /* the value exists and is not shown */
	DC_MISSING,    /* there is no value: a part was not reported, or the cell is not
	                * part of the table */
};

/* One state of a table. */
struct dc_state {
	size_t nleaves;         /* reported rows, >= 1 */
	bool total;             /* the leaves are districts and a last row sums them; false
	                         * means one leaf, the municipality itself */
	enum dc_kind kind;      /* flow or stock */
	long long k;            /* values 1..k-1 must not be pinned down; >= 1 */
	const long *unknowns;   /* borrowed; nleaves * 4, leaf-major: an index into
	                         * dc_history.values, DC_NONE or DC_INACTIVE */
	enum dc_cell *cells;    /* borrowed; dc_rows(state) * DC_NCOLS, row-major: what was
	                         * published (earlier states, read) or is to be (the last
	                         * state, written by dc_protect); DC_MISSING exactly where
	                         * the cell has no value (see cells.c) */
};

/* A table's states in the order they were made; the last one is new. The
 * states may belong to different tables when their leaves share unknowns
 * (an area that moved): knowledge is knowledge, whatever table showed it. */
struct dc_history {
	const long long *values;  /* borrowed; the true value of each unknown, >= 0 */
	size_t nvalues;           /* how many unknowns */
	struct dc_state *states;  /* borrowed; nstates >= 1 */
	size_t nstates;           /* how many */
};

/* How a call ended. */
enum dc_status {
	DC_OK = 0,
	DC_NOMEM,     /* memory ran out */
	DC_INVALID,   /* the history is malformed (an index out of range, a negative value,
	               * a recorded status where the cell has no value) */
	DC_SOLVER,    /* GLPK failed in a way that should not happen */
};

/* What dc_protect did; the counts are for the operator's log only (which
 * hidden cells are small is never published). */
struct dc_result {
	bool passed;       /* the final audit over every state passed */
	bool fallback;     /* the search failed; every new cell of the state is hidden */
	size_t hidden;     /* hidden cells of the new state */
	size_t primary;    /* of which new cells with a value 1..k-1 */
	size_t secondary;  /* of which new cells hidden to protect others */
	size_t kept;       /* of which cells hidden in an earlier state, unchanged */
	const char *why;   /* static text: why the search failed, or why the audit did not
	                    * pass; NULL when all is well */
};

/* One hidden small cell of one state, as the reader sees it. */
struct dc_finding {
	size_t state;      /* index into dc_history.states */
	size_t cell;       /* row * DC_NCOLS + column */
	long long value;   /* its true value, 1..k-1 */
	long long k;       /* the k of its state */
	double lo;         /* the smallest value the reader cannot rule out */
	double hi;         /* the largest; INFINITY when nothing bounds it */
};

/* Rows of a state: its leaves, and the total row when there is one. */
size_t dc_rows(const struct dc_state *s);
/* The true value of a present cell of a state. */
long long dc_value(const struct dc_state *s, const struct dc_history *h, size_t cell);

/* Chooses the statuses of the last state's cells (its `cells` array) so
 * that, together with the earlier states, no hidden cell of any state whose
 * value is 1..k-1 can be narrowed to an interval shorter than k (or than
 * the earlier states leave it, when that is shorter: see above). A cell
 * published before with the same unknowns stays published (hiding it would
 * protect nothing); one hidden before stays hidden; only new cells are
 * chosen among. When no choice passes, every new cell is hidden
 * (result->fallback). Deterministic: the same history gives the same cells. */
enum dc_status dc_protect(const struct dc_history *h, struct dc_result *result) DC_WUR;

/* The reader's interval of every hidden cell whose value is 1..k-1, in
 * every state, from the union of all states' published cells. *out is a
 * new array for the caller to free() (NULL when *n is 0). */
enum dc_status dc_audit(const struct dc_history *h, struct dc_finding **out,
                        size_t *n) DC_WUR;

/* A short English text for a status. */
const char *dc_status_message(enum dc_status st);

#endif
