/* Interned expressions, the equation system and its intervals; see
 * knowledge.h. */
#include "knowledge.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vec.h"

/* Bounds within this of an integer are that integer: rounding noise of the
 * simplex, which works in doubles. */
#define DC_EPS 1e-7

/* ---- interned expressions ------------------------------------------------ */

int dc_exprs_init(struct dc_exprs *ex)
{
	memset(ex, 0, sizeof *ex);
	return 0;
}

void dc_exprs_free(struct dc_exprs *ex)
{
	free(ex->units);
	free(ex->start);
	free(ex->len);
	free(ex->value);
	hashmap_free(&ex->ids);
	memset(ex, 0, sizeof *ex);
}

static uint64_t hash_units(const long *units, size_t n)
{
	uint64_t h = HASHMAP_SEED;
	for (size_t i = 0; i < n; i++)
		h = hashmap_mix(h, (uint64_t)units[i]);
	return h;
}

/* A list of unknowns looked for in the map. */
struct units_key {
	const struct dc_exprs *ex;  /* borrowed: where the ids' lists are */
	const long *units;          /* borrowed; n unknowns */
	size_t n;                   /* their count */
};

static bool same_units(size_t id, const void *key)
{
	const struct units_key *k = key;
	const struct dc_exprs *ex = k->ex;

	return ex->len[id] == k->n &&
	       memcmp(ex->units + ex->start[id], k->units, k->n * sizeof *k->units) == 0;
}

/* Room for one more expression of n unknowns; 0 or -1. */
static int reserve(struct dc_exprs *ex, size_t n)
{
	/* The three arrays of an expression share one capacity: each grows to
	 * the same new length, and the capacity moves only when all have. */
	size_t c1 = ex->cap, c2 = ex->cap, c3 = ex->cap;
	if (vec_reserve(&ex->start, &c1, ex->n + 1, sizeof *ex->start) != 0 ||
	    vec_reserve(&ex->len, &c2, ex->n + 1, sizeof *ex->len) != 0 ||
	    vec_reserve(&ex->value, &c3, ex->n + 1, sizeof *ex->value) != 0)
		return -1;
	ex->cap = c1;
	return vec_reserve(&ex->units, &ex->capunits, ex->nunits + n, sizeof *ex->units);
}

long dc_exprs_intern(struct dc_exprs *ex, const long *units, size_t n, long long value)
{
	struct units_key key = { ex, units, n };
	uint64_t hash = hash_units(units, n);
	size_t id = hashmap_find(&ex->ids, hash, same_units, &key);

	if (id != HASHMAP_NONE)
		return (long)id;
	if (reserve(ex, n) != 0 || hashmap_add(&ex->ids, hash, ex->n) != 0)
		return -1;
	memcpy(ex->units + ex->nunits, units, n * sizeof *units);
	ex->start[ex->n] = ex->nunits;
	ex->len[ex->n] = n;
	ex->value[ex->n] = value;
	ex->nunits += n;
	return (long)ex->n++;
}

/* ---- the system ------------------------------------------------------------ */

/* Per unknown, the expressions that hold it (compressed rows). */
static int build_incidence(struct dc_system *sys)
{
	const struct dc_exprs *ex = sys->ex;
	size_t u = sys->nunknowns;

	sys->inc_start = calloc(u + 1, sizeof *sys->inc_start);
	sys->inc = malloc((ex->nunits ? ex->nunits : 1) * sizeof *sys->inc);
	if (!sys->inc_start || !sys->inc)
		return -1;
	for (size_t i = 0; i < ex->nunits; i++)
		sys->inc_start[ex->units[i] + 1]++;
	for (size_t i = 0; i < u; i++)
		sys->inc_start[i + 1] += sys->inc_start[i];
	size_t *fill = calloc(u + 1, sizeof *fill);
	if (!fill)
		return -1;
	for (size_t e = 0; e < ex->n; e++)
		for (size_t j = 0; j < ex->len[e]; j++) {
			long un = ex->units[ex->start[e] + j];
			sys->inc[sys->inc_start[un] + fill[un]++] = e;
		}
	free(fill);
	return 0;
}

int dc_system_init(struct dc_system *sys, const struct dc_exprs *ex, size_t nunknowns)
{
	size_t n = ex->n ? ex->n : 1;

	memset(sys, 0, sizeof *sys);
	sys->ex = ex;
	sys->nunknowns = nunknowns;
	sys->equation = calloc(n, sizeof *sys->equation);
	sys->pinned = malloc((nunknowns ? nunknowns : 1) * sizeof *sys->pinned);
	sys->free_count = malloc(n * sizeof *sys->free_count);
	sys->rest = malloc(n * sizeof *sys->rest);
	/* An equation is queued at most once per unknown of it that is pinned
	 * (each unknown is pinned once) and once when it is added. */
	sys->queue = malloc((n + ex->nunits) * sizeof *sys->queue);
	if (!sys->equation || !sys->pinned || !sys->free_count || !sys->rest || !sys->queue ||
	    build_incidence(sys) != 0) {
		dc_system_free(sys);
		return -1;
	}
	for (size_t i = 0; i < nunknowns; i++)
		sys->pinned[i] = -1;
	for (size_t e = 0; e < ex->n; e++) {
		sys->free_count[e] = ex->len[e];
		sys->rest[e] = ex->value[e];
	}
	return 0;
}

void dc_system_free(struct dc_system *sys)
{
	free(sys->equation);
	free(sys->pinned);
	free(sys->free_count);
	free(sys->rest);
	free(sys->queue);
	free(sys->inc_start);
	free(sys->inc);
	memset(sys, 0, sizeof *sys);
}

void dc_system_copy(struct dc_system *dst, const struct dc_system *src)
{
	size_t n = src->ex->n;
	memcpy(dst->equation, src->equation, n * sizeof *dst->equation);
	memcpy(dst->pinned, src->pinned, src->nunknowns * sizeof *dst->pinned);
	memcpy(dst->free_count, src->free_count, n * sizeof *dst->free_count);
	memcpy(dst->rest, src->rest, n * sizeof *dst->rest);
	dst->nqueue = 0;
}

/* An equation that propagation can act on: one free unknown left, or
 * free unknowns whose sum must be 0. */
static bool actionable(const struct dc_system *sys, size_t e)
{
	return sys->equation[e] && sys->free_count[e] > 0 &&
	       (sys->free_count[e] == 1 || sys->rest[e] == 0);
}

/* Pins an unknown and updates every expression that holds it. */
static void pin(struct dc_system *sys, long u, long long value)
{
	sys->pinned[u] = value;
	for (size_t i = sys->inc_start[u]; i < sys->inc_start[u + 1]; i++) {
		size_t e = sys->inc[i];
		sys->free_count[e]--;
		sys->rest[e] -= value;
		if (actionable(sys, e))
			sys->queue[sys->nqueue++] = e;
	}
}

/* Acts on one queued equation: pins its last free unknown to the rest, or
 * every free unknown to 0 when the rest is 0. */
static void settle(struct dc_system *sys, size_t e)
{
	const struct dc_exprs *ex = sys->ex;
	if (!actionable(sys, e))
		return;
	long long value = sys->free_count[e] == 1 ? sys->rest[e] : 0;
	for (size_t j = 0; j < ex->len[e]; j++) {
		long u = ex->units[ex->start[e] + j];
		if (sys->pinned[u] < 0)
			pin(sys, u, value);
	}
}

void dc_system_add(struct dc_system *sys, size_t expr)
{
	if (sys->equation[expr])
		return;
	sys->equation[expr] = true;
	sys->nqueue = 0;
	if (actionable(sys, expr))
		sys->queue[sys->nqueue++] = expr;
	while (sys->nqueue > 0)
		settle(sys, sys->queue[--sys->nqueue]);
}

/* ---- intervals --------------------------------------------------------------- */

/* The part of the system an expression's free unknowns reach. */
struct component {
	long *vars;      /* owned; free unknowns, in the order found */
	size_t nvars;    /* how many */
	int *col;        /* owned; per unknown its column (from 1), 0 when not in vars */
	size_t *rows;    /* owned; reduced equations among them */
	size_t nrows;    /* how many */
	bool *seen_row;  /* owned; per expression: already in rows */
};

/* An equation that propagation could not settle: two or more free unknowns. */
static bool reduced(const struct dc_system *sys, size_t e)
{
	return sys->equation[e] && sys->free_count[e] >= 2;
}

static void component_free(struct component *c)
{
	free(c->vars);
	free(c->col);
	free(c->rows);
	free(c->seen_row);
}

static void add_var(struct component *c, long u)
{
	if (c->col[u])
		return;
	c->vars[c->nvars++] = u;
	c->col[u] = (int)c->nvars;
}

/* Breadth first from the expression's free unknowns through the reduced
 * equations. */
static int component_find(const struct dc_system *sys, size_t expr, struct component *c)
{
	const struct dc_exprs *ex = sys->ex;
	size_t n = ex->n ? ex->n : 1;

	memset(c, 0, sizeof *c);
	c->vars = malloc((sys->nunknowns ? sys->nunknowns : 1) * sizeof *c->vars);
	c->col = calloc(sys->nunknowns ? sys->nunknowns : 1, sizeof *c->col);
	c->rows = malloc(n * sizeof *c->rows);
	c->seen_row = calloc(n, sizeof *c->seen_row);
	if (!c->vars || !c->col || !c->rows || !c->seen_row)
		return -1;
	for (size_t j = 0; j < ex->len[expr]; j++) {
		long u = ex->units[ex->start[expr] + j];
		if (sys->pinned[u] < 0)
			add_var(c, u);
	}
	for (size_t next = 0; next < c->nvars; next++) {
		long u = c->vars[next];
		for (size_t i = sys->inc_start[u]; i < sys->inc_start[u + 1]; i++) {
			size_t e = sys->inc[i];
			if (!reduced(sys, e) || c->seen_row[e])
				continue;
			c->seen_row[e] = true;
			c->rows[c->nrows++] = e;
			for (size_t j = 0; j < ex->len[e]; j++) {
				long w = ex->units[ex->start[e] + j];
				if (sys->pinned[w] < 0)
					add_var(c, w);
			}
		}
	}
	return 0;
}

/* True when some free unknown of the expression is in no reduced equation:
 * it can grow without limit. */
static bool unbounded(const struct dc_system *sys, size_t expr)
{
	const struct dc_exprs *ex = sys->ex;
	for (size_t j = 0; j < ex->len[expr]; j++) {
		long u = ex->units[ex->start[expr] + j];
		if (sys->pinned[u] >= 0)
			continue;
		bool held = false;
		for (size_t i = sys->inc_start[u]; i < sys->inc_start[u + 1] && !held; i++)
			held = reduced(sys, sys->inc[i]);
		if (!held)
			return true;
	}
	return false;
}

static double snap(double v)
{
	double r = round(v);
	return fabs(v - r) < DC_EPS ? r : v;
}

/* One optimisation of the objective already set. */
static enum dc_status lp_solve(glp_prob *p, int dir, double *out)
{
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	/* Without the presolver the maximum starts from the basis the minimum
	 * left: a few pivots instead of a solve from scratch. */
	parm.presolve = GLP_OFF;
	glp_set_obj_dir(p, dir);
	if (glp_simplex(p, &parm) != 0)
		return DC_SOLVER;
	switch (glp_get_status(p)) {
	case GLP_OPT:
		*out = snap(glp_get_obj_val(p));
		return DC_OK;
	case GLP_UNBND:
		*out = dir == GLP_MAX ? INFINITY : -INFINITY;
		return DC_OK;
	default:
		return DC_SOLVER;
	}
}

/* The LP of a component: a column per free unknown (>= 0), a fixed row per
 * reduced equation over its free unknowns, the objective the expression's
 * free unknowns. */
static glp_prob *lp_make(const struct dc_system *sys, const struct component *c,
                         size_t expr)
{
	const struct dc_exprs *ex = sys->ex;
	glp_prob *p = glp_create_prob();
	int *ind = malloc((c->nvars + 1) * sizeof *ind);
	double *val = malloc((c->nvars + 1) * sizeof *val);

	if (!ind || !val) {
		free(ind);
		free(val);
		glp_delete_prob(p);
		return NULL;
	}
	glp_add_cols(p, (int)c->nvars);
	for (size_t j = 1; j <= c->nvars; j++)
		glp_set_col_bnds(p, (int)j, GLP_LO, 0.0, 0.0);
	if (c->nrows)
		glp_add_rows(p, (int)c->nrows);
	for (size_t r = 0; r < c->nrows; r++) {
		size_t e = c->rows[r];
		int len = 0;
		for (size_t j = 0; j < ex->len[e]; j++) {
			long u = ex->units[ex->start[e] + j];
			if (sys->pinned[u] < 0) {
				ind[++len] = c->col[u];
				val[len] = 1.0;
			}
		}
		glp_set_row_bnds(p, (int)r + 1, GLP_FX, (double)sys->rest[e], (double)sys->rest[e]);
		glp_set_mat_row(p, (int)r + 1, len, ind, val);
	}
	for (size_t j = 0; j < ex->len[expr]; j++) {
		long u = ex->units[ex->start[expr] + j];
		if (sys->pinned[u] < 0)
			glp_set_obj_coef(p, c->col[u], 1.0);
	}
	free(ind);
	free(val);
	return p;
}

/* The interval of the expression's free part by linear programming. */
static enum dc_status lp_bounds(const struct dc_system *sys, size_t expr, bool need_hi,
                                struct dc_bounds *out)
{
	struct component c;
	enum dc_status st = DC_NOMEM;
	glp_prob *p = NULL;

	if (component_find(sys, expr, &c) != 0 || !(p = lp_make(sys, &c, expr)))
		goto done;
	st = lp_solve(p, GLP_MIN, &out->lo);
	if (st == DC_OK && need_hi)
		st = lp_solve(p, GLP_MAX, &out->hi);
done:
	if (p)
		glp_delete_prob(p);
	component_free(&c);
	return st;
}

enum dc_status dc_system_bounds(const struct dc_system *sys, size_t expr, bool want_lo,
                                struct dc_bounds *out)
{
	double known = (double)(sys->ex->value[expr] - sys->rest[expr]);
	struct dc_bounds free_part = { 0, INFINITY };
	enum dc_status st = DC_OK;

	if (sys->free_count[expr] == 0) {
		out->lo = out->hi = known;
		return DC_OK;
	}
	bool open = unbounded(sys, expr);
	if (!open || want_lo)
		st = lp_bounds(sys, expr, !open, &free_part);
	if (st != DC_OK)
		return st;
	out->lo = known + free_part.lo;
	out->hi = known + free_part.hi;
	return DC_OK;
}
