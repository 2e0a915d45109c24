/* Helpers shared by test_audit.c and test_protect.c: build a district-by-
 * quarter table from a literal and draw its statuses as a short picture.
 *
 * A picture has one group of five characters per row (Q1 Q2 Q3 Q4 year),
 * rows separated by '/', the municipality last:
 *   '.' published   'p' primary   's' secondary   '-' missing */
#ifndef SAMLAD_TABLE_FIXTURE_H
#define SAMLAD_TABLE_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "protect.h"

/* The picture of a table of up to 7 rows, with its NUL. */
#define PICTURE_MAX (7 * (PROTECT_NCOLS + 1))

/* A table whose districts report q[d][0..3] (-1: not reported), with the
 * totals derived. With nd == 0 the single row is the municipality. */
static struct protect_table *fixture(size_t nd, enum protect_kind kind, long long k,
                                     const long long (*q)[4])
{
	struct protect_table *t = protect_table_new(nd, kind, k);
	if (!t)
		abort();
	for (size_t d = 0; d < (nd ? nd : 1); d++)
		for (size_t c = 0; c < 4; c++)
			if (q[d][c] >= 0)
				protect_set(t, d, c, q[d][c]);
	protect_fill_totals(t);
	return t;
}

static char status_char(enum cell_status s)
{
	switch (s) {
	case CELL_PUBLISHED:
		return '.';
	case CELL_PRIMARY:
		return 'p';
	case CELL_SECONDARY:
		return 's';
	case CELL_MISSING:
		break;
	}
	return '-';
}

/* Draws the statuses into out (PICTURE_MAX bytes). */
__attribute__((unused))
static const char *picture(struct protect_table *t, char *out)
{
	size_t n = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		if (r)
			out[n++] = '/';
		for (size_t c = 0; c < PROTECT_NCOLS; c++)
			out[n++] = status_char(protect_cell(t, r, c)->status);
	}
	out[n] = '\0';
	return out;
}

/* Sets the statuses of present cells from a picture ('s' and 'p' suppress,
 * '.' publishes; '-' must match a missing cell and is left alone). */
__attribute__((unused))
static void draw(struct protect_table *t, const char *pic)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < PROTECT_NCOLS; c++) {
			char ch = pic[r * (PROTECT_NCOLS + 1) + c];
			struct linked_cell *cell = protect_cell(t, r, c);
			if (ch == 's')
				cell->status = CELL_SECONDARY;
			else if (ch == 'p')
				cell->status = CELL_PRIMARY;
			else if (ch == '.')
				cell->status = CELL_PUBLISHED;
		}
	}
}

/* The value at row, col. */
__attribute__((unused))
static long long value_at(struct protect_table *t, size_t row, size_t col)
{
	return protect_cell(t, row, col)->value;
}

#endif
