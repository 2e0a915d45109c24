/* The catalogue in memory. It is read in one REPEATABLE READ transaction so
 * that the four tables and the version agree with each other even while an
 * import commits. Arrays are sorted here, not by the server, so that the
 * order is exactly the one bsearch uses whatever the database's collation. */
#include "catalogue.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char sql_version[] =
	"SELECT version FROM catalogue_version";

/* The version and its default k, which the import recorded with it. */
static const char sql_version_k[] =
	"SELECT v.version, i.suppress_below"
	"  FROM catalogue_version v JOIN catalogue_import i ON i.version = v.version";

static const char sql_agencies[] =
	"SELECT id, code, name FROM agency";

static const char sql_areas[] =
	"SELECT id, code, name, coalesce(parent_id, 0), coalesce(first_period, 0),"
	"       coalesce(last_period, 0)"
	"  FROM area";

static const char sql_indicators[] =
	"SELECT id, code, agency_id, level, kind, name_sv, name_en,"
	"       coalesce(suppress_below, 0)"
	"  FROM indicator";

/* A permission for an area holds for every area under it; counts are
 * reported for leaves only, so only leaves are kept. UNION (not UNION ALL)
 * removes repeats and would also end the recursion on a cycle. */
static const char sql_permissions[] =
	"WITH RECURSIVE reach (agency_id, indicator_id, area_id) AS ("
	"    SELECT agency_id, indicator_id, area_id FROM permission"
	"  UNION"
	"    SELECT r.agency_id, r.indicator_id, a.id"
	"      FROM reach r JOIN area a ON a.parent_id = r.area_id"
	")"
	"SELECT agency_id, indicator_id, area_id FROM reach r"
	" WHERE NOT EXISTS (SELECT 1 FROM area c WHERE c.parent_id = r.area_id)";

/* Logs and reports a problem that is not the server's: out of memory, or
 * rows that contradict each other. */
static enum db_status load_failed(struct db_rows *rows, const char *why)
{
	log_error("catalogue: %s", why);
	db_rows_free(rows);
	return DB_ERROR;
}

static enum db_status load_version(struct db *db, long long *version)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_version, 0, NULL);
	if (st != DB_OK)
		return st;
	if (db_rows_count(rows) != 1)
		return load_failed(rows, "catalogue_version does not have exactly one row");
	*version = db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	return DB_OK;
}

enum db_status catalogue_version(struct db *db, long long *version)
{
	return load_version(db, version);
}

/* The version with its default k, inside catalogue_load's transaction. */
static enum db_status load_version_k(struct db *db, struct catalogue *cat)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_version_k, 0, NULL);
	if (st != DB_OK)
		return st;
	if (db_rows_count(rows) != 1)
		return load_failed(rows, "the catalogue version has no row in catalogue_import");
	cat->version = db_rows_int(rows, 0, 0);
	cat->suppress_below = (int)db_rows_int(rows, 0, 1);
	db_rows_free(rows);
	return DB_OK;
}

static int agency_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_agency *)a)->code, ((const struct cat_agency *)b)->code);
}

static int area_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_area *)a)->code, ((const struct cat_area *)b)->code);
}

static int indicator_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_indicator *)a)->code,
	              ((const struct cat_indicator *)b)->code);
}

static int permission_cmp(const void *a, const void *b)
{
	const struct cat_permission *x = a, *y = b;
	if (x->agency_id != y->agency_id)
		return x->agency_id < y->agency_id ? -1 : 1;
	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	return (x->area_id > y->area_id) - (x->area_id < y->area_id);
}

static enum db_status load_agencies(struct db *db, struct catalogue *cat)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_agencies, 0, NULL);
	if (st != DB_OK)
		return st;
	int n = db_rows_count(rows);
	cat->agencies = calloc((size_t)n + 1, sizeof *cat->agencies);
	if (!cat->agencies)
		return load_failed(rows, "out of memory");
	for (int i = 0; i < n; i++) {
		struct cat_agency *a = &cat->agencies[cat->nagencies++];
		a->id = (int)db_rows_int(rows, i, 0);
		a->code = db_rows_dup(rows, i, 1);
		a->name = db_rows_dup(rows, i, 2);
		if (!a->code || !a->name)
			return load_failed(rows, "out of memory");
	}
	db_rows_free(rows);
	qsort(cat->agencies, cat->nagencies, sizeof *cat->agencies, agency_cmp);
	return DB_OK;
}

/* The index of the area with this id, or -1. */
static int area_index(const struct catalogue *cat, int id)
{
	const struct cat_area *a = catalogue_area_by_id(cat, id);
	return a ? (int)(a - cat->areas) : -1;
}

/* While loading, `parent` holds the parent's id (0 for none); once the array
 * is sorted it becomes the parent's index, and children are counted. */
static enum db_status resolve_parents(struct catalogue *cat)
{
	for (size_t i = 0; i < cat->nareas; i++) {
		int id = cat->areas[i].parent;
		cat->areas[i].parent = id ? area_index(cat, id) : -1;
		if (id && cat->areas[i].parent < 0)
			return load_failed(NULL, "an area names a parent that does not exist");
	}
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].parent >= 0)
			cat->areas[cat->areas[i].parent].nchildren++;
	return DB_OK;
}

static enum db_status load_areas(struct db *db, struct catalogue *cat)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_areas, 0, NULL);
	if (st != DB_OK)
		return st;
	int n = db_rows_count(rows);
	cat->areas = calloc((size_t)n + 1, sizeof *cat->areas);
	if (!cat->areas)
		return load_failed(rows, "out of memory");
	for (int i = 0; i < n; i++) {
		struct cat_area *a = &cat->areas[cat->nareas++];
		a->id = (int)db_rows_int(rows, i, 0);
		a->code = db_rows_dup(rows, i, 1);
		a->name = db_rows_dup(rows, i, 2);
		a->parent = (int)db_rows_int(rows, i, 3);
		a->first_period = (int)db_rows_int(rows, i, 4);
		a->last_period = (int)db_rows_int(rows, i, 5);
		if (!a->code || !a->name)
			return load_failed(rows, "out of memory");
	}
	db_rows_free(rows);
	qsort(cat->areas, cat->nareas, sizeof *cat->areas, area_cmp);
	return resolve_parents(cat);
}

/* Fills one indicator from row i; `agency` holds the agency's id until
 * resolve_agencies. Returns -1 when out of memory or the text is unknown. */
static int indicator_from_row(const struct db_rows *rows, int i, struct cat_indicator *ind)
{
	const char *level = db_rows_text(rows, i, 3), *kind = db_rows_text(rows, i, 4);

	ind->id = (int)db_rows_int(rows, i, 0);
	ind->code = db_rows_dup(rows, i, 1);
	ind->agency = (int)db_rows_int(rows, i, 2);
	ind->name_sv = db_rows_dup(rows, i, 5);
	ind->name_en = db_rows_dup(rows, i, 6);
	ind->suppress_below = (int)db_rows_int(rows, i, 7);
	ind->level = strcmp(level, "specialised") == 0 ? LEVEL_SPECIALISED : LEVEL_FIRST_LINE;
	ind->kind = strcmp(kind, "stock") == 0 ? KIND_STOCK : KIND_FLOW;
	if (strcmp(level, catalogue_level_name(ind->level)) != 0 ||
	    strcmp(kind, catalogue_kind_name(ind->kind)) != 0)
		return -1;
	return ind->code && ind->name_sv && ind->name_en ? 0 : -1;
}

static enum db_status resolve_agencies(struct catalogue *cat)
{
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct cat_agency *a = catalogue_agency_by_id(cat, cat->indicators[i].agency);
		if (!a)
			return load_failed(NULL, "an indicator names an agency that does not exist");
		cat->indicators[i].agency = (int)(a - cat->agencies);
	}
	return DB_OK;
}

static enum db_status load_indicators(struct db *db, struct catalogue *cat)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_indicators, 0, NULL);
	if (st != DB_OK)
		return st;
	int n = db_rows_count(rows);
	cat->indicators = calloc((size_t)n + 1, sizeof *cat->indicators);
	if (!cat->indicators)
		return load_failed(rows, "out of memory");
	for (int i = 0; i < n; i++)
		if (indicator_from_row(rows, i, &cat->indicators[cat->nindicators++]) != 0)
			return load_failed(rows, "out of memory, or an unknown level or kind");
	db_rows_free(rows);
	qsort(cat->indicators, cat->nindicators, sizeof *cat->indicators, indicator_cmp);
	return resolve_agencies(cat);
}

static enum db_status load_permissions(struct db *db, struct catalogue *cat)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql_permissions, 0, NULL);
	if (st != DB_OK)
		return st;
	int n = db_rows_count(rows);
	cat->permissions = calloc((size_t)n + 1, sizeof *cat->permissions);
	if (!cat->permissions)
		return load_failed(rows, "out of memory");
	for (int i = 0; i < n; i++)
		cat->permissions[i] = (struct cat_permission){ (int)db_rows_int(rows, i, 0),
		                                               (int)db_rows_int(rows, i, 1),
		                                               (int)db_rows_int(rows, i, 2) };
	cat->npermissions = (size_t)n;
	db_rows_free(rows);
	qsort(cat->permissions, cat->npermissions, sizeof *cat->permissions, permission_cmp);
	return DB_OK;
}

/* An array whose elements start with an int id, for qsort_r. */
struct id_array {
	const void *base;  /* the elements */
	size_t size;       /* the size of one */
};

static int id_at(const struct id_array *a, size_t i)
{
	return *(const int *)((const char *)a->base + i * a->size);
}

static int cmp_index(const void *x, const void *y, void *arg)
{
	int a = id_at(arg, *(const size_t *)x), b = id_at(arg, *(const size_t *)y);
	return (a > b) - (a < b);
}

/* The indices of n elements sorted by id; NULL when out of memory. */
static size_t *id_index(const void *base, size_t n, size_t size)
{
	struct id_array a = { base, size };
	size_t *ix = malloc((n + 1) * sizeof *ix);
	if (!ix)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof *ix, cmp_index, &a);
	return ix;
}

/* Finds an id through an index; -1 when absent. */
static long find_id(const size_t *ix, const void *base, size_t n, size_t size, int id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int v = *(const int *)((const char *)base + ix[mid] * size);
		if (v == id)
			return (long)ix[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

enum db_status catalogue_load(struct db *db, struct catalogue **out)
{
	struct catalogue *cat = calloc(1, sizeof *cat);
	enum db_status st = DB_ERROR;

	*out = NULL;
	if (!cat) {
		log_error("catalogue: out of memory");
		goto fail;
	}
	if ((st = db_begin(db)) != DB_OK ||
	    (st = db_command(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")) != DB_OK ||
	    (st = load_version_k(db, cat)) != DB_OK ||
	    (st = load_agencies(db, cat)) != DB_OK ||
	    (st = load_areas(db, cat)) != DB_OK ||
	    (st = load_indicators(db, cat)) != DB_OK ||
	    (st = load_permissions(db, cat)) != DB_OK ||
	    (st = db_commit(db)) != DB_OK)
		goto fail;
	cat->areas_by_id = id_index(cat->areas, cat->nareas, sizeof *cat->areas);
	cat->indicators_by_id = id_index(cat->indicators, cat->nindicators,
	                                 sizeof *cat->indicators);
	if (!cat->areas_by_id || !cat->indicators_by_id) {
		log_error("catalogue: out of memory");
		st = DB_ERROR;
		goto fail;
	}
	atomic_init(&cat->refs, 1);
	*out = cat;
	return DB_OK;
fail:
	db_rollback(db);
	catalogue_free(cat);
	return st;
}

void catalogue_free(struct catalogue *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nagencies; i++) {
		free(cat->agencies[i].code);
		free(cat->agencies[i].name);
	}
	for (size_t i = 0; i < cat->nareas; i++) {
		free(cat->areas[i].code);
		free(cat->areas[i].name);
	}
	for (size_t i = 0; i < cat->nindicators; i++) {
		free(cat->indicators[i].code);
		free(cat->indicators[i].name_sv);
		free(cat->indicators[i].name_en);
	}
	free(cat->agencies);
	free(cat->areas);
	free(cat->indicators);
	free(cat->permissions);
	free(cat->areas_by_id);
	free(cat->indicators_by_id);
	free(cat);
}

/* bsearch comparators: a code against an element's code. */
static int agency_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_agency *)elem)->code);
}

static int area_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_area *)elem)->code);
}

static int indicator_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_indicator *)elem)->code);
}

const struct cat_agency *catalogue_agency(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->agencies, cat->nagencies, sizeof *cat->agencies,
	               agency_key_cmp);
}

const struct cat_area *catalogue_area(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->areas, cat->nareas, sizeof *cat->areas, area_key_cmp);
}

const struct cat_indicator *catalogue_indicator(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->indicators, cat->nindicators, sizeof *cat->indicators,
	               indicator_key_cmp);
}

/* Lookups by id go through the id index of a loaded catalogue (a national
 * one holds thousands of areas); a catalogue built by hand, as tests do,
 * has none and is scanned. */
const struct cat_agency *catalogue_agency_by_id(const struct catalogue *cat, int id)
{
	for (size_t i = 0; i < cat->nagencies; i++)
		if (cat->agencies[i].id == id)
			return &cat->agencies[i];
	return NULL;
}

const struct cat_area *catalogue_area_by_id(const struct catalogue *cat, int id)
{
	if (cat->areas_by_id) {
		long i = find_id(cat->areas_by_id, cat->areas, cat->nareas, sizeof *cat->areas, id);
		return i < 0 ? NULL : &cat->areas[i];
	}
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].id == id)
			return &cat->areas[i];
	return NULL;
}

const struct cat_indicator *catalogue_indicator_by_id(const struct catalogue *cat, int id)
{
	if (cat->indicators_by_id) {
		long i = find_id(cat->indicators_by_id, cat->indicators, cat->nindicators,
		                 sizeof *cat->indicators, id);
		return i < 0 ? NULL : &cat->indicators[i];
	}
	for (size_t i = 0; i < cat->nindicators; i++)
		if (cat->indicators[i].id == id)
			return &cat->indicators[i];
	return NULL;
}

bool catalogue_area_is_leaf(const struct cat_area *area)
{
	return area->nchildren == 0;
}

bool catalogue_area_active(const struct cat_area *area, int period)
{
	return (!area->first_period || period >= area->first_period) &&
	       (!area->last_period || period <= area->last_period);
}

long long catalogue_k(const struct catalogue *cat, const struct cat_indicator *ind)
{
	return ind->suppress_below > 0 ? ind->suppress_below : cat->suppress_below;
}

const struct cat_area *catalogue_area_parent(const struct catalogue *cat,
                                             const struct cat_area *area)
{
	return area->parent >= 0 ? &cat->areas[area->parent] : NULL;
}

bool catalogue_permitted(const struct catalogue *cat, int agency_id,
                         int indicator_id, int area_id)
{
	struct cat_permission key = { agency_id, indicator_id, area_id };
	return bsearch(&key, cat->permissions, cat->npermissions,
	               sizeof *cat->permissions, permission_cmp) != NULL;
}

const char *catalogue_level_name(enum indicator_level level)
{
	return level == LEVEL_SPECIALISED ? "specialised" : "first_line";
}

const char *catalogue_kind_name(enum indicator_kind kind)
{
	return kind == KIND_STOCK ? "stock" : "flow";
}

struct catalogue *catalogue_hold(struct catalogue_holder *h)
{
	pthread_mutex_lock(&h->lock);
	struct catalogue *cat = h->cur;
	if (cat)
		atomic_fetch_add_explicit(&cat->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
	return cat;
}

void catalogue_unref(struct catalogue *cat)
{
	/* acq_rel: the last owner sees every other owner's reads finished. */
	if (cat && atomic_fetch_sub_explicit(&cat->refs, 1, memory_order_acq_rel) == 1)
		catalogue_free(cat);
}

/* Puts cat in the holder; returns the old snapshot with its reference. */
static struct catalogue *holder_swap(struct catalogue_holder *h, struct catalogue *cat)
{
	pthread_mutex_lock(&h->lock);
	struct catalogue *old = h->cur;
	h->cur = cat;
	pthread_mutex_unlock(&h->lock);
	return old;
}

void catalogue_holder_set(struct catalogue_holder *h, struct catalogue *cat)
{
	catalogue_unref(holder_swap(h, cat));
}

void catalogue_holder_destroy(struct catalogue_holder *h)
{
	catalogue_holder_set(h, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reloading);
}

/* True when the holder's snapshot is the catalogue of `version`. */
static bool catalogue_is_current(struct catalogue_holder *h, long long version)
{
	pthread_mutex_lock(&h->lock);
	bool current = h->cur != NULL && h->cur->version == version;
	pthread_mutex_unlock(&h->lock);
	return current;
}

enum db_status catalogue_refresh(struct catalogue_holder *h, struct db *db, long long version)
{
	struct catalogue *fresh = NULL, *old = NULL;
	enum db_status st = DB_OK;

	if (catalogue_is_current(h, version))
		return DB_OK;
	pthread_mutex_lock(&h->reloading);
	/* The request before us may have loaded it while we waited. */
	if (!catalogue_is_current(h, version))
		st = catalogue_load(db, &fresh);
	if (fresh) {
		long long loaded = fresh->version;
		old = holder_swap(h, fresh);
		log_info("catalogue version %lld loaded", loaded);
	}
	pthread_mutex_unlock(&h->reloading);
	catalogue_unref(old);
	return st;
}
