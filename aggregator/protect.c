/* Primary and secondary suppression of a district-by-quarter table.
 *
 * Why secondary suppression: a hidden district value is the municipality
 * value minus the other districts, and a hidden quarter is the year minus
 * the other quarters. Every relation that holds exactly one suppressed cell
 * gives that cell away, and even two per relation are not always enough: the
 * relations combine (a suppressed cell that links two otherwise separate
 * groups of suppressions is fixed by the totals). The LP audit decides.
 *
 * How cells are picked: phases A and B alternate until the audit passes,
 * then C removes what turned out not to be needed.
 *
 *  A. Lone relations (cheap, no LP). While some published relation holds
 *     exactly one suppressed cell, suppress one more of its published cells.
 *     "Big enough" means value >= k - the lone cell's value (the two together
 *     then span k) and never 0, which adds no width. The pick prefers big
 *     enough cells, and then, in this order: a cell whose other relation is
 *     lone too (one suppression mends two relations and closes a
 *     rectangle), a cell whose other relation needs nothing (it has two
 *     suppressions already, or is not published because of a missing cell),
 *     a cell whose other relation it leaves lone; then the smallest value,
 *     then the first cell in row-major order.
 *
 *  B. Audit failures (LP look-ahead). Take the first exposed cell in
 *     row-major order. Candidates are every single published cell, and
 *     every rectangle through the exposed cell (its row and column crossed
 *     with one other row and column: the classic hypercube completion).
 *     Each is tried by suppressing it, letting phase A add the partners it
 *     forces, and asking the LP for the exposed cell's new interval. Of the
 *     candidates that widen it, the best reaches k, then adds the fewest
 *     cells, then the smallest total value; ties go to the first in the
 *     order singles by cell index, then rectangles by (row, column). A
 *     safety net suppresses the smallest published cell when no candidate
 *     widens it at all, so that every round makes progress.
 *     The search can stop early without changing its choice: singles are
 *     tried smallest value first (then by index), and the first that
 *     reaches k adding no partner is the best candidate there is (only a
 *     single adds one cell, and its total value is its own), so the other
 *     singles and the rectangles are not tried then.
 *
 *  C. Pruning. Once the audit passes, each secondary cell, largest value
 *     first, is published again if the audit still passes without it: a
 *     cell picked early can be made redundant by later ones.
 *
 * Suppressing a cell never narrows another suppressed cell's interval (the
 * reader only knows less), and every round suppresses at least one cell, so
 * the loop ends; with every present cell suppressed nothing is bounded and
 * the audit passes. Pruning only keeps a change the audit accepts. Minimal
 * suppression is NP-hard in general: this is a greedy heuristic whose
 * safety the audit guarantees, not an optimum. (On 150 random small tables
 * it matched the exhaustive minimum count in 142.) */
#include "protect.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A set of cells phase B may suppress, and what it would do. */
struct candidate {
	size_t cell[3];  /* the published cells to suppress */
	size_t n;        /* how many of cell[] are used; 0 = no candidate yet */
	size_t added;    /* cells it suppresses, counting phase A's partners for them */
	long long sum;   /* their total value: smaller loses less information */
	double width;    /* the exposed cell's interval width afterwards */
	size_t rank;     /* the last tie-break: singles by cell index, then rectangles */
};

/* One phase B search for the best candidate. */
struct search {
	size_t target;            /* the exposed cell to widen */
	double now;               /* its interval width before any candidate */
	enum cell_status *saved;  /* owned; the statuses before a trial */
	struct candidate best;    /* the best candidate so far; best.n = 0 for none */
};

/* The cell at position i of a relation: the parts, then the total. */
static size_t rel_cell(const struct linked_relation *r, size_t i)
{
	return i < r->nparts ? r->parts[i] : r->total;
}

size_t protect_index(const struct protect_table *t, size_t row, size_t col)
{
	(void)t; /* every table has PROTECT_NCOLS columns; t keeps call sites uniform */
	return row * PROTECT_NCOLS + col;
}

struct linked_cell *protect_cell(struct protect_table *t, size_t row, size_t col)
{
	return &t->lt.cells[protect_index(t, row, col)];
}

/* Records that relation `rel` holds cell `cell` in the cell's first free slot. */
static void note_relation(struct protect_table *t, size_t cell, size_t rel)
{
	int *slot = t->rels_of[cell];
	slot[slot[0] < 0 ? 0 : 1] = (int)rel;
}

/* Appends relation "parts sum to total" using parts storage from *next. */
static void add_relation(struct protect_table *t, size_t total, const size_t *parts,
                         size_t nparts, size_t **next)
{
	struct linked_relation *r = &t->lt.rels[t->lt.nrels];
	memcpy(*next, parts, nparts * sizeof *parts);
	r->total = total;
	r->nparts = nparts;
	r->parts = *next;
	*next += nparts;
	note_relation(t, total, t->lt.nrels);
	for (size_t i = 0; i < nparts; i++)
		note_relation(t, parts[i], t->lt.nrels);
	t->lt.nrels++;
}

/* Row relations: the quarters sum to the year (flow), or Q4 is the year (stock). */
static void add_row_relations(struct protect_table *t, size_t **next)
{
	for (size_t r = 0; r < t->nrows; r++) {
		size_t q[4];
		for (size_t c = 0; c < 4; c++)
			q[c] = protect_index(t, r, c);
		if (t->kind == PROTECT_FLOW)
			add_relation(t, protect_index(t, r, PROTECT_YEAR), q, 4, next);
		else
			add_relation(t, protect_index(t, r, PROTECT_YEAR), &q[3], 1, next);
	}
}

/* Column relations: the districts sum to the municipality, in every column. */
static void add_column_relations(struct protect_table *t, size_t **next, size_t *scratch)
{
	if (t->ndistricts == 0)
		return;
	for (size_t c = 0; c < PROTECT_NCOLS; c++) {
		for (size_t d = 0; d < t->ndistricts; d++)
			scratch[d] = protect_index(t, d, c);
		add_relation(t, protect_index(t, t->ndistricts, c), scratch, t->ndistricts, next);
	}
}

/* Allocates the arrays of a table with nrows rows; 0 or -1. */
static int table_alloc(struct protect_table *t)
{
	size_t ncells = t->nrows * PROTECT_NCOLS;
	t->lt.cells = calloc(ncells, sizeof *t->lt.cells);
	t->lt.rels = calloc(t->nrows + PROTECT_NCOLS, sizeof *t->lt.rels);
	t->parts = calloc(t->nrows * 4 + PROTECT_NCOLS * t->ndistricts + 1, sizeof *t->parts);
	t->rels_of = malloc(ncells * sizeof *t->rels_of);
	if (!t->lt.cells || !t->lt.rels || !t->parts || !t->rels_of)
		return -1;
	t->lt.ncells = ncells;
	for (size_t i = 0; i < ncells; i++) {
		t->lt.cells[i].status = CELL_MISSING;
		t->rels_of[i][0] = t->rels_of[i][1] = -1;
	}
	return 0;
}

struct protect_table *protect_table_new(size_t ndistricts, enum protect_kind kind,
                                        long long k)
{
	struct protect_table *t = calloc(1, sizeof *t);
	size_t *scratch = calloc(ndistricts + 1, sizeof *scratch);
	size_t *next;

	if (!t || !scratch)
		goto fail;
	t->ndistricts = ndistricts;
	t->nrows = ndistricts + 1;
	t->kind = kind;
	t->lt.k = k < 1 ? 1 : k;
	if (table_alloc(t) != 0)
		goto fail;
	next = t->parts;
	add_row_relations(t, &next);
	add_column_relations(t, &next, scratch);
	free(scratch);
	return t;
fail:
	free(scratch);
	protect_table_free(t);
	return NULL;
}

void protect_table_free(struct protect_table *t)
{
	if (!t)
		return;
	free(t->lt.cells);
	free(t->lt.rels);
	free(t->parts);
	free(t->rels_of);
	free(t);
}

void protect_set(struct protect_table *t, size_t row, size_t quarter, long long value)
{
	struct linked_cell *c = protect_cell(t, row, quarter);
	c->value = value;
	c->status = CELL_PUBLISHED;
}

/* Sets a derived cell to the relation's sum, or missing when a part is. */
static void fill_total(struct protect_table *t, const struct linked_relation *r)
{
	struct linked_cell *total = &t->lt.cells[r->total];
	long long sum = 0;
	for (size_t i = 0; i < r->nparts; i++) {
		const struct linked_cell *part = &t->lt.cells[r->parts[i]];
		if (part->status == CELL_MISSING) {
			total->status = CELL_MISSING;
			total->value = 0;
			return;
		}
		sum += part->value;
	}
	total->value = sum;
	total->status = CELL_PUBLISHED;
}

/* A quarter missing anywhere in the row makes the year missing, for stock
 * as well: a year is only shown when all four quarters were reported. */
static void row_year_missing_if_gap(struct protect_table *t, size_t row)
{
	for (size_t c = 0; c < 4; c++) {
		if (protect_cell(t, row, c)->status == CELL_MISSING) {
			protect_cell(t, row, PROTECT_YEAR)->status = CELL_MISSING;
			protect_cell(t, row, PROTECT_YEAR)->value = 0;
		}
	}
}

void protect_fill_totals(struct protect_table *t)
{
	size_t m = t->ndistricts;
	/* Each reported row's year from its quarters (rels[r] is row r). */
	for (size_t r = 0; r < t->nrows; r++) {
		if (r == m && m > 0)
			continue;
		fill_total(t, &t->lt.rels[r]);
		row_year_missing_if_gap(t, r);
	}
	/* The municipality from its districts, column by column (rels[nrows + c]
	 * is column c). Its year, the sum of the districts' years, equals the
	 * sum (flow) or Q4 (stock) of its own quarters, and it is missing exactly
	 * when one of its quarters is, because both happen when any district
	 * has a gap. */
	if (m > 0)
		for (size_t c = 0; c < PROTECT_NCOLS; c++)
			fill_total(t, &t->lt.rels[t->nrows + c]);
}

/* Every present cell back to published. */
static void reset_statuses(struct protect_table *t)
{
	for (size_t i = 0; i < t->lt.ncells; i++)
		if (t->lt.cells[i].status != CELL_MISSING)
			t->lt.cells[i].status = CELL_PUBLISHED;
}

/* Fail safe after an error: every present cell is hidden, so a caller that
 * forgot to look at the status still publishes nothing. */
static void suppress_everything(struct protect_table *t)
{
	for (size_t i = 0; i < t->lt.ncells; i++) {
		if (t->lt.cells[i].status != CELL_PUBLISHED)
			continue;
		t->lt.cells[i].status = CELL_SECONDARY;
		t->nsecondary++;
	}
	t->audit_passed = false;
}

/* Marks every present value 1..k-1 as primary. */
static size_t mark_primary(struct protect_table *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->lt.ncells; i++) {
		struct linked_cell *c = &t->lt.cells[i];
		if (c->status == CELL_MISSING)
			continue;
		if (c->value >= 1 && c->value < t->lt.k) {
			c->status = CELL_PRIMARY;
			n++;
		}
	}
	return n;
}

/* Suppressed cells in a relation and the sum of their values. */
static size_t rel_suppressed(const struct protect_table *t, size_t rel, long long *sum)
{
	const struct linked_relation *r = &t->lt.rels[rel];
	size_t n = 0;
	*sum = 0;
	for (size_t i = 0; i <= r->nparts; i++) {
		const struct linked_cell *c = &t->lt.cells[rel_cell(r, i)];
		if (cell_is_suppressed(c->status)) {
			n++;
			*sum += c->value;
		}
	}
	return n;
}

/* A published relation with exactly one suppressed cell: it gives that cell away. */
static bool rel_lone(const struct protect_table *t, size_t rel)
{
	long long sum;
	return linked_relation_published(&t->lt, &t->lt.rels[rel]) &&
	       rel_suppressed(t, rel, &sum) == 1;
}

/* What suppressing `cell` does to its other published relation (a cell
 * lies in at most two, its row's and its column's): 0 mends it (it was
 * lone), 1 nothing to mend or break (none, unpublished, or already two or
 * more suppressed), 2 makes it lone, so it will need a partner of its own. */
static int partner_effect(const struct protect_table *t, size_t cell, size_t rel)
{
	int effect = 1;
	for (int i = 0; i < 2; i++) {
		int other = t->rels_of[cell][i];
		long long sum;
		if (other < 0 || (size_t)other == rel ||
		    !linked_relation_published(&t->lt, &t->lt.rels[other]))
			continue;
		size_t n = rel_suppressed(t, (size_t)other, &sum);
		if (n == 1)
			return 0;
		if (n == 0)
			effect = 2;
	}
	return effect;
}

/* Phase A's preference, lower is better: big enough cells (tiers 0-2)
 * before too small ones (3-5), and within each the effect above. */
static int partner_tier(const struct protect_table *t, size_t cell, size_t rel,
                        long long need)
{
	bool big = t->lt.cells[cell].value >= need;
	return (big ? 0 : 3) + partner_effect(t, cell, rel);
}

/* The published cell of a lone relation to suppress next (see phase A). */
static size_t pick_partner(const struct protect_table *t, size_t rel)
{
	const struct linked_relation *r = &t->lt.rels[rel];
	long long lone_value;
	long long need;
	size_t best = SIZE_MAX;
	int best_tier = 6;
	long long best_value = 0;

	rel_suppressed(t, rel, &lone_value);
	need = t->lt.k - lone_value < 1 ? 1 : t->lt.k - lone_value;
	for (size_t i = 0; i <= r->nparts; i++) {
		size_t cell = rel_cell(r, i);
		long long v = t->lt.cells[cell].value;
		if (t->lt.cells[cell].status != CELL_PUBLISHED)
			continue;
		int tier = partner_tier(t, cell, rel, need);
		if (best == SIZE_MAX || tier < best_tier || (tier == best_tier && v < best_value)) {
			best = cell;
			best_tier = tier;
			best_value = v;
		}
	}
	return best;
}

/* Phase A: until no published relation holds exactly one suppressed cell.
 * Returns how many cells it suppressed. */
static size_t close_lone_relations(struct protect_table *t)
{
	size_t added = 0;
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t rel = 0; rel < t->lt.nrels; rel++) {
			if (!rel_lone(t, rel))
				continue;
			size_t cell = pick_partner(t, rel);
			if (cell == SIZE_MAX)
				continue;
			t->lt.cells[cell].status = CELL_SECONDARY;
			added++;
			changed = true;
		}
	}
	return added;
}

static double width_of(const struct audit_interval *iv)
{
	return iv->hi - iv->lo;
}

/* Sets the candidate's cells to status s. */
static void candidate_mark(struct protect_table *t, const struct candidate *c,
                           enum cell_status s)
{
	for (size_t i = 0; i < c->n; i++)
		t->lt.cells[c->cell[i]].status = s;
}

/* Tries the candidate: suppresses its cells, lets phase A add the partners
 * they force (a candidate that leaves a lone relation is not what it seems),
 * measures the target and what was added, then restores every status. */
static enum audit_status candidate_try(struct protect_table *t, struct search *s,
                                       struct candidate *c)
{
	struct audit_interval iv;
	for (size_t i = 0; i < t->lt.ncells; i++)
		s->saved[i] = t->lt.cells[i].status;
	candidate_mark(t, c, CELL_SECONDARY);
	close_lone_relations(t);
	enum audit_status st = audit_cell(&t->lt, s->target, &iv);
	c->width = st == AUDIT_OK ? width_of(&iv) : 0;
	c->added = 0;
	c->sum = 0;
	for (size_t i = 0; i < t->lt.ncells; i++) {
		if (s->saved[i] == CELL_PUBLISHED && t->lt.cells[i].status != CELL_PUBLISHED) {
			c->added++;
			c->sum += t->lt.cells[i].value;
		}
		t->lt.cells[i].status = s->saved[i];
	}
	return st;
}

/* True when a candidate's width reaches k. */
static bool reaches(const struct candidate *c, double k)
{
	return c->width >= k - 1e-6;
}

/* True when a beats b (b may be empty): reaching k first, then fewer cells,
 * then a smaller sum, then the lower rank. The order is total, so the
 * choice does not depend on the order candidates are tried in. */
static bool candidate_better(const struct candidate *a, const struct candidate *b, double k)
{
	if (b->n == 0)
		return true;
	bool ra = reaches(a, k), rb = reaches(b, k);
	if (ra != rb)
		return ra;
	if (a->added != b->added)
		return a->added < b->added;
	if (a->sum != b->sum)
		return a->sum < b->sum;
	return a->rank < b->rank;
}

/* Tries one candidate and keeps it as the best when it widens the target
 * and beats the best so far. */
static enum audit_status consider(struct protect_table *t, struct search *s,
                                  struct candidate *c)
{
	if (c->n == 0)
		return AUDIT_OK;
	enum audit_status st = candidate_try(t, s, c);
	if (st == AUDIT_OK && c->width > s->now + 1e-6 &&
	    candidate_better(c, &s->best, (double)t->lt.k))
		s->best = *c;
	return st;
}

/* Adds a cell to a candidate: false when it is missing (the rectangle does
 * not exist); suppressed cells are already part of it and are skipped. */
static bool candidate_add(const struct protect_table *t, struct candidate *c, size_t cell)
{
	const struct linked_cell *lc = &t->lt.cells[cell];
	if (lc->status == CELL_MISSING)
		return false;
	if (lc->status == CELL_PUBLISHED)
		c->cell[c->n++] = cell;
	return true;
}

/* A published cell and its value, for the order singles are tried in. */
struct single {
	long long value;  /* the cell's value */
	size_t cell;      /* its index */
};

/* Smallest value first, then row-major order. */
static int cmp_single(const void *a, const void *b)
{
	const struct single *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->cell > y->cell) - (x->cell < y->cell);
}

/* Every single published cell, smallest value first. *done is set when
 * one reached k adding no partner: nothing can beat it (see phase B). */
static enum audit_status try_singles(struct protect_table *t, struct search *s, bool *done)
{
	struct single *order = malloc((t->lt.ncells ? t->lt.ncells : 1) * sizeof *order);
	size_t n = 0;
	enum audit_status st = AUDIT_OK;

	*done = false;
	if (!order)
		return AUDIT_NOMEM;
	for (size_t i = 0; i < t->lt.ncells; i++)
		if (t->lt.cells[i].status == CELL_PUBLISHED)
			order[n++] = (struct single){ t->lt.cells[i].value, i };
	qsort(order, n, sizeof *order, cmp_single);
	for (size_t j = 0; j < n && st == AUDIT_OK && !*done; j++) {
		struct candidate c = { .n = 0, .rank = order[j].cell };
		candidate_add(t, &c, order[j].cell);
		st = consider(t, s, &c);
		*done = s->best.n == 1 && s->best.added == 1 && reaches(&s->best, (double)t->lt.k);
	}
	free(order);
	return st;
}

/* Every rectangle (row, col), (row, c2), (r2, col), (r2, c2) through the
 * target that needs more than one new cell (singles were tried already). */
static enum audit_status try_rectangles(struct protect_table *t, struct search *s)
{
	size_t row = s->target / PROTECT_NCOLS, col = s->target % PROTECT_NCOLS;
	for (size_t r2 = 0; r2 < t->nrows; r2++) {
		for (size_t c2 = 0; c2 < PROTECT_NCOLS; c2++) {
			struct candidate c = { .n = 0,
			                       .rank = t->lt.ncells + protect_index(t, r2, c2) };
			if (r2 == row || c2 == col ||
			    !candidate_add(t, &c, protect_index(t, row, c2)) ||
			    !candidate_add(t, &c, protect_index(t, r2, col)) ||
			    !candidate_add(t, &c, protect_index(t, r2, c2)) || c.n < 2)
				continue;
			enum audit_status st = consider(t, s, &c);
			if (st != AUDIT_OK)
				return st;
		}
	}
	return AUDIT_OK;
}

/* The safety net when no candidate widens the target: the smallest
 * published cell, so that every round still suppresses one more cell and
 * the loop ends. (In 26,000 random tables it was never needed.) SIZE_MAX
 * when nothing is published. */
static size_t fallback_cell(const struct protect_table *t)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < t->lt.ncells; i++) {
		const struct linked_cell *c = &t->lt.cells[i];
		if (c->status == CELL_PUBLISHED &&
		    (best == SIZE_MAX || c->value < t->lt.cells[best].value))
			best = i;
	}
	return best;
}

/* Phase B: suppresses the best candidate for the exposed cell `target`
 * with interval iv (phase A then adds its partners). *added is how many
 * cells it suppressed itself, 0 when nothing was left to suppress. */
static enum audit_status widen(struct protect_table *t, size_t target,
                               const struct audit_interval *iv, size_t *added)
{
	struct search s = { .target = target, .now = width_of(iv), .best = { .n = 0 } };
	enum audit_status st = AUDIT_NOMEM;

	*added = 0;
	s.saved = malloc(t->lt.ncells * sizeof *s.saved);
	if (!s.saved)
		return AUDIT_NOMEM;
	bool done = false;
	st = try_singles(t, &s, &done);
	if (st == AUDIT_OK && !done)
		st = try_rectangles(t, &s);
	if (st == AUDIT_OK && s.best.n == 0) {
		s.best.cell[0] = fallback_cell(t);
		s.best.n = s.best.cell[0] == SIZE_MAX ? 0 : 1;
	}
	if (st == AUDIT_OK) {
		candidate_mark(t, &s.best, CELL_SECONDARY);
		*added = s.best.n;
	}
	free(s.saved);
	return st;
}

/* Alternates phases A and B until the audit passes or nothing is left. */
static enum audit_status suppress_until_safe(struct protect_table *t)
{
	for (;;) {
		struct audit_interval iv;
		size_t exposed, added = 0;
		t->nsecondary += close_lone_relations(t);
		enum audit_status st = audit_first_exposed(&t->lt, &exposed, &iv);
		if (st != AUDIT_OK)
			return st;
		t->audit_passed = exposed == SIZE_MAX;
		if (!t->audit_passed)
			st = widen(t, exposed, &iv, &added);
		if (st != AUDIT_OK || added == 0)
			return st;
		t->nsecondary += added;
	}
}

/* A secondary cell and its value, for the pruning order. */
struct ranked {
	long long value;  /* the cell's value */
	size_t cell;      /* its index */
};

/* Largest value first, then row-major order. */
static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return (x->cell > y->cell) - (x->cell < y->cell);
}

/* Whether the table passes the audit as it stands. */
static enum audit_status passes(const struct protect_table *t, bool *passed)
{
	struct audit_interval iv;
	size_t exposed;
	enum audit_status st = audit_first_exposed(&t->lt, &exposed, &iv);
	*passed = st == AUDIT_OK && exposed == SIZE_MAX;
	return st;
}

/* The greedy may overshoot: a secondary picked early can become redundant
 * once later ones are in. Try publishing each again, largest value first,
 * and keep it published when the audit still passes. */
static enum audit_status prune(struct protect_table *t)
{
	struct ranked *r = malloc((t->nsecondary ? t->nsecondary : 1) * sizeof *r);
	size_t n = 0;
	enum audit_status st = AUDIT_OK;

	if (!r)
		return AUDIT_NOMEM;
	for (size_t i = 0; i < t->lt.ncells; i++)
		if (t->lt.cells[i].status == CELL_SECONDARY)
			r[n++] = (struct ranked){ t->lt.cells[i].value, i };
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n && st == AUDIT_OK; i++) {
		bool ok = false;
		t->lt.cells[r[i].cell].status = CELL_PUBLISHED;
		st = passes(t, &ok);
		if (st == AUDIT_OK && ok)
			t->nsecondary--;
		else
			t->lt.cells[r[i].cell].status = CELL_SECONDARY;
	}
	free(r);
	return st;
}

enum audit_status protect_run(struct protect_table *t)
{
	t->nprimary = t->nsecondary = 0;
	t->audit_passed = false;
	reset_statuses(t);
	enum audit_status st = audit_check(&t->lt);
	if (st == AUDIT_OK) {
		t->nprimary = mark_primary(t);
		st = suppress_until_safe(t);
	}
	if (st == AUDIT_OK && t->audit_passed && t->nsecondary > 1)
		st = prune(t);
	if (st != AUDIT_OK)
		suppress_everything(t);
	return st;
}
