/* The promise of the disclosure library as a property (issue 7): over every
 * state of randomly simulated quarterly reporting, with late districts,
 * late quarters, revisions and catalogue changes, a reader who has every
 * state finds no hidden small cell narrowed below k.
 *
 * What is simulated (sim.h): a few hundred table-years, each from a fixed
 * seed: 0..8 districts, flow or stock, k 3, 5 or 10, and up to 20 states
 * made by quarters arriving (in order or not), late reports, revisions of
 * single values and catalogue changes (k, a district added or ended). Each
 * state is protected with dc_protect against every state before it, the
 * way the aggregator records them, and the earlier states' cells are never
 * touched again.
 *
 * The attacker is independent of the library. It uses only what a reader
 * has: every cell's status and published value in every state, and which
 * unknowns each cell sums. The latter it works out itself from the
 * leaf-quarters of each state (cell_sum, written anew from the rules in the
 * header comment of disclosure/cells.c); it uses neither dc_audit nor any
 * internal header of disclosure/ (no propagation, no expressions, no
 * components). It makes one linear program per table-year: a variable per
 * unknown, x >= 0, an equality per distinct published sum of every state;
 * then the minimum and maximum of every hidden cell whose value is 1..k-1
 * in its state (k of that state), by GLPK's simplex with its presolver
 * (the library solves without it, over what its propagation leaves), and
 * again with GLPK's exact rational simplex where the interval comes within
 * 1 of k. Knowledge only grows with the states, so attacking the last
 * union covers every earlier moment too: a cell wide enough against all
 * states was wide enough against fewer.
 *
 * Two checks come of it. Per table-year: no hidden small cell is narrower
 * than k, except one the states before its own had already narrowed below
 * that k and that is no narrower now; nothing the state could hide would
 * have helped such a cell (a raised k over a cell hidden at the old one is
 * the case the simulation meets, and the library's rule for it). Over the
 * whole run: the requirement as the model writes it, the only exception
 * being cells hidden before a raise of k, and the first year with any
 * other exposure drawn as literals; test_k_raised_kept is the smallest
 * case of the exception.
 *
 * The attacker must be able to fail, so it is also shown leaks: the old
 * aggregator's patterns of test_time.c, and in the simulated years a
 * small cell's partners in one relation published, its own sum published
 * in another state, and one secondary cell published (every secondary of a
 * state that did not fall back was kept by the library's pruning because
 * the audit failed without it, so the attacker must find a narrowed cell
 * too). It also checks that every dc_protect returns DC_OK and passes
 * unless it fell back, that no protection changes an earlier state, that
 * the same years simulated again give the same cells, and that the cells
 * the attacker thinks have values are exactly those the library reports.
 * Figures go out as TAP comments. */
#include <glpk.h>
#include <math.h>
#include <time.h>

#include "tap.h"
#include "sim.h"

/* Table-years simulated, and the seed of the first; a longer or another
 * run is a -DYEARS=... -DSEED=... away. */
#ifndef YEARS
#define YEARS 400
#endif
#ifndef SEED
#define SEED 0x5a3d1ad000000000ull
#endif
/* LP values within this of each other are the same. */
#define EPS 1e-6

/* ---- the cells, as the reader works them out --------------------------- */

/* What leaf l holds in quarter q of a state. */
static long leaf_at(const struct dc_state *s, size_t l, size_t q)
{
	return s->unknowns[l * 4 + q];
}

/* True when every quarter leaf l is part of the table in has a value. */
static bool complete(const struct dc_state *s, size_t l)
{
	for (size_t q = 0; q < 4; q++)
		if (leaf_at(s, l, q) == DC_NONE)
			return false;
	return true;
}

static void sort_units(long *u, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && u[j - 1] > u[j]; j--) {
			long t = u[j];
			u[j] = u[j - 1];
			u[j - 1] = t;
		}
}

/* The unknowns a cell sums, ascending, into out (room for nleaves * 4);
 * 0 when it has no value. A leaf row sums that leaf, the total row every
 * leaf; a quarter sums the leaf-quarters of that quarter, the year those of
 * every quarter (flow) or of Q4 (stock). Leaf-quarters not part of the
 * table are left out; one that is part of it and has no value leaves the
 * cell without one, and so does, for a year, any such leaf-quarter of the
 * rows it sums. A cell with nothing left in it has no value either. */
static size_t cell_sum(const struct dc_state *s, size_t cell, long *out)
{
	size_t row = cell / DC_NCOLS, col = cell % DC_NCOLS, n = 0;
	size_t first = row < s->nleaves ? row : 0;
	size_t end = row < s->nleaves ? row + 1 : s->nleaves;

	for (size_t l = first; l < end; l++) {
		if (col == DC_YEAR && !complete(s, l))
			return 0;
		for (size_t q = 0; q < 4; q++) {
			bool part = col == DC_YEAR ? s->kind == DC_FLOW || q == 3 : q == col;
			long u = leaf_at(s, l, q);
			if (!part || u == DC_INACTIVE)
				continue;
			if (u == DC_NONE)
				return 0;
			out[n++] = u;
		}
	}
	sort_units(out, n);
	return n;
}

static size_t cells_of(const struct dc_state *s)
{
	return (s->nleaves + (s->total ? 1 : 0)) * DC_NCOLS;
}

/* ---- the reader's knowledge -------------------------------------------- */

/* A sum of unknowns that some cell of some state shows or hides. */
struct sum {
	size_t start;     /* its unknowns: the reader's units[start .. start + n), ascending */
	size_t n;         /* how many, >= 1 */
	long long value;  /* its true value */
	bool published;   /* published in some state: the reader knows its value */
	long long k;      /* the largest k of a state that hides it while small; 0 for none */
	double lo;        /* the reader's smallest value for it, once worked out */
	double hi;        /* the largest, INFINITY when nothing bounds it */
};

/* A hidden cell whose value is 1..k-1 in its state. */
struct target {
	size_t state;     /* which state */
	size_t cell;      /* row * DC_NCOLS + column */
	long long value;  /* its value */
	long long k;      /* its state's k */
	size_t sum;       /* its sum in the reader's list */
};

/* Everything the reader of a history has, and what it made of it. */
struct reader {
	long *units;              /* owned; the sums' unknowns, one list after another */
	size_t nunits;            /* used */
	struct sum *sums;         /* owned; distinct sums of every cell with a value */
	size_t nsums;             /* used */
	size_t *slots;            /* owned; open-addressing hash of sum index + 1 */
	size_t nslots;            /* a power of two, more than twice the cells */
	struct target *targets;   /* owned; every hidden small cell of every state */
	size_t ntargets;          /* used */
	size_t *cell_sum;         /* owned; per cell of every state (in order) its sum, or
	                           * SIZE_MAX when it has no value */
	size_t present;           /* cells with a value */
	size_t published;         /* of which published */
	size_t mismatched;        /* cells the library calls missing that have a value, or
	                           * the other way round */
	size_t exact;             /* intervals confirmed by the exact simplex */
	size_t disagreed;         /* of which the simplex with presolve had otherwise */
	bool failed;              /* GLPK failed, or memory ran out */
};

static uint64_t hash_units(const long *u, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint64_t)u[i]) * 1099511628211ull;
	return h;
}

/* The index of the sum with these unknowns, added when new. */
static size_t intern(struct reader *r, const long *u, size_t n, long long value)
{
	size_t i = (size_t)hash_units(u, n) & (r->nslots - 1);
	for (; r->slots[i]; i = (i + 1) & (r->nslots - 1)) {
		const struct sum *s = &r->sums[r->slots[i] - 1];
		if (s->n == n && memcmp(r->units + s->start, u, n * sizeof *u) == 0)
			return r->slots[i] - 1;
	}
	memcpy(r->units + r->nunits, u, n * sizeof *u);
	r->sums[r->nsums] = (struct sum){ r->nunits, n, value, false, 0, 0, INFINITY };
	r->nunits += n;
	r->slots[i] = ++r->nsums;
	return r->nsums - 1;
}

/* Reads one cell of state i: its sum, and what its status tells. */
static void read_cell(struct reader *r, const struct dc_history *h, size_t i, size_t c,
                      long *u, size_t *at)
{
	const struct dc_state *s = &h->states[i];
	size_t n = cell_sum(s, c, u);
	long long value = 0;

	r->cell_sum[*at] = SIZE_MAX;
	r->mismatched += (n == 0) != (s->cells[c] == DC_MISSING);
	if (n == 0 || s->cells[c] == DC_MISSING) {
		(*at)++;
		return;
	}
	for (size_t j = 0; j < n; j++)
		value += h->values[u[j]];
	size_t e = intern(r, u, n, value);
	struct sum *sum = &r->sums[e];
	r->cell_sum[(*at)++] = e;
	r->present++;
	if (s->cells[c] == DC_PUBLISHED) {
		r->published++;
		sum->published = true;
	} else if (value >= 1 && value < s->k) {
		r->targets[r->ntargets++] = (struct target){ i, c, value, s->k, e };
		if (s->k > sum->k)
			sum->k = s->k;
	}
}

static void reader_free(struct reader *r)
{
	free(r->units);
	free(r->sums);
	free(r->slots);
	free(r->targets);
	free(r->cell_sum);
	memset(r, 0, sizeof *r);
}

/* Reads every cell of every state of h. */
static bool reader_make(struct reader *r, const struct dc_history *h)
{
	size_t cells = 0, units = 0, at = 0;
	long u[FX_LEAVES * 4];

	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < h->nstates; i++) {
		cells += cells_of(&h->states[i]);
		units += cells_of(&h->states[i]) * h->states[i].nleaves * 4;
	}
	for (r->nslots = 16; r->nslots < 2 * cells + 2; r->nslots *= 2)
		;
	r->units = malloc((units + 1) * sizeof *r->units);
	r->sums = malloc((cells + 1) * sizeof *r->sums);
	r->slots = calloc(r->nslots, sizeof *r->slots);
	r->targets = malloc((cells + 1) * sizeof *r->targets);
	r->cell_sum = malloc((cells + 1) * sizeof *r->cell_sum);
	if (!r->units || !r->sums || !r->slots || !r->targets || !r->cell_sum)
		return false;
	for (size_t i = 0; i < h->nstates; i++)
		for (size_t c = 0; c < cells_of(&h->states[i]); c++)
			read_cell(r, h, i, c, u, &at);
	return true;
}

/* ---- the linear program ------------------------------------------------ */

/* A variable per unknown (x >= 0), an equality per published sum. */
static glp_prob *lp_make(const struct reader *r, size_t nvalues)
{
	glp_prob *lp = glp_create_prob();
	int ind[FX_LEAVES * 4 + 1];
	double val[FX_LEAVES * 4 + 1];

	if (nvalues > 0)
		glp_add_cols(lp, (int)nvalues);
	for (size_t j = 1; j <= nvalues; j++)
		glp_set_col_bnds(lp, (int)j, GLP_LO, 0.0, 0.0);
	for (size_t e = 0; e < r->nsums; e++) {
		const struct sum *s = &r->sums[e];
		if (!s->published)
			continue;
		int row = glp_add_rows(lp, 1);
		for (size_t j = 0; j < s->n; j++) {
			ind[j + 1] = (int)r->units[s->start + j] + 1;
			val[j + 1] = 1.0;
		}
		glp_set_mat_row(lp, row, (int)s->n, ind, val);
		glp_set_row_bnds(lp, row, GLP_FX, (double)s->value, (double)s->value);
	}
	return lp;
}

/* The objective: the sum of unknowns u, or nothing (on false). */
static void lp_objective(glp_prob *lp, const long *u, size_t n, bool on)
{
	for (size_t j = 0; j < n; j++)
		glp_set_obj_coef(lp, (int)u[j] + 1, on ? 1.0 : 0.0);
}

/* The optimum in direction dir, by the simplex with the presolver, or by
 * the exact rational simplex from the standard basis; false when GLPK did
 * not solve it. An unbounded maximum is INFINITY. */
static bool lp_optimum(glp_prob *lp, int dir, bool exact, double *out)
{
	glp_smcp parm;
	int ret;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = exact ? GLP_OFF : GLP_ON;
	glp_set_obj_dir(lp, dir);
	if (exact) {
		glp_std_basis(lp);
		ret = glp_exact(lp, &parm);
	} else
		ret = glp_simplex(lp, &parm);
	if (ret == GLP_ENODFS || (ret == 0 && glp_get_status(lp) == GLP_UNBND)) {
		*out = dir == GLP_MAX ? INFINITY : -INFINITY;
		return true;
	}
	if (ret != 0 || glp_get_status(lp) != GLP_OPT)
		return false;
	*out = glp_get_obj_val(lp);
	return true;
}

/* The interval of the sum of unknowns u into lo, hi; again with the exact
 * simplex when it comes within 1 of k, tallied in r. */
static bool interval(glp_prob *lp, struct reader *r, const long *u, size_t n, long long k,
                     double *lo, double *hi)
{
	bool ok;

	lp_objective(lp, u, n, true);
	ok = lp_optimum(lp, GLP_MIN, false, lo) && lp_optimum(lp, GLP_MAX, false, hi);
	if (ok && *hi - *lo < (double)k + 1) {
		double xlo = 0, xhi = INFINITY;
		ok = lp_optimum(lp, GLP_MIN, true, &xlo) && lp_optimum(lp, GLP_MAX, true, &xhi);
		r->exact++;
		r->disagreed += ok && (fabs(xlo - *lo) > EPS || isfinite(xhi) != isfinite(*hi) ||
		                       (isfinite(xhi) && fabs(xhi - *hi) > EPS));
		*lo = xlo;
		*hi = xhi;
	}
	lp_objective(lp, u, n, false);
	return ok;
}

/* The interval of every distinct target sum. */
static bool solve_targets(struct reader *r, size_t nvalues)
{
	glp_prob *lp = lp_make(r, nvalues);
	bool ok = true;
	for (size_t e = 0; e < r->nsums && ok; e++) {
		struct sum *s = &r->sums[e];
		if (s->k > 0)
			ok = interval(lp, r, r->units + s->start, s->n, s->k, &s->lo, &s->hi);
	}
	glp_delete_prob(lp);
	return ok;
}

/* The interval a reader of states 0..n-1 of h only has of the sum of
 * unknowns u (nothing bounds it from above without states). */
static bool interval_before(const struct dc_history *h, size_t n, const long *u,
                            size_t nu, long long k, double *lo, double *hi)
{
	struct dc_history prefix = *h;
	struct reader r;
	bool ok = false;

	*lo = 0;
	*hi = INFINITY;
	if (n == 0)
		return true;
	prefix.nstates = n;
	if (reader_make(&r, &prefix)) {
		glp_prob *lp = lp_make(&r, h->nvalues);
		ok = interval(lp, &r, u, nu, k, lo, hi);
		glp_delete_prob(lp);
	}
	reader_free(&r);
	return ok;
}

/* ---- the attack --------------------------------------------------------- */

/* One hidden small cell the reader narrows below k. */
struct exposure {
	struct target t;  /* the cell */
	double lo;        /* its interval against every state */
	double hi;
	double was;       /* the width against the states before its own */
};

/* What an attack on a history found. */
struct verdict {
	size_t targets;          /* hidden small cells of every state */
	size_t exposed;          /* of which narrowed below their k */
	size_t already;          /* of which already narrower than that k against the
	                          * states before their own, and no narrower now */
	size_t raised;           /* of these, in a state whose k is above an earlier one */
	size_t positive;         /* hidden small cells the reader knows are above 0 */
	struct exposure first;   /* the first exposed cell */
	struct exposure worst;   /* the first exposed cell that is not `already` */
	size_t worse;            /* exposed cells that are not `already` */
	size_t present;          /* cells with a value, in every state */
	size_t published;        /* of which published */
	size_t mismatched;       /* cells the reader and the library disagree have a value */
	size_t exact;            /* intervals confirmed by the exact simplex */
	size_t disagreed;        /* of which the two simplexes disagreed on */
	bool failed;             /* the attack could not be made */
};

/* True when a state's k is above the k of a state before it. */
static bool k_raised(const struct dc_history *h, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (h->states[j].k < h->states[i].k)
			return true;
	return false;
}

/* Notes one exposed cell: whether the states before its own had already
 * narrowed it below its k (then nothing its state could hide helps). */
static bool expose(const struct dc_history *h, struct reader *r, const struct target *t,
                   struct verdict *v)
{
	const struct sum *s = &r->sums[t->sum];
	struct exposure x = { *t, s->lo, s->hi, INFINITY };
	double lo, hi;

	if (!interval_before(h, t->state, r->units + s->start, s->n, t->k, &lo, &hi))
		return false;
	x.was = hi - lo;
	if (v->exposed++ == 0)
		v->first = x;
	if (x.was < (double)t->k - EPS && x.hi - x.lo >= x.was - EPS) {
		v->already++;
		v->raised += k_raised(h, t->state);
	} else if (v->worse++ == 0)
		v->worst = x;
	return true;
}

/* Every hidden small cell against the reader's LP. */
static bool judge(const struct dc_history *h, struct reader *r, struct verdict *v)
{
	for (size_t t = 0; t < r->ntargets; t++) {
		const struct target *tg = &r->targets[t];
		const struct sum *s = &r->sums[tg->sum];
		v->positive += s->lo > EPS;
		if (s->hi - s->lo < (double)tg->k - EPS && !expose(h, r, tg, v))
			return false;
	}
	return true;
}

/* Attacks every state of h. */
static void attack(const struct dc_history *h, struct verdict *v)
{
	struct reader r;

	memset(v, 0, sizeof *v);
	v->failed = !reader_make(&r, h) || !solve_targets(&r, h->nvalues) || !judge(h, &r, v);
	v->targets = r.ntargets;
	v->present = r.present;
	v->published = r.published;
	v->mismatched = r.mismatched;
	v->exact = r.exact;
	v->disagreed = r.disagreed;
	reader_free(&r);
	glp_free_env();
}

/* The reader's interval of one cell of one state (lo = hi = -1 when it
 * is no hidden small cell or the attack failed). */
static void interval_of(const struct dc_history *h, size_t state, size_t cell, double *lo,
                        double *hi)
{
	struct reader r;
	*lo = *hi = -1;
	if (reader_make(&r, h) && solve_targets(&r, h->nvalues))
		for (size_t t = 0; t < r.ntargets; t++)
			if (r.targets[t].state == state && r.targets[t].cell == cell) {
				*lo = r.sums[r.targets[t].sum].lo;
				*hi = r.sums[r.targets[t].sum].hi;
			}
	reader_free(&r);
	glp_free_env();
}

/* ---- reproducers -------------------------------------------------------- */

/* Prints states 0..n-1 of a history as literals for a test like test_time.c:
 * per state k, kind, leaf ids, the counts (-1 not reported, -2 not part of
 * the table) and the picture of what was published. */
static void dump(const struct fx *f, size_t n)
{
	char pic[PICTURE_MAX];
	for (size_t i = 0; i < n; i++) {
		const struct dc_state *s = &f->states[i];
		char line[1024];
		size_t len = 0;
		diag("state %zu: k %lld, %s, %s", i, s->k, s->kind == DC_FLOW ? "flow" : "stock",
		     s->total ? "a total row" : "one row");
		for (size_t l = 0; l < s->nleaves; l++)
			len += (size_t)snprintf(line + len, sizeof line - len, " %d", f->leaf_id[i][l]);
		diag("  leaf ids%s; picture %s", line, fx_picture(f, i, pic));
		len = 0;
		for (size_t l = 0; l < s->nleaves; l++) {
			long long v[4];
			for (size_t q = 0; q < 4; q++) {
				long u = s->unknowns[l * 4 + q];
				v[q] = u >= 0 ? f->values[u] : u == DC_NONE ? -1 : -2;
			}
			len += (size_t)snprintf(line + len, sizeof line - len, "%s{ %lld, %lld, %lld, %lld }",
			                        l ? ", " : "", v[0], v[1], v[2], v[3]);
		}
		diag("  { %s }", line);
	}
}

/* An exposed cell, the fewest states that expose such a cell (any, or
 * with worse, one that is not `already`), and those states as literals. */
static void report(const struct fx *f, uint64_t seed, const struct verdict *v, bool worse)
{
	struct dc_history prefix = f->h;
	struct verdict pv = *v;

	if (v->failed) {
		diag("seed %#llx: the attack could not be made", (unsigned long long)seed);
		return;
	}
	for (prefix.nstates = 1; prefix.nstates < f->h.nstates; prefix.nstates++) {
		attack(&prefix, &pv);
		if (worse ? pv.worse > 0 : pv.exposed > 0)
			break;
	}
	if (prefix.nstates == f->h.nstates)
		pv = *v;
	const struct exposure *x = worse ? &pv.worst : &pv.first;
	diag("seed %#llx: state %zu, row %zu, column %zu, value %lld, k %lld: [%g, %g] from "
	     "states 0..%zu (width %g from the states before it)", (unsigned long long)seed,
	     x->t.state, x->t.cell / DC_NCOLS, x->t.cell % DC_NCOLS, x->t.value, x->t.k, x->lo,
	     x->hi, prefix.nstates - 1, x->was);
	dump(f, prefix.nstates);
}

/* ---- planted leaks ------------------------------------------------------ */

/* Whether the attack pins cell `cell` of state `state` at its value. */
static bool pinned(const struct dc_history *h, size_t state, size_t cell, long long value)
{
	double lo, hi;
	interval_of(h, state, cell, &lo, &hi);
	return fabs(lo - (double)value) < EPS && fabs(hi - (double)value) < EPS;
}

/* The cells of the relation of a target's row (col false) or column that
 * holds it, when that relation's sum has a value (then every part has one);
 * 0 when there is none. */
static size_t relation(const struct dc_state *s, size_t cell, bool col, size_t *out)
{
	size_t row = cell / DC_NCOLS, c = cell % DC_NCOLS, rows = cells_of(s) / DC_NCOLS, n = 0;
	long u[FX_LEAVES * 4];
	size_t total = col ? (rows - 1) * DC_NCOLS + c : row * DC_NCOLS + DC_YEAR;

	if ((col && !s->total) || (!col && s->kind == DC_STOCK && c < 3) ||
	    cell_sum(s, total, u) == 0)
		return 0;
	for (size_t i = 0; i < (col ? rows : DC_NCOLS); i++) {
		size_t member = col ? i * DC_NCOLS + c : row * DC_NCOLS + i;
		if (col || s->kind == DC_FLOW || i >= 3)
			if (cell_sum(s, member, u) > 0)
				out[n++] = member;
	}
	return n;
}

/* Publishes, in the target's state, every other hidden cell of a relation
 * that holds it; false when it is in no relation whose sum has a value.
 * The saved statuses are for the caller to put back. */
static bool plant_partners(struct fx *f, const struct target *t, enum dc_cell *saved)
{
	struct dc_state *s = &f->states[t->state];
	size_t cells[FX_CELLS], n = relation(s, t->cell, true, cells);

	if (n == 0)
		n = relation(s, t->cell, false, cells);
	if (n == 0)
		return false;
	memcpy(saved, s->cells, cells_of(s) * sizeof *saved);
	for (size_t i = 0; i < n; i++)
		if (cells[i] != t->cell && s->cells[cells[i]] == DC_HIDDEN)
			s->cells[cells[i]] = DC_PUBLISHED;
	return true;
}

/* Whether two cells of two states sum the same unknowns. */
static bool same_sum(const struct fx *f, size_t i, size_t a, size_t j, size_t b)
{
	long ua[FX_LEAVES * 4], ub[FX_LEAVES * 4];
	size_t na = cell_sum(&f->states[i], a, ua), nb = cell_sum(&f->states[j], b, ub);
	return na > 0 && na == nb && memcmp(ua, ub, na * sizeof *ua) == 0;
}

/* Publishes, in another state, a hidden cell with the target's unknowns;
 * the state it changed, or SIZE_MAX when no other state hides them. */
static size_t plant_twin(struct fx *f, const struct target *t)
{
	for (size_t j = 0; j < f->h.nstates; j++)
		for (size_t c = 0; j != t->state && c < cells_of(&f->states[j]); c++)
			if (f->states[j].cells[c] == DC_HIDDEN && same_sum(f, t->state, t->cell, j, c)) {
				f->states[j].cells[c] = DC_PUBLISHED;
				return j * FX_CELLS + c;
			}
	return SIZE_MAX;
}

/* Whether cell c of state j was hidden by the search as a partner: hidden,
 * not small there, and its unknowns hidden in no earlier state (else it was
 * kept from there). */
static bool secondary(const struct fx *f, size_t j, size_t c)
{
	const struct dc_state *s = &f->states[j];
	long u[FX_LEAVES * 4];
	long long v = 0;

	if (s->cells[c] != DC_HIDDEN)
		return false;
	for (size_t i = 0, n = cell_sum(s, c, u); i < n; i++)
		v += f->values[u[i]];
	if (v >= 1 && v < s->k)
		return false;
	for (size_t i = 0; i < j; i++)
		for (size_t d = 0; d < cells_of(&f->states[i]); d++)
			if (f->states[i].cells[d] == DC_HIDDEN && same_sum(f, j, c, i, d))
				return false;
	return true;
}

/* The tallies of the planted leaks. */
struct planted {
	size_t partners;        /* a target's relation partners published */
	size_t partners_found;  /* of which the attacker pinned the target */
	size_t twins;           /* a target's unknowns published in another state */
	size_t twins_found;     /* of which pinned */
	size_t seconds;         /* one secondary cell published */
	size_t seconds_found;   /* of which some small cell was narrowed below k */
	uint64_t first_miss;    /* the seed of the first miss, 0 for none */
};

/* Plants the two leaks around one random target of a history. */
static void plant_target(struct fx *f, uint64_t *rng, struct planted *p, uint64_t seed)
{
	struct reader r;
	enum dc_cell saved[FX_CELLS];

	if (!reader_make(&r, &f->h) || r.ntargets == 0) {
		reader_free(&r);
		return;
	}
	struct target t = r.targets[sim_below(rng, (unsigned)r.ntargets)];
	reader_free(&r);
	if (plant_partners(f, &t, saved)) {
		bool found = pinned(&f->h, t.state, t.cell, t.value);
		p->partners++;
		p->partners_found += found;
		p->first_miss = !found && !p->first_miss ? seed : p->first_miss;
		memcpy(f->states[t.state].cells, saved, cells_of(&f->states[t.state]) * sizeof *saved);
	}
	size_t where = plant_twin(f, &t);
	if (where != SIZE_MAX) {
		bool found = pinned(&f->h, t.state, t.cell, t.value);
		p->twins++;
		p->twins_found += found;
		p->first_miss = !found && !p->first_miss ? seed : p->first_miss;
		f->states[where / FX_CELLS].cells[where % FX_CELLS] = DC_HIDDEN;
	}
}

/* Publishes one random secondary cell of a state that did not fall back,
 * in a history where nothing is exposed: the attacker must narrow some
 * small cell below k, or learn of one more that it is above 0 (the
 * library's pruning keeps a secondary only when the audit, which checks
 * both, fails without it). */
static void plant_secondary(struct fx *f, const struct sim *s, uint64_t *rng,
                            struct planted *p, uint64_t seed)
{
	size_t cand[FX_STATES * 8], n = 0;
	struct verdict v;

	for (size_t j = 0; j < f->h.nstates; j++)
		for (size_t c = 0; !s->fell_back[j] && c < cells_of(&f->states[j]); c++)
			if (n < sizeof cand / sizeof *cand && secondary(f, j, c))
				cand[n++] = j * FX_CELLS + c;
	if (n == 0)
		return;
	size_t pick = cand[sim_below(rng, (unsigned)n)];
	enum dc_cell *cell = &f->states[pick / FX_CELLS].cells[pick % FX_CELLS];
	attack(&f->h, &v);
	size_t positive = v.positive;
	*cell = DC_PUBLISHED;
	attack(&f->h, &v);
	*cell = DC_HIDDEN;
	bool found = v.exposed > 0 || v.positive > positive;
	p->seconds++;
	p->seconds_found += found;
	p->first_miss = !found && !p->first_miss ? seed : p->first_miss;
}

/* ---- the old patterns of test_time.c ----------------------------------- */

/* Q4 last: the old aggregator hid a Q1, b Q1, a Q4, b Q4 and published a's
 * year; with a Q1 from the earlier state, a Q4 = 38 - 10 - 12 - 14 = 2. */
static void test_old_q4_last(void)
{
	static const long long s1[4][4] = { { 10, -1, -1, -1 }, { 11, -1, -1, -1 },
	                                    { 20, -1, -1, -1 }, { 30, -1, -1, -1 } };
	static const long long s2[4][4] = { { 10, 12, -1, -1 }, { 11, 13, -1, -1 },
	                                    { 20, 21, -1, -1 }, { 30, 31, -1, -1 } };
	static const long long s3[4][4] = { { 10, 12, 14, -1 }, { 11, 13, 15, -1 },
	                                    { 20, 21, 22, -1 }, { 30, 31, 32, -1 } };
	static const long long s4[4][4] = { { 10, 12, 14, 2 }, { 11, 13, 15, 16 },
	                                    { 20, 21, 22, 23 }, { 30, 31, 32, 33 } };
	static struct fx f;

	fx_init(&f);
	fx_add(&f, 4, true, DC_FLOW, 5, s1, NULL);
	fx_draw(&f, 0, ".----/.----/.----/.----/.----");
	fx_add(&f, 4, true, DC_FLOW, 5, s2, NULL);
	fx_draw(&f, 1, "..---/..---/..---/..---/..---");
	fx_add(&f, 4, true, DC_FLOW, 5, s3, NULL);
	fx_draw(&f, 2, "...--/...--/...--/...--/...--");
	fx_add(&f, 4, true, DC_FLOW, 5, s4, NULL);
	fx_draw(&f, 3, "h..hh/h..h./...../...../.....");
	ok(pinned(&f.h, 3, 3, 2), "attacker: the old pattern of Q4 last pins a's Q4 at 2");
	fx_draw(&f, 3, "...hh/...hh/...../...../.....");
	double lo, hi;
	interval_of(&f.h, 3, 3, &lo, &hi);
	ok(fabs(lo) < EPS && fabs(hi - 18) < EPS, "attacker: the protected pattern leaves "
	   "a's Q4 in [0, 18] (got [%g, %g])", lo, hi);
}

/* A published 10 revised to 3: the two states' totals give the 3. */
static void test_old_revised_down(void)
{
	static const long long s1[3][4] = { { 10, 12, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 } };
	static const long long s2[3][4] = { { 3, 12, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 } };
	static struct fx f;

	fx_init(&f);
	fx_add(&f, 3, true, DC_FLOW, 5, s1, NULL);
	fx_draw(&f, 0, "...../...../...../.....");
	fx_add(&f, 3, true, DC_FLOW, 5, s2, NULL);
	fx_draw(&f, 1, "hh.../hh.../...../.....");
	ok(pinned(&f.h, 1, 0, 3), "attacker: the old pattern of 10 revised to 3 pins the 3");
}

/* A new district with no reports: the first state's totals and the
 * re-protected state's published partners give a's 3. */
static void test_old_catalogue(void)
{
	static const long long s1[3][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 }, { 8, 10, 9, 10 } };
	static const long long s2[4][4] = { { 7, 3, 9, 12 }, { 6, 5, 11, 10 },
	                                    { 8, 10, 9, 10 }, { -1, -1, -1, -1 } };
	static struct fx f;
	struct verdict v;

	fx_init(&f);
	fx_add(&f, 3, true, DC_FLOW, 5, s1, NULL);
	fx_draw(&f, 0, "hh.../hh.../...../.....");
	fx_add(&f, 4, true, DC_FLOW, 5, s2, NULL);
	fx_draw(&f, 1, "hh..h/.h..h/...../-----/-----");
	attack(&f.h, &v);
	ok(v.exposed > 0 && v.first.t.value == 3,
	   "attacker: the old re-protection after a new district gives the 3 away");
}

/* The smallest case of a raised k over a cell hidden before. At k = 5 the
 * 1 and the 4 hide together and a's 1 is in [0, 5]: wide enough. The
 * catalogue raises k to 10 and nothing else changes: every cell is seen or
 * kept, nothing new can be hidden, and the 1 stays in [0, 5], narrower
 * than 10: what the first state published cannot be taken back. The rule
 * for such a cell is that it gets no narrower than the earlier states
 * leave it; so the state passes without falling back, and so does the
 * next quarter, which publishes its new cells as at any k. (Before this
 * rule the old cell stayed a target at 10 that nothing could widen, and
 * every later state of the table fell back to hiding all its new cells.) */
static void test_k_raised_kept(void)
{
	static const long long s1[3][4] = { { 1, -1, -1, -1 }, { 4, -1, -1, -1 },
	                                    { 8, -1, -1, -1 } };
	static const long long s3[3][4] = { { 1, 20, -1, -1 }, { 4, 30, -1, -1 },
	                                    { 8, 40, -1, -1 } };
	static struct fx f;
	char pic[PICTURE_MAX];
	double lo, hi;

	fx_init(&f);
	is_int(fx_next(&f, 3, DC_FLOW, 5, s1), DC_OK, "k raised: the first state");
	is_str(fx_picture(&f, 0, pic), "h----/h----/.----/.----", "k raised: 1 and 4 hidden");
	is_int(fx_next(&f, 3, DC_FLOW, 10, s1), DC_OK, "k raised: the same at 10");
	ok(f.last.passed && !f.last.fallback, "k raised: the state passes without falling back");
	interval_of(&f.h, 1, 0, &lo, &hi);
	ok(lo == 0 && hi == 5, "k raised: a's 1, kept hidden, is no narrower than the first state "
	   "left it: [%g, %g]", lo, hi);
	is_int(fx_next(&f, 3, DC_FLOW, 10, s3), DC_OK, "k raised: the next quarter");
	ok(f.last.passed && !f.last.fallback, "k raised: the next quarter passes without falling "
	   "back (%s)", fx_picture(&f, 2, pic));
	interval_of(&f.h, 2, 0, &lo, &hi);
	ok(lo == 0 && hi == 5, "k raised: a's 1 is still [%g, %g] after it", lo, hi);
}

/* ---- the simulated years ------------------------------------------------ */

/* The figures of the whole run. */
struct figures {
	size_t years;            /* table-years simulated */
	size_t states;           /* states protected */
	size_t present;          /* cells with a value, over every state */
	size_t published;        /* of which published */
	size_t targets;          /* hidden small cells, over every state */
	size_t positive;         /* of which the reader knows are above 0 */
	size_t exposed;          /* hidden small cells narrowed below the k of their state */
	size_t already;          /* of which already that narrow against the states before */
	size_t raised;           /* of these, in a state that raised k */
	size_t worse;            /* exposed and not `already` */
	size_t exposed_years;    /* years with an exposed cell */
	uint64_t first_exposed;  /* the seed of the first, or 0 */
	size_t exact;            /* intervals confirmed by the exact simplex */
	size_t disagreed;        /* of which the presolved simplex had otherwise */
	size_t mismatched;       /* cells the attacker and the library disagree have a value */
	size_t fallbacks;        /* states where dc_protect fell back */
	size_t fallbacks_raised; /* of which at or after a raised k */
	size_t present_raised;   /* cells with a value in states at or after a raised k */
	size_t published_raised; /* of which published */
	size_t max_states;       /* the most states of one year */
	size_t unpassed;         /* states whose audit did not pass */
	size_t unpassed_plain;   /* of which without the fallback */
	size_t not_ok;           /* years where a dc_protect did not return DC_OK */
	size_t earlier_changed;  /* protections that changed an earlier state */
	size_t differed;         /* years that gave other cells when simulated again */
	unsigned events[8];      /* states per kind of event */
	uint64_t first_bad;      /* the seed of the first year with any of the above, or 0 */
};

static void tally(struct figures *fg, const struct sim *s, const struct verdict *v,
                  uint64_t seed)
{
	fg->years++;
	fg->states += s->f->h.nstates;
	fg->present += v->present;
	fg->published += v->published;
	fg->targets += v->targets;
	fg->positive += v->positive;
	fg->exposed += v->exposed;
	fg->already += v->already;
	fg->raised += v->raised;
	fg->worse += v->worse;
	fg->exposed_years += v->exposed > 0;
	if (v->exposed && !fg->first_exposed)
		fg->first_exposed = seed;
	fg->exact += v->exact;
	fg->disagreed += v->disagreed;
	fg->mismatched += v->mismatched;
	fg->fallbacks += s->fallbacks;
	fg->fallbacks_raised += s->fallbacks_raised;
	for (size_t i = 0; i < s->f->h.nstates; i++)
		for (size_t c = 0; s->raised[i] && c < cells_of(&s->f->states[i]); c++) {
			fg->present_raised += s->f->states[i].cells[c] != DC_MISSING;
			fg->published_raised += s->f->states[i].cells[c] == DC_PUBLISHED;
		}
	if (s->f->h.nstates > fg->max_states)
		fg->max_states = s->f->h.nstates;
	fg->unpassed += s->unpassed;
	fg->unpassed_plain += s->unpassed_plain;
	fg->not_ok += s->status != DC_OK;
	fg->earlier_changed += s->earlier_changed;
	for (size_t e = 0; e < 8; e++)
		fg->events[e] += s->events[e];
	if (!fg->first_bad && (s->status != DC_OK || s->unpassed_plain || s->earlier_changed ||
	                       v->mismatched))
		fg->first_bad = seed;
}

/* Whether the same seed simulated and protected again gives the same cells. */
static bool same_again(const struct fx *f, uint64_t seed, struct sim *s2, struct fx *f2)
{
	sim_year(s2, seed, f2);
	if (f2->h.nstates != f->h.nstates)
		return false;
	for (size_t i = 0; i < f->h.nstates; i++)
		if (memcmp(f->cells[i], f2->cells[i], cells_of(&f->states[i]) * sizeof **f->cells))
			return false;
	return true;
}

/* One table-year: simulated and protected, attacked, leaks planted. */
static void year(size_t n, struct sim *s, struct fx *f, struct sim *s2, struct fx *f2,
                 struct figures *fg, struct planted *p)
{
	uint64_t seed = SEED + n, rng = seed ^ 0x91e10da5c79e7b1dull;
	struct verdict v;

	sim_year(s, seed, f);
	attack(&f->h, &v);
	tally(fg, s, &v, seed);
	if (!ok(!v.failed && v.worse == 0, "year %zu (seed %#llx, %zu states, %zu hidden small "
	        "cells): none narrower than k, but %zu narrower already before their state",
	        n, (unsigned long long)seed, f->h.nstates, v.targets, v.already))
		report(f, seed, &v, true);
	if (!same_again(f, seed, s2, f2)) {
		fg->differed++;
		fg->first_bad = fg->first_bad ? fg->first_bad : seed;
	}
	plant_target(f, &rng, p, seed);
	if (v.exposed == 0)
		plant_secondary(f, s, &rng, p, seed);
}

static void print_figures(const struct figures *fg, double seconds)
{
	static const char *names[7] = { "arrivals", "late reports", "revisions", "k changes",
	                                "districts added", "districts ended", "unchanged" };
	char line[512];
	size_t len = 0;

	diag("%zu table-years, %zu states (up to %zu a year), %zu cells with a value; %.1f%% "
	     "of them published", fg->years, fg->states, fg->max_states, fg->present,
	     fg->present ? 100.0 * (double)fg->published / (double)fg->present : 0);
	diag("%zu hidden small cells (over every state); the reader knows %zu of them "
	     "(%.1f%%) are above 0", fg->targets, fg->positive,
	     fg->targets ? 100.0 * (double)fg->positive / (double)fg->targets : 0);
	diag("fallbacks %zu (at or after a raised k: %zu); states not passed %zu (of which "
	     "without the fallback %zu)", fg->fallbacks, fg->fallbacks_raised, fg->unpassed,
	     fg->unpassed_plain);
	diag("at or after a raised k: %zu cells with a value, %.1f%% of them published",
	     fg->present_raised, fg->present_raised ? 100.0 * (double)fg->published_raised /
	                                               (double)fg->present_raised : 0);
	diag("intervals confirmed by the exact simplex %zu, of which the presolved simplex "
	     "disagreed on %zu", fg->exact, fg->disagreed);
	for (size_t e = 0; e < 7; e++)
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %u", e ? ", " : "",
		                        names[e], fg->events[e]);
	diag("states made by: %s", line);
	diag("%.1f s of CPU", seconds);
}

/* The model's requirement over the whole run: every hidden small cell of
 * every state at least the k of its state wide, but for cells a raised k
 * found already narrower (they must be no narrower, which the per-year
 * lines check). The first year with any other exposure is drawn as
 * literals. */
static void check_strict(const struct figures *fg, struct sim *s, struct fx *f)
{
	struct verdict v;

	diag("hidden small cells narrower than the k of their state: %zu in %zu years, all "
	     "hidden before a raise of k: %zu", fg->exposed, fg->exposed_years, fg->raised);
	if (is_int(fg->exposed - fg->raised, 0, "every hidden small cell of every state is at "
	           "least the k of its state wide, but for %zu cells narrower already before a "
	           "raise of k (and no narrower since)", fg->raised) &&
	    is_int(fg->raised, fg->already, "those were all that narrow before their state"))
		return;
	sim_year(s, fg->first_exposed, f);
	attack(&f->h, &v);
	report(f, fg->first_exposed, &v, false);
}

static void check_figures(const struct figures *fg, const struct planted *p)
{
	if (fg->first_bad)
		diag("first year with a failure below: seed %#llx", (unsigned long long)fg->first_bad);
	is_int(fg->not_ok, 0, "every dc_protect returned DC_OK");
	is_int(fg->unpassed_plain, 0, "every state passed the library's audit or fell back");
	is_int(fg->earlier_changed, 0, "no protection changed an earlier state's cells");
	is_int(fg->differed, 0, "every year simulated and protected again gives the same cells");
	is_int(fg->mismatched, 0, "the attacker's cells have a value exactly where the "
	       "library's are not missing");
	if (p->first_miss)
		diag("first planted leak missed: seed %#llx", (unsigned long long)p->first_miss);
	ok(p->partners >= YEARS / 2 && p->partners_found == p->partners, "attacker: pins a "
	   "small cell whose relation partners are published (%zu of %zu)", p->partners_found,
	   p->partners);
	ok(p->twins >= YEARS / 10 && p->twins_found == p->twins, "attacker: pins a small cell "
	   "whose unknowns another state publishes (%zu of %zu)", p->twins_found, p->twins);
	ok(p->seconds >= YEARS / 2 && p->seconds_found == p->seconds, "attacker: one secondary "
	   "cell published narrows a small cell below k or shows one above 0 (%zu of %zu)",
	   p->seconds_found, p->seconds);
}

int main(void)
{
	struct sim *s = malloc(sizeof *s), *s2 = malloc(sizeof *s2);
	struct fx *f = malloc(sizeof *f), *f2 = malloc(sizeof *f2);
	struct figures fg = { 0 };
	struct planted p = { 0 };
	clock_t start = clock();

	if (!s || !s2 || !f || !f2)
		tap_skip_all("out of memory");
	test_old_q4_last();
	test_old_revised_down();
	test_old_catalogue();
	test_k_raised_kept();
	for (size_t n = 0; n < YEARS; n++)
		year(n, s, f, s2, f2, &fg, &p);
	check_figures(&fg, &p);
	check_strict(&fg, s, f);
	print_figures(&fg, (double)(clock() - start) / CLOCKS_PER_SEC);
	free(s);
	free(s2);
	free(f);
	free(f2);
	return tap_done();
}
