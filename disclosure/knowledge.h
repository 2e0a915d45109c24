/* The reader's knowledge as a system of equations over unknowns, and what
 * it tells about a sum of unknowns. Internal to the library.
 *
 * Expressions (sorted sets of unknowns) are interned: the same set of
 * unknowns, in whatever state or cell it appears, is one expression id. A
 * published expression is an equation "its unknowns sum to its value". A
 * hidden one is what the reader may try to pin down.
 *
 * Solving works in two steps. Propagation first: an equation with one
 * unknown left pins it; one whose remaining value is 0 pins all its
 * unknowns to 0 (they are never negative). What is left are equations of
 * two or more free unknowns; an interval over them comes from GLPK, on the
 * connected part of the system that touches the expression only. A typical
 * table leaves a handful of free unknowns, so the linear programs are tiny. */
#ifndef SAMLAD_DC_KNOWLEDGE_H
#define SAMLAD_DC_KNOWLEDGE_H

#include <stdbool.h>
#include <stddef.h>
#include "disclosure.h"
#include "hashmap.h"

/* Interned expressions: ids 0..n-1, each a sorted list of unknowns. */
struct dc_exprs {
	long *units;        /* owned; the lists, one after another */
	size_t nunits;      /* used length of units */
	size_t capunits;    /* allocated length */
	size_t *start;      /* owned; per expression the offset of its list in units */
	size_t *len;        /* owned; per expression its length */
	long long *value;   /* owned; per expression the true value of its sum */
	size_t n;           /* expressions */
	size_t cap;         /* allocated expressions */
	struct hashmap ids; /* owned; an expression's id by its list of unknowns */
};

/* The equation system at one moment: which expressions are equations and
 * what propagation made of them. Unknowns are 0..nunknowns-1. */
struct dc_system {
	const struct dc_exprs *ex;  /* borrowed */
	size_t nunknowns;           /* as dc_history.nvalues */
	bool *equation;             /* owned; per expression: is it an equation */
	long long *pinned;          /* owned; per unknown its value, or -1 while free */
	size_t *free_count;         /* owned; per expression: its unknowns still free */
	long long *rest;            /* owned; per expression: its value minus its pinned unknowns */
	size_t *queue;              /* owned; equations to settle (room for n + nunits) */
	size_t nqueue;              /* entries in the queue */
	size_t *inc_start;          /* owned; per unknown, offset of its expressions in inc */
	size_t *inc;                /* owned; expression ids, grouped by unknown */
};

/* What the reader can tell of an expression. */
struct dc_bounds {
	double lo;  /* the smallest possible sum */
	double hi;  /* the largest, INFINITY when unbounded */
};

int dc_exprs_init(struct dc_exprs *ex) DC_WUR;
void dc_exprs_free(struct dc_exprs *ex);
/* The id of the expression with these unknowns (sorted, n >= 1), adding it
 * with the given value when new; -1 when memory ran out. */
long dc_exprs_intern(struct dc_exprs *ex, const long *units, size_t n,
                     long long value) DC_WUR;

/* A system over every interned expression, with no equation yet. The
 * expressions must not change while it lives. 0 or -1. */
int dc_system_init(struct dc_system *sys, const struct dc_exprs *ex,
                   size_t nunknowns) DC_WUR;
void dc_system_free(struct dc_system *sys);
/* Makes `dst` a copy of `src`'s state (both made over the same expressions). */
void dc_system_copy(struct dc_system *dst, const struct dc_system *src);
/* Adds an equation and propagates what follows. */
void dc_system_add(struct dc_system *sys, size_t expr);
/* The interval of an expression's sum. With want_lo false the lower bound
 * may be left at a cheaper underestimate when the upper bound is infinite. */
enum dc_status dc_system_bounds(const struct dc_system *sys, size_t expr, bool want_lo,
                                struct dc_bounds *out) DC_WUR;

#endif
