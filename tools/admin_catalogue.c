/* samlad-admin catalogue import DIR: reads the four catalogue files, and
 * only when all of them check out writes them in one transaction.
 *
 * Agencies, areas and indicators are upserted by code, so importing again
 * updates names, parents and settings in place and keeps ids (and with them
 * the counts stored against them). Rows that are no longer in the files are
 * left in the database: deleting an indicator would orphan its counts. The
 * permissions are replaced as a set, since they hold no data of their own.
 *
 * A catalogue version is a point on the same timeline as the submissions
 * (it shapes the tables published from then on), so the import takes the
 * collector's ingest lock before it checks what the stored counts allow and
 * bumps the version, and records the version's history: when it took
 * effect, after which submission, and the shape of every area and indicator
 * then (schema/005_states.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "catalogue.h"
#include "catalogue_files.h"
#include "period.h"

static const struct config_option import_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "suppress-below", CONFIG_INT, NULL, NULL, 1, 1000,
	  "The k of indicators whose suppress_below is empty; without it, the previous "
	  "import's (5 at first)." },
};

/* Taken first: a second import waits here until the first has committed,
 * so the two never interleave their permission sets. */
static const char sql_lock[] =
	"SELECT version FROM catalogue_version FOR UPDATE";

static const char sql_previous_k[] =
	"SELECT suppress_below FROM catalogue_import WHERE version = $1";

static const char sql_area_codes[] =
	"SELECT code FROM area";

static const char sql_agency[] =
	"INSERT INTO agency (code, name, contact) VALUES ($1, $2, nullif($3, ''))"
	" ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, contact = EXCLUDED.contact";

/* Areas are written parents first, so the parent's id exists; $3 is NULL
 * for a municipality. An empty first_period ($4 NULL) keeps the stored one:
 * a district's first period must not move back because a file that
 * predates it is imported again. An empty last_period means no end. */
static const char sql_area[] =
	"INSERT INTO area (code, name, parent_id, first_period, last_period)"
	" VALUES ($1, $2, (SELECT id FROM area WHERE code = $3), $4::integer, $5::integer)"
	" ON CONFLICT (code) DO UPDATE"
	"   SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,"
	"       first_period = coalesce(EXCLUDED.first_period, area.first_period),"
	"       last_period = EXCLUDED.last_period";

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

static const char sql_timeline_lock[] =
	"SELECT pg_advisory_xact_lock($1::bigint)";

/* Areas whose periods changed (or that are new) and whose stored counts
 * lie outside them: two index probes per indicator find an area's first
 * and last count. */
static const char sql_counts_outside[] =
	"WITH changed AS ("
	"  SELECT a.id, a.code, a.first_period, a.last_period FROM area a"
	"    LEFT JOIN area_history o ON o.catalogue_version = $1 AND o.area_id = a.id"
	"   WHERE (a.first_period IS NOT NULL OR a.last_period IS NOT NULL)"
	"     AND (o.area_id IS NULL OR o.first_period IS DISTINCT FROM a.first_period"
	"          OR o.last_period IS DISTINCT FROM a.last_period))"
	" SELECT c.code, min(f.p), max(l.p)"
	"   FROM changed c CROSS JOIN indicator i"
	"  CROSS JOIN LATERAL (SELECT h.period FROM count_history h"
	"                       WHERE h.indicator_id = i.id AND h.area_id = c.id"
	"                       ORDER BY h.period LIMIT 1) f(p)"
	"  CROSS JOIN LATERAL (SELECT h.period FROM count_history h"
	"                       WHERE h.indicator_id = i.id AND h.area_id = c.id"
	"                       ORDER BY h.period DESC LIMIT 1) l(p)"
	"  GROUP BY c.code, c.first_period, c.last_period"
	" HAVING min(f.p) < coalesce(c.first_period, 0)"
	"     OR max(l.p) > coalesce(c.last_period, 99994)"
	"  ORDER BY c.code";

/* True for an area with any count (one index probe per indicator). */
#define HAS_COUNTS(id) \
	"EXISTS (SELECT 1 FROM indicator i WHERE EXISTS (SELECT 1 FROM count_history h" \
	"        WHERE h.indicator_id = i.id AND h.area_id = " id "))"

/* Areas with counts whose municipality changed: their counts would move
 * from one municipality's tables to another's, which earlier states of
 * both have shown. */
static const char sql_moved[] =
	"WITH RECURSIVE now_top (id, top) AS ("
	"    SELECT id, id FROM area WHERE parent_id IS NULL"
	"  UNION ALL"
	"    SELECT a.id, t.top FROM area a JOIN now_top t ON a.parent_id = t.id),"
	" was_top (id, top) AS ("
	"    SELECT area_id, area_id FROM area_history"
	"     WHERE catalogue_version = $1 AND parent_id IS NULL"
	"  UNION ALL"
	"    SELECT h.area_id, t.top FROM area_history h JOIN was_top t ON h.parent_id = t.id"
	"     WHERE h.catalogue_version = $1)"
	" SELECT a.code, wm.code, nm.code"
	"   FROM now_top n JOIN was_top w ON w.id = n.id AND w.top <> n.top"
	"   JOIN area a ON a.id = n.id JOIN area wm ON wm.id = w.top JOIN area nm ON nm.id = n.top"
	"  WHERE " HAS_COUNTS("n.id")
	"  ORDER BY a.code";

/* Areas with counts that now have sub-areas: counts are of leaves only. */
static const char sql_parents_with_counts[] =
	"SELECT p.code FROM area p"
	" WHERE EXISTS (SELECT 1 FROM area c WHERE c.parent_id = p.id)"
	"   AND " HAS_COUNTS("p.id")
	" ORDER BY p.code";

static const char sql_bump[] =
	"UPDATE catalogue_version SET version = version + 1, updated_at = clock_timestamp()"
	" RETURNING version";

static const char sql_record_import[] =
	"INSERT INTO catalogue_import (version, imported_at, after_submission, suppress_below)"
	" VALUES ($1, clock_timestamp(), (SELECT coalesce(max(id), 0) FROM submission), $2)";

static const char sql_record_areas[] =
	"INSERT INTO area_history (catalogue_version, area_id, parent_id, first_period, last_period)"
	" SELECT $1, id, parent_id, first_period, last_period FROM area";

static const char sql_record_indicators[] =
	"INSERT INTO indicator_history (catalogue_version, indicator_id, kind, suppress_below)"
	" SELECT $1, id, kind, coalesce(suppress_below, $2) FROM indicator";

/* One import: the checked files and what the database said along the way. */
struct import {
	const struct catalogue_files *cf;  /* borrowed */
	long long previous;                /* the catalogue version before */
	long long version;                 /* the version made */
	int k;                             /* the default k it records */
	char **existing;                   /* owned; area codes already stored, sorted */
	size_t nexisting;                  /* entries in existing */
	int *first;                        /* owned; per area of the file, the first_period written */
	size_t refused;                    /* problems found against the stored counts */
};

/* Runs one row's statement, which must write exactly one row. A failure is
 * reported against the row's file and line. */
static int write_row(struct db *db, const char *sql, int nparams,
                     const struct db_param *params, enum cf_file file, size_t line)
{
	struct db_rows *rows;
	char where[64];

	snprintf(where, sizeof where, "%s:%zu", catalogue_files_name(file), line);
	if (db_exec(db, &rows, sql, nparams, params) != DB_OK)
		return admin_db_error(db, where);
	long long wrote = db_rows_affected(rows);
	db_rows_free(rows);
	if (wrote != 1)
		return admin_error("%s: the row names a code the database does not have", where);
	return 0;
}

/* Runs a statement of one row and one column and reads it as an integer. */
static int read_number(struct db *db, const char *sql, int nparams,
                       const struct db_param *params, const char *what, long long *out)
{
	struct db_rows *rows;
	bool ok = db_exec(db, &rows, sql, nparams, params) == DB_OK && db_rows_count(rows) == 1;

	if (ok)
		*out = db_rows_int(rows, 0, 0);
	else
		admin_db_error(db, what);
	db_rows_free(rows);
	return ok ? 0 : -1;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool stored(const struct import *im, const char *code)
{
	return bsearch(&code, im->existing, im->nexisting, sizeof *im->existing, cmp_code) != NULL;
}

/* The area codes stored before the import. */
static int read_existing(struct db *db, struct import *im)
{
	struct db_rows *rows;
	if (db_exec(db, &rows, sql_area_codes, 0, NULL) != DB_OK)
		return admin_db_error(db, "cannot read the areas");
	int n = db_rows_count(rows);
	im->existing = calloc((size_t)n + 1, sizeof *im->existing);
	for (int i = 0; im->existing && i < n; i++)
		if ((im->existing[im->nexisting] = db_rows_dup(rows, i, 0)))
			im->nexisting++;
	db_rows_free(rows);
	if (!im->existing || im->nexisting != (size_t)n)
		return admin_error("out of memory");
	qsort(im->existing, im->nexisting, sizeof *im->existing, cmp_code);
	return 0;
}

/* The municipality of a file's area: its top ancestor in the file (the
 * files were validated: every parent is there, and there is no cycle). */
static const struct cf_area *top_of(const struct catalogue_files *cf, const struct cf_area *a)
{
	for (size_t guard = 0; a->parent[0] && guard < cf->nareas; guard++)
		for (size_t i = 0; i < cf->nareas; i++)
			if (strcmp(cf->areas[i].code, a->parent) == 0) {
				a = &cf->areas[i];
				break;
			}
	return a;
}

/* The first_period written for each area: the file's; for an area new to
 * a municipality that was already stored, when the file leaves it empty,
 * the current quarter, so that adding a district changes no table of the
 * past; otherwise empty (a new municipality describes its own history). */
static int plan_first_periods(struct import *im, int now)
{
	const struct catalogue_files *cf = im->cf;
	im->first = calloc(cf->nareas + 1, sizeof *im->first);
	if (!im->first)
		return admin_error("out of memory");
	for (size_t i = 0; i < cf->nareas; i++) {
		const struct cf_area *a = &cf->areas[i];
		im->first[i] = a->first_period;
		if (!a->first_period && !stored(im, a->code) && stored(im, top_of(cf, a)->code))
			im->first[i] = now;
	}
	return 0;
}

/* Says which new areas got the current quarter as their first period. */
static void say_defaults(const struct import *im)
{
	const struct catalogue_files *cf = im->cf;
	for (size_t i = 0; i < cf->nareas; i++) {
		char q[PERIOD_STRLEN];
		if (im->first[i] == cf->areas[i].first_period)
			continue;
		period_format(im->first[i], q);
		printf("%s: a new area of %s, counted from %s (set first_period in areas.csv to "
		       "count it earlier)\n", cf->areas[i].code, top_of(cf, &cf->areas[i])->code, q);
	}
}

static int write_agencies(struct db *db, const struct catalogue_files *cf)
{
	for (size_t i = 0; i < cf->nagencies; i++) {
		const struct cf_agency *a = &cf->agencies[i];
		if (write_row(db, sql_agency,
		              DB_PARAMS(DB_PARAM_TEXT(a->code), DB_PARAM_TEXT(a->name),
		                        DB_PARAM_TEXT(a->contact)),
		              CF_AGENCIES, a->line) != 0)
			return -1;
	}
	return 0;
}

static int write_areas(struct db *db, const struct import *im)
{
	const struct catalogue_files *cf = im->cf;

	for (size_t i = 0; i < cf->nareas; i++) {
		size_t j = cf->area_order[i];
		const struct cf_area *a = &cf->areas[j];
		if (write_row(db, sql_area,
		              DB_PARAMS(DB_PARAM_TEXT(a->code), DB_PARAM_TEXT(a->name),
		                        DB_PARAM_TEXT(a->parent[0] ? a->parent : NULL),
		                        im->first[j] ? DB_PARAM_INT(im->first[j]) : DB_PARAM_NULL,
		                        a->last_period ? DB_PARAM_INT(a->last_period)
		                                       : DB_PARAM_NULL),
		              CF_AREAS, a->line) != 0)
			return -1;
	}
	return 0;
}

static int write_indicators(struct db *db, const struct catalogue_files *cf)
{
	for (size_t i = 0; i < cf->nindicators; i++) {
		const struct cf_indicator *ind = &cf->indicators[i];
		if (write_row(db, sql_indicator,
		              DB_PARAMS(DB_PARAM_TEXT(ind->code), DB_PARAM_TEXT(ind->agency),
		                        DB_PARAM_TEXT(catalogue_level_name(ind->level)),
		                        DB_PARAM_TEXT(catalogue_kind_name(ind->kind)),
		                        DB_PARAM_TEXT(ind->name_sv), DB_PARAM_TEXT(ind->name_en),
		                        ind->suppress_below ? DB_PARAM_INT(ind->suppress_below)
		                                            : DB_PARAM_NULL),
		              CF_INDICATORS, ind->line) != 0)
			return -1;
	}
	return 0;
}

static int write_permissions(struct db *db, const struct catalogue_files *cf)
{
	if (db_command(db, sql_clear_permissions) != DB_OK)
		return admin_db_error(db, "cannot clear the permissions");
	for (size_t i = 0; i < cf->npermissions; i++) {
		const struct cf_permission *p = &cf->permissions[i];
		if (write_row(db, sql_permission,
		              DB_PARAMS(DB_PARAM_TEXT(p->agency), DB_PARAM_TEXT(p->indicator),
		                        DB_PARAM_TEXT(p->area)),
		              CF_PERMISSIONS, p->line) != 0)
			return -1;
	}
	return 0;
}

/* "areas.csv:LINE" of a code, or "areas.csv" for an area not in the file. */
static void area_where(const struct catalogue_files *cf, const char *code, char *out,
                       size_t size)
{
	for (size_t i = 0; i < cf->nareas; i++)
		if (strcmp(cf->areas[i].code, code) == 0) {
			snprintf(out, size, "areas.csv:%zu", cf->areas[i].line);
			return;
		}
	snprintf(out, size, "areas.csv");
}

/* A period of a result row, or "-" for NULL. */
static void period_cell(const struct db_rows *rows, int row, int col, char out[PERIOD_STRLEN])
{
	if (db_rows_text(rows, row, col))
		period_format((int)db_rows_int(rows, row, col), out);
	else
		snprintf(out, PERIOD_STRLEN, "-");
}

/* Runs one of the checks against stored counts; each row it returns is a
 * problem, said by `say`. */
static int check_counts(struct db *db, struct import *im, const char *sql, int nparams,
                        void (*say)(const struct import *, const struct db_rows *, int))
{
	struct db_rows *rows;
	if (db_exec(db, &rows, sql, nparams, (struct db_param[]){ DB_PARAM_INT(im->previous) })
	    != DB_OK)
		return admin_db_error(db, "cannot check the stored counts");
	for (int i = 0; i < db_rows_count(rows); i++)
		say(im, rows, i);
	im->refused += (size_t)db_rows_count(rows);
	db_rows_free(rows);
	return 0;
}

static void say_outside(const struct import *im, const struct db_rows *rows, int row)
{
	char where[64], lo[PERIOD_STRLEN], hi[PERIOD_STRLEN];
	const char *code = db_rows_text(rows, row, 0);
	area_where(im->cf, code, where, sizeof where);
	period_cell(rows, row, 1, lo);
	period_cell(rows, row, 2, hi);
	fprintf(stderr, "%s: area \"%s\" has counts from %s to %s, outside its first_period "
	        "and last_period\n", where, code, lo, hi);
}

static void say_moved(const struct import *im, const struct db_rows *rows, int row)
{
	char where[64];
	const char *code = db_rows_text(rows, row, 0);
	area_where(im->cf, code, where, sizeof where);
	fprintf(stderr, "%s: area \"%s\" has counts in municipality %s and cannot move to %s; "
	        "give it a last_period and add a new area instead\n", where, code,
	        db_rows_text(rows, row, 1), db_rows_text(rows, row, 2));
}

static void say_parent(const struct import *im, const struct db_rows *rows, int row)
{
	char where[64];
	const char *code = db_rows_text(rows, row, 0);
	area_where(im->cf, code, where, sizeof where);
	fprintf(stderr, "%s: area \"%s\" has counts and cannot get sub-areas; give it a "
	        "last_period and add the sub-areas as new areas of its municipality\n",
	        where, code);
}

/* Under the timeline lock: what the stored counts allow. */
static int check_stored(struct db *db, struct import *im)
{
	if (db_exec(db, NULL, sql_timeline_lock,
	            DB_PARAMS(DB_PARAM_TEXT(CATALOGUE_TIMELINE_LOCK))) != DB_OK)
		return admin_db_error(db, "cannot take the ingest lock");
	if (check_counts(db, im, sql_counts_outside, 1, say_outside) != 0 ||
	    check_counts(db, im, sql_moved, 1, say_moved) != 0 ||
	    check_counts(db, im, sql_parents_with_counts, 0, say_parent) != 0)
		return -1;
	if (im->refused == 0)
		return 0;
	admin_error("%zu area%s would leave stored counts outside every table; nothing imported",
	            im->refused, im->refused == 1 ? "" : "s");
	return -1;
}

/* The new version and its history. */
static int record_version(struct db *db, struct import *im)
{
	if (read_number(db, sql_bump, 0, NULL, "cannot bump the catalogue version",
	                &im->version) != 0)
		return -1;
	const struct db_param params[] = { DB_PARAM_INT(im->version), DB_PARAM_INT(im->k) };
	if (db_exec(db, NULL, sql_record_import, 2, params) != DB_OK ||
	    db_exec(db, NULL, sql_record_areas, 1, params) != DB_OK ||
	    db_exec(db, NULL, sql_record_indicators, 2, params) != DB_OK)
		return admin_db_error(db, "cannot record the catalogue's history");
	return 0;
}

/* The version before and its k, and the k this import records. */
static int read_previous(struct db *db, struct import *im, int k_option)
{
	long long k;

	if (read_number(db, sql_lock, 0, NULL, "cannot start the import", &im->previous) != 0 ||
	    read_number(db, sql_previous_k, DB_PARAMS(DB_PARAM_INT(im->previous)),
	                "cannot read the previous import", &k) != 0)
		return -1;
	im->k = k_option ? k_option : (int)k;
	return 0;
}

/* Writes the checked files in one transaction. */
static int import(struct db *db, struct import *im, int k_option)
{
	if (db_begin(db) != DB_OK) {
		admin_db_error(db, "cannot start the import");
		goto fail;
	}
	if (read_previous(db, im, k_option) != 0 || read_existing(db, im) != 0 ||
	    plan_first_periods(im, period_current(time(NULL))) != 0 ||
	    write_agencies(db, im->cf) != 0 || write_areas(db, im) != 0 ||
	    write_indicators(db, im->cf) != 0 || write_permissions(db, im->cf) != 0 ||
	    check_stored(db, im) != 0 || record_version(db, im) != 0)
		goto fail;
	if (db_commit(db) == DB_OK)
		return 0;
	admin_db_error(db, "cannot commit the import");
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

static void import_free(struct import *im)
{
	for (size_t i = 0; i < im->nexisting; i++)
		free(im->existing[i]);
	free(im->existing);
	free(im->first);
}

static int import_run(const struct config *cfg)
{
	const char *dir = config_arg(cfg, 0);
	struct catalogue_files *cf = read_checked(dir);
	struct import im = { .cf = cf };
	struct db *db = NULL;
	int code = ADMIN_FAIL;

	if (!cf || !(db = admin_connect(cfg)) ||
	    import(db, &im, (int)config_int(cfg, "suppress-below")) != 0)
		goto done;
	say_defaults(&im);
	printf("imported %s: %zu agencies, %zu areas, %zu indicators, %zu permissions; "
	       "default k %d; catalogue version %lld\n", dir, cf->nagencies, cf->nareas,
	       cf->nindicators, cf->npermissions, im.k, im.version);
	code = ADMIN_OK;
done:
	import_free(&im);
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
