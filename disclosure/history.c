/* The states of a history, expression by expression; see history.h. */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include "cells.h"

bool dc_small(long long value, long long k)
{
	return value >= 1 && value < k;
}

void dc_known_free(struct dc_known *k)
{
	for (size_t i = 0; k->expr && i < k->nstates; i++)
		free(k->expr[i]);
	free(k->expr);
	free(k->published);
	free(k->hidden);
	free(k->target_k);
	dc_exprs_free(&k->ex);
	memset(k, 0, sizeof *k);
}

/* The shape and the unknowns of a state are usable. */
static bool state_valid(const struct dc_state *s, const struct dc_history *h)
{
	if (s->nleaves == 0 || (!s->total && s->nleaves != 1) || s->k < 1 || !s->unknowns ||
	    !s->cells)
		return false;
	for (size_t i = 0; i < s->nleaves * 4; i++) {
		long u = s->unknowns[i];
		if (u != DC_NONE && u != DC_INACTIVE && (u < 0 || (size_t)u >= h->nvalues))
			return false;
	}
	return true;
}

/* Interns the cells of one state into k->expr[i]. */
static enum dc_status intern_state(const struct dc_history *h, size_t i, long *units,
                                   struct dc_known *k)
{
	const struct dc_state *s = &h->states[i];
	size_t ncells = dc_rows(s) * DC_NCOLS;

	if (!state_valid(s, h))
		return DC_INVALID;
	k->expr[i] = malloc(ncells * sizeof *k->expr[i]);
	if (!k->expr[i])
		return DC_NOMEM;
	for (size_t c = 0; c < ncells; c++) {
		size_t n = dc_cell_unknowns(s, c, units);
		long long value = 0;
		for (size_t j = 0; j < n; j++)
			value += h->values[units[j]];
		k->expr[i][c] = n == 0 ? -1 : dc_exprs_intern(&k->ex, units, n, value);
		if (n > 0 && k->expr[i][c] < 0)
			return DC_NOMEM;
	}
	return DC_OK;
}

/* Reads the statuses of a recorded state into the per-expression flags. */
static enum dc_status read_state(const struct dc_history *h, size_t i, struct dc_known *k)
{
	const struct dc_state *s = &h->states[i];

	for (size_t c = 0; c < dc_rows(s) * DC_NCOLS; c++) {
		long e = k->expr[i][c];
		enum dc_cell st = s->cells[c];
		if ((e < 0) != (st == DC_MISSING) || (st != DC_PUBLISHED && st != DC_HIDDEN &&
		                                      st != DC_MISSING))
			return DC_INVALID;
		if (st == DC_PUBLISHED)
			k->published[e] = true;
		else if (st == DC_HIDDEN) {
			k->hidden[e] = true;
			if (dc_small(k->ex.value[e], s->k) && s->k > k->target_k[e])
				k->target_k[e] = s->k;
		}
	}
	return DC_OK;
}

/* The largest leaf count of the states: the scratch for one cell's unknowns. */
static size_t widest(const struct dc_history *h)
{
	size_t w = 1;
	for (size_t i = 0; i < h->nstates; i++)
		if (h->states[i].nleaves > w)
			w = h->states[i].nleaves;
	return w;
}

int dc_known_system(const struct dc_known *k, size_t nunknowns, struct dc_system *sys)
{
	if (dc_system_init(sys, &k->ex, nunknowns) != 0)
		return -1;
	for (size_t e = 0; e < k->ex.n; e++)
		if (k->published[e])
			dc_system_add(sys, e);
	return 0;
}

enum dc_status dc_known_make(const struct dc_history *h, size_t nrecorded,
                             struct dc_known *out)
{
	long *units = malloc(widest(h) * 4 * sizeof *units);
	enum dc_status st = DC_NOMEM;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < h->nvalues; i++)
		if (h->values[i] < 0) {
			free(units);
			return DC_INVALID;
		}
	out->nstates = h->nstates;
	out->expr = calloc(h->nstates ? h->nstates : 1, sizeof *out->expr);
	if (!units || !out->expr || dc_exprs_init(&out->ex) != 0)
		goto fail;
	for (size_t i = 0; i < h->nstates; i++)
		if ((st = intern_state(h, i, units, out)) != DC_OK)
			goto fail;
	st = DC_NOMEM;
	size_t n = out->ex.n ? out->ex.n : 1;
	out->published = calloc(n, sizeof *out->published);
	out->hidden = calloc(n, sizeof *out->hidden);
	out->target_k = calloc(n, sizeof *out->target_k);
	if (!out->published || !out->hidden || !out->target_k)
		goto fail;
	for (size_t i = 0; i < nrecorded; i++)
		if ((st = read_state(h, i, out)) != DC_OK)
			goto fail;
	free(units);
	return DC_OK;
fail:
	free(units);
	dc_known_free(out);
	return st;
}
