/* The cells of one state of a table: which have a value, which unknowns
 * each is the sum of, and the relations between them (a year and its
 * quarters, a total and its leaves). Internal to the library. */
#ifndef SAMLAD_DC_CELLS_H
#define SAMLAD_DC_CELLS_H

#include "disclosure.h"

/* "The parts sum to the total", over cells of one state. */
struct dc_relation {
	size_t total;        /* the cell that is the sum */
	size_t nparts;       /* how many parts */
	size_t *parts;       /* owned by the relation set's storage */
};

/* Every structural relation of a state, and per cell the (at most two)
 * relations that hold it: its row's and its column's. */
struct dc_relations {
	struct dc_relation *rels;  /* owned */
	size_t nrels;              /* how many */
	size_t *storage;           /* owned; what rels[i].parts point into */
	int (*of)[2];              /* owned; per cell two relation indices, -1 for none */
};

/* The unknowns a present cell is the sum of, written to out (room for
 * nleaves * 4), ascending; returns how many, or 0 when the cell has no
 * value. A present cell has at least one. */
size_t dc_cell_unknowns(const struct dc_state *s, size_t cell, long *out);

/* Builds the relations of a state; 0 or -1 (out of memory). */
int dc_relations_make(const struct dc_state *s, struct dc_relations *out) DC_WUR;
void dc_relations_free(struct dc_relations *r);

#endif
