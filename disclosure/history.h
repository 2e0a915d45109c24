/* What the states of a history say, expression by expression: every
 * present cell of every state interned, and for the recorded states which
 * expressions they published and which they hid. Internal to the library. */
#ifndef SAMLAD_DC_HISTORY_H
#define SAMLAD_DC_HISTORY_H

#include "knowledge.h"

struct dc_known {
	struct dc_exprs ex;     /* every present cell's expression, of every state */
	long **expr;            /* owned; per state, per cell: its expression id, -1 when
	                         * the cell has no value */
	size_t nstates;         /* entries in expr */
	bool *published;        /* owned; per expression: a recorded state published it */
	bool *hidden;           /* owned; per expression: a recorded state hid it */
	long long *target_k;    /* owned; per expression: the largest k of a recorded state
	                         * that hid it while its value was 1..k-1, 0 for none */
};

/* Interns every state's cells and reads the statuses of the first
 * `nrecorded` states (checking that they agree with which cells have a
 * value). On failure *out is left freed. */
enum dc_status dc_known_make(const struct dc_history *h, size_t nrecorded,
                             struct dc_known *out) DC_WUR;
void dc_known_free(struct dc_known *k);

/* Makes *sys over k's expressions and `nunknowns` unknowns and adds every
 * expression the recorded states published: what their reader knows.
 * 0, or -1 when memory ran out (*sys is then for dc_system_free). */
int dc_known_system(const struct dc_known *k, size_t nunknowns, struct dc_system *sys) DC_WUR;

/* True when a value needs protection under k: 1..k-1 (0 is "nobody", which
 * points at no one). */
bool dc_small(long long value, long long k);

#endif
