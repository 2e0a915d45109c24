/* The cells of a state. A leaf-quarter holds an unknown, DC_NONE (part of
 * the table, not reported) or DC_INACTIVE (not part of the table that
 * quarter). The derived cells:
 *   - a leaf's year: present when every quarter the leaf is active in has a
 *     value (and there is at least one). Flow: the sum of those quarters.
 *     Stock: the fourth quarter, so absent when the leaf is not active then;
 *   - the total row's quarter q: the sum of the leaves active in q, present
 *     when all of them have a value (and there is at least one);
 *   - the total row's year: present when every active leaf-quarter of the
 *     table has a value. Flow: the sum of them all. Stock: the total of the
 *     fourth quarter (absent when no leaf is active then).
 * A missing part makes a total missing, never a smaller sum: a reader would
 * take it for the whole. An inactive leaf-quarter is no part of anything,
 * so a district added from Q3 leaves Q1 and Q2 totals as they were. */
#include "cells.h"

#include <stdlib.h>
#include <string.h>

size_t dc_rows(const struct dc_state *s)
{
	return s->nleaves + (s->total ? 1 : 0);
}

static long leafq(const struct dc_state *s, size_t leaf, size_t q)
{
	return s->unknowns[leaf * 4 + q];
}

/* Appends the active quarters of a leaf (all of them, or only Q4) to out;
 * false when one of them has no value. */
static bool leaf_parts(const struct dc_state *s, size_t leaf, bool q4_only, long *out,
                       size_t *n)
{
	for (size_t q = q4_only ? 3 : 0; q < 4; q++) {
		long u = leafq(s, leaf, q);
		if (u == DC_INACTIVE)
			continue;
		if (u < 0)
			return false;
		out[(*n)++] = u;
	}
	return true;
}

/* True when every active quarter of the leaf has a value. */
static bool leaf_complete(const struct dc_state *s, size_t leaf)
{
	for (size_t q = 0; q < 4; q++)
		if (leafq(s, leaf, q) == DC_NONE)
			return false;
	return true;
}

/* A leaf row's cell. */
static size_t leaf_cell(const struct dc_state *s, size_t leaf, size_t col, long *out)
{
	size_t n = 0;

	if (col < 4) {
		long u = leafq(s, leaf, col);
		if (u < 0)
			return 0;
		out[0] = u;
		return 1;
	}
	if (!leaf_complete(s, leaf))
		return 0;
	if (s->kind == DC_STOCK && leafq(s, leaf, 3) == DC_INACTIVE)
		return 0;
	leaf_parts(s, leaf, s->kind == DC_STOCK, out, &n);
	return n;
}

/* The total row's cell. */
static size_t total_cell(const struct dc_state *s, size_t col, long *out)
{
	size_t n = 0;

	for (size_t leaf = 0; leaf < s->nleaves; leaf++) {
		if (col < 4) {
			long u = leafq(s, leaf, col);
			if (u == DC_INACTIVE)
				continue;
			if (u < 0)
				return 0;
			out[n++] = u;
		} else if (!leaf_complete(s, leaf))
			return 0;
		else
			leaf_parts(s, leaf, s->kind == DC_STOCK, out, &n);
	}
	return n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

size_t dc_cell_unknowns(const struct dc_state *s, size_t cell, long *out)
{
	size_t row = cell / DC_NCOLS, col = cell % DC_NCOLS;
	size_t n = row < s->nleaves ? leaf_cell(s, row, col, out) : total_cell(s, col, out);

	qsort(out, n, sizeof *out, cmp_long);
	return n;
}

long long dc_value(const struct dc_state *s, const struct dc_history *h, size_t cell)
{
	long *buf = malloc(s->nleaves * 4 * sizeof *buf);
	long long sum = 0;
	size_t n = buf ? dc_cell_unknowns(s, cell, buf) : 0;

	for (size_t i = 0; i < n; i++)
		sum += h->values[buf[i]];
	free(buf);
	return sum;
}

/* ---- relations ----------------------------------------------------------- */

/* Records that relation `rel` holds `cell` in the cell's first free slot. */
static void note(struct dc_relations *r, size_t cell, size_t rel)
{
	int *slot = r->of[cell];
	slot[slot[0] < 0 ? 0 : 1] = (int)rel;
}

/* Appends "parts sum to total" when it has at least one part. */
static void add(struct dc_relations *r, size_t total, const size_t *parts, size_t nparts,
                size_t **next)
{
	if (nparts == 0)
		return;
	struct dc_relation *rel = &r->rels[r->nrels];
	memcpy(*next, parts, nparts * sizeof *parts);
	*rel = (struct dc_relation){ total, nparts, *next };
	*next += nparts;
	note(r, total, r->nrels);
	for (size_t i = 0; i < nparts; i++)
		note(r, parts[i], r->nrels);
	r->nrels++;
}

/* True when some leaf is active in quarter q (the total row's cell there
 * can exist). */
static bool column_active(const struct dc_state *s, size_t q)
{
	for (size_t leaf = 0; leaf < s->nleaves; leaf++)
		if (leafq(s, leaf, q) != DC_INACTIVE)
			return true;
	return false;
}

/* A row's year and its quarters: the active ones (flow), or Q4 (stock). */
static void add_row(const struct dc_state *s, struct dc_relations *r, size_t row,
                    size_t **next)
{
	size_t parts[4], n = 0;

	for (size_t q = s->kind == DC_STOCK ? 3 : 0; q < 4; q++) {
		bool active = row < s->nleaves ? leafq(s, row, q) != DC_INACTIVE
		                               : column_active(s, q);
		if (active)
			parts[n++] = row * DC_NCOLS + q;
	}
	add(r, row * DC_NCOLS + DC_YEAR, parts, n, next);
}

/* A column's total and its leaves: those active in the quarter; for the
 * year, the leaves that have a year (flow: any active quarter; stock:
 * active in Q4). */
static void add_column(const struct dc_state *s, struct dc_relations *r, size_t col,
                       size_t *scratch, size_t **next)
{
	size_t n = 0;
	for (size_t leaf = 0; leaf < s->nleaves; leaf++) {
		bool active = false;
		if (col < 4 || s->kind == DC_STOCK)
			active = leafq(s, leaf, col < 4 ? col : 3) != DC_INACTIVE;
		else
			for (size_t q = 0; q < 4; q++)
				active = active || leafq(s, leaf, q) != DC_INACTIVE;
		if (active)
			scratch[n++] = leaf * DC_NCOLS + col;
	}
	add(r, s->nleaves * DC_NCOLS + col, scratch, n, next);
}

int dc_relations_make(const struct dc_state *s, struct dc_relations *out)
{
	size_t rows = dc_rows(s), ncells = rows * DC_NCOLS;
	size_t *scratch = malloc((s->nleaves + 1) * sizeof *scratch);
	size_t *next;

	memset(out, 0, sizeof *out);
	out->rels = calloc(rows + DC_NCOLS, sizeof *out->rels);
	out->storage = calloc(rows * 4 + DC_NCOLS * s->nleaves + 1, sizeof *out->storage);
	out->of = malloc(ncells * sizeof *out->of);
	if (!scratch || !out->rels || !out->storage || !out->of) {
		free(scratch);
		dc_relations_free(out);
		return -1;
	}
	for (size_t i = 0; i < ncells; i++)
		out->of[i][0] = out->of[i][1] = -1;
	next = out->storage;
	for (size_t row = 0; row < rows; row++)
		add_row(s, out, row, &next);
	if (s->total)
		for (size_t col = 0; col < DC_NCOLS; col++)
			add_column(s, out, col, scratch, &next);
	free(scratch);
	return 0;
}

void dc_relations_free(struct dc_relations *r)
{
	free(r->rels);
	free(r->storage);
	free(r->of);
	memset(r, 0, sizeof *r);
}
