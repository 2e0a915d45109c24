/* Disclosure audit by linear programming.
 *
 * The LP has one variable per suppressed cell, bounded below by 0, and one
 * equality row per published relation that contains a suppressed cell: the
 * suppressed cells keep their coefficient (+1 for a part, -1 for the total)
 * and the published values move to the right-hand side. Relations with a
 * missing cell are left out because the reader cannot know they hold.
 * Minimising and then maximising each variable gives the interval a reader
 * can deduce for that cell. The LP is built once per audit and only the
 * objective changes from cell to cell.
 *
 * GLPK keeps its environment per thread (thread-local storage in Debian's
 * build), so audits may run in several threads at once; each call releases
 * it before returning (see lp_free). */
#include "audit.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Bounds within this of an integer are that integer: the relations of a
 * two-way table with margins form a network matrix, so the LP optimum is
 * integral and anything else is rounding noise from the simplex. */
#define AUDIT_EPS 1e-6

/* The LP of one table and the mapping from cells to its columns. */
struct lp {
	glp_prob *prob;  /* owned */
	int *col;        /* owned; per cell its GLPK column (from 1), 0 when not a variable */
	int *ind;        /* owned scratch for one row: column numbers from index 1 */
	double *val;     /* owned scratch for one row: coefficients from index 1 */
};

bool cell_is_suppressed(enum cell_status s)
{
	return s == CELL_PRIMARY || s == CELL_SECONDARY;
}

const char *cell_status_name(enum cell_status s)
{
	switch (s) {
	case CELL_PUBLISHED:
		return "published";
	case CELL_PRIMARY:
	case CELL_SECONDARY:
		return "suppressed";
	case CELL_MISSING:
		break;
	}
	return "missing";
}

const char *audit_status_message(enum audit_status s)
{
	switch (s) {
	case AUDIT_OK:
		return "ok";
	case AUDIT_NOMEM:
		return "out of memory";
	case AUDIT_INCONSISTENT:
		return "the table's values do not satisfy its relations";
	case AUDIT_SOLVER:
		break;
	}
	return "the LP solver failed";
}

bool linked_relation_published(const struct linked_table *t, const struct linked_relation *r)
{
	if (t->cells[r->total].status == CELL_MISSING)
		return false;
	for (size_t i = 0; i < r->nparts; i++)
		if (t->cells[r->parts[i]].status == CELL_MISSING)
			return false;
	return true;
}

/* True when a published relation holds with the true values. */
static bool relation_adds_up(const struct linked_table *t, const struct linked_relation *r)
{
	long long sum = 0;
	for (size_t i = 0; i < r->nparts; i++)
		sum += t->cells[r->parts[i]].value;
	return sum == t->cells[r->total].value;
}

enum audit_status audit_check(const struct linked_table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].status != CELL_MISSING && t->cells[i].value < 0)
			return AUDIT_INCONSISTENT;
	for (size_t r = 0; r < t->nrels; r++)
		if (linked_relation_published(t, &t->rels[r]) && !relation_adds_up(t, &t->rels[r]))
			return AUDIT_INCONSISTENT;
	return AUDIT_OK;
}

/* Frees the LP and the thread's GLPK environment with it: GLPK keeps one
 * per thread, and a thread that ends without glp_free_env loses about 40 KB
 * (libmicrohttpd may run a thread per connection). Creating it again costs
 * nothing measurable. */
static void lp_free(struct lp *lp)
{
	if (lp->prob)
		glp_delete_prob(lp->prob);
	free(lp->col);
	free(lp->ind);
	free(lp->val);
	*lp = (struct lp){ NULL, NULL, NULL, NULL };
	glp_free_env();
}

/* One variable x >= 0 per suppressed cell. */
static void lp_add_columns(const struct linked_table *t, struct lp *lp)
{
	int n = 0;
	for (size_t i = 0; i < t->ncells; i++)
		if (cell_is_suppressed(t->cells[i].status))
			lp->col[i] = ++n;
	if (n == 0)
		return;
	glp_add_cols(lp->prob, n);
	for (int j = 1; j <= n; j++)
		glp_set_col_bnds(lp->prob, j, GLP_LO, 0.0, 0.0);
}

/* Adds coef * cell to the row being built: a variable keeps its coefficient,
 * a published value moves to the right-hand side. */
static void lp_term(const struct linked_table *t, struct lp *lp, size_t cell,
                    double coef, int *len, double *rhs)
{
	if (lp->col[cell]) {
		++*len;
		lp->ind[*len] = lp->col[cell];
		lp->val[*len] = coef;
	} else {
		*rhs -= coef * (double)t->cells[cell].value;
	}
}

/* The row sum(parts) - total = 0, unless no cell in it is suppressed. */
static void lp_add_row(const struct linked_table *t, struct lp *lp,
                       const struct linked_relation *r)
{
	int len = 0;
	double rhs = 0;
	lp_term(t, lp, r->total, -1.0, &len, &rhs);
	for (size_t i = 0; i < r->nparts; i++)
		lp_term(t, lp, r->parts[i], 1.0, &len, &rhs);
	if (len == 0)
		return;
	int row = glp_add_rows(lp->prob, 1);
	glp_set_row_bnds(lp->prob, row, GLP_FX, rhs, rhs);
	glp_set_mat_row(lp->prob, row, len, lp->ind, lp->val);
}

/* The longest relation, counting its total. */
static size_t longest_relation(const struct linked_table *t)
{
	size_t max = 1;
	for (size_t r = 0; r < t->nrels; r++)
		if (t->rels[r].nparts + 1 > max)
			max = t->rels[r].nparts + 1;
	return max;
}

static enum audit_status lp_build(const struct linked_table *t, struct lp *lp)
{
	size_t width = longest_relation(t) + 1;

	*lp = (struct lp){ NULL, NULL, NULL, NULL };
	lp->col = calloc(t->ncells ? t->ncells : 1, sizeof *lp->col);
	lp->ind = malloc(width * sizeof *lp->ind);
	lp->val = malloc(width * sizeof *lp->val);
	if (!lp->col || !lp->ind || !lp->val) {
		lp_free(lp);
		return AUDIT_NOMEM;
	}
	lp->prob = glp_create_prob();
	lp_add_columns(t, lp);
	for (size_t r = 0; r < t->nrels; r++)
		if (linked_relation_published(t, &t->rels[r]))
			lp_add_row(t, lp, &t->rels[r]);
	return AUDIT_OK;
}

/* Snaps v to an integer when it is within rounding noise of one. */
static double snap(double v)
{
	double r = round(v);
	return fabs(v - r) < AUDIT_EPS ? r : v;
}

/* Reads the outcome of one glp_simplex call. The true values are a feasible
 * point (audit_check ran first), so "no feasible solution" means the
 * relations contradict each other and "no dual feasible solution" (the
 * presolver's way of saying so, should it ever be turned on) means the
 * maximum is unbounded. */
static enum audit_status lp_outcome(glp_prob *p, int ret, int dir, double *out)
{
	double unbounded = dir == GLP_MAX ? INFINITY : -INFINITY;

	if (ret == GLP_ENOPFS)
		return AUDIT_INCONSISTENT;
	if (ret == GLP_ENODFS) {
		*out = unbounded;
		return AUDIT_OK;
	}
	if (ret != 0)
		return AUDIT_SOLVER;
	switch (glp_get_status(p)) {
	case GLP_OPT:
		*out = snap(glp_get_obj_val(p));
		return AUDIT_OK;
	case GLP_UNBND:
		*out = unbounded;
		return AUDIT_OK;
	case GLP_NOFEAS:
		return AUDIT_INCONSISTENT;
	default:
		return AUDIT_SOLVER;
	}
}

/* Minimises (GLP_MIN) or maximises (GLP_MAX) one column. */
static enum audit_status lp_bound(struct lp *lp, int col, int dir, double *out)
{
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	/* Without the presolver each solve starts from the basis the last one
	 * left: the maximum after the minimum, and the next cell after this
	 * one, take a few pivots instead of a solve from scratch. */
	parm.presolve = GLP_OFF;
	glp_set_obj_dir(lp->prob, dir);
	glp_set_obj_coef(lp->prob, col, 1.0);
	int ret = glp_simplex(lp->prob, &parm);
	glp_set_obj_coef(lp->prob, col, 0.0);
	return lp_outcome(lp->prob, ret, dir, out);
}

/* The interval of one suppressed cell and whether it exposes the cell. */
static enum audit_status lp_interval(const struct linked_table *t, struct lp *lp,
                                     size_t cell, struct audit_interval *out)
{
	struct audit_interval iv = { 0, 0, false };
	enum audit_status st = lp_bound(lp, lp->col[cell], GLP_MIN, &iv.lo);
	if (st == AUDIT_OK)
		st = lp_bound(lp, lp->col[cell], GLP_MAX, &iv.hi);
	if (st != AUDIT_OK)
		return st;
	iv.exposed = iv.hi - iv.lo < (double)t->k - AUDIT_EPS;
	*out = iv;
	return AUDIT_OK;
}

/* Audits every suppressed cell into rep, which has room for every cell. */
static enum audit_status audit_cells(const struct linked_table *t, struct lp *lp,
                                     struct audit_report *rep)
{
	for (size_t i = 0; i < t->ncells; i++) {
		if (!lp->col[i])
			continue;
		enum audit_status st = lp_interval(t, lp, i, &rep->cells[i]);
		if (st != AUDIT_OK)
			return st;
		rep->nsuppressed++;
		if (rep->cells[i].exposed)
			rep->nexposed++;
	}
	rep->passed = rep->nexposed == 0;
	return AUDIT_OK;
}

enum audit_status audit_run(const struct linked_table *t, struct audit_report **out)
{
	struct lp lp;
	struct audit_report *rep = NULL;
	enum audit_status st = audit_check(t);

	*out = NULL;
	if (st != AUDIT_OK)
		return st;
	st = lp_build(t, &lp);
	if (st != AUDIT_OK)
		return st;
	rep = calloc(1, sizeof *rep);
	if (rep)
		rep->cells = calloc(t->ncells ? t->ncells : 1, sizeof *rep->cells);
	if (!rep || !rep->cells) {
		st = AUDIT_NOMEM;
		goto fail;
	}
	rep->ncells = t->ncells;
	st = audit_cells(t, &lp, rep);
	if (st != AUDIT_OK)
		goto fail;
	lp_free(&lp);
	*out = rep;
	return AUDIT_OK;
fail:
	audit_report_free(rep);
	lp_free(&lp);
	return st;
}

enum audit_status audit_first_exposed(const struct linked_table *t, size_t *cell,
                                      struct audit_interval *iv)
{
	struct lp lp;
	enum audit_status st = audit_check(t);

	*cell = SIZE_MAX;
	if (st == AUDIT_OK)
		st = lp_build(t, &lp);
	if (st != AUDIT_OK)
		return st;
	for (size_t i = 0; i < t->ncells && st == AUDIT_OK; i++) {
		if (!lp.col[i])
			continue;
		st = lp_interval(t, &lp, i, iv);
		if (st == AUDIT_OK && iv->exposed) {
			*cell = i;
			break;
		}
	}
	lp_free(&lp);
	return st;
}

enum audit_status audit_cell(const struct linked_table *t, size_t cell,
                             struct audit_interval *out)
{
	struct lp lp;
	const struct linked_cell *c = &t->cells[cell];
	enum audit_status st = audit_check(t);

	if (st != AUDIT_OK)
		return st;
	if (!cell_is_suppressed(c->status)) {
		bool missing = c->status == CELL_MISSING;
		out->lo = missing ? 0 : (double)c->value;
		out->hi = missing ? INFINITY : (double)c->value;
		out->exposed = false;
		return AUDIT_OK;
	}
	st = lp_build(t, &lp);
	if (st == AUDIT_OK)
		st = lp_interval(t, &lp, cell, out);
	lp_free(&lp);
	return st;
}

void audit_report_free(struct audit_report *r)
{
	if (!r)
		return;
	free(r->cells);
	free(r);
}
