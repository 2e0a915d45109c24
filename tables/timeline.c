/* The catalogue over time; see timeline.h. */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "period.h"
#include "vec.h"

static const char SQL_VERSIONS[] =
	"SELECT version, after_submission FROM catalogue_import ORDER BY version";

static const char SQL_AREAS[] =
	"SELECT area_id, coalesce(parent_id, 0), coalesce(first_period, 0),"
	"       coalesce(last_period, 0)"
	"  FROM area_history WHERE catalogue_version = $1 ORDER BY area_id";

static const char SQL_INDICATORS[] =
	"SELECT indicator_id, kind, suppress_below"
	"  FROM indicator_history WHERE catalogue_version = $1 ORDER BY indicator_id";

int timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof *tl);
	return pthread_mutex_init(&tl->lock, NULL) == 0 ? 0 : -1;
}

static void shape_free(struct tl_shape *sh)
{
	if (!sh)
		return;
	free(sh->by_top);
	free(sh->areas);
	free(sh->inds);
	free(sh);
}

void timeline_free(struct timeline *tl)
{
	for (size_t i = 0; i < tl->nshapes; i++)
		shape_free(tl->shapes[i]);
	free(tl->shapes);
	free(tl->versions);
	free(tl->after);
	pthread_mutex_destroy(&tl->lock);
	memset(tl, 0, sizeof *tl);
}

/* True when the timeline knows catalogue version v (under the lock). */
static bool knows(const struct timeline *tl, long long v)
{
	return tl->nversions > 0 && tl->versions[tl->nversions - 1] >= v;
}

enum db_status timeline_refresh(struct timeline *tl, struct db *db, long long newest)
{
	struct db_rows *rows;

	pthread_mutex_lock(&tl->lock);
	bool known = knows(tl, newest);
	pthread_mutex_unlock(&tl->lock);
	if (known)
		return DB_OK;
	enum db_status st = db_exec(db, &rows, SQL_VERSIONS, 0, NULL);
	if (st != DB_OK) {
		db_log_failure(db, "the catalogue versions query", st);
		return st;
	}
	int n = db_rows_count(rows);
	long long *v = malloc(((size_t)n + 1) * sizeof *v);
	long long *a = malloc(((size_t)n + 1) * sizeof *a);
	for (int i = 0; v && a && i < n; i++) {
		v[i] = db_rows_int(rows, i, 0);
		a[i] = db_rows_int(rows, i, 1);
	}
	db_rows_free(rows);
	if (!v || !a) {
		free(v);
		free(a);
		log_error("out of memory reading the catalogue versions");
		return DB_ERROR;
	}
	pthread_mutex_lock(&tl->lock);
	free(tl->versions);
	free(tl->after);
	tl->versions = v;
	tl->after = a;
	tl->nversions = (size_t)n;
	pthread_mutex_unlock(&tl->lock);
	return DB_OK;
}

long long timeline_catalogue_of(struct timeline *tl, long long s)
{
	long long c = 0;
	pthread_mutex_lock(&tl->lock);
	for (size_t i = 0; i < tl->nversions && tl->after[i] < s; i++)
		c = tl->versions[i];
	pthread_mutex_unlock(&tl->lock);
	return c;
}

struct point timeline_import_point(struct timeline *tl, long long c)
{
	struct point p = { 0, c };
	pthread_mutex_lock(&tl->lock);
	for (size_t i = 0; i < tl->nversions; i++)
		if (tl->versions[i] == c)
			p.data = tl->after[i];
	pthread_mutex_unlock(&tl->lock);
	return p;
}

int timeline_versions_between(struct timeline *tl, long long lo, long long hi,
                              long long **out, size_t *n)
{
	pthread_mutex_lock(&tl->lock);
	*n = 0;
	*out = malloc((tl->nversions + 1) * sizeof **out);
	for (size_t i = 0; *out && i < tl->nversions; i++)
		if (tl->versions[i] > lo && tl->versions[i] <= hi)
			(*out)[(*n)++] = tl->versions[i];
	pthread_mutex_unlock(&tl->lock);
	return *out ? 0 : -1;
}

/* ---- shapes -------------------------------------------------------------------- */

static int cmp_area(const void *a, const void *b)
{
	int x = ((const struct tl_area *)a)->id, y = ((const struct tl_area *)b)->id;
	return (x > y) - (x < y);
}

static struct tl_area *shape_area(const struct tl_shape *sh, int id)
{
	struct tl_area key = { .id = id };
	return bsearch(&key, sh->areas, sh->nareas, sizeof *sh->areas, cmp_area);
}

static const struct tl_indicator *shape_indicator(const struct tl_shape *sh, int id)
{
	for (size_t i = 0; i < sh->ninds; i++)
		if (sh->inds[i].id == id)
			return &sh->inds[i];
	return NULL;
}

static int cmp_top(const void *a, const void *b)
{
	const struct tl_area *x = *(const struct tl_area *const *)a;
	const struct tl_area *y = *(const struct tl_area *const *)b;
	if (x->top != y->top)
		return x->top < y->top ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The areas of one municipality in by_top: [*first, *first + *n). */
static void top_range(const struct tl_shape *sh, int municipality, size_t *first, size_t *n)
{
	size_t lo = 0, hi = sh->nareas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sh->by_top[mid]->top < municipality)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (*n = 0; lo + *n < sh->nareas && sh->by_top[lo + *n]->top == municipality; (*n)++)
		;
}

/* Leaves and municipalities of a shape (the import refused cycles; the
 * bound keeps a broken history from looping). */
static void shape_resolve(struct tl_shape *sh)
{
	for (size_t i = 0; i < sh->nareas; i++)
		sh->areas[i].leaf = true;
	for (size_t i = 0; i < sh->nareas; i++) {
		struct tl_area *p = sh->areas[i].parent ? shape_area(sh, sh->areas[i].parent) : NULL;
		if (p)
			p->leaf = false;
	}
	for (size_t i = 0; i < sh->nareas; i++) {
		const struct tl_area *a = &sh->areas[i];
		for (size_t guard = 0; a->parent && guard < sh->nareas; guard++) {
			const struct tl_area *p = shape_area(sh, a->parent);
			if (!p)
				break;
			a = p;
		}
		sh->areas[i].top = a->id;
	}
	for (size_t i = 0; i < sh->nareas; i++)
		sh->by_top[i] = &sh->areas[i];
	qsort(sh->by_top, sh->nareas, sizeof *sh->by_top, cmp_top);
}

static enum db_status shape_query(struct db *db, const char *sql, long long c,
                                  struct db_rows **rows)
{
	enum db_status st = db_exec(db, rows, sql, DB_PARAMS(DB_PARAM_INT(c)));
	if (st != DB_OK)
		db_log_failure(db, "the catalogue history query", st);
	return st;
}

/* Reads one version's areas and indicators into a new shape. */
static enum db_status shape_load(struct db *db, long long c, struct tl_shape **out)
{
	struct db_rows *ra = NULL, *ri = NULL;
	struct tl_shape *sh = calloc(1, sizeof *sh);
	enum db_status st = sh ? shape_query(db, SQL_AREAS, c, &ra) : DB_ERROR;

	if (st == DB_OK)
		st = shape_query(db, SQL_INDICATORS, c, &ri);
	if (st != DB_OK)
		goto done;
	sh->version = c;
	sh->nareas = (size_t)db_rows_count(ra);
	sh->ninds = (size_t)db_rows_count(ri);
	sh->areas = calloc(sh->nareas + 1, sizeof *sh->areas);
	sh->by_top = calloc(sh->nareas + 1, sizeof *sh->by_top);
	sh->inds = calloc(sh->ninds + 1, sizeof *sh->inds);
	if (!sh->areas || !sh->by_top || !sh->inds) {
		st = DB_ERROR;
		goto done;
	}
	for (int i = 0; i < (int)sh->nareas; i++)
		sh->areas[i] = (struct tl_area){ (int)db_rows_int(ra, i, 0),
		                                 (int)db_rows_int(ra, i, 1), 0, true,
		                                 (int)db_rows_int(ra, i, 2),
		                                 (int)db_rows_int(ra, i, 3) };
	for (int i = 0; i < (int)sh->ninds; i++) {
		const char *kind = db_rows_text(ri, i, 1);
		sh->inds[i] = (struct tl_indicator){ (int)db_rows_int(ri, i, 0),
		                                     kind && strcmp(kind, "stock") == 0 ? DC_STOCK : DC_FLOW,
		                                     db_rows_int(ri, i, 2) };
	}
	shape_resolve(sh);
done:
	db_rows_free(ra);
	db_rows_free(ri);
	if (st != DB_OK || !sh) {
		if (!sh || st == DB_ERROR)
			log_error("out of memory reading catalogue version %lld", c);
		shape_free(sh);
		sh = NULL;
	}
	*out = sh;
	return sh ? DB_OK : (st == DB_OK ? DB_ERROR : st);
}

/* The loaded shape of version c, or NULL (under the lock). */
static const struct tl_shape *find_shape(const struct timeline *tl, long long c)
{
	for (size_t i = 0; i < tl->nshapes; i++)
		if (tl->shapes[i]->version == c)
			return tl->shapes[i];
	return NULL;
}

enum db_status timeline_shape(struct timeline *tl, struct db *db, long long c,
                              const struct tl_shape **out)
{
	struct tl_shape *sh = NULL;

	pthread_mutex_lock(&tl->lock);
	*out = find_shape(tl, c);
	pthread_mutex_unlock(&tl->lock);
	if (*out)
		return DB_OK;
	enum db_status st = shape_load(db, c, &sh);
	if (st != DB_OK)
		return st;
	pthread_mutex_lock(&tl->lock);
	/* Another thread may have loaded it meanwhile: keep the first. */
	*out = find_shape(tl, c);
	struct tl_shape **slot = *out ? NULL : VEC_PUSH(tl->shapes, tl->nshapes, tl->shapes_cap);
	if (slot) {
		*slot = sh;
		*out = sh;
		sh = NULL;
	}
	pthread_mutex_unlock(&tl->lock);
	shape_free(sh);
	if (*out)
		return DB_OK;
	log_error("out of memory keeping catalogue version %lld", c);
	return DB_ERROR;
}

/* ---- layouts ------------------------------------------------------------------- */

/* The quarters of `year` in which an area belongs to its tables. */
static unsigned char active_quarters(const struct tl_area *a, int year)
{
	unsigned char mask = 0;
	for (int q = 1; q <= 4; q++) {
		int p = period_make(year, q);
		if ((!a->first || p >= a->first) && (!a->last || p <= a->last))
			mask |= (unsigned char)(1u << (q - 1));
	}
	return mask;
}

/* A leaf with its code, for sorting rows in code order. */
struct row {
	const char *code;      /* the area's code in the current catalogue */
	int id;                /* its id */
	unsigned char active;  /* its quarters */
};

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->code, ((const struct row *)b)->code);
}

/* The leaves of the municipality in the year, sorted; *n of them. */
static struct row *leaf_rows(const struct tl_shape *sh, const struct catalogue *cat,
                             int municipality_id, int year, size_t *n)
{
	size_t first, count;
	top_range(sh, municipality_id, &first, &count);
	struct row *rows = malloc((count + 1) * sizeof *rows);

	*n = 0;
	for (size_t i = first; rows && i < first + count; i++) {
		const struct tl_area *a = sh->by_top[i];
		if (a->id == municipality_id || !a->leaf)
			continue;
		unsigned char active = active_quarters(a, year);
		const struct cat_area *named = active ? catalogue_area_by_id(cat, a->id) : NULL;
		if (named)
			rows[(*n)++] = (struct row){ named->code, a->id, active };
	}
	if (rows)
		qsort(rows, *n, sizeof *rows, cmp_row);
	return rows;
}

int timeline_layout(const struct tl_shape *sh, const struct catalogue *cat, int indicator_id,
                    int municipality_id, int year, struct tl_layout *out)
{
	const struct tl_indicator *ind = shape_indicator(sh, indicator_id);
	const struct tl_area *m = shape_area(sh, municipality_id);
	size_t n = 0;
	struct row *rows = NULL;

	memset(out, 0, sizeof *out);
	if (!ind || !m)
		return -1;
	out->kind = ind->kind;
	out->k = ind->k;
	out->total = !m->leaf;
	if (m->leaf) {
		rows = malloc(sizeof *rows);
		if (rows && (rows[0].active = active_quarters(m, year)) != 0) {
			rows[0].id = m->id;
			n = 1;
		}
	} else
		rows = leaf_rows(sh, cat, municipality_id, year, &n);
	out->leaves = malloc((n + 1) * sizeof *out->leaves);
	out->active = malloc(n + 1);
	if (!rows || !out->leaves || !out->active) {
		free(rows);
		tl_layout_free(out);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		out->leaves[i] = rows[i].id;
		out->active[i] = rows[i].active;
	}
	out->nleaves = n;
	free(rows);
	return 0;
}

void tl_layout_free(struct tl_layout *l)
{
	free(l->leaves);
	free(l->active);
	l->leaves = NULL;
	l->active = NULL;
	l->nleaves = 0;
}
