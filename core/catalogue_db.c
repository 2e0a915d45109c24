/* Reading the catalogue. It is read in one REPEATABLE READ transaction so
 * that the four tables and the version agree with each other even while an
 * import commits; catalogue_index (catalogue.c) then sorts and indexes it. */
#include "catalogue_db.h"

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
	"SELECT id, code, name, coalesce(contact, '') FROM agency";

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

enum db_status catalogue_version(struct db *db, long long *version)
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
		a->contact = db_rows_dup(rows, i, 3);
		if (!a->code || !a->name || !a->contact)
			return load_failed(rows, "out of memory");
	}
	db_rows_free(rows);
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
	return DB_OK;
}

/* Fills one indicator from row i; `agency` holds the agency's id until
 * catalogue_index. Returns -1 when out of memory or the text is unknown. */
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
	return DB_OK;
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
	return DB_OK;
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
	    (st = catalogue_index(cat) == 0 ? DB_OK : DB_ERROR) != DB_OK ||
	    (st = db_commit(db)) != DB_OK)
		goto fail;
	*out = cat;
	return DB_OK;
fail:
	db_rollback(db);
	catalogue_free(cat);
	return st;
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
		old = catalogue_holder_swap(h, fresh);
		log_info("catalogue version %lld loaded", loaded);
	}
	pthread_mutex_unlock(&h->reloading);
	catalogue_unref(old);
	return st;
}
