/* The catalogue over time, as the recorded table states need it.
 *
 * Submissions and catalogue imports lie on one timeline (the import takes
 * the ingest lock; schema/005_states.sql). A point on it is a pair
 * (data version, catalogue version): the data of every submission up to
 * the first, shaped by the catalogue of the second. Points are ordered as
 * pairs: catalogue version c takes effect after submission after(c), so the
 * submission s is the point (s, the newest c with after(c) < s) and the
 * import c is the point (after(c), c).
 *
 * A shape is what one catalogue version says about tables: which leaf
 * areas a municipality has in a year and in which quarters, and each
 * indicator's kind and k. Shapes are loaded from area_history and
 * indicator_history when first asked for and kept: they never change. */
#ifndef SAMLAD_TIMELINE_H
#define SAMLAD_TIMELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "catalogue.h"
#include "compiler.h"
#include "db.h"
#include "disclosure.h"
#include "ptable.h"

/* An area as one catalogue version had it. */
struct tl_area {
	int id;           /* area.id */
	int parent;       /* the parent's id, 0 for a municipality */
	int top;          /* the municipality above it (itself for a municipality) */
	bool leaf;        /* no area of this version names it as parent */
	int first;        /* first_period, 0 for none */
	int last;         /* last_period, 0 for none */
};

/* An indicator as one catalogue version had it. */
struct tl_indicator {
	int id;             /* indicator.id */
	enum dc_kind kind;  /* flow or stock */
	long long k;        /* the k in effect */
};

/* Everything one catalogue version says about tables. */
struct tl_shape {
	long long version;            /* the catalogue version */
	struct tl_area *areas;        /* owned; sorted by id */
	size_t nareas;                /* entries in areas */
	const struct tl_area **by_top; /* owned; the same areas sorted by municipality, then id:
	                                * a layout reads only its municipality's */
	struct tl_indicator *inds;    /* owned; sorted by id */
	size_t ninds;                 /* entries in inds */
};

/* The rows of a table under one shape. */
struct tl_layout {
	size_t nleaves;         /* leaf rows; 0 when no leaf belongs to the year */
	bool total;             /* a last row sums the leaves (the municipality has districts) */
	int *leaves;            /* owned; area ids in code order */
	unsigned char *active;  /* owned; per leaf, bit q-1 set when it belongs to quarter q */
	enum dc_kind kind;      /* the indicator's kind */
	long long k;            /* its k */
};

struct timeline {
	pthread_mutex_t lock;         /* guards everything below */
	long long *versions;          /* owned; the catalogue versions, ascending */
	long long *after;             /* owned; per version its after_submission */
	size_t nversions;             /* entries in both */
	struct tl_shape **shapes;     /* owned; the shapes loaded so far */
	size_t nshapes;               /* entries in shapes */
	size_t shapes_cap;            /* entries allocated */
};

/* An empty timeline; 0 or -1. Free with timeline_free. */
int timeline_init(struct timeline *tl) WUR;
void timeline_free(struct timeline *tl);

/* Reads the catalogue's versions when `newest` is one it does not know. */
enum db_status timeline_refresh(struct timeline *tl, struct db *db, long long newest) WUR;

/* The catalogue version in effect for submission s. */
long long timeline_catalogue_of(struct timeline *tl, long long s);
/* The point of catalogue version c: (after(c), c). */
struct point timeline_import_point(struct timeline *tl, long long c);
/* The catalogue versions in (lo, hi], ascending, into a new array. */
int timeline_versions_between(struct timeline *tl, long long lo, long long hi,
                              long long **out, size_t *n) WUR;

/* The shape of catalogue version c, loaded on first use. The shape lives
 * as long as the timeline. */
enum db_status timeline_shape(struct timeline *tl, struct db *db, long long c,
                              const struct tl_shape **out) WUR;
/* The layout of (indicator, municipality, year) under a shape; leaves in
 * the code order of the catalogue `cat` (codes never change). 0, or -1
 * when memory ran out or the shape does not know the indicator or the
 * municipality (then *out is empty). */
int timeline_layout(const struct tl_shape *sh, const struct catalogue *cat, int indicator_id,
                    int municipality_id, int year, struct tl_layout *out) WUR;
void tl_layout_free(struct tl_layout *l);

#endif
