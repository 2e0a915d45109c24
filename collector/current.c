/* The current-value cache: an open-addressing hash map of keys to values,
 * and the state that says when the map may be trusted (see current.h). */
#include "current.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vec.h"

/* A slot's content is a count and its flag: the count in the low 30 bits
 * (10^9 < 2^30), the flag (flag.h, 0..2) in the two above, so that a slot
 * stays 16 bytes and one comparison tells "unchanged" (the same count with
 * the same flag). */
#define FLAG_SHIFT 30
#define VALUE_MASK ((UINT32_C(1) << FLAG_SHIFT) - 1)
/* A slot with this content is empty: it is no count with a flag. */
#define EMPTY UINT32_MAX
/* Slots in a new map (a power of two), unless the budget holds fewer. */
#define FIRST_CAPACITY 1024
/* The fewest slots a cache may have: a table of one slot holds no key, as
 * it is grown before it is more than three quarters full. */
#define MIN_CAPACITY 2
/* The most submissions in a row a load may have to wait for. */
#define STREAK_MAX 1024

/* One key and its value; 16 bytes. */
struct slot {
	int32_t indicator_id; /* indicator.id */
	int32_t area_id;      /* area.id */
	int32_t period;       /* yyyyq */
	uint32_t value;       /* the current value and flag (content()), or EMPTY */
};

/* Linear probing in a power-of-two table kept at most three quarters full. */
struct map {
	struct slot *slots;   /* owned; cap entries */
	size_t cap;           /* a power of two */
	size_t n;             /* slots in use */
};

struct current {
	pthread_mutex_t lock;     /* guards everything below */
	pthread_cond_t landed;    /* signalled when a batch in flight ends */
	size_t budget;            /* bytes: the --cache-mb bound of the table, and of
	                           * the load's table and pending batches together */
	size_t max_cap;           /* the most slots a table may have: the largest
	                           * power of two whose table fits the budget */
	struct map map;           /* the keys when valid; empty (no slots) otherwise */
	bool valid;               /* map is the database at version */
	bool off;                 /* turned off for good: more keys than max_cap holds */
	bool inflight;            /* a batch classified from the map is not yet applied */
	bool loading;             /* a thread owns a load */
	bool ever_loaded;         /* a load has become the map at least once */
	bool load_unused;         /* no batch used the map since the last load */
	bool first_load;          /* the load running is the first, which no streak
	                           * asked for */
	long long version;        /* the submission id the map stands for */
	long long last_own;       /* the last submission this process committed */
	unsigned streak;          /* batches in a row that followed one of ours */
	unsigned streak_needed;   /* streak a load waits for (doubles when wasted) */
	struct pending *pending;  /* owned; batches committed during the load */
	size_t npending;          /* entries in pending */
	size_t pending_cap;       /* entries allocated */
	size_t pending_bytes;     /* their rows' bytes; with load_bytes within budget */
	size_t load_bytes;        /* the bytes of the running load's table */
	bool pending_lost;        /* one could not be kept: keep no later ones */
	struct current_stats stats; /* counters for current_stats */
	pthread_mutex_t chain;    /* held from a chain batch's classification until
	                           * its rows are in the map (or it gave up) */
	unsigned gen;             /* the map's generation: moves when it is dropped */
	long long landed_id;      /* the highest submission known committed: the
	                           * batches before it in the chain have landed */
};

/* A batch this process committed while a load was running: the load's
 * snapshot may predate it, so it is applied to the loaded map afterwards. */
struct pending {
	long long version;        /* the version its transaction saw */
	long long id;             /* its submission id */
	struct valid_row *rows;   /* owned copy of its rows */
	size_t n;                 /* entries in rows */
};

/* The map a loader fills outside the mutex. */
struct current_load {
	struct map map;           /* owned until current_load_end */
	struct current *cache;    /* borrowed; told the table's size when it grows */
};

/* ---- the map ------------------------------------------------------------ */

/* A slot's content of a count and its flag. */
static uint32_t content(int value, int flag)
{
	return (uint32_t)value | (uint32_t)flag << FLAG_SHIFT;
}

static uint64_t key_hash(int32_t ind, int32_t area, int32_t period)
{
	uint64_t h = (uint64_t)(uint32_t)ind * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)(uint32_t)area + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
	h ^= (uint64_t)(uint32_t)period * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	return h ^ (h >> 29);
}

static int map_init(struct map *m, size_t cap)
{
	m->slots = malloc(cap * sizeof *m->slots);
	if (!m->slots)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m->slots[i].value = EMPTY;
	m->cap = cap;
	m->n = 0;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->slots);
	*m = (struct map){ NULL, 0, 0 };
}

/* The slot of the key, or the empty slot where it would go. */
static struct slot *map_find(const struct map *m, int32_t ind, int32_t area, int32_t period)
{
	size_t mask = m->cap - 1, i = (size_t)key_hash(ind, area, period) & mask;

	for (;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];
		if (s->value == EMPTY ||
		    (s->indicator_id == ind && s->area_id == area && s->period == period))
			return s;
	}
}

/* Doubles the table. Returns 0 or -1 (the map is unchanged). */
static int map_grow(struct map *m)
{
	struct map bigger;

	if (map_init(&bigger, m->cap * 2) != 0)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		const struct slot *s = &m->slots[i];
		if (s->value != EMPTY)
			*map_find(&bigger, s->indicator_id, s->area_id, s->period) = *s;
	}
	bigger.n = m->n;
	free(m->slots);
	*m = bigger;
	return 0;
}

/* Sets a key's value. Returns 0, -1 when memory ran out, 1 when a new key
 * would need a table of more than max_cap slots. */
static int map_set(struct map *m, size_t max_cap, int32_t ind, int32_t area,
                   int32_t period, uint32_t value)
{
	struct slot *s = map_find(m, ind, area, period);

	if (s->value == EMPTY) {
		/* Grown before it is more than three quarters full, so that
		 * probes stay short and an empty slot always exists. */
		if (4 * (m->n + 1) > 3 * m->cap) {
			if (m->cap >= max_cap)
				return 1;
			if (map_grow(m) != 0)
				return -1;
			s = map_find(m, ind, area, period);
		}
		*s = (struct slot){ ind, area, period, value };
		m->n++;
		return 0;
	}
	s->value = value;
	return 0;
}

/* ---- the cache ---------------------------------------------------------- */

/* The largest power of two of slots whose table fits `budget` bytes; 0
 * when not even one slot does. */
static size_t capacity_of(size_t budget)
{
	size_t slots = budget / sizeof(struct slot), cap = 1;

	if (slots == 0)
		return 0;
	while (cap <= slots / 2)
		cap *= 2;
	return cap;
}

struct current *current_new(size_t budget)
{
	size_t max_cap = capacity_of(budget);
	struct current *c = NULL;

	if (max_cap < MIN_CAPACITY)
		goto done;
	c = calloc(1, sizeof *c);
	if (!c)
		goto done;
	/* No map until the first load makes one. */
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->chain, NULL);
	pthread_cond_init(&c->landed, NULL);
	c->budget = budget;
	c->max_cap = max_cap;
	/* No submission is ours yet; ids start at 1 and versions at 0. */
	c->last_own = -1;
	c->streak_needed = 1;
done:
	return c;
}

/* Forgets the batches kept during a load. Called with the lock held. */
static void pending_clear(struct current *c)
{
	for (size_t i = 0; i < c->npending; i++)
		free(c->pending[i].rows);
	free(c->pending);
	c->pending = NULL;
	c->npending = c->pending_bytes = c->pending_cap = 0;
	c->pending_lost = false;
}

/* Keeps a batch committed while a load runs, when its rows fit in what
 * the load's table and the batches kept before it leave of the budget;
 * one that does not breaks the chain of versions, so no later one is
 * kept either. Called with the lock held. */
static void pending_add(struct current *c, long long version, long long id,
                        const struct valid_row *rows, size_t n)
{
	struct pending *p = NULL;
	struct valid_row *copy = NULL;
	size_t bytes = n * sizeof *rows;

	if (c->pending_lost || c->load_bytes + c->pending_bytes > c->budget ||
	    bytes > c->budget - c->load_bytes - c->pending_bytes)
		goto lost;
	copy = malloc((n ? n : 1) * sizeof *copy);
	p = copy ? VEC_PUSH(c->pending, c->npending, c->pending_cap) : NULL;
	if (!p)
		goto lost;
	memcpy(copy, rows, n * sizeof *copy);
	*p = (struct pending){ version, id, copy, n };
	c->pending_bytes += bytes;
	return;
lost:
	free(copy);
	c->pending_lost = true;
}

static int pending_order(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void current_free(struct current *c)
{
	if (!c)
		return;
	pending_clear(c);
	map_free(&c->map);
	pthread_cond_destroy(&c->landed);
	pthread_mutex_destroy(&c->chain);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Drops the map: an invalid map is never read again (a load makes a new
 * one), so its memory goes at once rather than beside the next load's. A
 * load that no batch used makes the next one wait for a longer streak of
 * our own submissions. Called with the lock held. */
static void invalidate(struct current *c)
{
	if (c->valid && c->load_unused && c->streak_needed < STREAK_MAX)
		c->streak_needed *= 2;
	c->valid = false;
	c->gen++;
	map_free(&c->map);
	/* Chain batches waiting for one before them stop waiting: the map
	 * they were classified against is gone, and the database decides. */
	pthread_cond_broadcast(&c->landed);
}

/* Ends the batch in flight. Called with the lock held. */
static void land(struct current *c)
{
	if (!c->inflight)
		return;
	c->inflight = false;
	pthread_cond_broadcast(&c->landed);
}

/* Rows ahead whose slot is fetched into the CPU cache: a big map is read
 * at random, and each lookup would otherwise wait for memory. */
#define PREFETCH_AHEAD 16

static void prefetch_row(const struct map *m, const struct valid_row *rows, size_t n, size_t i)
{
	if (i < n) {
		const struct valid_row *r = &rows[i];
		size_t at = (size_t)key_hash(r->indicator_id, r->area_id, r->period) & (m->cap - 1);
		__builtin_prefetch(&m->slots[at]);
	}
}

static void classify_rows(const struct map *m, const struct valid_row *rows, size_t n,
                          unsigned char *cls)
{
	for (size_t i = 0; i < n; i++) {
		prefetch_row(m, rows, n, i + PREFETCH_AHEAD);
		const struct valid_row *r = &rows[i];
		const struct slot *s = map_find(m, r->indicator_id, r->area_id, r->period);
		if (s->value == EMPTY)
			cls[i] = CLASS_CREATED;
		else
			cls[i] = s->value == content(r->value, r->flag) ? CLASS_UNCHANGED
			                                                 : CLASS_UPDATED;
	}
}

bool current_classify(struct current *c, long long version,
                      const struct valid_row *rows, size_t n, unsigned char *cls)
{
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	/* A batch of this process that committed before our lock was taken
	 * is applied in a moment; the version we saw includes it. */
	while (c->inflight)
		pthread_cond_wait(&c->landed, &c->lock);
	c->streak = version == c->last_own ? c->streak + 1 : 0;
	if (c->valid && c->version == version) {
		classify_rows(&c->map, rows, n, cls);
		c->inflight = true;
		c->load_unused = false;
		c->streak_needed = 1;
		c->stats.hits++;
		hit = true;
	} else {
		/* Someone else wrote since the map's version: it is stale. */
		invalidate(c);
		c->stats.misses++;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* When the map is at `version`, sets every row's value and moves it to
 * `id`. Called with the lock held. */
static void apply(struct current *c, long long version, long long id,
                  const struct valid_row *rows, size_t n)
{
	if (!c->valid || c->version != version)
		return;
	for (size_t i = 0; i < n && c->valid; i++) {
		prefetch_row(&c->map, rows, n, i + PREFETCH_AHEAD);
		const struct valid_row *r = &rows[i];
		int rc = map_set(&c->map, c->max_cap, r->indicator_id, r->area_id,
		                 r->period, content(r->value, r->flag));
		if (rc != 0) {
			/* Half a batch in the map is no map at all. */
			c->off = rc == 1;
			invalidate(c);
		}
	}
	if (c->valid)
		c->version = id;
}

/* Brings a map just loaded at c->version up to date with the batches this
 * process committed meanwhile, in id order: those the snapshot already
 * held are skipped, the next ones apply while each saw the version the
 * map is at. A gap (another collector wrote) stops it; the next version
 * check finds the map stale. Called with the lock held. */
static void pending_replay(struct current *c)
{
	/* qsort must not be handed NULL, even to sort nothing. */
	if (c->npending > 0)
		qsort(c->pending, c->npending, sizeof *c->pending, pending_order);
	for (size_t i = 0; i < c->npending && c->valid; i++) {
		const struct pending *p = &c->pending[i];
		if (p->id <= c->version)
			continue;
		if (p->version != c->version)
			break;
		apply(c, p->version, p->id, p->rows, p->n);
	}
}

void current_commit(struct current *c, long long version, long long id,
                    const struct valid_row *rows, size_t n)
{
	pthread_mutex_lock(&c->lock);
	c->last_own = id;
	if (id > c->landed_id)
		c->landed_id = id;
	if (c->loading)
		pending_add(c, version, id, rows, n);
	apply(c, version, id, rows, n);
	land(c);
	pthread_mutex_unlock(&c->lock);
}

void current_apply(struct current *c, long long version, long long id,
                   const struct valid_row *rows, size_t n)
{
	pthread_mutex_lock(&c->lock);
	/* current_commit's own apply then finds the map at `id`, not at
	 * `version`, and leaves it. */
	apply(c, version, id, rows, n);
	pthread_mutex_unlock(&c->lock);
}

void current_abort(struct current *c)
{
	pthread_mutex_lock(&c->lock);
	invalidate(c);
	land(c);
	pthread_mutex_unlock(&c->lock);
}

/* ---- the chain ------------------------------------------------------------ */

bool current_chain_classify(struct current *c, long long committed,
                            const struct valid_row *rows, size_t n, unsigned char *cls,
                            struct current_ticket *t)
{
	bool usable;

	pthread_mutex_lock(&c->chain);
	pthread_mutex_lock(&c->lock);
	/* A batch of the locked way, committed and not yet applied, would be
	 * missing from the map. */
	while (c->inflight)
		pthread_cond_wait(&c->landed, &c->lock);
	/* A submission committed past the map's version is another writer's:
	 * the map is stale, and the locked way finds out for sure. (One of
	 * ours may have committed and not landed yet: it is in the map.) */
	usable = c->valid && !c->loading && committed <= c->version;
	if (usable) {
		classify_rows(&c->map, rows, n, cls);
		*t = (struct current_ticket){ c->version, c->gen, false };
		c->load_unused = false;
		c->streak_needed = 1;
		c->stats.hits++;
	}
	pthread_mutex_unlock(&c->lock);
	if (!usable)
		pthread_mutex_unlock(&c->chain);
	return usable;
}

void current_chain_apply(struct current *c, struct current_ticket *t, long long id,
                         const struct valid_row *rows, size_t n)
{
	pthread_mutex_lock(&c->lock);
	/* Only on the map it was classified against, still at that version. */
	if (c->valid && c->gen == t->gen && c->version == t->pred) {
		apply(c, t->pred, id, rows, n);
		t->applied = c->valid && c->gen == t->gen;
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&c->chain);
}

void current_chain_cancel(struct current *c)
{
	pthread_mutex_unlock(&c->chain);
}

void current_chain_wait(struct current *c, const struct current_ticket *t)
{
	pthread_mutex_lock(&c->lock);
	while (c->landed_id < t->pred && c->gen == t->gen)
		pthread_cond_wait(&c->landed, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

void current_chain_end(struct current *c, const struct current_ticket *t, long long id,
                       bool committed)
{
	pthread_mutex_lock(&c->lock);
	if (committed) {
		c->last_own = id;
		if (id > c->landed_id)
			c->landed_id = id;
	} else if (t->applied && c->gen == t->gen) {
		/* Rows that will never be committed are in the map. */
		invalidate(c);
	}
	pthread_cond_broadcast(&c->landed);
	pthread_mutex_unlock(&c->lock);
}

/* ---- loading ------------------------------------------------------------ */

bool current_load_begin(struct current *c)
{
	bool go;

	pthread_mutex_lock(&c->lock);
	go = !c->off && !c->valid && !c->loading &&
	     (!c->ever_loaded || c->streak >= c->streak_needed);
	if (go) {
		c->loading = true;
		c->first_load = !c->ever_loaded;
		pending_clear(c);
	}
	pthread_mutex_unlock(&c->lock);
	return go;
}

/* Tells the cache how big the load's table now is, so that the batches
 * kept meanwhile fit in what it leaves of the budget. */
static void load_grew(struct current_load *l)
{
	pthread_mutex_lock(&l->cache->lock);
	l->cache->load_bytes = l->map.cap * sizeof *l->map.slots;
	pthread_mutex_unlock(&l->cache->lock);
}

struct current_load *current_load_new(struct current *c)
{
	struct current_load *l = malloc(sizeof *l);
	size_t cap = c->max_cap < FIRST_CAPACITY ? c->max_cap : FIRST_CAPACITY;

	if (!l)
		return NULL;
	if (map_init(&l->map, cap) != 0) {
		free(l);
		return NULL;
	}
	l->cache = c;
	load_grew(l);
	return l;
}

int current_load_set(struct current_load *l, int indicator_id, int area_id,
                     int period, int value, int flag)
{
	size_t cap = l->map.cap;
	int rc = map_set(&l->map, l->cache->max_cap, indicator_id, area_id, period,
	                 content(value, flag));

	if (l->map.cap != cap)
		load_grew(l);
	return rc;
}

void current_load_end(struct current *c, struct current_load *l, bool ok,
                      bool too_big, long long version)
{
	pthread_mutex_lock(&c->lock);
	c->loading = false;
	c->ever_loaded = true;
	c->load_bytes = 0;
	if (too_big) {
		c->off = true;
		invalidate(c);
	} else if (l && ok) {
		/* The loaded map stands for `version`, whatever happened while it
		 * was read: the next version check decides whether it is used. */
		map_free(&c->map);
		c->map = l->map;
		l->map = (struct map){ NULL, 0, 0 };
		c->valid = true;
		c->version = version;
		if (version > c->landed_id)
			c->landed_id = version;
		/* The first load comes unasked, at start-up: when another
		 * collector writes before this one, that says nothing yet about
		 * loads that follow our streaks, so it does not double them. */
		c->load_unused = !c->first_load;
		c->stats.loads++;
		/* Batches that could not be kept break the chain of versions,
		 * which the replay and the next version check both notice. */
		pending_replay(c);
	}
	pending_clear(c);
	pthread_mutex_unlock(&c->lock);
	if (l)
		map_free(&l->map);
	free(l);
}

/* ---- reading the state -------------------------------------------------- */

void current_stats(struct current *c, struct current_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	out->valid = c->valid;
	out->off = c->off;
	out->version = c->version;
	out->keys = c->map.n;
	pthread_mutex_unlock(&c->lock);
}

bool current_get(struct current *c, int indicator_id, int area_id, int period, int *value)
{
	bool found = false;

	pthread_mutex_lock(&c->lock);
	if (c->map.slots) {
		const struct slot *s = map_find(&c->map, indicator_id, area_id, period);
		found = s->value != EMPTY;
		if (found)
			*value = (int)(s->value & VALUE_MASK);
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}
