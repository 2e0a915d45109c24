/* Protected year tables, their cache, and series assembled from them; see
 * protected.h. */
#include "protected.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "derived.h"
#include "load.h"
#include "log.h"
#include "period.h"

/* What a cached table is a function of. */
struct cache_key {
	int indicator_id;     /* indicator.id */
	int municipality_id;  /* area.id of the municipality */
	int year;             /* the calendar year */
	long long k;          /* the threshold (from the catalogue and the deployment) */
	long long version;    /* the data version */
	long long catalogue;  /* the catalogue version: it fixes the rows */
};

/* One slot of the direct-mapped cache. */
struct cache_slot {
	struct cache_key key;   /* what table holds */
	struct ptable *table;   /* owned, or NULL for an empty slot */
};

/* A direct-mapped cache: a key has one slot, and a new table replaces
 * whatever was there. Old versions are never looked up again and are
 * overwritten in time; the memory stays bounded by the slot count. */
struct protected_cache {
	pthread_mutex_t lock;       /* guards slots */
	struct cache_slot *slots;   /* owned; nslots entries */
	size_t nslots;              /* the bound */
};

/* ---- the cache -------------------------------------------------------- */

struct protected_cache *protected_cache_new(size_t slots)
{
	struct protected_cache *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->nslots = slots ? slots : 1;
	c->slots = calloc(c->nslots, sizeof *c->slots);
	if (!c->slots || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->slots);
		free(c);
		return NULL;
	}
	return c;
}

void protected_cache_free(struct protected_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		free(c->slots[i].table);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

/* splitmix64's finaliser: spreads neighbouring keys over the slots. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t key_slot(const struct protected_cache *c, const struct cache_key *k)
{
	uint64_t h = mix((uint64_t)k->indicator_id);
	h = mix(h ^ (uint64_t)k->municipality_id);
	h = mix(h ^ (uint64_t)k->year);
	h = mix(h ^ (uint64_t)k->version);
	h = mix(h ^ (uint64_t)k->catalogue ^ ((uint64_t)k->k << 32));
	return (size_t)(h % c->nslots);
}

static bool key_equal(const struct cache_key *a, const struct cache_key *b)
{
	return a->indicator_id == b->indicator_id && a->municipality_id == b->municipality_id &&
	       a->year == b->year && a->k == b->k && a->version == b->version &&
	       a->catalogue == b->catalogue;
}

static size_t ptable_size(size_t nrows)
{
	return sizeof(struct ptable) + nrows * PROTECT_NCOLS * sizeof(struct linked_cell);
}

/* A malloc'd copy of t, or NULL. */
static struct ptable *ptable_copy(const struct ptable *t)
{
	size_t size = ptable_size(t->nrows);
	struct ptable *copy = malloc(size);

	if (copy)
		memcpy(copy, t, size);
	return copy;
}

/* A copy of the cached table of `key`, or NULL when there is none (or no
 * memory for the copy, which only costs a rebuild). */
static struct ptable *cache_get(struct protected_cache *c, const struct cache_key *key)
{
	struct ptable *copy = NULL;
	size_t i = key_slot(c, key);

	pthread_mutex_lock(&c->lock);
	if (c->slots[i].table && key_equal(&c->slots[i].key, key))
		copy = ptable_copy(c->slots[i].table);
	pthread_mutex_unlock(&c->lock);
	return copy;
}

/* Stores a copy of t under key; a failed copy only means a later rebuild. */
static void cache_put(struct protected_cache *c, const struct cache_key *key,
                      const struct ptable *t)
{
	struct ptable *copy = ptable_copy(t);
	size_t i = key_slot(c, key);

	if (!copy)
		return;
	pthread_mutex_lock(&c->lock);
	struct ptable *old = c->slots[i].table;
	c->slots[i].key = *key;
	c->slots[i].table = copy;
	pthread_mutex_unlock(&c->lock);
	free(old);
}

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

int layout_make(const struct catalogue *cat, const struct cat_area *municipality,
                struct layout *out)
{
	memset(out, 0, sizeof *out);
	out->municipality = municipality;
	out->area_ids = malloc((cat->nareas + 1) * sizeof *out->area_ids);
	out->leaves = malloc((cat->nareas + 1) * sizeof *out->leaves);
	if (!out->area_ids || !out->leaves) {
		layout_free(out);
		return -1;
	}
	/* The areas array is sorted by code, so the rows come in code order. */
	for (size_t i = 0; i < cat->nareas; i++) {
		const struct cat_area *a = &cat->areas[i];
		if (a != municipality && catalogue_area_is_leaf(a) &&
		    area_municipality(cat, a) == municipality) {
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
static struct ptable *protect_and_publish(struct protect_table *t, const struct cache_key *key)
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

/* Makes the table of key->year from the counts of that year. */
static struct ptable *build_year(const struct cat_indicator *ind, const struct layout *lay,
                                 const struct cache_key *key, const struct load_count *counts,
                                 size_t n)
{
	enum protect_kind kind = ind->kind == KIND_STOCK ? PROTECT_STOCK : PROTECT_FLOW;
	struct protect_table *t = protect_table_new(lay->ndistricts, kind, key->k);

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		long row = leaf_row(lay, counts[i].area_id);
		if (row >= 0 && period_year(counts[i].period) == key->year)
			protect_set(t, (size_t)row, (size_t)period_quarter(counts[i].period) - 1,
			            counts[i].value);
	}
	struct ptable *p = protect_and_publish(t, key);
	protect_table_free(t);
	return p;
}

/* ---- many years --------------------------------------------------------- */

static struct cache_key key_of(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                               const struct layout *lay, int year)
{
	return (struct cache_key){ .indicator_id = ind->id,
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
		struct cache_key key = key_of(ctx, ind, lay, y);
		out[y - y0] = cache_get(ctx->cache, &key);
		if (out[y - y0])
			continue;
		if (y < *lo)
			*lo = y;
		*hi = y;
	}
}

/* ---- versions of one table --------------------------------------------- */

/* Keeps suppressed, in the table's newer state t, every cell that its
 * previous state prev suppressed. Without this a reader could combine two
 * versions: the current table and one read with as_of (or simply read
 * before and after a revision) may pick different secondary cells, and a
 * cell published in one and suppressed in the other, unchanged in value,
 * makes a primary cell exact through the totals. Suppressing more cells
 * only removes knowledge, so t still passes its own audit; and since every
 * state keeps what its predecessor hid, no state publishes a cell that an
 * earlier one suppressed. Earlier states never depend on later ones, so a
 * table read as of a past time stays what it was then. */
static void keep_suppressed(struct ptable *t, const struct ptable *prev)
{
	if (prev->nrows != t->nrows)
		return;
	for (size_t i = 0; i < t->nrows * PROTECT_NCOLS; i++) {
		enum cell_status was = prev->cells[i].status;
		if (t->cells[i].status != CELL_PUBLISHED ||
		    (was != CELL_PRIMARY && was != CELL_SECONDARY))
			continue;
		t->cells[i].status = CELL_SECONDARY;
		t->cells[i].value = 0;
		t->nsecondary++;
	}
}

/* The key of the table of `year` as of data version `version`. */
static struct cache_key key_at(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                               const struct layout *lay, int year, long long version)
{
	struct cache_key key = key_of(ctx, ind, lay, year);
	key.version = version;
	return key;
}

/* Makes the table of one state of a year: its counts as of that state's
 * version (`counts` when given, else read), protected, with the previous
 * state's suppressions kept. *out is NULL only on failure. */
static enum agg_status build_state(const struct protect_ctx *ctx, const struct cat_indicator *ind,
                                   const struct layout *lay, int year, long long version,
                                   const struct load_count *counts, size_t n,
                                   const struct ptable *prev, struct ptable **out)
{
	struct load_count *own = NULL;
	struct cache_key key = key_at(ctx, ind, lay, year, version);

	*out = NULL;
	if (!counts) {
		enum db_status st = load_counts(ctx->db, ind->id, lay->area_ids, lay->nleaves,
		                                period_make(year, 1), period_make(year, 4), version,
		                                &own, &n);
		if (st != DB_OK)
			return st == DB_UNAVAILABLE ? AGG_UNAVAILABLE : AGG_FAILED;
		counts = own;
	}
	*out = build_year(ind, lay, &key, counts, n);
	free(own);
	if (!*out) {
		log_error("out of memory protecting a table");
		return AGG_FAILED;
	}
	if (prev)
		keep_suppressed(*out, prev);
	cache_put(ctx->cache, &key, *out);
	return AGG_OK;
}

/* The table of one year as of ctx->version, made state by state from the
 * newest state already in the cache (or the first). `counts` are the
 * counts of the year as of ctx->version, which are those of its newest
 * state; `states` is NULL when the year has no count at all. */
static enum agg_status build_one_year(const struct protect_ctx *ctx,
                                      const struct cat_indicator *ind,
                                      const struct layout *lay, int year,
                                      const struct load_states *states,
                                      const struct load_count *counts, size_t n,
                                      struct ptable **out)
{
	struct ptable *prev = NULL;
	size_t i = states ? states->n : 0;
	enum agg_status st = AGG_OK;

	if (!states)
		return build_state(ctx, ind, lay, year, ctx->version, counts, n, NULL, out);
	for (; i > 0 && !prev; i--) {
		struct cache_key key = key_at(ctx, ind, lay, year, states->ids[i - 1]);
		prev = cache_get(ctx->cache, &key);
	}
	/* prev (when found) is state i; build states i+1 .. n-1. */
	for (size_t j = prev ? i + 1 : 0; j < states->n && st == AGG_OK; j++) {
		struct ptable *t = NULL;
		bool newest = j + 1 == states->n;
		st = build_state(ctx, ind, lay, year, states->ids[j], newest ? counts : NULL,
		                 newest ? n : 0, prev, &t);
		free(prev);
		prev = t;
	}
	*out = st == AGG_OK ? prev : NULL;
	if (st != AGG_OK)
		free(prev);
	return st;
}

/* The states of year y in the list, or NULL. */
static const struct load_states *states_of(const struct load_states *s, size_t n, int y)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].year == y)
			return &s[i];
	return NULL;
}

/* Builds (and caches) the tables missing from out: one query for the
 * counts as of the version, one for the states of each year, and a counts
 * query per earlier state not yet in the cache. */
static enum agg_status build_missing(const struct protect_ctx *ctx,
                                     const struct cat_indicator *ind,
                                     const struct layout *lay, int y0, int lo, int hi,
                                     struct ptable **out)
{
	struct load_count *counts = NULL;
	struct load_states *states = NULL;
	size_t n = 0, nstates = 0;
	enum agg_status st = AGG_OK;
	enum db_status dst = load_counts(ctx->db, ind->id, lay->area_ids, lay->nleaves,
	                                 period_make(lo, 1), period_make(hi, 4), ctx->version,
	                                 &counts, &n);

	if (dst == DB_OK)
		dst = load_table_states(ctx->db, ind->id, lay->area_ids, lay->nleaves, lo, hi,
		                        ctx->version, &states, &nstates);
	if (dst != DB_OK)
		st = dst == DB_UNAVAILABLE ? AGG_UNAVAILABLE : AGG_FAILED;
	for (int y = lo; y <= hi && st == AGG_OK; y++) {
		if (out[y - y0])
			continue;
		st = build_one_year(ctx, ind, lay, y, states_of(states, nstates, y), counts, n,
		                    &out[y - y0]);
		if (st == AGG_OK) {
			struct cache_key key = key_of(ctx, ind, lay, y);
			cache_put(ctx->cache, &key, out[y - y0]);
		}
	}
	load_states_free(states, nstates);
	free(counts);
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
