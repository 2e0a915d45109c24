/* Protected year tables, their cache, and series assembled from them; see
 * protected.h. */
#include "protected.h"

#include <stdlib.h>
#include <string.h>
#include "derived.h"
#include "load.h"
#include "log.h"
#include "period.h"
#include "table_cache.h"

/* ---- areas ------------------------------------------------------------ */

const struct cat_area *area_municipality(const struct catalogue *cat,
                                         const struct cat_area *area)
{
	/* The import refuses cycles; the bound only keeps a broken catalogue
	 * from looping forever. */
	for (size_t i = 0; i < cat->nareas && area->parent >= 0; i++)
		area = &cat->areas[area->parent];
	return area;
}

bool area_publishable(const struct cat_area *area)
{
	return area->parent < 0 || catalogue_area_is_leaf(area);
}

/* True when a is a leaf row of the municipality's tables. */
static bool is_leaf_of(const struct catalogue *cat, const struct cat_area *a,
                       const struct cat_area *municipality)
{
	return a != municipality && catalogue_area_is_leaf(a) &&
	       area_municipality(cat, a) == municipality;
}

int layout_make(const struct catalogue *cat, const struct cat_area *municipality,
                struct layout *out)
{
	size_t n = 0;

	/* Counted first: arrays of the catalogue's size would be large
	 * allocations on every request, and each large malloc makes glibc
	 * consolidate its free lists. */
	for (size_t i = 0; i < cat->nareas; i++)
		n += is_leaf_of(cat, &cat->areas[i], municipality);
	memset(out, 0, sizeof *out);
	out->municipality = municipality;
	out->area_ids = malloc((n + 1) * sizeof *out->area_ids);
	out->leaves = malloc((n + 1) * sizeof *out->leaves);
	if (!out->area_ids || !out->leaves) {
		layout_free(out);
		return -1;
	}
	/* The areas array is sorted by code, so the rows come in code order. */
	for (size_t i = 0; i < cat->nareas && out->nleaves < n; i++) {
		const struct cat_area *a = &cat->areas[i];
		if (is_leaf_of(cat, a, municipality)) {
			out->leaves[out->nleaves] = a;
			out->area_ids[out->nleaves++] = a->id;
		}
	}
	out->ndistricts = out->nleaves;
	if (out->nleaves == 0) {
		out->leaves[0] = municipality;
		out->area_ids[0] = municipality->id;
		out->nleaves = 1;
	}
	return 0;
}

void layout_free(struct layout *l)
{
	free(l->area_ids);
	free(l->leaves);
	l->area_ids = NULL;
	l->leaves = NULL;
	l->nleaves = 0;
}

long layout_row(const struct layout *l, const struct cat_area *area)
{
	if (area == l->municipality)
		return (long)l->ndistricts;
	for (size_t i = 0; i < l->ndistricts; i++)
		if (l->leaves[i] == area)
			return (long)i;
	return -1;
}

long long protect_k(const struct protect_ctx *ctx, const struct cat_indicator *ind)
{
	return ind->suppress_below > 0 ? ind->suppress_below : ctx->k_default;
}

/* ---- building one table ------------------------------------------------ */

/* The row of a leaf area id, or -1. */
static long leaf_row(const struct layout *l, int area_id)
{
	for (size_t i = 0; i < l->nleaves; i++)
		if (l->area_ids[i] == area_id)
			return (long)i;
	return -1;
}

/* Fail safe: every present cell suppressed, as after a failed protection. */
static void publish_nothing(struct ptable *p)
{
	size_t hidden = 0;

	for (size_t i = 0; i < p->nrows * PROTECT_NCOLS; i++) {
		if (p->cells[i].status == CELL_MISSING)
			continue;
		p->cells[i].status = CELL_SECONDARY;
		hidden++;
	}
	p->failed = true;
	p->audit_passed = false;
	p->nprimary = hidden;
	p->nsecondary = 0;
}

static size_t ptable_size(size_t nrows)
{
	return sizeof(struct ptable) + nrows * PROTECT_NCOLS * sizeof(struct linked_cell);
}

/* The publishable form of a protected table: statuses and published values. */
static struct ptable *ptable_from(const struct protect_table *t, bool failed)
{
	struct ptable *p = malloc(ptable_size(t->nrows));

	if (!p)
		return NULL;
	*p = (struct ptable){ .ndistricts = t->ndistricts, .nrows = t->nrows, .k = t->lt.k,
	                      .audit_passed = t->audit_passed, .nprimary = t->nprimary,
	                      .nsecondary = t->nsecondary };
	for (size_t i = 0; i < t->nrows * PROTECT_NCOLS; i++) {
		p->cells[i].status = t->lt.cells[i].status;
		p->cells[i].value = p->cells[i].status == CELL_PUBLISHED ? t->lt.cells[i].value : 0;
	}
	if (failed)
		publish_nothing(p);
	return p;
}

/* Runs protection; NULL only when memory ran out. */
static struct ptable *protect_and_publish(struct protect_table *t, const struct table_key *key)
{
	protect_fill_totals(t);
	enum audit_status st = protect_run(t);
	if (st == AUDIT_NOMEM)
		return NULL;
	bool failed = st != AUDIT_OK || !t->audit_passed;
	if (failed)
		log_error("protection of indicator %d, municipality %d, year %d (version %lld) "
		          "failed: %s; the table publishes nothing", key->indicator_id,
		          key->municipality_id, key->year, key->version,
		          st != AUDIT_OK ? audit_status_message(st) : "the audit did not pass");
	else
		/* Once per table made (the cache keeps it), so the log shows every
		 * verdict behind what was published. */
		log_info("protected indicator %d, municipality %d, year %d (version %lld): k %lld, "
		         "%zu primary, %zu secondary of its own, audit passed", key->indicator_id,
		         key->municipality_id, key->year, key->version, key->k, t->nprimary,
		         t->nsecondary);
	return ptable_from(t, failed);
}

/* The history rows read for a request and the year being built: the rows
 * of other years lie in between (they are ordered by area first), so a
 * row counts when its period is in the year. */
struct year_rows {
	const struct load_revision *rows;  /* the history of the years read */
	size_t n;                          /* how many */
	int year;                          /* the year wanted */
};

/* Makes the table of key->year as of data version key->version: each
 * key's last row at or below the version (the rows come in submission
 * order, so a later row overwrites an earlier one). */
static struct ptable *build_year(const struct cat_indicator *ind, const struct layout *lay,
                                 const struct table_key *key, const struct year_rows *h)
{
	enum protect_kind kind = ind->kind == KIND_STOCK ? PROTECT_STOCK : PROTECT_FLOW;
	struct protect_table *t = protect_table_new(lay->ndistricts, kind, key->k);

	if (!t)
		return NULL;
	for (size_t i = 0; i < h->n; i++) {
		const struct load_revision *r = &h->rows[i];
		if (period_year(r->period) != key->year || r->submission > key->version)
			continue;
		long row = leaf_row(lay, r->area_id);
		if (row >= 0)
			protect_set(t, (size_t)row, (size_t)period_quarter(r->period) - 1, r->value);
	}
	struct ptable *p = protect_and_publish(t, key);
	protect_table_free(t);
	return p;
}

/* ---- many years --------------------------------------------------------- */

static struct table_key key_of(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                               const struct layout *lay, int year)
{
	return (struct table_key){ .indicator_id = ind->id,
	                           .municipality_id = lay->municipality->id, .year = year,
	                           .k = protect_k(ctx, ind), .version = ctx->version,
	                           .catalogue = ctx->cat->version };
}

/* Looks every year up in the cache; *lo..*hi become the range of the years
 * that were not there (lo > hi when all were). */
static void from_cache(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                       const struct layout *lay, int y0, int y1, struct ptable **out,
                       int *lo, int *hi)
{
	*lo = y1 + 1;
	*hi = y0 - 1;
	for (int y = y0; y <= y1; y++) {
		struct table_key key = key_of(ctx, ind, lay, y);
		out[y - y0] = table_cache_get(ctx->cache, &key);
		if (out[y - y0])
			continue;
		if (y < *lo)
			*lo = y;
		*hi = y;
	}
}

/* ---- versions of one table --------------------------------------------- */

/* Keeps suppressed, in the table's newer state t, every cell that its
 * previous state suppressed (prev, its mask). Without this a reader could
 * combine two versions: the current table and one read with as_of (or
 * simply read before and after a revision) may pick different secondary
 * cells, and a cell published in one and suppressed in the other,
 * unchanged in value, makes a primary cell exact through the totals.
 * Suppressing more cells only removes knowledge, so t still passes its own
 * audit; and since every state keeps what its predecessor hid, no state
 * publishes a cell that an earlier one suppressed. Earlier states never
 * depend on later ones, so a table read as of a past time stays what it
 * was then. */
static void keep_suppressed(struct ptable *t, const struct cell_mask *prev)
{
	if (prev->nrows != t->nrows)
		return;
	for (size_t i = 0; i < t->nrows * PROTECT_NCOLS; i++) {
		if (t->cells[i].status != CELL_PUBLISHED || !cell_mask_has(prev, i))
			continue;
		t->cells[i].status = CELL_SECONDARY;
		t->cells[i].value = 0;
		t->nsecondary++;
	}
}

/* The key of the table of `year` as of data version `version`. */
static struct table_key key_at(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                               const struct layout *lay, int year, long long version)
{
	struct table_key key = key_of(ctx, ind, lay, year);
	key.version = version;
	return key;
}

/* The versions at which the year's table changed: the distinct submission
 * ids of its rows, ascending, into a new array (*n 0 and NULL when the year
 * has no row). 0 or -1 (out of memory). */
static int year_states(const struct year_rows *h, long long **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (period_year(h->rows[i].period) != h->year)
			continue;
		if (!*out) {
			*out = malloc(h->n * sizeof **out);
			if (!*out)
				return -1;
		}
		(*out)[(*n)++] = h->rows[i].submission;
	}
	if (*n == 0)
		return 0;
	/* Insertion sort with duplicates dropped: a year has tens of rows. */
	size_t m = 0;
	for (size_t i = 0; i < *n; i++) {
		long long v = (*out)[i];
		size_t j = m;
		while (j > 0 && (*out)[j - 1] > v)
			j--;
		if (j > 0 && (*out)[j - 1] == v)
			continue;
		memmove(*out + j + 1, *out + j, (m - j) * sizeof **out);
		(*out)[j] = v;
		m++;
	}
	*n = m;
	return 0;
}

/* Makes the table of one state of a year, with the previous state's
 * suppressions kept (prev may be NULL for the first). NULL when memory
 * ran out (logged). */
static struct ptable *build_state(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                                  const struct layout *lay, const struct year_rows *h,
                                  long long version, const struct cell_mask *prev)
{
	struct table_key key = key_at(ctx, ind, lay, h->year, version);
	struct ptable *t = build_year(ind, lay, &key, h);

	if (!t)
		log_error("out of memory protecting a table");
	else if (prev)
		keep_suppressed(t, prev);
	return t;
}

/* Builds states first..n-1 from the mask of state first - 1 (or none):
 * each earlier state goes into the cache as its mask, the newest as a
 * table, which *out receives. */
static enum agg_status build_states(const struct protect_ctx *ctx,
                                    const struct cat_indicator *ind,
                                    const struct layout *lay, const struct year_rows *h,
                                    const long long *ids, size_t first, size_t n,
                                    struct cell_mask *prev, struct ptable **out)
{
	*out = NULL;
	for (size_t j = first; j < n; j++) {
		struct table_key key = key_at(ctx, ind, lay, h->year, ids[j]);
		struct ptable *t = build_state(ctx, ind, lay, h, ids[j], prev);
		free(prev);
		prev = NULL;
		if (!t)
			return AGG_FAILED;
		if (j + 1 == n) {
			table_cache_put(ctx->cache, &key, t);
			*out = t;
			break;
		}
		table_cache_put_mask(ctx->cache, &key, t);
		prev = cell_mask_of(t);
		free(t);
		if (!prev) {
			log_error("out of memory protecting a table");
			return AGG_FAILED;
		}
	}
	return AGG_OK;
}

/* The table of one year as of ctx->version: that of its newest state,
 * made state by state from the newest earlier state whose suppressions
 * are in the cache (or from the first). The table is stored under its
 * state's version and reached from ctx->version through a link. */
static enum agg_status build_one_year(const struct protect_ctx *ctx,
                                      const struct cat_indicator *ind,
                                      const struct layout *lay, const struct year_rows *h,
                                      struct ptable **out)
{
	long long *ids = NULL;
	size_t n = 0, first = 0;
	struct cell_mask *prev = NULL;
	struct table_key key = key_of(ctx, ind, lay, h->year);
	enum agg_status st = AGG_FAILED;

	*out = NULL;
	if (year_states(h, &ids, &n) != 0) {
		log_error("out of memory reading table states");
		return AGG_FAILED;
	}
	if (n == 0) {
		/* No count at all: a table of missing cells, under the version. */
		*out = build_state(ctx, ind, lay, h, ctx->version, NULL);
		if (*out)
			table_cache_put(ctx->cache, &key, *out);
		return *out ? AGG_OK : AGG_FAILED;
	}
	struct table_key newest = key_at(ctx, ind, lay, h->year, ids[n - 1]);
	*out = table_cache_get(ctx->cache, &newest);
	if (*out) {
		st = AGG_OK;
		goto link;
	}
	for (first = n - 1; first > 0 && !prev; first--) {
		struct table_key k = key_at(ctx, ind, lay, h->year, ids[first - 1]);
		prev = table_cache_get_mask(ctx->cache, &k);
	}
	/* prev (when found) is the mask of state `first`; build from the next. */
	st = build_states(ctx, ind, lay, h, ids, prev ? first + 1 : 0, n, prev, out);
link:
	if (st == AGG_OK && ids[n - 1] != ctx->version)
		table_cache_put_link(ctx->cache, &key, ids[n - 1]);
	free(ids);
	return st;
}

/* Builds (and caches) the tables missing from out, from one query of the
 * history of years lo..hi as of the version. */
static enum agg_status build_missing(const struct protect_ctx *ctx,
                                     const struct cat_indicator *ind,
                                     const struct layout *lay, int y0, int lo, int hi,
                                     struct ptable **out)
{
	struct load_revision *rows = NULL;
	size_t n = 0;
	enum agg_status st = AGG_OK;
	enum db_status dst = load_history(ctx->db, ind->id, lay->area_ids, lay->nleaves,
	                                  period_make(lo, 1), period_make(hi, 4), ctx->version,
	                                  &rows, &n);

	if (dst != DB_OK)
		st = dst == DB_UNAVAILABLE ? AGG_UNAVAILABLE : AGG_FAILED;
	for (int y = lo; y <= hi && st == AGG_OK; y++) {
		struct year_rows h = { rows, n, y };
		if (!out[y - y0])
			st = build_one_year(ctx, ind, lay, &h, &out[y - y0]);
	}
	free(rows);
	return st;
}

enum agg_status protected_years(const struct protect_ctx *ctx,
                                const struct cat_indicator *ind,
                                const struct layout *lay, int y0, int y1,
                                struct ptable **out)
{
	int lo, hi;

	from_cache(ctx, ind, lay, y0, y1, out, &lo, &hi);
	if (lo > hi)
		return AGG_OK;
	enum agg_status st = build_missing(ctx, ind, lay, y0, lo, hi, out);
	if (st != AGG_OK)
		for (int y = y0; y <= y1; y++) {
			free(out[y - y0]);
			out[y - y0] = NULL;
		}
	return st;
}

/* ---- series ------------------------------------------------------------ */

/* The years a series with its lead-in reaches, and its first period. */
static void series_span(const struct series_request *rq, int *start, int *y0, int *y1)
{
	int lead = (int)derived_lead(rq->freq);

	if (rq->freq == FREQ_QUARTER) {
		*start = period_add(rq->from, -lead);
		*y0 = period_year(*start);
		*y1 = period_year(rq->to);
	} else {
		*start = rq->from - lead;
		*y0 = *start;
		*y1 = rq->to;
	}
}

/* The number of points from `start` to rq->to. */
static size_t span_length(const struct series_request *rq, int start)
{
	if (rq->freq == FREQ_QUARTER)
		return (size_t)(period_index(rq->to) - period_index(start) + 1);
	return (size_t)(rq->to - start + 1);
}

/* Fills pts[0..n-1] from the row's cells, starting at period `start`. */
static void points_from_tables(const struct series_request *rq, struct ptable **tables,
                               int y0, long row, int start, struct series_point *pts,
                               size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int period, year, col;
		if (rq->freq == FREQ_QUARTER) {
			period = period_add(start, (int)i);
			year = period_year(period);
			col = period_quarter(period) - 1;
		} else {
			period = year = start + (int)i;
			col = PROTECT_YEAR;
		}
		const struct linked_cell *c = &tables[year - y0]->cells[(size_t)row * PROTECT_NCOLS +
		                                                          (size_t)col];
		pts[i].period = period;
		pts[i].status = point_status_of(c->status);
		pts[i].value = pts[i].status == POINT_PUBLISHED ? c->value : 0;
	}
}

/* The trend over the published points; t is the position in the series. */
static enum agg_status series_trend(const struct series_request *rq, struct series *s)
{
	struct trend_point *tp = malloc((s->n ? s->n : 1) * sizeof *tp);
	size_t m = 0;

	if (!tp)
		return AGG_FAILED;
	for (size_t i = 0; i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		if (p->status != POINT_PUBLISHED)
			continue;
		bool q = rq->freq == FREQ_QUARTER;
		tp[m++] = (struct trend_point){ .t = (int)i, .x = (double)p->value,
		                                .season = q ? period_quarter(p->period) : 1,
		                                .year = q ? period_year(p->period) : p->period };
	}
	enum trend_status st = trend_analyse(tp, m, rq->freq == FREQ_QUARTER, rq->alpha,
	                                     &s->trend);
	free(tp);
	if (st != TREND_OK)
		log_error("trend analysis failed (%d)", (int)st);
	return st == TREND_OK ? AGG_OK : AGG_FAILED;
}

/* Points and derived values of the request from its years' tables. */
static enum agg_status series_fill(const struct series_request *rq, struct ptable **tables,
                                   int y0, long row, int start, struct series *out)
{
	size_t lead = derived_lead(rq->freq);
	size_t total = span_length(rq, start);
	struct series_point *all = malloc(total * sizeof *all);
	struct derived_point *dall = malloc(total * sizeof *dall);
	enum agg_status st = AGG_FAILED;

	out->n = total - lead;
	out->points = malloc(out->n * sizeof *out->points);
	out->derived = malloc(out->n * sizeof *out->derived);
	if (!all || !dall || !out->points || !out->derived)
		goto done;
	points_from_tables(rq, tables, y0, row, start, all, total);
	derived_compute(all, total, rq->freq, rq->indicator->kind, dall);
	memcpy(out->points, all + lead, out->n * sizeof *all);
	memcpy(out->derived, dall + lead, out->n * sizeof *dall);
	st = series_trend(rq, out);
done:
	free(all);
	free(dall);
	return st;
}

/* Sets the catalogue members of the series. */
static void series_describe(const struct protect_ctx *ctx, const struct series_request *rq,
                            struct series *out)
{
	memset(out, 0, sizeof *out);
	out->indicator = rq->indicator;
	out->agency = &ctx->cat->agencies[rq->indicator->agency];
	out->area = rq->area;
	out->parent = catalogue_area_parent(ctx->cat, rq->area);
	out->freq = rq->freq;
}

enum agg_status series_assemble(const struct protect_ctx *ctx,
                                const struct series_request *rq, struct series *out)
{
	struct layout lay;
	struct ptable **tables = NULL;
	int start, y0, y1;
	enum agg_status st = AGG_FAILED;

	series_describe(ctx, rq, out);
	if (layout_make(ctx->cat, area_municipality(ctx->cat, rq->area), &lay) != 0)
		return AGG_FAILED;
	long row = layout_row(&lay, rq->area);
	series_span(rq, &start, &y0, &y1);
	tables = calloc((size_t)(y1 - y0 + 1), sizeof *tables);
	if (row < 0 || !tables)
		goto done;
	st = protected_years(ctx, rq->indicator, &lay, y0, y1, tables);
	if (st == AGG_OK)
		st = series_fill(rq, tables, y0, row, start, out);
	for (int y = y0; tables && y <= y1; y++)
		free(tables[y - y0]);
done:
	free(tables);
	layout_free(&lay);
	if (st != AGG_OK)
		series_clear(out);
	return st;
}
