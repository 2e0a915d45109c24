/* The protected-table cache; see table_cache.h. */
#include "table_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

/* The smallest budget: a handful of tables of ten districts. */
#define CACHE_MIN_BYTES (16 * 1024)
/* Buckets of a new cache; the array doubles when entries outnumber them. */
#define CACHE_MIN_BUCKETS 1024

enum entry_kind {
	ENTRY_TABLE,  /* a publishable table: values and statuses */
	ENTRY_MASK,   /* an earlier state: which cells were suppressed */
	ENTRY_LINK,   /* the table is stored under another version */
};

/* A table entry's fixed part; values and statuses follow the entry. */
struct table_head {
	uint32_t nprimary;    /* ptable.nprimary */
	uint32_t nsecondary;  /* ptable.nsecondary */
	bool audit_passed;    /* ptable.audit_passed */
	bool failed;          /* ptable.failed */
};

/* One entry: a single allocation, its payload after it. */
struct entry {
	struct table_key key;     /* what it is stored under */
	struct entry *hnext;      /* the next entry of its bucket */
	struct entry *newer;      /* LRU neighbour towards the most recent, or NULL */
	struct entry *older;      /* LRU neighbour towards the least recent, or NULL */
	uint32_t size;            /* bytes counted for it */
	uint16_t nrows;           /* rows of the table (tables and masks) */
	uint8_t kind;             /* enum entry_kind */
	union {
		struct table_head table;  /* ENTRY_TABLE */
		long long target;         /* ENTRY_LINK: the version its table is under */
	} u;                      /* by kind; unused by masks */
	unsigned char data[];     /* table: int32 values then uint8 statuses; mask: bits */
};

struct protected_cache {
	pthread_mutex_t lock;      /* guards everything below */
	struct entry **buckets;    /* owned; chains of entries */
	size_t nbuckets;           /* a power of two */
	struct entry *newest;      /* head of the LRU list */
	struct entry *oldest;      /* its tail: evicted first */
	size_t bytes;              /* counted bytes, buckets included */
	size_t budget;             /* the bound on bytes */
	size_t counts[3];          /* entries by kind */
	size_t evicted;            /* entries evicted since the start */
};

/* ---- sizes ------------------------------------------------------------- */

static size_t ncells_of(size_t nrows)
{
	return nrows * PROTECT_NCOLS;
}

static size_t mask_bytes(size_t nrows)
{
	return (ncells_of(nrows) + 7) / 8;
}

/* What malloc gives for n bytes on glibc: its 8-byte header, rounded up to 16. */
static size_t counted(size_t n)
{
	return (n + 8 + 15) & ~(size_t)15;
}

/* ---- hashing ----------------------------------------------------------- */

/* splitmix64's finaliser: spreads neighbouring keys over the buckets. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t key_hash(const struct table_key *k)
{
	uint64_t h = mix((uint64_t)k->indicator_id);
	h = mix(h ^ (uint64_t)k->municipality_id);
	h = mix(h ^ (uint64_t)k->year);
	h = mix(h ^ (uint64_t)k->version);
	return mix(h ^ (uint64_t)k->catalogue ^ ((uint64_t)k->k << 32));
}

static bool key_equal(const struct table_key *a, const struct table_key *b)
{
	return a->indicator_id == b->indicator_id && a->municipality_id == b->municipality_id &&
	       a->year == b->year && a->k == b->k && a->version == b->version &&
	       a->catalogue == b->catalogue;
}

static struct entry **bucket_of(struct protected_cache *c, const struct table_key *k)
{
	return &c->buckets[key_hash(k) & (c->nbuckets - 1)];
}

/* ---- the LRU list -------------------------------------------------------- */

static void lru_unlink(struct protected_cache *c, struct entry *e)
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

static void lru_push(struct protected_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

static void lru_touch(struct protected_cache *c, struct entry *e)
{
	if (c->newest == e)
		return;
	lru_unlink(c, e);
	lru_push(c, e);
}

/* ---- entries ------------------------------------------------------------ */

/* The entry of key, or NULL. */
static struct entry *find(struct protected_cache *c, const struct table_key *key)
{
	for (struct entry *e = *bucket_of(c, key); e; e = e->hnext)
		if (key_equal(&e->key, key))
			return e;
	return NULL;
}

/* Takes e out of the cache and frees it. */
static void remove_entry(struct protected_cache *c, struct entry *e)
{
	struct entry **p = bucket_of(c, &e->key);

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	lru_unlink(c, e);
	c->bytes -= e->size;
	c->counts[e->kind]--;
	free(e);
}

/* Doubles the bucket array when entries outnumber buckets; a failed
 * allocation keeps the old one (chains only get longer). */
static void maybe_grow(struct protected_cache *c)
{
	size_t n = c->counts[0] + c->counts[1] + c->counts[2];
	size_t size = c->nbuckets * 2;

	if (n <= c->nbuckets)
		return;
	struct entry **fresh = calloc(size, sizeof *fresh);
	if (!fresh)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->hnext;
			struct entry **b = &fresh[key_hash(&e->key) & (size - 1)];
			e->hnext = *b;
			*b = e;
		}
	}
	free(c->buckets);
	c->bytes += counted(size * sizeof *fresh) - counted(c->nbuckets * sizeof *fresh);
	c->buckets = fresh;
	c->nbuckets = size;
}

/* Evicts the least recently used entries, never `keep`, until the
 * budget holds. */
static void evict(struct protected_cache *c, const struct entry *keep)
{
	while (c->bytes > c->budget && c->oldest && c->oldest != keep) {
		remove_entry(c, c->oldest);
		c->evicted++;
	}
}

/* Stores e (its key, kind, payload and size set), replacing any entry of
 * the same key; frees it instead when it alone exceeds the budget. */
static void insert(struct protected_cache *c, struct entry *e)
{
	pthread_mutex_lock(&c->lock);
	struct entry *old = find(c, &e->key);
	if (old)
		remove_entry(c, old);
	if (e->size + counted(c->nbuckets * sizeof *c->buckets) > c->budget) {
		pthread_mutex_unlock(&c->lock);
		free(e);
		return;
	}
	struct entry **b = bucket_of(c, &e->key);
	e->hnext = *b;
	*b = e;
	lru_push(c, e);
	c->bytes += e->size;
	c->counts[e->kind]++;
	maybe_grow(c);
	evict(c, e);
	pthread_mutex_unlock(&c->lock);
}

/* A new entry with room for `payload` bytes after it, or NULL. */
static struct entry *entry_new(const struct table_key *key, enum entry_kind kind,
                               size_t nrows, size_t payload)
{
	size_t size = sizeof(struct entry) + payload;
	struct entry *e = malloc(size);

	if (!e)
		return NULL;
	memset(e, 0, sizeof *e);
	e->key = *key;
	e->kind = (uint8_t)kind;
	e->nrows = (uint16_t)nrows;
	e->size = (uint32_t)counted(size);
	return e;
}

/* ---- the cache ----------------------------------------------------------- */

struct protected_cache *table_cache_new(size_t budget)
{
	struct protected_cache *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->nbuckets = CACHE_MIN_BUCKETS;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	c->budget = budget < CACHE_MIN_BYTES ? CACHE_MIN_BYTES : budget;
	c->bytes = counted(c->nbuckets * sizeof *c->buckets);
	if (!c->buckets || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->buckets);
		free(c);
		return NULL;
	}
	return c;
}

void table_cache_free(struct protected_cache *c)
{
	if (!c)
		return;
	log_debug("table cache at exit: %zu tables, %zu earlier states, %zu links; %zu of %zu "
	          "bytes; %zu evicted", c->counts[ENTRY_TABLE], c->counts[ENTRY_MASK],
	          c->counts[ENTRY_LINK], c->bytes, c->budget, c->evicted);
	while (c->oldest)
		remove_entry(c, c->oldest);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

void table_cache_stats(struct protected_cache *c, struct table_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = (struct table_cache_stats){
		.entries = c->counts[0] + c->counts[1] + c->counts[2],
		.tables = c->counts[ENTRY_TABLE], .masks = c->counts[ENTRY_MASK],
		.links = c->counts[ENTRY_LINK], .bytes = c->bytes, .budget = c->budget,
		.evicted = c->evicted,
	};
	pthread_mutex_unlock(&c->lock);
}

/* ---- tables --------------------------------------------------------------- */

static size_t table_payload(size_t nrows)
{
	return ncells_of(nrows) * (sizeof(int32_t) + 1);
}

/* The ptable of a table entry, malloc'd, or NULL. */
static struct ptable *table_unpack(const struct entry *e)
{
	size_t nrows = e->nrows, n = ncells_of(nrows);
	struct ptable *t = malloc(sizeof *t + n * sizeof t->cells[0]);
	const unsigned char *status = e->data + n * sizeof(int32_t);

	if (!t)
		return NULL;
	*t = (struct ptable){ .ndistricts = nrows - 1, .nrows = nrows, .k = e->key.k,
	                      .audit_passed = e->u.table.audit_passed,
	                      .failed = e->u.table.failed, .nprimary = e->u.table.nprimary,
	                      .nsecondary = e->u.table.nsecondary };
	for (size_t i = 0; i < n; i++) {
		int32_t v;
		memcpy(&v, e->data + i * sizeof v, sizeof v);
		t->cells[i].value = v;
		t->cells[i].status = (enum cell_status)status[i];
	}
	return t;
}

/* True when t fits an entry: row count, counters and every value. */
static bool table_packable(const struct ptable *t)
{
	if (t->nrows == 0 || t->nrows > UINT16_MAX || t->ndistricts + 1 != t->nrows ||
	    t->nprimary > UINT32_MAX || t->nsecondary > UINT32_MAX)
		return false;
	for (size_t i = 0; i < ncells_of(t->nrows); i++)
		if (t->cells[i].value < INT32_MIN || t->cells[i].value > INT32_MAX)
			return false;
	return true;
}

void table_cache_put(struct protected_cache *c, const struct table_key *key,
                     const struct ptable *t)
{
	if (!table_packable(t))
		return;
	size_t n = ncells_of(t->nrows);
	struct entry *e = entry_new(key, ENTRY_TABLE, t->nrows, table_payload(t->nrows));
	if (!e)
		return;
	e->u.table = (struct table_head){ (uint32_t)t->nprimary, (uint32_t)t->nsecondary,
	                                  t->audit_passed, t->failed };
	unsigned char *status = e->data + n * sizeof(int32_t);
	for (size_t i = 0; i < n; i++) {
		int32_t v = (int32_t)t->cells[i].value;
		memcpy(e->data + i * sizeof v, &v, sizeof v);
		status[i] = (unsigned char)t->cells[i].status;
	}
	insert(c, e);
}

/* The table entry of key, following one link. */
static struct entry *find_table(struct protected_cache *c, const struct table_key *key)
{
	struct entry *e = find(c, key);

	if (e && e->kind == ENTRY_LINK) {
		struct table_key target = *key;
		target.version = e->u.target;
		lru_touch(c, e);
		e = find(c, &target);
	}
	return e && e->kind == ENTRY_TABLE ? e : NULL;
}

struct ptable *table_cache_get(struct protected_cache *c, const struct table_key *key)
{
	struct ptable *t = NULL;

	pthread_mutex_lock(&c->lock);
	struct entry *e = find_table(c, key);
	if (e) {
		lru_touch(c, e);
		t = table_unpack(e);
	}
	pthread_mutex_unlock(&c->lock);
	return t;
}

void table_cache_put_link(struct protected_cache *c, const struct table_key *key,
                          long long target)
{
	struct entry *e = entry_new(key, ENTRY_LINK, 0, 0);

	if (!e)
		return;
	e->u.target = target;
	insert(c, e);
}

/* ---- masks ---------------------------------------------------------------- */

bool cell_mask_has(const struct cell_mask *m, size_t i)
{
	return (m->bits[i / 8] >> (i % 8)) & 1;
}

/* A zeroed mask of nrows rows, or NULL. */
static struct cell_mask *mask_new(size_t nrows)
{
	struct cell_mask *m = calloc(1, sizeof *m + mask_bytes(nrows));

	if (m)
		m->nrows = nrows;
	return m;
}

struct cell_mask *cell_mask_of(const struct ptable *t)
{
	struct cell_mask *m = mask_new(t->nrows);

	if (!m)
		return NULL;
	for (size_t i = 0; i < ncells_of(t->nrows); i++)
		if (cell_is_suppressed(t->cells[i].status))
			m->bits[i / 8] |= (unsigned char)(1u << (i % 8));
	return m;
}

void table_cache_put_mask(struct protected_cache *c, const struct table_key *key,
                          const struct ptable *t)
{
	if (t->nrows == 0 || t->nrows > UINT16_MAX)
		return;
	struct cell_mask *m = cell_mask_of(t);
	struct entry *e = m ? entry_new(key, ENTRY_MASK, t->nrows, mask_bytes(t->nrows)) : NULL;
	if (e) {
		memcpy(e->data, m->bits, mask_bytes(t->nrows));
		insert(c, e);
	}
	free(m);
}

/* The mask of an entry of either kind that has one, or NULL. */
static struct cell_mask *mask_unpack(const struct entry *e)
{
	struct cell_mask *m = mask_new(e->nrows);

	if (!m)
		return NULL;
	if (e->kind == ENTRY_MASK) {
		memcpy(m->bits, e->data, mask_bytes(e->nrows));
		return m;
	}
	const unsigned char *status = e->data + ncells_of(e->nrows) * sizeof(int32_t);
	for (size_t i = 0; i < ncells_of(e->nrows); i++)
		if (cell_is_suppressed((enum cell_status)status[i]))
			m->bits[i / 8] |= (unsigned char)(1u << (i % 8));
	return m;
}

struct cell_mask *table_cache_get_mask(struct protected_cache *c, const struct table_key *key)
{
	struct cell_mask *m = NULL;

	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key);
	if (e && e->kind == ENTRY_LINK)
		e = find_table(c, key);
	if (e) {
		lru_touch(c, e);
		m = mask_unpack(e);
	}
	pthread_mutex_unlock(&c->lock);
	return m;
}
