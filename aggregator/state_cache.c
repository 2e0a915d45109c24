/* The newest recorded state of each table, in memory; see state_cache.h. */
#include "state_cache.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

/* How a cell is kept: its published value, or one of these. */
#define CODE_MISSING (-1)
#define CODE_HIDDEN (-2)

/* The states recorded after the watermark the cache knows. */
static const char SQL_NEW_STATES[] =
	"SELECT indicator_id, municipality_id, year, data_version, catalogue_version"
	"  FROM table_state"
	" WHERE (data_version, catalogue_version) > ($1::bigint, $2::bigint)"
	"   AND (data_version, catalogue_version) <= ($3::bigint, $4::bigint)";

/* One table's newest known state. */
struct entry {
	int indicator_id;       /* the key: indicator, */
	int municipality_id;    /* municipality */
	int year;               /* and year */
	struct point start;     /* where the state began; (0, 0) for a table with no state */
	struct point until;     /* where the next state begins, or INT64 maxima while unknown */
	struct point fetched;   /* the watermark it was read at */
	long long catalogue;    /* a stateless table's rows are this version's; -1 otherwise */
	long long k;            /* the state's k */
	size_t hidden;          /* hidden cells */
	unsigned nleaves;       /* leaf rows */
	bool total;             /* a total row follows them */
	bool passed;            /* protected without the fallback */
	size_t size;            /* bytes counted for it */
	struct entry *chain;    /* the next entry in its bucket */
	struct entry *newer;    /* LRU neighbours: more recently used */
	struct entry *older;    /* less recently used */
	int32_t data[];         /* the leaves' area ids, then the cells as codes */
};

struct state_cache {
	pthread_mutex_t lock;       /* guards everything but `advancing` */
	pthread_mutex_t advancing;  /* one advance at a time */
	struct entry **buckets;     /* owned; chains by key hash */
	size_t nbuckets;            /* a power of two */
	struct entry *newest;       /* LRU head */
	struct entry *oldest;       /* LRU tail */
	struct point validated;     /* every open entry is its table's newest state up to here */
	struct state_cache_stats st; /* counters and sizes */
};

static const struct point OPEN = { LLONG_MAX, LLONG_MAX };

static size_t hash_key(int ind, int mun, int year)
{
	uint64_t h = (uint64_t)(uint32_t)ind * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)(uint32_t)mun * 0xC2B2AE3D27D4EB4Full;
	h ^= (uint64_t)(uint32_t)year * 0x165667B19E3779F9ull;
	return (size_t)(h ^ (h >> 29));
}

static struct entry **slot_of(struct state_cache *c, int ind, int mun, int year)
{
	struct entry **p = &c->buckets[hash_key(ind, mun, year) & (c->nbuckets - 1)];
	while (*p && ((*p)->indicator_id != ind || (*p)->municipality_id != mun ||
	              (*p)->year != year))
		p = &(*p)->chain;
	return p;
}

struct state_cache *state_cache_new(size_t budget)
{
	struct state_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->nbuckets = 1024;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->advancing, NULL);
	c->st.budget = budget;
	c->st.bytes = c->nbuckets * sizeof *c->buckets;
	return c;
}

void state_cache_free(struct state_cache *c)
{
	if (!c)
		return;
	for (struct entry *e = c->newest, *next; e; e = next) {
		next = e->older;
		free(e);
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->advancing);
	free(c);
}

/* ---- LRU ------------------------------------------------------------------- */

static void lru_unlink(struct state_cache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_front(struct state_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

/* Takes an entry out of the cache and frees it. */
static void drop(struct state_cache *c, struct entry *e)
{
	struct entry **p = slot_of(c, e->indicator_id, e->municipality_id, e->year);
	*p = e->chain;
	lru_unlink(c, e);
	c->st.bytes -= e->size;
	c->st.entries--;
	free(e);
}

/* Doubles the buckets when there are more entries than buckets. */
static void grow(struct state_cache *c)
{
	if (c->st.entries < c->nbuckets)
		return;
	size_t n = c->nbuckets * 2;
	struct entry **b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (struct entry *e = c->newest; e; e = e->older) {
		size_t i = hash_key(e->indicator_id, e->municipality_id, e->year) & (n - 1);
		e->chain = b[i];
		b[i] = e;
	}
	c->st.bytes += (n - c->nbuckets) * sizeof *b;
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* ---- entries and tables ----------------------------------------------------- */

static size_t entry_cells(const struct entry *e)
{
	return (e->nleaves + (e->total ? 1u : 0u)) * DC_NCOLS;
}

static bool valid_at(const struct state_cache *c, const struct entry *e, struct point p)
{
	if (point_cmp(p, e->start) < 0 || point_cmp(p, e->until) >= 0)
		return false;
	if (e->catalogue >= 0 && p.catalogue != e->catalogue)
		return false;
	return point_cmp(p, e->fetched) <= 0 || point_cmp(p, c->validated) <= 0;
}

static struct ptable *table_of(const struct entry *e)
{
	struct ptable *t = ptable_new(e->year, e->nleaves, e->total);
	if (!t)
		return NULL;
	t->k = e->k;
	t->passed = e->passed;
	t->hidden = e->hidden;
	t->at = e->start;
	for (unsigned l = 0; l < e->nleaves; l++)
		t->leaves[l] = e->data[l];
	const int32_t *cells = e->data + e->nleaves;
	for (size_t i = 0; i < entry_cells(e); i++) {
		int32_t v = cells[i];
		t->cells[i].status = v >= 0 ? DC_PUBLISHED : v == CODE_HIDDEN ? DC_HIDDEN : DC_MISSING;
		t->cells[i].value = v >= 0 ? v : 0;
	}
	return t;
}

/* A new entry of table t, or NULL (no memory, or a value beyond 32 bits). */
static struct entry *entry_of(int ind, int mun, const struct ptable *t)
{
	size_t ncells = t->nrows * DC_NCOLS;
	size_t size = sizeof(struct entry) + (t->nleaves + ncells) * sizeof(int32_t);
	struct entry *e = malloc(size);

	if (!e || t->nleaves > UINT_MAX)
		goto fail;
	*e = (struct entry){ .indicator_id = ind, .municipality_id = mun, .year = t->year,
	                     .start = t->at, .until = OPEN, .catalogue = -1, .k = t->k,
	                     .hidden = t->hidden, .nleaves = (unsigned)t->nleaves,
	                     .total = t->total, .passed = t->passed, .size = size };
	for (size_t l = 0; l < t->nleaves; l++)
		e->data[l] = t->leaves[l];
	for (size_t i = 0; i < ncells; i++) {
		const struct pcell *cell = &t->cells[i];
		if (cell->status == DC_PUBLISHED && cell->value > INT32_MAX)
			goto fail;
		e->data[t->nleaves + i] = cell->status == DC_PUBLISHED ? (int32_t)cell->value
		                          : cell->status == DC_HIDDEN ? CODE_HIDDEN : CODE_MISSING;
	}
	return e;
fail:
	free(e);
	return NULL;
}

struct ptable *state_cache_get(struct state_cache *c, int indicator_id, int municipality_id,
                               int year, struct point p)
{
	struct ptable *t = NULL;

	pthread_mutex_lock(&c->lock);
	struct entry *e = *slot_of(c, indicator_id, municipality_id, year);
	if (e && valid_at(c, e, p)) {
		lru_unlink(c, e);
		lru_front(c, e);
		t = table_of(e);
	}
	if (t)
		c->st.hits++;
	else
		c->st.misses++;
	pthread_mutex_unlock(&c->lock);
	return t;
}

void state_cache_put(struct state_cache *c, int indicator_id, int municipality_id,
                     const struct ptable *t, struct point w)
{
	struct entry *e = entry_of(indicator_id, municipality_id, t);

	if (!e || e->size > c->st.budget / 2) {
		free(e);
		return;
	}
	e->fetched = w;
	/* A table with no state has the rows of the catalogue it was read under. */
	if (t->at.data == 0 && t->at.catalogue == 0)
		e->catalogue = w.catalogue;
	pthread_mutex_lock(&c->lock);
	/* An advance past w may already have passed this table's next state:
	 * then the entry is good only up to w. */
	if (point_cmp(w, c->validated) < 0)
		e->until = (struct point){ w.data, w.catalogue + 1 };
	struct entry *old = *slot_of(c, indicator_id, municipality_id, t->year);
	if (old && point_cmp(old->fetched, w) > 0) {
		/* Another read stored what it saw at a later watermark. */
		pthread_mutex_unlock(&c->lock);
		free(e);
		return;
	}
	if (old)
		drop(c, old);
	struct entry **slot = slot_of(c, indicator_id, municipality_id, t->year);
	e->chain = NULL;
	*slot = e;
	lru_front(c, e);
	c->st.entries++;
	c->st.bytes += e->size;
	grow(c);
	while (c->st.bytes > c->st.budget && c->oldest && c->oldest != e) {
		drop(c, c->oldest);
		c->st.evicted++;
	}
	pthread_mutex_unlock(&c->lock);
}

/* ---- advancing --------------------------------------------------------------- */

/* Closes the entry of one table that got a state beginning at `start`. */
static void close_at(struct state_cache *c, int ind, int mun, int year, struct point start)
{
	struct entry *e = *slot_of(c, ind, mun, year);
	if (!e || point_cmp(start, e->start) <= 0 || point_cmp(start, e->until) >= 0)
		return;
	e->until = start;
	c->st.closed++;
}

static enum agg_status query_new(struct db *db, struct point from, struct point to,
                                 PGresult **res)
{
	char a[24], b[24], x[24], y[24];
	snprintf(a, sizeof a, "%lld", from.data);
	snprintf(b, sizeof b, "%lld", from.catalogue);
	snprintf(x, sizeof x, "%lld", to.data);
	snprintf(y, sizeof y, "%lld", to.catalogue);
	const char *params[] = { a, b, x, y };
	enum db_status st = db_exec(db, res, SQL_NEW_STATES, 4, params);
	if (st != DB_OK)
		db_log_failure(db, "the new table states query", st);
	return st == DB_OK ? AGG_OK : st == DB_UNAVAILABLE ? AGG_UNAVAILABLE : AGG_FAILED;
}

enum agg_status state_cache_advance(struct state_cache *c, struct db *db, struct point w)
{
	PGresult *res = NULL;
	enum agg_status st = AGG_OK;

	pthread_mutex_lock(&c->lock);
	bool behind = point_cmp(c->validated, w) < 0;
	pthread_mutex_unlock(&c->lock);
	if (!behind)
		return AGG_OK;
	pthread_mutex_lock(&c->advancing);
	pthread_mutex_lock(&c->lock);
	struct point from = c->validated;
	/* An empty cache has nothing to close (the first read after a start,
	 * whose watermark may lie a hundred thousand states on). */
	if (c->st.entries == 0 && point_cmp(from, w) < 0) {
		c->validated = w;
		from = w;
	}
	pthread_mutex_unlock(&c->lock);
	if (point_cmp(from, w) < 0)
		st = query_new(db, from, w, &res);
	if (st == AGG_OK && res) {
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < PQntuples(res); i++)
			close_at(c, (int)db_int(res, i, 0), (int)db_int(res, i, 1), (int)db_int(res, i, 2),
			         (struct point){ db_int(res, i, 3), db_int(res, i, 4) });
		c->validated = w;
		pthread_mutex_unlock(&c->lock);
	}
	PQclear(res);
	pthread_mutex_unlock(&c->advancing);
	return st;
}

void state_cache_stats(struct state_cache *c, struct state_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	pthread_mutex_unlock(&c->lock);
}
