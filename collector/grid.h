/* The form's grid: an agency's permitted indicators (rows) by the
 * districts they cover (columns) in one quarter, each cell with the value
 * stored, what the user entered, and the messages of a check. No HTTP and
 * no database: the handlers read and write it, submit_page.c draws it. */
#ifndef SAMLAD_GRID_H
#define SAMLAD_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include "catalogue.h"
#include "compiler.h"
#include "store.h"

/* The most bytes of an entered value kept to show it again. */
#define GRID_TYPED_MAX 32

/* What a cell says of itself, in a word beside it. */
enum grid_state {
	GRID_NEW = 0,   /* nothing stored */
	GRID_STORED,    /* shows the stored value */
	GRID_CHANGED,   /* the entered value differs from the stored one */
};

struct grid_cell {
	bool permitted;               /* the agency may report the indicator here */
	bool has_stored;              /* a value is stored */
	int stored;                   /* that value */
	bool has_typed;               /* the user entered something (a posted form) */
	char typed[GRID_TYPED_MAX];   /* what, cut at a character boundary */
	char *errors;                 /* owned; its messages, one per line, or NULL */
};

struct grid {
	struct catalogue *cat;                /* a reference held until grid_free */
	int period;                           /* the quarter (yyyyq) */
	const struct cat_agency *agency;      /* in cat; NULL when it is not there */
	const struct cat_indicator **inds;    /* owned array of pointers into cat, by code */
	size_t ninds;                         /* rows */
	const struct cat_area **areas;        /* owned array of pointers into cat, by code */
	size_t nareas;                        /* columns */
	struct grid_cell *cells;              /* owned; ninds * nareas, row after row */
	bool posted;                          /* the cells hold what a form sent */
	char *errors;                         /* owned; messages of no cell, or NULL */
};

#define GRID_INIT { .cat = NULL }

/* The grid of agency_id in `period`: the indicators it may report for a
 * district active then, and those districts. Takes the reference `cat`
 * (catalogue_hold) also on failure. Returns 0, or -1 when memory ran out. */
int grid_build(struct grid *g, struct catalogue *cat, int agency_id, int period) WUR;
/* Fills in the stored values (store_current_counts' rows); rows of no cell
 * are left out. */
void grid_set_stored(struct grid *g, const struct stored_count *counts, size_t n);
/* The cell of an indicator and an area code, or NULL. */
struct grid_cell *grid_cell(struct grid *g, const char *indicator, const char *area);
/* Keeps what the user entered in a cell (cut to GRID_TYPED_MAX). */
void grid_set_typed(struct grid_cell *cell, const char *text);
/* Adds a message to a cell, or to the grid's own when cell is NULL.
 * Returns 0 or -1. */
int grid_add_error(struct grid *g, struct grid_cell *cell, const char *message) WUR;
/* The cell's state (see enum grid_state). */
enum grid_state grid_state(const struct grid_cell *cell, bool posted);
void grid_free(struct grid *g);

#endif
