/* Helpers for the disclosure tests: a table's states built from literals,
 * as the aggregator builds them from the history of counts, and pictures
 * of their statuses.
 *
 * A state is given as q[leaf][quarter]: a count, -1 when the leaf reported
 * nothing (DC_NONE) or -2 when the leaf is not part of the table that
 * quarter (DC_INACTIVE). A leaf-quarter whose count is the same as in the
 * state before is the same unknown; a changed or new count is a new one,
 * exactly as a revision or a late report makes a new row of count_history.
 * Leaves are matched across states by an id (their index unless given).
 *
 * A picture has a group of five characters per row (Q1 Q2 Q3 Q4 year),
 * rows separated by '/', the total row last:
 *   '.' published   'h' hidden   '-' missing */
#ifndef SAMLAD_HISTORY_FIXTURE_H
#define SAMLAD_HISTORY_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disclosure.h"

#define FX_STATES 64
#define FX_LEAVES 12
#define FX_VALUES 4096
#define FX_CELLS ((FX_LEAVES + 1) * DC_NCOLS)
#define PICTURE_MAX (FX_CELLS + FX_LEAVES + 2)

struct fx {
	long long values[FX_VALUES];          /* the unknowns' true values */
	size_t nvalues;                       /* unknowns so far */
	long unknowns[FX_STATES][FX_LEAVES * 4]; /* per state, per leaf-quarter */
	int leaf_id[FX_STATES][FX_LEAVES];    /* per state, which leaf each row is */
	enum dc_cell cells[FX_STATES][FX_CELLS]; /* per state, the statuses */
	struct dc_state states[FX_STATES];    /* the states */
	struct dc_history h;                  /* over all of the above */
	struct dc_result last;                /* what the last dc_protect said */
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof *f);
	f->h = (struct dc_history){ f->values, 0, f->states, 0 };
}

/* The unknown leaf `id` held in quarter q of the state before, or -1. */
static long fx_previous(const struct fx *f, int id, size_t q)
{
	if (f->h.nstates == 0)
		return -1;
	size_t prev = f->h.nstates - 1;
	for (size_t l = 0; l < f->states[prev].nleaves; l++)
		if (f->leaf_id[prev][l] == id)
			return f->unknowns[prev][l * 4 + q];
	return -1;
}

/* Appends a state (ids may be NULL: leaf i is id i). Does not protect it. */
__attribute__((unused))
static struct dc_state *fx_add(struct fx *f, size_t nleaves, bool total, enum dc_kind kind,
                               long long k, const long long (*q)[4], const int *ids)
{
	size_t i = f->h.nstates;
	if (i >= FX_STATES || nleaves > FX_LEAVES)
		abort();
	for (size_t l = 0; l < nleaves; l++) {
		int id = ids ? ids[l] : (int)l;
		f->leaf_id[i][l] = id;
		for (size_t c = 0; c < 4; c++) {
			long long v = q[l][c];
			long prev = fx_previous(f, id, c);
			if (v < 0)
				f->unknowns[i][l * 4 + c] = v == -1 ? DC_NONE : DC_INACTIVE;
			else if (prev >= 0 && f->values[prev] == v)
				f->unknowns[i][l * 4 + c] = prev;
			else {
				if (f->nvalues >= FX_VALUES)
					abort();
				f->values[f->nvalues] = v;
				f->unknowns[i][l * 4 + c] = (long)f->nvalues++;
			}
		}
	}
	f->states[i] = (struct dc_state){ nleaves, total, kind, k, f->unknowns[i], f->cells[i] };
	f->h.nvalues = f->nvalues;
	f->h.nstates = i + 1;
	return &f->states[i];
}

/* Appends a state and protects it; the status of dc_protect. */
__attribute__((unused))
static enum dc_status fx_next(struct fx *f, size_t nleaves, enum dc_kind kind, long long k,
                              const long long (*q)[4])
{
	fx_add(f, nleaves, nleaves > 1, kind, k, q, NULL);
	return dc_protect(&f->h, &f->last);
}

static char fx_char(enum dc_cell c)
{
	return c == DC_PUBLISHED ? '.' : c == DC_HIDDEN ? 'h' : '-';
}

/* The picture of state i into out (PICTURE_MAX bytes). */
__attribute__((unused))
static const char *fx_picture(const struct fx *f, size_t i, char *out)
{
	const struct dc_state *s = &f->states[i];
	size_t n = 0;
	for (size_t r = 0; r < dc_rows(s); r++) {
		if (r)
			out[n++] = '/';
		for (size_t c = 0; c < DC_NCOLS; c++)
			out[n++] = fx_char(s->cells[r * DC_NCOLS + c]);
	}
	out[n] = '\0';
	return out;
}

/* Sets the statuses of state i from a picture ('h' hides, '.' publishes,
 * '-' must be a cell with no value). */
__attribute__((unused))
static void fx_draw(struct fx *f, size_t i, const char *pic)
{
	const struct dc_state *s = &f->states[i];
	for (size_t r = 0; r < dc_rows(s); r++)
		for (size_t c = 0; c < DC_NCOLS; c++) {
			char ch = pic[r * (DC_NCOLS + 1) + c];
			s->cells[r * DC_NCOLS + c] = ch == 'h' ? DC_HIDDEN : ch == '.' ? DC_PUBLISHED
			                                                              : DC_MISSING;
		}
}

/* The value of a cell of state i. */
__attribute__((unused))
static long long fx_value(const struct fx *f, size_t i, size_t row, size_t col)
{
	return dc_value(&f->states[i], &f->h, row * DC_NCOLS + col);
}

/* The reader's interval of a hidden small cell of state i; lo = hi = -1
 * when the audit has no finding there. */
__attribute__((unused))
static void fx_interval(const struct fx *f, size_t i, size_t row, size_t col, double *lo,
                        double *hi)
{
	struct dc_finding *fs = NULL;
	size_t n = 0;
	*lo = *hi = -1;
	if (dc_audit(&f->h, &fs, &n) != DC_OK)
		return;
	for (size_t j = 0; j < n; j++)
		if (fs[j].state == i && fs[j].cell == row * DC_NCOLS + col) {
			*lo = fs[j].lo;
			*hi = fs[j].hi;
		}
	free(fs);
}

/* How many hidden small cells of any state the reader can narrow below k
 * (-1 when the audit fails to run); *positive counts those whose lower
 * bound is above 0. */
__attribute__((unused))
static long fx_exposed(const struct fx *f, long *positive)
{
	struct dc_finding *fs = NULL;
	size_t n = 0;
	long bad = 0;
	if (dc_audit(&f->h, &fs, &n) != DC_OK)
		return -1;
	if (positive)
		*positive = 0;
	for (size_t j = 0; j < n; j++) {
		bad += fs[j].hi - fs[j].lo < (double)fs[j].k - 1e-6;
		if (positive)
			*positive += fs[j].lo > 1e-6;
	}
	free(fs);
	return bad;
}

#endif
