/* The recorder; see recorder.h. */
#include "recorder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "catalogue.h"
#include "catalogue_db.h"
#include "load.h"
#include "log.h"
#include "period.h"
#include "states.h"
#include "vec.h"

/* Held for as long as one aggregator records; session-level, so it goes
 * with the connection. */
static const char SQL_LEAD[] =
	"SELECT pg_try_advisory_lock(hashtextextended('samlad-recorder', 0))";

/* The tables with counts from the submissions after the watermark. The
 * block-range index on submission_id finds them without reading the rest. */
static const char SQL_TOUCHED[] =
	"SELECT DISTINCT indicator_id, area_id, period / 10 FROM count_history"
	" WHERE submission_id > $1 AND submission_id <= $2";

/* Every recorded table, for the catalogue's changes. */
static const char SQL_RECORDED[] =
	"SELECT indicator_id, municipality_id, min(year), max(year) FROM table_state"
	" GROUP BY indicator_id, municipality_id";

static const char SQL_PROGRESS[] =
	"INSERT INTO record_progress (data_version, catalogue_version) VALUES ($1, $2)"
	" ON CONFLICT DO NOTHING";

/* The years of one (indicator, municipality) to record. */
struct job {
	int indicator_id;     /* the indicator */
	int municipality_id;  /* the municipality */
	int y0;               /* first year */
	int y1;               /* last year */
};

/* The jobs of one round. */
struct jobs {
	struct job *items;  /* owned */
	size_t n;           /* how many */
	size_t cap;         /* allocated */
};

struct recorder {
	char *conninfo;               /* owned; for every connection */
	struct timeline *tl;          /* borrowed; shared with the requests */
	unsigned interval_ms;         /* the pause between rounds with nothing to do */
	pthread_t leader;             /* the thread that runs the rounds */
	pthread_t *workers;           /* owned; the threads that record tables */
	unsigned nworkers;            /* how many started */
	pthread_mutex_t lock;         /* guards everything below */
	pthread_cond_t wake;          /* workers: a round has jobs; leader: stop */
	pthread_cond_t finished;      /* leader: the round's last job is done */
	bool stopping;                /* recorder_stop was called */
	struct catalogue *cat;        /* owned; the catalogue of the round (area -> municipality) */
	struct jobs round;            /* the round's jobs */
	size_t next;                  /* the next job to hand out */
	size_t done;                  /* jobs finished */
	bool failed;                  /* a job of the round failed */
	struct point from;            /* the round's watermark */
	struct point to;              /* the point it records up to */
	struct recorder_stats stats;  /* since the start */
	bool standby;                 /* the last round found a hot standby (leader only) */
};

/* ---- jobs ------------------------------------------------------------------- */

static int jobs_add(struct jobs *j, int ind, int mun, int y0, int y1)
{
	struct job *job = VEC_PUSH(j->items, j->n, j->cap);

	if (!job)
		return -1;
	*job = (struct job){ ind, mun, y0, y1 };
	return 0;
}

static int cmp_job(const void *a, const void *b)
{
	const struct job *x = a, *y = b;
	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	return (x->municipality_id > y->municipality_id) - (x->municipality_id < y->municipality_id);
}

/* One job per (indicator, municipality), over the union of its years. */
static void jobs_merge(struct jobs *j)
{
	size_t m = 0;
	qsort(j->items, j->n, sizeof *j->items, cmp_job);
	for (size_t i = 0; i < j->n; i++) {
		struct job *last = m ? &j->items[m - 1] : NULL;
		if (last && cmp_job(last, &j->items[i]) == 0) {
			if (j->items[i].y0 < last->y0)
				last->y0 = j->items[i].y0;
			if (j->items[i].y1 > last->y1)
				last->y1 = j->items[i].y1;
		} else
			j->items[m++] = j->items[i];
	}
	j->n = m;
}

/* The municipality of an area in the recorder's catalogue, or 0. */
static int municipality_of(const struct catalogue *cat, int area_id)
{
	const struct cat_area *a = catalogue_area_by_id(cat, area_id);
	for (size_t guard = 0; a && a->parent >= 0 && guard < cat->nareas; guard++)
		a = &cat->areas[a->parent];
	return a ? a->id : 0;
}

/* The tables that the submissions in (from, to] wrote counts of. */
static enum db_status touched_tables(struct db *db, const struct catalogue *cat,
                                     struct point from, struct point to, struct jobs *out)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_TOUCHED,
	                            DB_PARAMS(DB_PARAM_INT(from.data), DB_PARAM_INT(to.data)));
	if (st != DB_OK) {
		db_log_failure(db, "the recorder's new counts query", st);
		return st;
	}
	for (int i = 0; i < db_rows_count(rows) && st == DB_OK; i++) {
		int year = (int)db_rows_int(rows, i, 2);
		int m = municipality_of(cat, (int)db_rows_int(rows, i, 1));
		if (m && jobs_add(out, (int)db_rows_int(rows, i, 0), m, year, year) != 0)
			st = DB_ERROR;
	}
	db_rows_free(rows);
	return st;
}

/* ---- the catalogue's changes ---------------------------------------------------- */

/* What the recorder compares of an area between two catalogue versions. */
static bool area_same(const struct tl_area *a, const struct tl_area *b)
{
	return a->parent == b->parent && a->top == b->top && a->leaf == b->leaf &&
	       a->first == b->first && a->last == b->last;
}

static const struct tl_area *area_in(const struct tl_shape *sh, int id)
{
	for (size_t i = 0; i < sh->nareas; i++)
		if (sh->areas[i].id == id)
			return &sh->areas[i];
	return NULL;
}

static const struct tl_indicator *indicator_in(const struct tl_shape *sh, int id)
{
	for (size_t i = 0; i < sh->ninds; i++)
		if (sh->inds[i].id == id)
			return &sh->inds[i];
	return NULL;
}

/* True when the change from `was` to `now` may change a table of the
 * indicator in the municipality. */
static bool shape_touches(const struct tl_shape *was, const struct tl_shape *now, int ind,
                          int municipality)
{
	const struct tl_indicator *a = indicator_in(was, ind), *b = indicator_in(now, ind);
	if (!a || !b || a->kind != b->kind || a->k != b->k)
		return true;
	for (size_t i = 0; i < now->nareas; i++) {
		const struct tl_area *x = &now->areas[i], *w = area_in(was, x->id);
		if ((x->top == municipality || (w && w->top == municipality)) && (!w || !area_same(w, x)))
			return true;
	}
	return false;
}

/* The recorded tables that an import in (from, to] may have changed. */
static enum db_status changed_tables(struct db *db, struct timeline *tl, struct point from,
                                     struct point to, struct jobs *out)
{
	long long *versions = NULL;
	size_t nv = 0;
	struct db_rows *rows = NULL;

	if (timeline_versions_between(tl, from.catalogue, to.catalogue, &versions, &nv) != 0)
		return DB_ERROR;
	enum db_status st = nv ? db_exec(db, &rows, SQL_RECORDED, 0, NULL) : DB_OK;
	for (size_t v = 0; v < nv && st == DB_OK; v++) {
		const struct tl_shape *was, *now;
		if ((st = timeline_shape(tl, db, v ? versions[v - 1] : from.catalogue, &was)) != DB_OK ||
		    (st = timeline_shape(tl, db, versions[v], &now)) != DB_OK)
			break;
		for (int i = 0; i < db_rows_count(rows) && st == DB_OK; i++) {
			int ind = (int)db_rows_int(rows, i, 0), m = (int)db_rows_int(rows, i, 1);
			if (shape_touches(was, now, ind, m) &&
			    jobs_add(out, ind, m, (int)db_rows_int(rows, i, 2),
			             (int)db_rows_int(rows, i, 3)) != 0)
				st = DB_ERROR;
		}
	}
	if (st != DB_OK)
		db_log_failure(db, "the recorder's catalogue changes", st);
	db_rows_free(rows);
	free(versions);
	return st;
}

/* ---- workers -------------------------------------------------------------------- */

/* Takes the next job of the round, waiting for one; false when stopping. */
static bool take_job(struct recorder *r, struct job *out)
{
	pthread_mutex_lock(&r->lock);
	while (!r->stopping && r->next >= r->round.n)
		pthread_cond_wait(&r->wake, &r->lock);
	bool got = !r->stopping;
	if (got)
		*out = r->round.items[r->next++];
	pthread_mutex_unlock(&r->lock);
	return got;
}

static void job_done(struct recorder *r, enum agg_status st, const struct record_stats *s)
{
	pthread_mutex_lock(&r->lock);
	r->failed = r->failed || st != AGG_OK;
	r->stats.failures += st != AGG_OK;
	r->stats.states += s->states;
	r->stats.fallbacks += s->fallbacks;
	if (++r->done == r->round.n)
		pthread_cond_signal(&r->finished);
	pthread_mutex_unlock(&r->lock);
}

static void *worker_main(void *arg)
{
	struct recorder *r = arg;
	struct db *db = db_new(r->conninfo);
	struct job j;

	while (db && take_job(r, &j)) {
		struct record_stats s = { 0 };
		enum agg_status st = tables_record(db, r->cat, r->tl, j.indicator_id,
		                                   j.municipality_id, j.y0, j.y1, r->from, r->to, &s);
		job_done(r, st, &s);
	}
	db_free(db);
	return NULL;
}

/* Hands the round's jobs to the workers and waits for them; false when a
 * job failed or the recorder is stopping. */
static bool run_jobs(struct recorder *r, struct jobs *j, struct point from, struct point to)
{
	pthread_mutex_lock(&r->lock);
	r->round = *j;
	r->next = r->done = 0;
	r->failed = false;
	r->from = from;
	r->to = to;
	pthread_cond_broadcast(&r->wake);
	while (!r->stopping && r->done < r->round.n)
		pthread_cond_wait(&r->finished, &r->lock);
	bool ok = !r->failed && r->done == r->round.n;
	r->round = (struct jobs){ NULL, 0, 0 };
	pthread_mutex_unlock(&r->lock);
	return ok;
}

/* ---- rounds ---------------------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The recorder's own copy of the current catalogue, reloaded when it
 * changed: it is used for a whole round without holding the requests'. */
static enum db_status catalogue_current(struct recorder *r, struct db *db, long long version)
{
	struct catalogue *cat = NULL;
	if (r->cat && r->cat->version == version)
		return DB_OK;
	enum db_status st = catalogue_load(db, &cat);
	if (st != DB_OK)
		return st;
	catalogue_free(r->cat);
	r->cat = cat;
	return DB_OK;
}

static enum db_status progress(struct db *db, struct point p)
{
	enum db_status st = db_exec(db, NULL, SQL_PROGRESS,
	                            DB_PARAMS(DB_PARAM_INT(p.data), DB_PARAM_INT(p.catalogue)));
	if (st != DB_OK)
		db_log_failure(db, "recording the recorder's progress", st);
	return st;
}

/* Every indicator in every municipality, over every year from the first
 * accepted to now: for a backlog, where listing the tables the new counts
 * touched would read most of count_history. A table with nothing new
 * costs its recording two small queries. */
static enum db_status all_tables(const struct catalogue *cat, struct jobs *j)
{
	int now = period_year(period_current(time(NULL)));
	for (size_t i = 0; i < cat->nindicators; i++)
		for (size_t a = 0; a < cat->nareas; a++)
			if (cat->areas[a].parent < 0 &&
			    jobs_add(j, cat->indicators[i].id, cat->areas[a].id, PERIOD_MIN_YEAR, now) != 0)
				return DB_ERROR;
	return DB_OK;
}

/* True when the submissions after the watermark are a large part of all
 * of them (the first start over stored data, an upgrade, a long stop). */
static bool backlog(const struct load_versions *v)
{
	return v->at.data - v->recorded.data > v->at.data / 4;
}

/* The jobs of (W, P]. */
static enum db_status plan(struct recorder *r, struct db *db, const struct load_versions *v,
                           struct jobs *j)
{
	enum db_status st = catalogue_current(r, db, v->catalogue);
	if (st == DB_OK)
		st = timeline_refresh(r->tl, db, v->catalogue);
	if (st == DB_OK && backlog(v))
		st = all_tables(r->cat, j);
	else if (st == DB_OK && v->at.data > v->recorded.data)
		st = touched_tables(db, r->cat, v->recorded, v->at, j);
	if (st == DB_OK && v->at.catalogue > v->recorded.catalogue)
		st = changed_tables(db, r->tl, v->recorded, v->at, j);
	if (st == DB_OK)
		jobs_merge(j);
	return st;
}

/* True when the server is a hot standby: it is read-only, so the states
 * are left to the recorder of an aggregator on the primary, whose records
 * reach this server by replication; after a promotion this one records.
 * Logged once per change. */
static bool on_standby(struct recorder *r, const struct load_versions *v)
{
	if (v->standby != r->standby)
		log_info(v->standby ? "the database is a hot standby: recording is left to an "
		                      "aggregator on the primary"
		                    : "the database accepts writes: recording");
	r->standby = v->standby;
	return v->standby;
}

/* Keeps the newest point seen and the watermark, for recorder_stats. */
static void note_newest(struct recorder *r, const struct load_versions *v)
{
	pthread_mutex_lock(&r->lock);
	r->stats.newest = v->at;
	r->stats.recorded = v->recorded;
	pthread_mutex_unlock(&r->lock);
}

/* One round; *busy when it had work (the next round follows at once). */
static void round_run(struct recorder *r, struct db *db, bool *busy)
{
	struct load_versions v;
	struct jobs j = { NULL, 0, 0 };
	struct timespec t0;

	*busy = false;
	if (load_versions(db, NULL, &v) != DB_OK)
		return;
	note_newest(r, &v);
	if (on_standby(r, &v) || point_cmp(v.recorded, v.at) >= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t before = r->stats.states;
	if (plan(r, db, &v, &j) == DB_OK && run_jobs(r, &j, v.recorded, v.at) &&
	    progress(db, v.at) == DB_OK) {
		double s = seconds_since(&t0);
		pthread_mutex_lock(&r->lock);
		r->stats.rounds++;
		r->stats.tables += j.n;
		r->stats.seconds += s;
		r->stats.recorded = v.at;
		size_t states = r->stats.states - before;
		pthread_mutex_unlock(&r->lock);
		log_info("recorded %zu table states of %zu tables up to submission %lld, catalogue "
		         "%lld in %.2f s", states, j.n, v.at.data, v.at.catalogue, s);
		*busy = true;
	}
	free(j.items);
}

/* Waits up to ms milliseconds or until recorder_stop; false when stopping. */
static bool pause_ms(struct recorder *r, unsigned ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->stopping && pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT)
		;
	bool go_on = !r->stopping;
	pthread_mutex_unlock(&r->lock);
	return go_on;
}

/* True when this recorder holds (or now takes) the recording lock. */
static bool lead(struct db *db)
{
	struct db_rows *rows;
	bool leading = db_exec(db, &rows, SQL_LEAD, 0, NULL) == DB_OK && db_rows_bool(rows, 0, 0);
	db_rows_free(rows);
	return leading;
}

static void *leader_main(void *arg)
{
	struct recorder *r = arg;
	struct db *db = db_new(r->conninfo);
	bool busy = false;

	while (db && (busy || pause_ms(r, r->interval_ms))) {
		busy = false;
		if (lead(db))
			round_run(r, db, &busy);
		pthread_mutex_lock(&r->lock);
		busy = busy && !r->stopping;
		pthread_mutex_unlock(&r->lock);
	}
	db_free(db);
	return NULL;
}

/* ---- life ---------------------------------------------------------------------------- */

/* Tells every thread to stop and waits for the workers. */
static void stop_workers(struct recorder *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_broadcast(&r->wake);
	pthread_cond_broadcast(&r->finished);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < r->nworkers; i++)
		pthread_join(r->workers[i], NULL);
}

static void recorder_free(struct recorder *r)
{
	catalogue_free(r->cat);
	free(r->workers);
	free(r->conninfo);
	pthread_cond_destroy(&r->wake);
	pthread_cond_destroy(&r->finished);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

struct recorder *recorder_start(const char *conninfo, struct timeline *tl, unsigned threads,
                                unsigned interval_ms)
{
	struct recorder *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->tl = tl;
	r->interval_ms = interval_ms;
	r->conninfo = strdup(conninfo);
	r->workers = calloc(threads ? threads : 1, sizeof *r->workers);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_cond_init(&r->finished, NULL);
	if (!r->conninfo || !r->workers) {
		recorder_free(r);
		return NULL;
	}
	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&r->workers[r->nworkers], NULL, worker_main, r) == 0)
			r->nworkers++;
	if (r->nworkers == threads && pthread_create(&r->leader, NULL, leader_main, r) == 0)
		return r;
	log_error("cannot start the recorder's threads");
	stop_workers(r);
	recorder_free(r);
	return NULL;
}

void recorder_stop(struct recorder *r)
{
	if (!r)
		return;
	stop_workers(r);
	pthread_join(r->leader, NULL);
	recorder_free(r);
}

void recorder_stats(struct recorder *r, struct recorder_stats *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->stats;
	pthread_mutex_unlock(&r->lock);
}
