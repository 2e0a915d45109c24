/* dc_protect: the hidden cells of a new state.
 *
 * Every present cell of the new state is one of:
 *   - seen: its unknowns were published before (in any earlier state). The
 *     reader knows its value; it is published again (hiding it protects
 *     nothing) and can be no partner;
 *   - kept: hidden before and never published. It stays hidden;
 *   - primary: new, with a value 1..k-1: hidden;
 *   - candidate: new, any other value: published unless the search hides it.
 * A cell is "new" when its set of unknowns was in no earlier state: a
 * revised value, a late report, a total that becomes computable only now.
 *
 * The targets are every hidden cell with a value 1..k-1, of this state
 * (primary and kept) and of the earlier ones. The audit asks of each the
 * interval the reader gets from everything published, in every state and
 * this one (knowledge.h); it passes when every interval is at least k wide,
 * or for a cell the earlier states alone already leave narrower (a cell
 * hidden at k 5 when k is raised to 10: what was published cannot be taken
 * back), no narrower than they leave it.
 *
 * The search over the candidates (phases as in the classic greedy):
 *  A. Lone relations (no LP). While a relation of this state whose cells
 *     all have values holds exactly one hidden cell, hide one more of its
 *     candidates: that relation alone would give the hidden cell away.
 *     Preferred: a cell big enough (value >= k minus the lone cell's value,
 *     never 0), then one whose other relation is lone too (one cell mends
 *     two), then one whose other relation needs nothing, then one that
 *     makes its other relation lone; then the smallest value, then the
 *     first cell.
 *  B. Audit failures (LP look-ahead). For the first exposed target, try
 *     each single candidate and, when the target is a cell of this state,
 *     each rectangle through it; each trial hides the cells, lets phase A
 *     add the partners they force, and measures the target's interval.
 *     Of the trials that open it (wider, or lower), the best ends the
 *     exposure, then adds the fewest cells, then the smallest total value,
 *     then comes first. A safety net hides the smallest candidate when
 *     nothing opens the target, so that every round makes progress.
 *  C. Pruning. With the audit passed, each secondary cell, largest value
 *     first, is published again if the audit still passes without it.
 * When the candidates run out and the audit still fails (a relation whose
 * other cells are all seen, say), every new cell is hidden: the fallback.
 * Cells with the same unknowns (a stock's Q4 and year) always share a
 * status. Minimal suppression is NP-hard; this is a heuristic whose safety
 * the audit guarantees. */
#include <glpk.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "history.h"

/* What a cell of the new state is to the search. */
enum role {
	ROLE_MISSING,    /* no value */
	ROLE_SEEN,       /* published before: published, fixed */
	ROLE_KEPT,       /* hidden before: hidden, fixed */
	ROLE_PRIMARY,    /* new and small: hidden, fixed */
	ROLE_CANDIDATE,  /* new: published unless hidden as a partner */
};

/* A target: a hidden small cell whose interval the audit must keep at
 * least k wide and starting at 0 (a reader must not learn that anyone is
 * there), or, where the earlier states alone already leave it narrower or
 * above 0 (only a raised k narrows it: every earlier state was protected
 * at its own k), no narrower and no higher than they leave it. */
struct target {
	size_t expr;              /* its expression */
	long long k;              /* the width it needs */
	long cell;                /* a cell of the new state with this expression, or -1 */
	bool known_before;        /* `before` is worked out */
	struct dc_bounds before;  /* its interval from the earlier states alone */
};

/* One dc_protect call. */
struct search {
	const struct dc_history *h;  /* borrowed */
	struct dc_state *st;         /* the new state (borrowed); st->cells is worked on */
	size_t ncells;               /* its cells */
	struct dc_known known;       /* owned; the history by expression */
	const long *expr;            /* per cell its expression (in known), -1 when none */
	enum role *role;             /* owned; per cell */
	struct dc_relations rel;     /* owned; the new state's relations */
	struct dc_system base;       /* owned; the earlier states' published expressions */
	struct dc_system work;       /* owned; base and this state's published new cells */
	struct target *targets;      /* owned; this state's first, then the earlier ones' */
	size_t ntargets;             /* how many */
	enum dc_cell *saved;         /* owned; statuses before a trial */
	size_t secondary;            /* candidates hidden so far */
};

/* A set of candidate cells phase B may hide, and what it would do. */
struct option {
	size_t cell[3];     /* the candidates to hide */
	size_t n;           /* how many of cell[] are used; 0 = none yet */
	size_t added;       /* cells it hides, with phase A's partners */
	long long sum;      /* their total value: smaller loses less */
	struct dc_bounds b; /* the target's interval afterwards */
	bool fine;          /* the target is no longer exposed afterwards */
	size_t rank;        /* the last tie-break: singles by cell, then rectangles */
};

static long long cell_value(const struct search *s, size_t cell)
{
	return s->known.ex.value[s->expr[cell]];
}

/* Sets a cell and every cell with the same unknowns to `status`. */
static void set_status(struct search *s, size_t cell, enum dc_cell status)
{
	long e = s->expr[cell];
	for (size_t c = 0; c < s->ncells; c++)
		if (s->expr[c] == e)
			s->st->cells[c] = status;
}

/* A candidate that is published now: it may still be hidden. */
static bool open_candidate(const struct search *s, size_t cell)
{
	return s->role[cell] == ROLE_CANDIDATE && s->st->cells[cell] == DC_PUBLISHED;
}

/* ---- set-up --------------------------------------------------------------- */

static enum role role_of(const struct search *s, size_t cell)
{
	long e = s->expr[cell];
	if (e < 0)
		return ROLE_MISSING;
	if (s->known.published[e])
		return ROLE_SEEN;
	if (s->known.hidden[e])
		return ROLE_KEPT;
	return dc_small(s->known.ex.value[e], s->st->k) ? ROLE_PRIMARY : ROLE_CANDIDATE;
}

/* Roles and first statuses of the new state's cells. */
static void roles(struct search *s)
{
	for (size_t c = 0; c < s->ncells; c++) {
		s->role[c] = role_of(s, c);
		switch (s->role[c]) {
		case ROLE_MISSING:
			s->st->cells[c] = DC_MISSING;
			break;
		case ROLE_SEEN:
		case ROLE_CANDIDATE:
			s->st->cells[c] = DC_PUBLISHED;
			break;
		default:
			s->st->cells[c] = DC_HIDDEN;
		}
	}
}

/* Adds a target or raises the k of one already there. */
static void target_add(struct search *s, size_t expr, long long k, long cell)
{
	for (size_t i = 0; i < s->ntargets; i++)
		if (s->targets[i].expr == expr) {
			if (k > s->targets[i].k)
				s->targets[i].k = k;
			return;
		}
	s->targets[s->ntargets++] = (struct target){ expr, k, cell, false, { 0, 0 } };
}

/* The targets: this state's hidden small cells in cell order, then the
 * earlier states' by expression (with the new state's cell when one has
 * the same unknowns). */
static void targets(struct search *s)
{
	for (size_t c = 0; c < s->ncells; c++)
		if (s->st->cells[c] == DC_HIDDEN && dc_small(cell_value(s, c), s->st->k))
			target_add(s, (size_t)s->expr[c], s->st->k, (long)c);
	for (size_t e = 0; e < s->known.ex.n; e++) {
		if (!s->known.target_k[e])
			continue;
		long cell = -1;
		for (size_t c = 0; c < s->ncells && cell < 0; c++)
			if (s->expr[c] == (long)e)
				cell = (long)c;
		target_add(s, e, s->known.target_k[e], cell);
	}
}

static enum dc_status setup(struct search *s)
{
	size_t n = s->h->nstates - 1;
	enum dc_status st = dc_known_make(s->h, n, &s->known);

	if (st != DC_OK)
		return st;
	s->expr = s->known.expr[n];
	s->role = malloc(s->ncells * sizeof *s->role);
	s->saved = malloc(s->ncells * sizeof *s->saved);
	s->targets = malloc((s->ncells + s->known.ex.n + 1) * sizeof *s->targets);
	if (!s->role || !s->saved || !s->targets || dc_relations_make(s->st, &s->rel) != 0 ||
	    dc_known_system(&s->known, s->h->nvalues, &s->base) != 0 ||
	    dc_system_init(&s->work, &s->known.ex, s->h->nvalues) != 0)
		return DC_NOMEM;
	roles(s);
	targets(s);
	return DC_OK;
}

static void teardown(struct search *s)
{
	free(s->role);
	free(s->saved);
	free(s->targets);
	dc_relations_free(&s->rel);
	dc_system_free(&s->base);
	dc_system_free(&s->work);
	dc_known_free(&s->known);
	glp_free_env();
}

/* ---- the audit ------------------------------------------------------------ */

/* The earlier knowledge and this state's published new cells. */
static void work_knowledge(struct search *s)
{
	dc_system_copy(&s->work, &s->base);
	for (size_t c = 0; c < s->ncells; c++)
		if (s->role[c] == ROLE_CANDIDATE && s->st->cells[c] == DC_PUBLISHED)
			dc_system_add(&s->work, (size_t)s->expr[c]);
}

static double width_of(const struct dc_bounds *b)
{
	return b->hi - b->lo;
}

/* Whether the interval b exposes target t: narrower than k, or above 0
 * (see struct target for the exception), worked out against the earlier
 * states only when it is needed, once. */
static enum dc_status exposes(struct search *s, struct target *t, const struct dc_bounds *b,
                              bool *out)
{
	bool narrow = width_of(b) < (double)t->k - 1e-6, above = b->lo > 1e-6;

	*out = false;
	if (!narrow && !above)
		return DC_OK;
	if (!t->known_before) {
		enum dc_status st = dc_system_bounds(&s->base, t->expr, true, &t->before);
		if (st != DC_OK)
			return st;
		t->known_before = true;
	}
	*out = (narrow && width_of(b) < width_of(&t->before) - 1e-6) ||
	       (above && b->lo > t->before.lo + 1e-6);
	return DC_OK;
}

/* The first exposed target (index into targets) and its bounds, or
 * SIZE_MAX when the audit passes. */
static enum dc_status first_exposed(struct search *s, size_t *which, struct dc_bounds *b)
{
	*which = SIZE_MAX;
	work_knowledge(s);
	for (size_t i = 0; i < s->ntargets; i++) {
		bool exposed;
		enum dc_status st = dc_system_bounds(&s->work, s->targets[i].expr, true, b);
		if (st == DC_OK)
			st = exposes(s, &s->targets[i], b, &exposed);
		if (st != DC_OK)
			return st;
		if (exposed) {
			*which = i;
			return DC_OK;
		}
	}
	return DC_OK;
}

static enum dc_status passes(struct search *s, bool *passed)
{
	struct dc_bounds b;
	size_t which;
	enum dc_status st = first_exposed(s, &which, &b);
	*passed = st == DC_OK && which == SIZE_MAX;
	return st;
}

/* ---- phase A ---------------------------------------------------------------- */

/* The cell at position i of a relation: the parts, then the total. */
static size_t rel_cell(const struct dc_relation *r, size_t i)
{
	return i < r->nparts ? r->parts[i] : r->total;
}

/* Hidden cells of a relation whose cells all have values, and their sum;
 * SIZE_MAX when some cell has no value (the reader does not know it holds). */
static size_t rel_hidden(const struct search *s, size_t rel, long long *sum)
{
	const struct dc_relation *r = &s->rel.rels[rel];
	size_t n = 0;
	*sum = 0;
	for (size_t i = 0; i <= r->nparts; i++) {
		size_t c = rel_cell(r, i);
		if (s->st->cells[c] == DC_MISSING)
			return SIZE_MAX;
		if (s->st->cells[c] == DC_HIDDEN) {
			n++;
			*sum += cell_value(s, c);
		}
	}
	return n;
}

/* What hiding `cell` does to its other relation: 0 mends it (it was lone),
 * 1 nothing to mend or break, 2 makes it lone. */
static int partner_effect(const struct search *s, size_t cell, size_t rel)
{
	int effect = 1;
	for (int i = 0; i < 2; i++) {
		int other = s->rel.of[cell][i];
		long long sum;
		if (other < 0 || (size_t)other == rel)
			continue;
		size_t n = rel_hidden(s, (size_t)other, &sum);
		if (n == 1)
			return 0;
		if (n == 0)
			effect = 2;
	}
	return effect;
}

/* The candidate of a lone relation to hide next, or SIZE_MAX for none. */
static size_t pick_partner(const struct search *s, size_t rel)
{
	const struct dc_relation *r = &s->rel.rels[rel];
	long long lone, need;
	size_t best = SIZE_MAX;
	int best_tier = 6;
	long long best_value = 0;

	rel_hidden(s, rel, &lone);
	need = s->st->k - lone < 1 ? 1 : s->st->k - lone;
	for (size_t i = 0; i <= r->nparts; i++) {
		size_t c = rel_cell(r, i);
		if (!open_candidate(s, c))
			continue;
		long long v = cell_value(s, c);
		int tier = (v >= need ? 0 : 3) + partner_effect(s, c, rel);
		if (best == SIZE_MAX || tier < best_tier || (tier == best_tier && v < best_value)) {
			best = c;
			best_tier = tier;
			best_value = v;
		}
	}
	return best;
}

/* Phase A: hides partners until no relation holds one hidden cell alone
 * (or none of its cells can be hidden). Returns how many it hid. */
static size_t close_lone(struct search *s)
{
	size_t added = 0;
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t rel = 0; rel < s->rel.nrels; rel++) {
			long long sum;
			if (rel_hidden(s, rel, &sum) != 1)
				continue;
			size_t c = pick_partner(s, rel);
			if (c == SIZE_MAX)
				continue;
			set_status(s, c, DC_HIDDEN);
			added++;
			changed = true;
		}
	}
	return added;
}

/* ---- phase B ---------------------------------------------------------------- */

/* Tries an option: hides its cells, lets phase A add partners, measures
 * the target, then restores every status. */
static enum dc_status option_try(struct search *s, struct target *t, struct option *o)
{
	bool exposed = true;
	memcpy(s->saved, s->st->cells, s->ncells * sizeof *s->saved);
	for (size_t i = 0; i < o->n; i++)
		set_status(s, o->cell[i], DC_HIDDEN);
	close_lone(s);
	work_knowledge(s);
	enum dc_status st = dc_system_bounds(&s->work, t->expr, true, &o->b);
	if (st == DC_OK)
		st = exposes(s, t, &o->b, &exposed);
	o->fine = !exposed;
	o->added = 0;
	o->sum = 0;
	for (size_t c = 0; c < s->ncells; c++) {
		if (s->saved[c] == DC_PUBLISHED && s->st->cells[c] == DC_HIDDEN) {
			o->added++;
			o->sum += cell_value(s, c);
		}
	}
	memcpy(s->st->cells, s->saved, s->ncells * sizeof *s->saved);
	return st;
}

/* True when a beats b (b may be empty): ending the exposure, fewer cells,
 * a smaller sum, the lower rank. A total order: the choice does not
 * depend on the order options are tried in. */
static bool option_better(const struct option *a, const struct option *b)
{
	if (b->n == 0)
		return true;
	if (a->fine != b->fine)
		return a->fine;
	if (a->added != b->added)
		return a->added < b->added;
	if (a->sum != b->sum)
		return a->sum < b->sum;
	return a->rank < b->rank;
}

/* One phase B search. */
struct widening {
	struct target *t;        /* the exposed target */
	struct dc_bounds now;    /* its interval before any option */
	struct option best;      /* best so far; best.n == 0 for none */
};

/* True when an option opens the target's interval: wider, or lower. */
static bool opens(const struct option *o, const struct dc_bounds *now)
{
	return width_of(&o->b) > width_of(now) + 1e-6 || o->b.lo < now->lo - 1e-6;
}

static enum dc_status consider(struct search *s, struct widening *w, struct option *o)
{
	if (o->n == 0)
		return DC_OK;
	enum dc_status st = option_try(s, w->t, o);
	if (st == DC_OK && opens(o, &w->now) && option_better(o, &w->best))
		w->best = *o;
	return st;
}

/* A candidate cell and its value, for the order singles are tried in. */
struct single {
	long long value;  /* the cell's value */
	size_t cell;      /* its index */
};

static int cmp_single(const void *a, const void *b)
{
	const struct single *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->cell > y->cell) - (x->cell < y->cell);
}

/* Largest value first, then cell order. */
static int cmp_prune(const void *a, const void *b)
{
	const struct single *x = a, *y = b;
	return x->value != y->value ? cmp_single(b, a) : cmp_single(a, b);
}

/* True when an earlier cell has the same unknowns: try each set once. */
static bool twin_before(const struct search *s, size_t cell)
{
	for (size_t c = 0; c < cell; c++)
		if (s->expr[c] == s->expr[cell])
			return true;
	return false;
}

/* The candidates (one cell of each set of unknowns) whose status is
 * `status`, sorted by `cmp`, into a new array of *n. */
static struct single *candidates(const struct search *s, enum dc_cell status,
                                 int (*cmp)(const void *, const void *), size_t *n)
{
	struct single *order = malloc((s->ncells ? s->ncells : 1) * sizeof *order);

	*n = 0;
	for (size_t c = 0; order && c < s->ncells; c++)
		if (s->role[c] == ROLE_CANDIDATE && s->st->cells[c] == status && !twin_before(s, c))
			order[(*n)++] = (struct single){ cell_value(s, c), c };
	if (order)
		qsort(order, *n, sizeof *order, cmp);
	return order;
}

/* Every single open candidate, smallest first. *done when one reached k
 * adding no partner: nothing can beat it. */
static enum dc_status try_singles(struct search *s, struct widening *w, bool *done)
{
	size_t n;
	struct single *order = candidates(s, DC_PUBLISHED, cmp_single, &n);
	enum dc_status st = DC_OK;

	*done = false;
	if (!order)
		return DC_NOMEM;
	for (size_t j = 0; j < n && st == DC_OK && !*done; j++) {
		struct option o = { .cell = { order[j].cell }, .n = 1, .rank = order[j].cell };
		st = consider(s, w, &o);
		*done = w->best.n == 1 && w->best.added == 1 && w->best.fine;
	}
	free(order);
	return st;
}

/* Adds a corner to a rectangle: false when it cannot be part of one (no
 * value, or published before); hidden corners are already in. */
static bool corner_add(const struct search *s, struct option *o, size_t cell)
{
	if (s->st->cells[cell] == DC_MISSING || s->role[cell] == ROLE_SEEN)
		return false;
	if (open_candidate(s, cell))
		o->cell[o->n++] = cell;
	return true;
}

/* Every rectangle through the target's cell (its row and column crossed
 * with one other row and column) that needs two or more new cells. */
static enum dc_status try_rectangles(struct search *s, struct widening *w)
{
	size_t rows = s->ncells / DC_NCOLS;
	size_t row = (size_t)w->t->cell / DC_NCOLS, col = (size_t)w->t->cell % DC_NCOLS;

	for (size_t r2 = 0; r2 < rows; r2++) {
		for (size_t c2 = 0; c2 < DC_NCOLS; c2++) {
			struct option o = { .n = 0, .rank = s->ncells + r2 * DC_NCOLS + c2 };
			if (r2 == row || c2 == col || !corner_add(s, &o, row * DC_NCOLS + c2) ||
			    !corner_add(s, &o, r2 * DC_NCOLS + col) ||
			    !corner_add(s, &o, r2 * DC_NCOLS + c2) || o.n < 2)
				continue;
			enum dc_status st = consider(s, w, &o);
			if (st != DC_OK)
				return st;
		}
	}
	return DC_OK;
}

/* The safety net: the smallest open candidate, SIZE_MAX when none is left. */
static size_t smallest_candidate(const struct search *s)
{
	size_t best = SIZE_MAX;
	for (size_t c = 0; c < s->ncells; c++)
		if (open_candidate(s, c) &&
		    (best == SIZE_MAX || cell_value(s, c) < cell_value(s, best)))
			best = c;
	return best;
}

/* Phase B: hides the best option for the exposed target. *added is how
 * many cells it hid itself, 0 when no candidate is left. */
static enum dc_status widen(struct search *s, struct target *t, const struct dc_bounds *b,
                            size_t *added)
{
	struct widening w = { .t = t, .now = *b, .best = { .n = 0 } };
	bool done = false;
	enum dc_status st = try_singles(s, &w, &done);

	*added = 0;
	if (st == DC_OK && !done && t->cell >= 0)
		st = try_rectangles(s, &w);
	if (st != DC_OK)
		return st;
	if (w.best.n == 0) {
		w.best.cell[0] = smallest_candidate(s);
		w.best.n = w.best.cell[0] == SIZE_MAX ? 0 : 1;
	}
	for (size_t i = 0; i < w.best.n; i++)
		set_status(s, w.best.cell[i], DC_HIDDEN);
	*added = w.best.n;
	return DC_OK;
}

/* Phases A and B until the audit passes (*passed) or nothing is left. */
static enum dc_status search_run(struct search *s, bool *passed)
{
	for (;;) {
		struct dc_bounds b;
		size_t which, added = 0;
		close_lone(s);
		enum dc_status st = first_exposed(s, &which, &b);
		*passed = which == SIZE_MAX;
		if (st != DC_OK || *passed)
			return st;
		st = widen(s, &s->targets[which], &b, &added);
		if (st != DC_OK || added == 0)
			return st;
	}
}

/* ---- phase C ---------------------------------------------------------------- */

/* Publishes again each hidden candidate the audit can do without. */
static enum dc_status prune(struct search *s)
{
	size_t n;
	struct single *order = candidates(s, DC_HIDDEN, cmp_prune, &n);
	enum dc_status st = DC_OK;

	if (!order)
		return DC_NOMEM;
	for (size_t i = 0; i < n && st == DC_OK; i++) {
		bool ok = false;
		set_status(s, order[i].cell, DC_PUBLISHED);
		st = passes(s, &ok);
		if (st != DC_OK || !ok)
			set_status(s, order[i].cell, DC_HIDDEN);
	}
	free(order);
	return st;
}

/* ---- the result ----------------------------------------------------------------- */

/* Every new cell hidden; seen cells stay published, kept ones hidden. */
static void fall_back(struct search *s)
{
	for (size_t c = 0; c < s->ncells; c++)
		if (s->role[c] == ROLE_CANDIDATE)
			s->st->cells[c] = DC_HIDDEN;
}

static void count(const struct search *s, struct dc_result *r)
{
	for (size_t c = 0; c < s->ncells; c++) {
		if (s->st->cells[c] != DC_HIDDEN)
			continue;
		r->hidden++;
		r->primary += s->role[c] == ROLE_PRIMARY;
		r->secondary += s->role[c] == ROLE_CANDIDATE;
		r->kept += s->role[c] == ROLE_KEPT;
	}
}

/* Runs the search and, when it fails, the fallback, and audits the end. */
static enum dc_status decide(struct search *s, struct dc_result *r)
{
	bool ok = false;
	enum dc_status st = search_run(s, &ok);

	if (st == DC_OK && ok)
		st = prune(s);
	if (st == DC_OK && !ok) {
		fall_back(s);
		r->fallback = true;
		r->why = "no pattern of new cells kept every small cell at least k wide; "
		         "every new cell is hidden";
		st = passes(s, &ok);
		if (st == DC_OK && !ok)
			r->why = "even with every new cell hidden, a small cell is narrower than k "
			         "from what earlier states published";
	}
	r->passed = ok;
	return st;
}

enum dc_status dc_protect(const struct dc_history *h, struct dc_result *r)
{
	struct search s = { 0 };
	enum dc_status st;

	memset(r, 0, sizeof *r);
	if (!h || h->nstates == 0)
		return DC_INVALID;
	s.h = h;
	s.st = &h->states[h->nstates - 1];
	s.ncells = dc_rows(s.st) * DC_NCOLS;
	st = setup(&s);
	if (st == DC_OK)
		st = decide(&s, r);
	if (st == DC_OK)
		count(&s, r);
	teardown(&s);
	return st;
}
