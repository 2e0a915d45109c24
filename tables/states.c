/* Recorded states of the year tables; see states.h.
 *
 * Recording one (indicator, municipality) over some years, in one
 * transaction under its advisory lock:
 *   1. read every recorded state of those years (their rows, quarters,
 *      kind, k, where they began and what they published);
 *   2. read the history of counts of the municipality's areas over those
 *      years: every row of count_history is one unknown (a value a
 *      leaf-quarter held); a state's leaf-quarter holds the newest row at
 *      or before the state's data version;
 *   3. list the events after the newest recorded state: the submissions
 *      that wrote a count of the year, and the catalogue imports;
 *   4. at each event, in timeline order, make the table's content (the
 *      catalogue's rows then, the data then); when it differs from the
 *      state before, protect it against all the states before and insert
 *      it. */
#include "states.h"
#include "flags.h"

#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "load.h"
#include "log.h"
#include "period.h"
#include "state_cache.h"
#include "vec.h"

/* The most rows and cells a recorded state may have: a municipality of a
 * few hundred districts is far beyond any real one. */
#define STATE_MAX_LEAVES 1024
#define STATE_MAX_CELLS ((STATE_MAX_LEAVES + 1) * DC_NCOLS)

/* How a recorded cell is written in table_state.cells. */
#define CELL_MISSING_CODE (-1)
#define CELL_HIDDEN_CODE (-2)

/* ---- SQL ------------------------------------------------------------------ */

static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock($1::integer, $2::integer)";

static const char SQL_STATES[] =
	"SELECT year, data_version, catalogue_version, seq, k, kind, leaves, total, active, cells"
	"  FROM table_state"
	" WHERE indicator_id = $1 AND municipality_id = $2 AND year BETWEEN $3 AND $4"
	" ORDER BY year, data_version, catalogue_version";

static const char SQL_INSERT[] =
	"INSERT INTO table_state (indicator_id, municipality_id, year, data_version,"
	"                         catalogue_version, seq, k, kind, leaves, total, active, cells,"
	"                         hidden, passed)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::integer[], $10, $11::smallint[],"
	"         $12::integer[], $13, $14)";

/* The state of each year in force at a point: an index probe per year. */
static const struct db_statement SQL_AT = {
	"tables_at",
	"SELECT y, s.data_version, s.catalogue_version, s.k, s.leaves, s.total, s.cells,"
	"       s.hidden, s.passed"
	"  FROM generate_series($3::integer, $4::integer) y"
	" CROSS JOIN LATERAL (SELECT * FROM table_state t"
	"                      WHERE t.indicator_id = $1 AND t.municipality_id = $2"
	"                        AND t.year = y"
	"                        AND (t.data_version, t.catalogue_version) <= ($5, $6)"
	"                      ORDER BY t.data_version DESC, t.catalogue_version DESC"
	"                      LIMIT 1) s"
};

/* ---- one table's states in memory ------------------------------------------ */

/* A state of the table being recorded. */
struct rstate {
	struct point at;         /* where it began */
	int seq;                 /* its ordinal in the table, from 1 */
	struct tl_layout lay;    /* owned; rows, quarters, kind, k */
	long *unknowns;          /* owned; nleaves x 4: history row, DC_NONE or DC_INACTIVE */
	enum dc_cell *cells;     /* owned; rows x DC_NCOLS */
};

/* The states of one year. */
struct ryear {
	int year;                /* the calendar year */
	struct rstate *states;   /* owned; in timeline order */
	size_t n;                /* how many */
	size_t cap;              /* allocated */
};

/* One recording: the table's years, the history of counts, the catalogue. */
struct recording {
	struct db *db;                   /* borrowed */
	const struct catalogue *cat;     /* borrowed */
	struct timeline *tl;             /* borrowed */
	int indicator_id;                /* the table's indicator */
	int municipality_id;             /* its municipality */
	int y0;                          /* first year */
	struct ryear *years;             /* owned; y0..y1 */
	size_t nyears;                   /* y1 - y0 + 1 */
	struct load_revision *rows;      /* owned; count_history, by area, period, submission */
	size_t nrows;                    /* how many */
	long long *values;               /* owned; per row its value: the unknowns' values */
	struct record_stats *stats;      /* borrowed; may be NULL */
};

enum agg_status tables_status(enum db_status st)
{
	return st == DB_OK ? AGG_OK : st == DB_UNAVAILABLE ? AGG_UNAVAILABLE : AGG_FAILED;
}

static size_t state_rows(const struct rstate *s)
{
	return s->lay.nleaves + (s->lay.total ? 1 : 0);
}

static void rstate_free(struct rstate *s)
{
	tl_layout_free(&s->lay);
	free(s->unknowns);
	free(s->cells);
}

static void recording_free(struct recording *r)
{
	for (size_t i = 0; r->years && i < r->nyears; i++) {
		for (size_t j = 0; j < r->years[i].n; j++)
			rstate_free(&r->years[i].states[j]);
		free(r->years[i].states);
	}
	free(r->years);
	free(r->rows);
	free(r->values);
}

/* Room for one more state of a year; NULL when out of memory. */
static struct rstate *ryear_push(struct ryear *y)
{
	struct rstate *s = VEC_PUSH(y->states, y->n, y->cap);

	if (s)
		memset(s, 0, sizeof *s);
	return s;
}

/* ---- the history of counts -------------------------------------------------- */

/* The first history row of (area, period), or nrows. */
static size_t first_row(const struct recording *r, int area, int period)
{
	size_t lo = 0, hi = r->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct load_revision *x = &r->rows[mid];
		if (x->area_id < area || (x->area_id == area && x->period < period))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The unknown a leaf-quarter holds at data version s: its newest history
 * row at or before s, or DC_NONE. */
static long unknown_at(const struct recording *r, int area, int period, long long s)
{
	long found = DC_NONE;
	for (size_t i = first_row(r, area, period);
	     i < r->nrows && r->rows[i].area_id == area && r->rows[i].period == period &&
	     r->rows[i].submission <= s; i++)
		found = (long)i;
	return found;
}

/* Fills a state's unknowns from its layout and data version. */
static int fill_unknowns(const struct recording *r, int year, struct rstate *s)
{
	s->unknowns = malloc((s->lay.nleaves * 4 + 1) * sizeof *s->unknowns);
	if (!s->unknowns)
		return -1;
	for (size_t l = 0; l < s->lay.nleaves; l++)
		for (int q = 0; q < 4; q++)
			s->unknowns[l * 4 + (size_t)q] =
				s->lay.active[l] & (1u << q)
					? unknown_at(r, s->lay.leaves[l], period_make(year, q + 1), s->at.data)
					: DC_INACTIVE;
	return 0;
}

/* The areas whose counts the tables may hold: every area now under the
 * municipality (an area with counts never moves to another one: the
 * import refuses it), and every leaf of a recorded state. */
static int *history_areas(const struct recording *r, size_t *nareas)
{
	size_t n = 0, cap = r->cat->nareas + 1;
	for (size_t y = 0; y < r->nyears; y++)
		for (size_t j = 0; j < r->years[y].n; j++)
			cap += r->years[y].states[j].lay.nleaves;
	int *ids = malloc(cap * sizeof *ids);
	if (!ids)
		return NULL;
	for (size_t i = 0; i < r->cat->nareas; i++) {
		const struct cat_area *a = &r->cat->areas[i], *m = a;
		for (size_t guard = 0; m->parent >= 0 && guard < r->cat->nareas; guard++)
			m = &r->cat->areas[m->parent];
		if (m->id == r->municipality_id)
			ids[n++] = a->id;
	}
	for (size_t y = 0; y < r->nyears; y++)
		for (size_t j = 0; j < r->years[y].n; j++)
			for (size_t l = 0; l < r->years[y].states[j].lay.nleaves; l++)
				ids[n++] = r->years[y].states[j].lay.leaves[l];
	*nareas = n;
	return ids;
}

static enum db_status read_history(struct recording *r, long long to)
{
	size_t nareas = 0;
	int *areas = history_areas(r, &nareas);
	enum db_status st = DB_ERROR;
	int y1 = r->y0 + (int)r->nyears - 1;

	if (!areas)
		goto done;
	st = load_history(r->db, r->indicator_id, areas, nareas, period_make(r->y0, 1),
	                  period_make(y1, 4), to, &r->rows, &r->nrows);
	if (st != DB_OK)
		goto done;
	r->values = malloc((r->nrows + 1) * sizeof *r->values);
	if (!r->values)
		st = DB_ERROR;
	for (size_t i = 0; r->values && i < r->nrows; i++)
		r->values[i] = r->rows[i].value;
done:
	free(areas);
	return st;
}

/* ---- recorded states ---------------------------------------------------------- */

/* Parses an int[] text into a new array of its elements; -1 when malformed
 * or longer than any state's. */
static int parse_array(const char *text, long long **out, size_t *n)
{
	size_t room = 1;
	for (const char *p = text; p && *p; p++)
		room += *p == ',';
	*out = room <= STATE_MAX_CELLS ? malloc(room * sizeof **out) : NULL;
	if (!*out || db_parse_int_array(text, *out, room, n) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static enum dc_cell cell_of_code(long long code)
{
	return code == CELL_HIDDEN_CODE ? DC_HIDDEN : code == CELL_MISSING_CODE ? DC_MISSING
	                                                                       : DC_PUBLISHED;
}

/* The layout and cells of a recorded state from its row. */
static int layout_from_row(const struct db_rows *rows, int i, struct rstate *s)
{
	long long *leaves = NULL, *active = NULL, *cells = NULL;
	size_t nl = 0, na = 0, nc = 0;
	const char *kind = db_rows_text(rows, i, 5);
	int rc = -1;

	if (parse_array(db_rows_text(rows, i, 6), &leaves, &nl) != 0 ||
	    parse_array(db_rows_text(rows, i, 8), &active, &na) != 0 ||
	    parse_array(db_rows_text(rows, i, 9), &cells, &nc) != 0 || na != nl)
		goto done;
	s->lay.nleaves = nl;
	s->lay.total = db_rows_bool(rows, i, 7);
	s->lay.kind = kind && strcmp(kind, "stock") == 0 ? DC_STOCK : DC_FLOW;
	s->lay.k = db_rows_int(rows, i, 4);
	s->lay.leaves = malloc((nl + 1) * sizeof *s->lay.leaves);
	s->lay.active = malloc(nl + 1);
	s->cells = malloc((nc + 1) * sizeof *s->cells);
	if (!s->lay.leaves || !s->lay.active || !s->cells || nc != state_rows(s) * DC_NCOLS)
		goto done;
	for (size_t l = 0; l < nl; l++) {
		s->lay.leaves[l] = (int)leaves[l];
		s->lay.active[l] = (unsigned char)active[l];
	}
	for (size_t c = 0; c < nc; c++)
		s->cells[c] = cell_of_code(cells[c]);
	rc = 0;
done:
	free(leaves);
	free(active);
	free(cells);
	return rc;
}

static enum db_status read_states(struct recording *r)
{
	struct db_rows *rows;
	enum db_status st = db_exec(r->db, &rows, SQL_STATES,
	                            DB_PARAMS(DB_PARAM_INT(r->indicator_id),
	                                      DB_PARAM_INT(r->municipality_id), DB_PARAM_INT(r->y0),
	                                      DB_PARAM_INT(r->y0 + (int)r->nyears - 1)));
	if (st != DB_OK) {
		db_log_failure(r->db, "the recorded states query", st);
		return st;
	}
	for (int i = 0; i < db_rows_count(rows) && st == DB_OK; i++) {
		struct ryear *y = &r->years[db_rows_int(rows, i, 0) - r->y0];
		struct rstate *s = ryear_push(y);
		if (!s || layout_from_row(rows, i, s) != 0) {
			log_error("recorded state %d of indicator %d, municipality %d, year %d is "
			          "unreadable (or memory ran out)", (int)db_rows_int(rows, i, 3),
			          r->indicator_id, r->municipality_id, y->year);
			st = DB_ERROR;
			break;
		}
		s->at = (struct point){ db_rows_int(rows, i, 1), db_rows_int(rows, i, 2) };
		s->seq = (int)db_rows_int(rows, i, 3);
	}
	db_rows_free(rows);
	return st;
}

/* ---- events --------------------------------------------------------------------- */

static int cmp_point(const void *a, const void *b)
{
	return point_cmp(*(const struct point *)a, *(const struct point *)b);
}

/* The points after `from` and up to `to` where the year's table may change:
 * each submission that wrote a count of the year, and each import. Sorted
 * and without repeats, into a new array. */
static int events(const struct recording *r, int year, struct point from, struct point to,
                  struct point **out, size_t *n)
{
	long long *versions = NULL;
	size_t nv = 0;

	*n = 0;
	if (timeline_versions_between(r->tl, from.catalogue, to.catalogue, &versions, &nv) != 0)
		return -1;
	*out = malloc((r->nrows + nv + 1) * sizeof **out);
	if (!*out) {
		free(versions);
		return -1;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		long long s = r->rows[i].submission;
		if (period_year(r->rows[i].period) == year && s > from.data && s <= to.data)
			(*out)[(*n)++] = (struct point){ s, timeline_catalogue_of(r->tl, s) };
	}
	for (size_t i = 0; i < nv; i++)
		(*out)[(*n)++] = timeline_import_point(r->tl, versions[i]);
	free(versions);
	qsort(*out, *n, sizeof **out, cmp_point);
	size_t m = 0;
	for (size_t i = 0; i < *n; i++) {
		struct point p = (*out)[i];
		if (point_cmp(p, from) > 0 && point_cmp(p, to) <= 0 &&
		    (m == 0 || point_cmp(p, (*out)[m - 1]) != 0))
			(*out)[m++] = p;
	}
	*n = m;
	return 0;
}

/* ---- making and protecting a state ---------------------------------------------- */

static bool same_content(const struct rstate *a, const struct rstate *b)
{
	const struct tl_layout *x = &a->lay, *y = &b->lay;
	if (x->nleaves != y->nleaves || x->total != y->total || x->kind != y->kind || x->k != y->k)
		return false;
	return memcmp(x->leaves, y->leaves, x->nleaves * sizeof *x->leaves) == 0 &&
	       memcmp(x->active, y->active, x->nleaves) == 0 &&
	       memcmp(a->unknowns, b->unknowns, x->nleaves * 4 * sizeof *a->unknowns) == 0;
}

/* True when some leaf-quarter holds a count. */
static bool has_data(const struct rstate *s)
{
	for (size_t i = 0; i < s->lay.nleaves * 4; i++)
		if (s->unknowns[i] >= 0)
			return true;
	return false;
}

/* The year's content at point p, into a new state at the end of y. *made
 * is false (and nothing is added) when it is the same as the state before,
 * or when the table has no count yet. */
static enum agg_status make_state(struct recording *r, struct ryear *y, struct point p,
                                  bool *made)
{
	const struct tl_shape *sh;
	struct rstate s = { .at = p };

	*made = false;
	enum db_status st = timeline_shape(r->tl, r->db, p.catalogue, &sh);
	if (st != DB_OK)
		return tables_status(st);
	if (timeline_layout(sh, r->cat, r->indicator_id, r->municipality_id, y->year, &s.lay) != 0 ||
	    fill_unknowns(r, y->year, &s) != 0) {
		log_error("catalogue version %lld has no shape for indicator %d, municipality %d "
		          "(or memory ran out)", p.catalogue, r->indicator_id, r->municipality_id);
		rstate_free(&s);
		return AGG_FAILED;
	}
	const struct rstate *prev = y->n ? &y->states[y->n - 1] : NULL;
	if ((prev && same_content(prev, &s)) || (!prev && !has_data(&s)) || s.lay.nleaves == 0) {
		rstate_free(&s);
		return AGG_OK;
	}
	s.cells = malloc((state_rows(&s) * DC_NCOLS + 1) * sizeof *s.cells);
	struct rstate *slot = s.cells ? ryear_push(y) : NULL;
	if (!slot) {
		rstate_free(&s);
		log_error("out of memory making a table state");
		return AGG_FAILED;
	}
	s.seq = prev ? prev->seq + 1 : 1;
	*slot = s;
	*made = true;
	return AGG_OK;
}

/* The year's states as the library sees them; *h borrows from y and r. */
static struct dc_state *dc_states(const struct recording *r, const struct ryear *y,
                                  struct dc_history *h)
{
	struct dc_state *ds = malloc((y->n + 1) * sizeof *ds);
	if (!ds)
		return NULL;
	for (size_t i = 0; i < y->n; i++) {
		const struct rstate *s = &y->states[i];
		ds[i] = (struct dc_state){ s->lay.nleaves, s->lay.total, s->lay.kind, s->lay.k,
		                           s->unknowns, s->cells };
	}
	*h = (struct dc_history){ r->values, r->nrows, ds, y->n };
	return ds;
}

/* Protects the year's newest state against all the states before it;
 * *passed is false when it fell back to hiding every new cell. */
static enum agg_status protect_newest(struct recording *r, struct ryear *y, bool *passed)
{
	struct dc_history h;
	struct dc_result res;
	struct dc_state *ds = dc_states(r, y, &h);
	const struct rstate *s = &y->states[y->n - 1];

	if (!ds)
		return AGG_FAILED;
	enum dc_status st = dc_protect(&h, &res);
	free(ds);
	if (st != DC_OK) {
		log_error("protecting indicator %d, municipality %d, year %d at (%lld, %lld): %s",
		          r->indicator_id, r->municipality_id, y->year, s->at.data, s->at.catalogue,
		          dc_status_message(st));
		return AGG_FAILED;
	}
	if (res.fallback)
		log_warn("indicator %d, municipality %d, year %d at (%lld, %lld): %s",
		         r->indicator_id, r->municipality_id, y->year, s->at.data, s->at.catalogue,
		         res.why);
	log_debug("protected indicator %d, municipality %d, year %d at (%lld, %lld), state %d: "
	          "k %lld, %zu hidden (%zu primary, %zu secondary, %zu kept)%s",
	          r->indicator_id, r->municipality_id, y->year, s->at.data, s->at.catalogue, s->seq,
	          s->lay.k, res.hidden, res.primary, res.secondary, res.kept,
	          res.passed ? "" : "; the audit did not pass");
	if (r->stats) {
		r->stats->states++;
		r->stats->fallbacks += res.fallback;
		r->stats->hidden += res.hidden;
	}
	*passed = res.passed && !res.fallback;
	return AGG_OK;
}

/* ---- writing a state ---------------------------------------------------------- */

/* The published value of a cell: its value, -1 missing, -2 hidden. */
static long long cell_code(const struct recording *r, const struct rstate *s, size_t c)
{
	if (s->cells[c] == DC_MISSING)
		return CELL_MISSING_CODE;
	if (s->cells[c] == DC_HIDDEN)
		return CELL_HIDDEN_CODE;
	struct dc_state ds = { s->lay.nleaves, s->lay.total, s->lay.kind, s->lay.k, s->unknowns,
	                       s->cells };
	struct dc_history h = { r->values, r->nrows, &ds, 1 };
	return dc_value(&ds, &h, c);
}

/* The active quarters and the cells of the INSERT as int[] literals (the
 * leaves are ints already: they go as DB_PARAM_INTS). */
static int state_arrays(const struct recording *r, const struct rstate *s, struct buf *active,
                        struct buf *cells, size_t *hidden)
{
	int rc = buf_puts(active, "{") | buf_puts(cells, "{");
	*hidden = 0;
	for (size_t l = 0; l < s->lay.nleaves; l++)
		rc |= buf_printf(active, "%s%d", l ? "," : "", s->lay.active[l]);
	for (size_t c = 0; c < state_rows(s) * DC_NCOLS; c++) {
		*hidden += s->cells[c] == DC_HIDDEN;
		rc |= buf_printf(cells, "%s%lld", c ? "," : "", cell_code(r, s, c));
		if (r->stats)
			r->stats->cells += s->cells[c] != DC_MISSING;
	}
	return rc | buf_puts(active, "}") | buf_puts(cells, "}");
}

static enum db_status insert_state(struct recording *r, const struct ryear *y, bool passed)
{
	const struct rstate *s = &y->states[y->n - 1];
	struct buf active = BUF_INIT, cells = BUF_INIT;
	size_t nhidden;
	enum db_status st = DB_ERROR;

	if (state_arrays(r, s, &active, &cells, &nhidden) != 0)
		goto done;
	st = db_exec(r->db, NULL, SQL_INSERT,
	             DB_PARAMS(DB_PARAM_INT(r->indicator_id), DB_PARAM_INT(r->municipality_id),
	                       DB_PARAM_INT(y->year), DB_PARAM_INT(s->at.data),
	                       DB_PARAM_INT(s->at.catalogue), DB_PARAM_INT(s->seq),
	                       DB_PARAM_INT(s->lay.k),
	                       DB_PARAM_TEXT(s->lay.kind == DC_STOCK ? "stock" : "flow"),
	                       DB_PARAM_INTS(s->lay.leaves, s->lay.nleaves), DB_PARAM_BOOL(s->lay.total),
	                       DB_PARAM_TEXT(active.data), DB_PARAM_TEXT(cells.data),
	                       DB_PARAM_INT((long long)nhidden), DB_PARAM_BOOL(passed)));
	if (st != DB_OK)
		db_log_failure(r->db, "recording a table state", st);
done:
	buf_free(&active);
	buf_free(&cells);
	if (st == DB_ERROR && !*db_sqlstate(r->db))
		log_error("out of memory recording a table state");
	return st;
}

/* ---- recording ------------------------------------------------------------------ */

/* Makes, protects and records the year's states at its events after `from`. */
static enum agg_status record_year(struct recording *r, struct ryear *y, struct point from,
                                   struct point to)
{
	struct point *ev = NULL;
	size_t n = 0;
	enum agg_status st = AGG_OK;

	/* The recorded states need their unknowns before the new ones. */
	for (size_t i = 0; i < y->n && st == AGG_OK; i++)
		if (fill_unknowns(r, y->year, &y->states[i]) != 0)
			st = AGG_FAILED;
	if (y->n && point_cmp(y->states[y->n - 1].at, from) > 0)
		from = y->states[y->n - 1].at;
	if (st == AGG_OK && events(r, y->year, from, to, &ev, &n) != 0)
		st = AGG_FAILED;
	for (size_t i = 0; i < n && st == AGG_OK; i++) {
		bool made, passed = false;
		st = make_state(r, y, ev[i], &made);
		if (st != AGG_OK || !made)
			continue;
		st = protect_newest(r, y, &passed);
		if (st == AGG_OK)
			st = tables_status(insert_state(r, y, passed));
	}
	free(ev);
	return st;
}

enum agg_status tables_record(struct db *db, const struct catalogue *cat, struct timeline *tl,
                              int indicator_id, int municipality_id, int y0, int y1,
                              struct point from, struct point to, struct record_stats *stats)
{
	struct recording r = { db, cat, tl, indicator_id, municipality_id, y0, NULL,
	                       (size_t)(y1 - y0 + 1), NULL, 0, NULL, stats };
	enum agg_status st = AGG_FAILED;

	r.years = calloc(r.nyears, sizeof *r.years);
	if (!r.years)
		goto done;
	for (size_t i = 0; i < r.nyears; i++)
		r.years[i].year = y0 + (int)i;
	enum db_status dst = db_begin(db);
	if (dst == DB_OK)
		dst = db_exec(db, NULL, SQL_LOCK,
		              DB_PARAMS(DB_PARAM_INT(indicator_id), DB_PARAM_INT(municipality_id)));
	if (dst == DB_OK)
		dst = read_states(&r);
	if (dst == DB_OK)
		dst = read_history(&r, to.data);
	st = tables_status(dst);
	for (size_t i = 0; i < r.nyears && st == AGG_OK; i++)
		st = record_year(&r, &r.years[i], from, to);
	if (st == AGG_OK)
		st = tables_status(db_commit(db));
done:
	if (st != AGG_OK)
		db_rollback(db);
	recording_free(&r);
	return st;
}

/* ---- reading ------------------------------------------------------------------ */

/* The layout of a table at catalogue version c, or when that version did
 * not know the indicator or the municipality yet (an as_of before they were
 * imported), at the first version after it that did: the same rows for the
 * same request forever. */
static enum agg_status layout_at(const struct tables_ctx *ctx, int indicator_id,
                                 int municipality_id, int year, struct tl_layout *out)
{
	long long *later = NULL;
	size_t n = 0;
	enum agg_status st = AGG_FAILED;

	if (timeline_versions_between(ctx->tl, ctx->at.catalogue - 1, ctx->cat->version, &later,
	                              &n) != 0)
		return AGG_FAILED;
	for (size_t i = 0; i < n && st == AGG_FAILED; i++) {
		const struct tl_shape *sh;
		enum db_status dst = timeline_shape(ctx->tl, ctx->db, later[i], &sh);
		if (dst != DB_OK)
			st = tables_status(dst);
		else if (timeline_layout(sh, ctx->cat, indicator_id, municipality_id, year, out) == 0)
			st = AGG_OK;
	}
	free(later);
	if (st == AGG_FAILED)
		log_error("no catalogue version from %lld on has indicator %d and municipality %d",
		          ctx->at.catalogue, indicator_id, municipality_id);
	return st;
}

/* The table of a year that has no state at the point: its rows as the
 * catalogue had them then, every cell missing. */
static enum agg_status empty_table(const struct tables_ctx *ctx, int indicator_id,
                                   int municipality_id, int year, struct ptable **out)
{
	struct tl_layout lay;
	enum agg_status st = layout_at(ctx, indicator_id, municipality_id, year, &lay);

	*out = NULL;
	if (st != AGG_OK)
		return st;
	*out = ptable_new(year, lay.nleaves, lay.total);
	if (*out) {
		memcpy((*out)->leaves, lay.leaves, lay.nleaves * sizeof *lay.leaves);
		(*out)->k = lay.k;
		(*out)->passed = true;
	}
	tl_layout_free(&lay);
	return *out ? AGG_OK : AGG_FAILED;
}

/* A recorded state's row of SQL_AT as a table. */
static struct ptable *table_from_row(const struct db_rows *rows, int i)
{
	long long *leaves = NULL, *cells = NULL;
	size_t nl = 0, nc = 0;
	struct ptable *t = NULL;

	if (parse_array(db_rows_text(rows, i, 4), &leaves, &nl) != 0 ||
	    parse_array(db_rows_text(rows, i, 6), &cells, &nc) != 0)
		goto done;
	t = ptable_new((int)db_rows_int(rows, i, 0), nl, db_rows_bool(rows, i, 5));
	if (!t || nc != t->nrows * DC_NCOLS) {
		free(t);
		t = NULL;
		goto done;
	}
	for (size_t l = 0; l < nl; l++)
		t->leaves[l] = (int)leaves[l];
	for (size_t c = 0; c < nc; c++) {
		t->cells[c].status = cell_of_code(cells[c]);
		t->cells[c].value = t->cells[c].status == DC_PUBLISHED ? cells[c] : 0;
	}
	t->at = (struct point){ db_rows_int(rows, i, 1), db_rows_int(rows, i, 2) };
	t->k = db_rows_int(rows, i, 3);
	t->hidden = (size_t)db_rows_int(rows, i, 7);
	t->passed = db_rows_bool(rows, i, 8);
done:
	free(leaves);
	free(cells);
	return t;
}

/* The recorded states in force at ctx->at into out (NULL where none). */
static enum agg_status read_at(const struct tables_ctx *ctx, int indicator_id,
                               int municipality_id, int y0, int y1, struct ptable **out)
{
	struct db_rows *rows;
	enum db_status st = db_exec_prepared(ctx->db, &rows, &SQL_AT,
	                                     DB_PARAMS(DB_PARAM_INT(indicator_id),
	                                               DB_PARAM_INT(municipality_id),
	                                               DB_PARAM_INT(y0), DB_PARAM_INT(y1),
	                                               DB_PARAM_INT(ctx->at.data),
	                                               DB_PARAM_INT(ctx->at.catalogue)));
	if (st != DB_OK) {
		db_log_failure(ctx->db, "the table states query", st);
		return tables_status(st);
	}
	enum agg_status ast = AGG_OK;
	for (int i = 0; i < db_rows_count(rows) && ast == AGG_OK; i++) {
		int year = (int)db_rows_int(rows, i, 0);
		if (!(out[year - y0] = table_from_row(rows, i))) {
			log_error("the recorded state of indicator %d, municipality %d, year %d is "
			          "unreadable (or memory ran out)", indicator_id, municipality_id, year);
			ast = AGG_FAILED;
		}
	}
	db_rows_free(rows);
	return ast;
}

/* The tables the cache holds at the point; true when it holds them all.
 * The cache is first brought to the watermark (a no-op most of the time). */
static bool from_cache(const struct tables_ctx *ctx, int indicator_id, int municipality_id,
                       int y0, int y1, struct ptable **out, enum agg_status *st)
{
	bool all = true;

	*st = state_cache_advance(ctx->cache, ctx->db, ctx->recorded);
	for (int y = y0; y <= y1 && *st == AGG_OK; y++) {
		out[y - y0] = state_cache_get(ctx->cache, indicator_id, municipality_id, y, ctx->at);
		all = all && out[y - y0];
	}
	return *st == AGG_OK && all;
}

/* Keeps what a read at the watermark found: the newest states there. */
static void to_cache(const struct tables_ctx *ctx, int indicator_id, int municipality_id,
                     int y0, int y1, struct ptable **out)
{
	for (int y = y0; y <= y1; y++)
		state_cache_put(ctx->cache, indicator_id, municipality_id, out[y - y0], ctx->recorded);
}

/* tables_read without the flags. */
static enum agg_status read_cells(const struct tables_ctx *ctx, int indicator_id,
                                  int municipality_id, int y0, int y1, struct ptable **out)
{
	enum agg_status st = AGG_OK;
	bool recorded = point_cmp(ctx->at, ctx->recorded) <= 0;

	for (int y = y0; y <= y1; y++)
		out[y - y0] = NULL;
	if (recorded && ctx->cache &&
	    from_cache(ctx, indicator_id, municipality_id, y0, y1, out, &st))
		return AGG_OK;
	for (int y = y0; y <= y1; y++) {
		free(out[y - y0]);
		out[y - y0] = NULL;
	}
	if (st == AGG_OK && !recorded)
		st = tables_record(ctx->db, ctx->cat, ctx->tl, indicator_id, municipality_id, y0, y1,
		                   ctx->recorded, ctx->at, NULL);
	if (st == AGG_OK)
		st = read_at(ctx, indicator_id, municipality_id, y0, y1, out);
	for (int y = y0; y <= y1 && st == AGG_OK; y++)
		if (!out[y - y0])
			st = empty_table(ctx, indicator_id, municipality_id, y, &out[y - y0]);
	if (st == AGG_OK && ctx->cache && point_cmp(ctx->at, ctx->recorded) == 0)
		to_cache(ctx, indicator_id, municipality_id, y0, y1, out);
	if (st != AGG_OK)
		for (int y = y0; y <= y1; y++) {
			free(out[y - y0]);
			out[y - y0] = NULL;
		}
	return st;
}

enum agg_status tables_read(const struct tables_ctx *ctx, int indicator_id,
                            int municipality_id, int y0, int y1, struct ptable **out)
{
	enum agg_status st = read_cells(ctx, indicator_id, municipality_id, y0, y1, out);

	if (st == AGG_OK)
		st = tables_flags(ctx, indicator_id, municipality_id, y0, y1, out);
	if (st != AGG_OK)
		for (int y = y0; y <= y1; y++) {
			free(out[y - y0]);
			out[y - y0] = NULL;
		}
	return st;
}
