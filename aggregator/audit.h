/* Disclosure audit of a linked table by linear programming (GLPK).
 *
 * A linked table is a set of cells and a set of relations "the parts sum to
 * the total". A reader of the published table knows every published value,
 * every relation whose cells are all present, and that counts are never
 * negative. For each suppressed cell the audit asks GLPK for the smallest
 * and the largest value the cell can take under exactly that knowledge. An
 * interval narrower than k means the reader can pin the cell down (to within
 * less than k), so the cell is exposed and the table fails the audit.
 *
 * This module is generic: protect.c builds the district-by-quarter table on
 * top of it. It never decides what to suppress.
 *
 * It is the program's only user of GLPK. Calls may run in several threads
 * at once; each ends by releasing its thread's GLPK environment
 * (glp_free_env), so no other GLPK object may be kept across a call. */
#ifndef SAMLAD_AUDIT_H
#define SAMLAD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* What the reader sees of a cell. Primary and secondary suppressions are
 * both shown as "suppressed": telling them apart would tell the reader
 * which cells are small. */
enum cell_status {
	CELL_PUBLISHED,   /* the value is shown */
	CELL_PRIMARY,     /* suppressed because the value is 1..k-1 */
	CELL_SECONDARY,   /* suppressed so that a primary cannot be recomputed */
	CELL_MISSING,     /* nothing was reported: there is no value at all */
};

struct linked_cell {
	long long value;          /* the true count; meaningless when missing */
	enum cell_status status;  /* what the reader sees */
};

/* The parts sum to the total: sum(parts) = total. */
struct linked_relation {
	size_t total;         /* cell index of the total */
	size_t nparts;        /* how many parts */
	const size_t *parts;  /* cell indices of the parts; storage owned by the table's builder */
};

/* Cells and relations; both arrays belong to whoever built the table. */
struct linked_table {
	struct linked_cell *cells;       /* the cells */
	size_t ncells;                   /* how many cells */
	struct linked_relation *rels;    /* every structural relation, published or not */
	size_t nrels;                    /* how many relations */
	long long k;                     /* an interval narrower than this exposes a cell */
};

enum audit_status {
	AUDIT_OK = 0,
	AUDIT_NOMEM,         /* memory ran out */
	AUDIT_INCONSISTENT,  /* a negative value or a relation whose values do not add up */
	AUDIT_SOLVER,        /* GLPK failed in a way that should not happen */
};

/* What the reader can tell about one suppressed cell. */
struct audit_interval {
	double lo;     /* the smallest value consistent with the published table */
	double hi;     /* the largest; INFINITY when nothing bounds the cell */
	bool exposed;  /* hi - lo < k */
};

/* The audit of a whole table. */
struct audit_report {
	size_t ncells;                 /* as in the table */
	struct audit_interval *cells;  /* owned; one per cell, set for suppressed cells only
	                                * (published and missing cells are all zero) */
	size_t nsuppressed;            /* suppressed cells audited */
	size_t nexposed;               /* of which exposed */
	bool passed;                   /* no suppressed cell is exposed */
};

/* A primary or a secondary suppression. */
bool cell_is_suppressed(enum cell_status s);
/* "published", "suppressed" or "missing": the status a reader may see. */
const char *cell_status_name(enum cell_status s);
/* True when no cell of the relation is missing: only then the reader knows
 * the relation holds (a missing cell has no value that sums to anything). */
bool linked_relation_published(const struct linked_table *t, const struct linked_relation *r);
/* AUDIT_OK when no present cell is negative and every published relation
 * adds up with the true values; AUDIT_INCONSISTENT otherwise. */
enum audit_status audit_check(const struct linked_table *t) WUR;
/* Audits every suppressed cell. On AUDIT_OK *out is a new report for the
 * caller to free with audit_report_free; otherwise *out is NULL. */
enum audit_status audit_run(const struct linked_table *t, struct audit_report **out) WUR;
/* The first exposed cell in index order, without auditing the rest: sets
 * *cell to its index and *iv to its interval, or *cell to SIZE_MAX when
 * the table passes. Cheaper than audit_run when the answer is "fails". */
enum audit_status audit_first_exposed(const struct linked_table *t, size_t *cell,
                                      struct audit_interval *iv) WUR;
/* The interval of one cell. For a published cell it is [value, value], for a
 * missing cell [0, INFINITY]; neither is "exposed". */
enum audit_status audit_cell(const struct linked_table *t, size_t cell,
                             struct audit_interval *out) WUR;
void audit_report_free(struct audit_report *r);
/* A short English message for a status. */
const char *audit_status_message(enum audit_status s);

#endif
