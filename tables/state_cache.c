/* The newest recorded state of each table, in memory; see state_cache.h. */
#include "state_cache.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

/* The states recorded after the watermark the cache knows. */
static const char SQL_NEW_STATES[] =
	"SELECT indicator_id, municipality_id, year, data_version, catalogue_version"
	"  FROM table_state"
	" WHERE (data_version, catalogue_version) > ($1::bigint, $2::bigint)"
	"   AND (data_version, catalogue_version) <= ($3::bigint, $4::bigint)";

/* A point as an entry keeps it. Tables whose versions do not fit 32 bits
 * are not kept. */
struct cpoint {
	uint32_t data;       /* the data version; UINT32_MAX for "not yet known" */
	uint32_t catalogue;  /* the catalogue version */
};

/* An entry's flags. */
enum {
	E_TOTAL = 1,      /* a total row follows the leaves */
	E_PASSED = 2,     /* protected without the fallback */
	E_STATELESS = 4,  /* a table with no state: its rows are `catalogue`'s */
	E_USED = 8,       /* read since the clock hand last passed it */
};

/* One table's newest known state, kept small so that a national
 * deployment's tables (a thousand municipalities, 27 indicators, seven
 * years: 189,000 tables) fit the default budget: about 150 bytes each. */
struct entry {
	struct entry *chain;     /* the next entry in its bucket */
	int32_t indicator_id;    /* the key: indicator, */
	int32_t municipality_id; /* municipality */
	int16_t year;            /* and year */
	uint8_t flags;           /* E_* */
	uint16_t nleaves;        /* leaf rows */
	uint16_t size;           /* bytes of data */
	uint32_t k;              /* the state's k */
	uint32_t catalogue;      /* for E_STATELESS, the catalogue version its rows are */
	struct cpoint start;     /* where the state began; (0, 0) for a table with no state */
	struct cpoint until;     /* where the next state begins, or not yet known */
	uint8_t data[];          /* varints: the leaves' area ids as differences, then the cells */
};

struct state_cache {
	pthread_mutex_t lock;       /* guards everything but `advancing` */
	pthread_mutex_t advancing;  /* one advance at a time */
	struct entry **buckets;     /* owned; chains by key hash */
	size_t nbuckets;            /* a power of two */
	size_t hand;                /* the clock hand: the bucket eviction looks at next */
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
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct entry *e = c->buckets[i], *next; e; e = next) {
			next = e->chain;
			free(e);
		}
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->advancing);
	free(c);
}

/* ---- varints --------------------------------------------------------------- */

/* Numbers are kept as little-endian base-128 varints: a count below 126
 * takes one byte, one below 16,382 two. */
static size_t varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static uint64_t varint_get(const uint8_t **in)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const uint8_t *p = *in;
	while (*p & 0x80) {
		v |= (uint64_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint64_t)*p++ << shift;
	*in = p;
	return v;
}

/* Signed differences map to unsigned numbers, small either way. */
static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A cell as a number: 0 missing, 1 hidden, a published value plus 2. */
static uint64_t cell_code(const struct pcell *cell)
{
	return cell->status == DC_PUBLISHED ? (uint64_t)cell->value + 2
	       : cell->status == DC_HIDDEN ? 1 : 0;
}

static void cell_decode(struct pcell *cell, uint64_t code)
{
	cell->status = code >= 2 ? DC_PUBLISHED : code == 1 ? DC_HIDDEN : DC_MISSING;
	cell->value = code >= 2 ? (long long)(code - 2) : 0;
}

/* ---- points ---------------------------------------------------------------- */

static bool fits32(long long v)
{
	return v >= 0 && v < (long long)UINT32_MAX;
}

static struct cpoint cpoint_of(struct point p)
{
	return (struct cpoint){ (uint32_t)p.data, (uint32_t)p.catalogue };
}

/* The point just after p: an entry read at p is good up to it. */
static struct cpoint cpoint_after(struct point p)
{
	return (struct cpoint){ (uint32_t)p.data, (uint32_t)p.catalogue + 1 };
}

static struct point point_of(struct cpoint p)
{
	return p.data == UINT32_MAX ? OPEN : (struct point){ p.data, p.catalogue };
}

static int ccmp(struct point p, struct cpoint q)
{
	return point_cmp(p, point_of(q));
}

/* ---- entries and tables ----------------------------------------------------- */

/* glibc's chunk header and rounding, counted so that the budget bounds
 * what the entries really take. */
#define MALLOC_OVERHEAD 16

static size_t entry_bytes(const struct entry *e)
{
	return sizeof *e + e->size + MALLOC_OVERHEAD;
}

static bool valid_at(const struct state_cache *c, const struct entry *e, struct point p)
{
	if (ccmp(p, e->start) < 0 || ccmp(p, e->until) >= 0)
		return false;
	if ((e->flags & E_STATELESS) && p.catalogue != e->catalogue)
		return false;
	/* An open entry is known to be its table's newest state only up to
	 * the watermark the cache has advanced to. */
	return e->until.data != UINT32_MAX || point_cmp(p, c->validated) <= 0;
}

static struct ptable *table_of(const struct entry *e)
{
	struct ptable *t = ptable_new(e->year, e->nleaves, e->flags & E_TOTAL);
	if (!t)
		return NULL;
	const uint8_t *p = e->data;
	long long area = e->municipality_id;
	for (size_t l = 0; l < e->nleaves; l++)
		t->leaves[l] = (int)(area += unzigzag(varint_get(&p)));
	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++) {
		cell_decode(&t->cells[i], varint_get(&p));
		t->hidden += t->cells[i].status == DC_HIDDEN;
	}
	t->k = e->k;
	t->passed = e->flags & E_PASSED;
	t->at = (e->flags & E_STATELESS) ? (struct point){ 0, 0 } : point_of(e->start);
	return t;
}

/* Whether table t (read at watermark w) can be kept: every number it
 * carries fits the entry's fields. */
static bool keepable(const struct ptable *t, struct point w)
{
	return t->nleaves <= UINT16_MAX && fits32(t->k) && fits32(t->at.data) &&
	       fits32(t->at.catalogue) && fits32(w.data) && fits32(w.catalogue + 1) &&
	       t->year >= INT16_MIN && t->year <= INT16_MAX;
}

/* Table t's leaves and cells as varints in buf (room for 10 bytes a
 * number); returns the bytes written. */
static size_t encode(uint8_t *buf, int mun, const struct ptable *t)
{
	size_t n = 0;
	long long area = mun;
	for (size_t l = 0; l < t->nleaves; l++) {
		n += varint_put(buf + n, zigzag(t->leaves[l] - area));
		area = t->leaves[l];
	}
	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++)
		n += varint_put(buf + n, cell_code(&t->cells[i]));
	return n;
}

/* A new entry of table t read at watermark w (its `until` is the put's to
 * set), or NULL: no memory, or a number that does not fit. */
static struct entry *entry_of(int ind, int mun, const struct ptable *t, struct point w)
{
	uint8_t *buf = keepable(t, w) ? malloc((t->nleaves + t->nrows * DC_NCOLS) * 10) : NULL;
	struct entry *e = NULL;
	size_t n = buf ? encode(buf, mun, t) : 0;

	if (!buf || n > UINT16_MAX || !(e = malloc(sizeof *e + n)))
		goto done;
	bool stateless = t->at.data == 0 && t->at.catalogue == 0;
	*e = (struct entry){ .indicator_id = ind, .municipality_id = mun, .year = (int16_t)t->year,
	                     .nleaves = (uint16_t)t->nleaves, .size = (uint16_t)n,
	                     .k = (uint32_t)t->k, .start = cpoint_of(t->at),
	                     /* A table with no state has the rows of the
	                      * catalogue it was read under. */
	                     .catalogue = stateless ? (uint32_t)w.catalogue : 0,
	                     .flags = (uint8_t)((t->total ? E_TOTAL : 0) | (t->passed ? E_PASSED : 0) |
	                                        (stateless ? E_STATELESS : 0)) };
	memcpy(e->data, buf, n);
done:
	free(buf);
	return e;
}

/* ---- keeping and evicting ---------------------------------------------------- */

/* Takes the entry at *slot out of the cache and frees it. */
static void drop(struct state_cache *c, struct entry **slot)
{
	struct entry *e = *slot;
	*slot = e->chain;
	c->st.bytes -= entry_bytes(e);
	c->st.entries--;
	free(e);
}

/* Evicts one entry but `keep`, by the clock: the hand sweeps the buckets
 * and spares once each entry read since it last passed, so an entry stays
 * by being read again. False when only `keep` is left. */
static bool evict_one(struct state_cache *c, const struct entry *keep)
{
	for (size_t swept = 0; swept <= 2 * c->nbuckets; swept++) {
		for (struct entry **p = &c->buckets[c->hand]; *p; p = &(*p)->chain) {
			if (*p != keep && !((*p)->flags & E_USED)) {
				drop(c, p);
				c->st.evicted++;
				return true;
			}
			(*p)->flags &= (uint8_t)~E_USED;
		}
		c->hand = (c->hand + 1) & (c->nbuckets - 1);
	}
	return false;
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
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct entry *e = c->buckets[i], *next; e; e = next) {
			next = e->chain;
			size_t j = hash_key(e->indicator_id, e->municipality_id, e->year) & (n - 1);
			e->chain = b[j];
			b[j] = e;
		}
	c->st.bytes += (n - c->nbuckets) * sizeof *b;
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
	c->hand = 0;
}

struct ptable *state_cache_get(struct state_cache *c, int indicator_id, int municipality_id,
                               int year, struct point p)
{
	struct ptable *t = NULL;

	pthread_mutex_lock(&c->lock);
	struct entry *e = *slot_of(c, indicator_id, municipality_id, year);
	if (e && valid_at(c, e, p)) {
		e->flags |= E_USED;
		t = table_of(e);
	}
	if (t)
		c->st.hits++;
	else
		c->st.misses++;
	pthread_mutex_unlock(&c->lock);
	return t;
}

/* Whether an entry should give way to a new one of the same table: when
 * the new holds a later state, or the same one known up to a later point. */
static bool replaces(const struct entry *old, const struct entry *e)
{
	if (!old)
		return true;
	int by_start = ccmp(point_of(e->start), old->start);
	return by_start > 0 || (by_start == 0 && ccmp(point_of(e->until), old->until) > 0);
}

void state_cache_put(struct state_cache *c, int indicator_id, int municipality_id,
                     const struct ptable *t, struct point w)
{
	struct entry *e = entry_of(indicator_id, municipality_id, t, w);

	if (!e || entry_bytes(e) > c->st.budget / 2) {
		free(e);
		return;
	}
	pthread_mutex_lock(&c->lock);
	/* An entry is open (good until an advance lists the table's next
	 * state) only when read at the watermark the cache knows; read at
	 * another, the next state may begin just after w. */
	e->until = point_cmp(w, c->validated) == 0 ? (struct cpoint){ UINT32_MAX, 0 }
	                                           : cpoint_after(w);
	struct entry **slot = slot_of(c, indicator_id, municipality_id, t->year);
	if (!replaces(*slot, e)) {
		pthread_mutex_unlock(&c->lock);
		free(e);
		return;
	}
	if (*slot)
		drop(c, slot);
	e->chain = NULL;
	*slot = e;
	c->st.entries++;
	c->st.bytes += entry_bytes(e);
	grow(c);
	while (c->st.bytes > c->st.budget && evict_one(c, e))
		;
	pthread_mutex_unlock(&c->lock);
}

/* ---- advancing --------------------------------------------------------------- */

/* Closes the entry of one table that got a state beginning at `start`. */
static void close_at(struct state_cache *c, int ind, int mun, int year, struct point start)
{
	struct entry *e = *slot_of(c, ind, mun, year);
	if (!e || ccmp(start, e->start) <= 0 || ccmp(start, e->until) >= 0)
		return;
	/* A start beyond 32 bits closes the entry at the largest it can say. */
	e->until = fits32(start.data) && fits32(start.catalogue)
	           ? cpoint_of(start) : (struct cpoint){ UINT32_MAX - 1, 0 };
	c->st.closed++;
}

static enum agg_status query_new(struct db *db, struct point from, struct point to,
                                 struct db_rows **rows)
{
	enum db_status st = db_exec(db, rows, SQL_NEW_STATES,
	                            DB_PARAMS(DB_PARAM_INT(from.data), DB_PARAM_INT(from.catalogue),
	                                      DB_PARAM_INT(to.data), DB_PARAM_INT(to.catalogue)));
	if (st != DB_OK)
		db_log_failure(db, "the new table states query", st);
	return tables_status(st);
}

enum agg_status state_cache_advance(struct state_cache *c, struct db *db, struct point w)
{
	struct db_rows *rows = NULL;
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
		st = query_new(db, from, w, &rows);
	if (st == AGG_OK && rows) {
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < db_rows_count(rows); i++)
			close_at(c, (int)db_rows_int(rows, i, 0), (int)db_rows_int(rows, i, 1),
			         (int)db_rows_int(rows, i, 2),
			         (struct point){ db_rows_int(rows, i, 3),
			                         db_rows_int(rows, i, 4) });
		c->validated = w;
		pthread_mutex_unlock(&c->lock);
	}
	db_rows_free(rows);
	pthread_mutex_unlock(&c->advancing);
	return st;
}

void state_cache_stats(struct state_cache *c, struct state_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	pthread_mutex_unlock(&c->lock);
}
