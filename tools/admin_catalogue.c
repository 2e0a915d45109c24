/* samlad-admin catalogue import DIR: reads the four catalogue files, and
 * only when all of them check out writes them in one transaction.
 *
 * Agencies, areas and indicators are upserted by code, so importing again
 * updates names, parents and settings in place and keeps ids (and with them
 * the counts stored against them). Rows that are no longer in the files are
 * left in the database: deleting an indicator would orphan its counts. The
 * permissions are replaced as a set, since they hold no data of their own.
 * The catalogue version is bumped last so that running programs reload. */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "catalogue_files.h"

static const struct config_option import_options[] = { ADMIN_COMMON_OPTIONS };

/* Taken first: a second import waits here until the first has committed,
 * so the two never interleave their permission sets. */
static const char sql_lock[] =
	"SELECT version FROM catalogue_version FOR UPDATE";

static const char sql_agency[] =
	"INSERT INTO agency (code, name) VALUES ($1, $2)"
	" ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name";

/* Areas are written parents first, so the parent's id exists; $3 is NULL
 * for a municipality. */
static const char sql_area[] =
	"INSERT INTO area (code, name, parent_id)"
	" VALUES ($1, $2, (SELECT id FROM area WHERE code = $3))"
	" ON CONFLICT (code) DO UPDATE"
	"   SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id";

static const char sql_indicator[] =
	"INSERT INTO indicator (code, agency_id, level, kind, name_sv, name_en, suppress_below)"
	" SELECT $1, id, $3, $4, $5, $6, $7::integer FROM agency WHERE code = $2"
	" ON CONFLICT (code) DO UPDATE"
	"   SET agency_id = EXCLUDED.agency_id, level = EXCLUDED.level,"
	"       kind = EXCLUDED.kind, name_sv = EXCLUDED.name_sv,"
	"       name_en = EXCLUDED.name_en, suppress_below = EXCLUDED.suppress_below";

static const char sql_clear_permissions[] =
	"DELETE FROM permission";

static const char sql_permission[] =
	"INSERT INTO permission (agency_id, indicator_id, area_id)"
	" SELECT ag.id, i.id, a.id FROM agency ag, indicator i, area a"
	"  WHERE ag.code = $1 AND i.code = $2 AND a.code = $3";

static const char sql_bump[] =
	"UPDATE catalogue_version SET version = version + 1, updated_at = now()"
	" RETURNING version";

/* Runs one row's statement, which must write exactly one row. A failure is
 * reported against the row's file and line. */
static int write_row(struct db *db, const char *sql, int nparams,
                     const char *const *params, enum cf_file file, size_t line)
{
	PGresult *res = NULL;
	char where[64];

	snprintf(where, sizeof where, "%s:%zu", catalogue_files_name(file), line);
	if (db_exec(db, &res, sql, nparams, params) != DB_OK) {
		admin_db_error(db, where);
		return -1;
	}
	int wrote = atoi(PQcmdTuples(res));
	PQclear(res);
	if (wrote != 1) {
		admin_error("%s: the row names a code the database does not have", where);
		return -1;
	}
	return 0;
}

static int write_agencies(struct db *db, const struct catalogue_files *cf)
{
	for (size_t i = 0; i < cf->nagencies; i++) {
		const struct cf_agency *a = &cf->agencies[i];
		const char *params[] = { a->code, a->name };
		if (write_row(db, sql_agency, 2, params, CF_AGENCIES, a->line) != 0)
			return -1;
	}
	return 0;
}

static int write_areas(struct db *db, const struct catalogue_files *cf)
{
	for (size_t i = 0; i < cf->nareas; i++) {
		const struct cf_area *a = &cf->areas[cf->area_order[i]];
		const char *params[] = { a->code, a->name, a->parent[0] ? a->parent : NULL };
		if (write_row(db, sql_area, 3, params, CF_AREAS, a->line) != 0)
			return -1;
	}
	return 0;
}

static int write_indicators(struct db *db, const struct catalogue_files *cf)
{
	char suppress[16];

	for (size_t i = 0; i < cf->nindicators; i++) {
		const struct cf_indicator *ind = &cf->indicators[i];
		snprintf(suppress, sizeof suppress, "%d", ind->suppress_below);
		const char *params[] = {
			ind->code, ind->agency, catalogue_level_name(ind->level),
			catalogue_kind_name(ind->kind), ind->name_sv, ind->name_en,
			ind->suppress_below ? suppress : NULL,
		};
		if (write_row(db, sql_indicator, 7, params, CF_INDICATORS, ind->line) != 0)
			return -1;
	}
	return 0;
}

static int write_permissions(struct db *db, const struct catalogue_files *cf)
{
	if (db_command(db, sql_clear_permissions) != DB_OK) {
		admin_db_error(db, "cannot clear the permissions");
		return -1;
	}
	for (size_t i = 0; i < cf->npermissions; i++) {
		const struct cf_permission *p = &cf->permissions[i];
		const char *params[] = { p->agency, p->indicator, p->area };
		if (write_row(db, sql_permission, 3, params, CF_PERMISSIONS, p->line) != 0)
			return -1;
	}
	return 0;
}

static int bump_version(struct db *db, long long *version)
{
	PGresult *res = NULL;
	if (db_exec(db, &res, sql_bump, 0, NULL) != DB_OK || PQntuples(res) != 1) {
		admin_db_error(db, "cannot bump the catalogue version");
		PQclear(res);
		return -1;
	}
	*version = db_int(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Writes the checked files in one transaction. */
static int import(struct db *db, const struct catalogue_files *cf, long long *version)
{
	if (db_begin(db) != DB_OK || db_command(db, sql_lock) != DB_OK) {
		admin_db_error(db, "cannot start the import");
		goto fail;
	}
	if (write_agencies(db, cf) != 0 || write_areas(db, cf) != 0 ||
	    write_indicators(db, cf) != 0 || write_permissions(db, cf) != 0 ||
	    bump_version(db, version) != 0)
		goto fail;
	if (db_commit(db) != DB_OK) {
		admin_db_error(db, "cannot commit the import");
		goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Reads and checks DIR; prints every problem. NULL when there were any. */
static struct catalogue_files *read_checked(const char *dir)
{
	struct catalogue_files *cf = catalogue_files_new();

	if (!cf || catalogue_files_read_dir(cf, dir) != 0 || catalogue_files_validate(cf) != 0) {
		admin_error("out of memory");
		goto fail;
	}
	for (size_t i = 0; i < cf->nerrors; i++)
		fprintf(stderr, "%s\n", cf->errors[i].text);
	if (cf->nerrors > 0) {
		admin_error("%s: %zu error%s; nothing imported", dir, cf->nerrors,
		            cf->nerrors == 1 ? "" : "s");
		goto fail;
	}
	return cf;
fail:
	catalogue_files_free(cf);
	return NULL;
}

static int import_run(const struct config *cfg)
{
	const char *dir = config_arg(cfg, 0);
	struct catalogue_files *cf = read_checked(dir);
	struct db *db = NULL;
	long long version = 0;
	int code = ADMIN_FAIL;

	if (!cf || !(db = admin_connect(cfg)) || import(db, cf, &version) != 0)
		goto done;
	printf("imported %s: %zu agencies, %zu areas, %zu indicators, %zu permissions; "
	       "catalogue version %lld\n", dir, cf->nagencies, cf->nareas,
	       cf->nindicators, cf->npermissions, version);
	code = ADMIN_OK;
done:
	db_free(db);
	catalogue_files_free(cf);
	return code;
}

const struct admin_command admin_catalogue_import = {
	.name = "catalogue",
	.verb = "import",
	.args = "DIR",
	.nargs = 1,
	.summary = "check DIR's four CSV files and import them in one transaction "
	           "(updates by code, never deletes)",
	.options = import_options,
	.noptions = ARRAY_LEN(import_options),
	.run = import_run,
};
