/* dc_audit: what the reader of every state can tell of each hidden small
 * cell; and the library's status messages. */
#include <glpk.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "history.h"

const char *dc_status_message(enum dc_status st)
{
	switch (st) {
	case DC_OK:
		return "ok";
	case DC_NOMEM:
		return "out of memory";
	case DC_INVALID:
		return "the history of the table is malformed";
	case DC_SOLVER:
		break;
	}
	return "the LP solver failed";
}

/* Appends the findings of one state; bounds of an expression are worked out
 * once (done[e]) and kept in known[e]. */
static enum dc_status audit_state(const struct dc_history *h, const struct dc_known *k,
                                  const struct dc_system *sys, size_t i, bool *done,
                                  struct dc_bounds *known, struct dc_finding *out, size_t *n)
{
	const struct dc_state *s = &h->states[i];

	for (size_t c = 0; c < dc_rows(s) * DC_NCOLS; c++) {
		long e = k->expr[i][c];
		if (s->cells[c] != DC_HIDDEN || !dc_small(k->ex.value[e], s->k))
			continue;
		if (!done[e]) {
			enum dc_status st = dc_system_bounds(sys, (size_t)e, true, &known[e]);
			if (st != DC_OK)
				return st;
			done[e] = true;
		}
		out[(*n)++] = (struct dc_finding){ i, c, k->ex.value[e], s->k, known[e].lo,
		                                   known[e].hi };
	}
	return DC_OK;
}

/* Room for a finding per cell of every state. */
static size_t all_cells(const struct dc_history *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nstates; i++)
		n += dc_rows(&h->states[i]) * DC_NCOLS;
	return n ? n : 1;
}

enum dc_status dc_audit(const struct dc_history *h, struct dc_finding **out, size_t *n)
{
	struct dc_known k;
	struct dc_system sys = { 0 };
	bool *done = NULL;
	struct dc_bounds *known = NULL;
	enum dc_status st = dc_known_make(h, h->nstates, &k);

	*out = NULL;
	*n = 0;
	if (st != DC_OK)
		return st;
	/* Every published expression of every state, propagated. */
	st = dc_known_system(&k, h->nvalues, &sys) == 0 ? DC_OK : DC_NOMEM;
	done = calloc(k.ex.n ? k.ex.n : 1, sizeof *done);
	known = malloc((k.ex.n ? k.ex.n : 1) * sizeof *known);
	*out = malloc(all_cells(h) * sizeof **out);
	if (st == DC_OK && (!done || !known || !*out))
		st = DC_NOMEM;
	for (size_t i = 0; i < h->nstates && st == DC_OK; i++)
		st = audit_state(h, &k, &sys, i, done, known, *out, n);
	if (st != DC_OK || *n == 0) {
		free(*out);
		*out = NULL;
	}
	if (st != DC_OK)
		*n = 0;
	free(done);
	free(known);
	dc_system_free(&sys);
	dc_known_free(&k);
	glp_free_env();
	return st;
}
