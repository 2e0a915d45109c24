/* The aggregator's SQL; see load.h. An array of ids goes as one
 * DB_PARAM_INTS cast to int[].
 *
 * The statements that run on every request (the token and versions
 * lookups) are prepared statements: parsing and planning were most of
 * their cost in the server. Their plans do not depend on the parameters
 * (a primary key lookup, or none). The counts, history and span queries
 * run only when the table cache misses, take arrays and version bounds
 * whose values decide the best plan, and are planned each time. */
#include "load.h"

#include <stdlib.h>
#include "catalogue.h"
#include "log.h"

/* ---- versions --------------------------------------------------------- */

/* The first submission that carried a flag (NULL, read as 0, when none):
 * schema/010's partial index makes it one probe. */
#define FLAGGED \
	", (SELECT submission_id FROM count_history WHERE flag IS NOT NULL" \
	"   ORDER BY submission_id LIMIT 1)"

/* The newest row of record_progress, as the last two columns. */
#define WATERMARK \
	" (SELECT data_version, catalogue_version FROM record_progress" \
	"   ORDER BY data_version DESC, catalogue_version DESC LIMIT 1) w"

static const struct db_statement SQL_VERSIONS = {
	"load_versions",
	"SELECT (SELECT id FROM submission ORDER BY id DESC LIMIT 1),"
	"       (SELECT version FROM catalogue_version), w.data_version, w.catalogue_version,"
	"       pg_is_in_recovery()" FLAGGED
	"  FROM" WATERMARK
};

/* Before the versions of an as_of: is the time in the future, and does an
 * ingest or an import hold the ingest lock now. */
static const char SQL_AS_OF_CHECK[] =
	"SELECT $1::timestamptz > now(),"
	"       EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
	"                  AND database = (SELECT oid FROM pg_database"
	"                                   WHERE datname = current_database())"
	"                  AND objsubid = 1 AND classid::bigint = ($2::bigint >> 32)"
	"                  AND objid::bigint = ($2::bigint & 4294967295))";

/* Receipts give received_at to the millisecond (truncated), so the arrival
 * time is compared at that precision: as_of set to a receipt's time then
 * includes that submission, as it must to reproduce what was stored. The
 * catalogue as of T is the newest imported by T, and never older than the
 * one the data of T were stored under (submissions and imports are
 * ordered by id and after_submission first; times only find the place).
 * The last column says whether as_of lies before the newest submission. */
static const char SQL_VERSIONS_AS_OF[] =
	"WITH s AS (SELECT coalesce(max(id), 0) AS id FROM submission"
	"            WHERE date_trunc('milliseconds', received_at) <= $1::timestamptz)"
	"SELECT s.id,"
	"       greatest((SELECT coalesce(max(version), 0) FROM catalogue_import"
	"                  WHERE date_trunc('milliseconds', imported_at) <= $1::timestamptz),"
	"                (SELECT coalesce(max(version), 0) FROM catalogue_import"
	"                  WHERE after_submission < s.id)),"
	"       w.data_version, w.catalogue_version, (SELECT version FROM catalogue_version),"
	"       coalesce((SELECT date_trunc('milliseconds', received_at) > $1::timestamptz"
	"                   FROM submission ORDER BY id DESC LIMIT 1), false),"
	"       pg_is_in_recovery()" FLAGGED
	"  FROM s," WATERMARK;

/* Reads at, recorded and the current catalogue from four or five
 * columns from `col` on: without a fifth, at's catalogue is the current. */
static void versions_from(const struct db_rows *rows, int col, bool fifth,
                          struct load_versions *out)
{
	out->at = (struct point){ db_rows_int(rows, 0, col), db_rows_int(rows, 0, col + 1) };
	out->recorded = (struct point){ db_rows_int(rows, 0, col + 2),
	                                db_rows_int(rows, 0, col + 3) };
	out->catalogue = fifth ? db_rows_int(rows, 0, col + 4) : out->at.catalogue;
}

static enum db_status versions_as_of(struct db *db, const char *as_of,
                                     struct load_versions *out)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_AS_OF_CHECK,
	                            DB_PARAMS(DB_PARAM_TEXT(as_of),
	                                      DB_PARAM_TEXT(CATALOGUE_TIMELINE_LOCK)));
	if (st != DB_OK)
		return st;
	out->future = db_rows_bool(rows, 0, 0);
	bool held = db_rows_bool(rows, 0, 1);
	db_rows_free(rows);
	st = db_exec(db, &rows, SQL_VERSIONS_AS_OF, DB_PARAMS(DB_PARAM_TEXT(as_of)));
	if (st != DB_OK)
		return st;
	versions_from(rows, 0, true, out);
	out->settled = !out->future && (!held || db_rows_bool(rows, 0, 5));
	out->standby = db_rows_bool(rows, 0, 6);
	out->flagged_from = db_rows_int(rows, 0, 7);
	db_rows_free(rows);
	return DB_OK;
}

enum db_status load_versions(struct db *db, const char *as_of, struct load_versions *out)
{
	struct db_rows *rows = NULL;
	enum db_status st;

	*out = (struct load_versions){ .settled = true };
	if (as_of)
		st = versions_as_of(db, as_of, out);
	else if ((st = db_exec_prepared(db, &rows, &SQL_VERSIONS, 0, NULL)) == DB_OK) {
		versions_from(rows, 0, false, out);
		out->standby = db_rows_bool(rows, 0, 4);
		out->flagged_from = db_rows_int(rows, 0, 5);
	}
	db_rows_free(rows);
	if (st != DB_OK)
		db_log_failure(db, "the versions query", st);
	return st;
}

/* ---- history ----------------------------------------------------------- */

static const char SQL_HISTORY[] =
	"SELECT area_id, period, submission_id, value"
	"  FROM count_history"
	" WHERE indicator_id = $1 AND area_id = ANY($2::int[])"
	"   AND period BETWEEN $3 AND $4 AND submission_id <= $5"
	" ORDER BY area_id, period, submission_id";

enum db_status load_history(struct db *db, int indicator_id, const int *area_ids,
                            size_t nareas, int from, int to, long long version,
                            struct load_revision **out, size_t *n)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_HISTORY,
	                            DB_PARAMS(DB_PARAM_INT(indicator_id),
	                                      DB_PARAM_INTS(area_ids, nareas), DB_PARAM_INT(from),
	                                      DB_PARAM_INT(to), DB_PARAM_INT(version)));
	int count = db_rows_count(rows);

	*out = NULL;
	*n = 0;
	if (st != DB_OK) {
		db_log_failure(db, "the history query", st);
		return st;
	}
	if (count && !(*out = malloc((size_t)count * sizeof **out))) {
		log_error("out of memory reading the history of counts");
		st = DB_ERROR;
	}
	for (int r = 0; *out && r < count; r++)
		(*out)[r] = (struct load_revision){ (int)db_rows_int(rows, r, 0),
		                                    (int)db_rows_int(rows, r, 1),
		                                    db_rows_int(rows, r, 2),
		                                    db_rows_int(rows, r, 3) };
	*n = *out ? (size_t)count : 0;
	db_rows_free(rows);
	return st;
}

/* One index probe per area: the primary key (indicator, area, period,
 * submission) finds each area's earliest period without reading the rest. */
static const char SQL_FIRST_PERIOD[] =
	"SELECT coalesce(min(f.p), 0)"
	"  FROM unnest($2::int[]) a(id)"
	" CROSS JOIN LATERAL (SELECT h.period FROM count_history h"
	"                      WHERE h.indicator_id = $1 AND h.area_id = a.id"
	"                        AND h.submission_id <= $3"
	"                      ORDER BY h.period LIMIT 1) f(p)";

enum db_status load_first_period(struct db *db, int indicator_id, const int *area_ids,
                                 size_t nareas, long long version, int *first)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_FIRST_PERIOD,
	                            DB_PARAMS(DB_PARAM_INT(indicator_id),
	                                      DB_PARAM_INTS(area_ids, nareas),
	                                      DB_PARAM_INT(version)));

	if (st != DB_OK)
		db_log_failure(db, "the first-period query", st);
	*first = (int)db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	return st;
}

/* ---- spans ------------------------------------------------------------ */

/* Two index probes per (area, indicator) pair instead of a scan of every
 * count: the catalogue has tens of areas and indicators, the history may
 * hold millions of rows. */
static const char SQL_SPANS[] =
	"SELECT a.id, min(f.p), max(l.p)"
	"  FROM area a CROSS JOIN indicator i"
	" CROSS JOIN LATERAL (SELECT h.period FROM count_history h"
	"                      WHERE h.indicator_id = i.id AND h.area_id = a.id"
	"                        AND h.submission_id <= $1"
	"                      ORDER BY h.period LIMIT 1) f(p)"
	" CROSS JOIN LATERAL (SELECT h.period FROM count_history h"
	"                      WHERE h.indicator_id = i.id AND h.area_id = a.id"
	"                        AND h.submission_id <= $1"
	"                      ORDER BY h.period DESC LIMIT 1) l(p)"
	" GROUP BY a.id ORDER BY a.id";

enum db_status load_spans(struct db *db, long long version, struct load_span **out,
                          size_t *n)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_SPANS, DB_PARAMS(DB_PARAM_INT(version)));
	int count = db_rows_count(rows);

	*out = NULL;
	*n = 0;
	if (st != DB_OK) {
		db_log_failure(db, "the spans query", st);
		return st;
	}
	if (count && !(*out = malloc((size_t)count * sizeof **out))) {
		log_error("out of memory reading spans");
		st = DB_ERROR;
	}
	for (int r = 0; *out && r < count; r++)
		(*out)[r] = (struct load_span){ (int)db_rows_int(rows, r, 0),
		                                (int)db_rows_int(rows, r, 1),
		                                (int)db_rows_int(rows, r, 2) };
	*n = *out ? (size_t)count : 0;
	db_rows_free(rows);
	return st;
}

/* ---- tokens ----------------------------------------------------------- */

/* The token's row (AUTH_TOKEN_COLUMNS, as auth_token_load reads it) with
 * the versions; no row when there is no such token (the request is refused
 * then and needs no versions). The newest submission by ORDER BY … LIMIT 1
 * rather than max(): the same index probe, planned in about a third less
 * time than the max() and LEFT JOIN form (it runs on every request;
 * prepared, it is planned only on a connection's first few runs). */
static const struct db_statement SQL_TOKEN_VERSIONS = {
	"load_token_versions",
	"SELECT " AUTH_TOKEN_COLUMNS ","
	"       (SELECT id FROM submission ORDER BY id DESC LIMIT 1),"
	"       (SELECT version FROM catalogue_version), w.data_version, w.catalogue_version,"
	"       pg_is_in_recovery()" FLAGGED
	"  FROM token t," WATERMARK
	" WHERE t.id = $1"
};

enum db_status load_token_versions(struct db *db, long long id, struct auth_token_row *tok,
                                   struct load_versions *versions)
{
	struct db_rows *rows;
	enum db_status st = db_exec_prepared(db, &rows, &SQL_TOKEN_VERSIONS,
	                                     DB_PARAMS(DB_PARAM_INT(id)));

	if (st != DB_OK)
		db_log_failure(db, "the token and versions query", st);
	auth_token_row_read(rows, 0, id, tok);
	/* NULL (no submission yet) reads as 0, as in load_versions. */
	if (tok->found) {
		*versions = (struct load_versions){ .settled = true };
		versions_from(rows, 4, false, versions);
		versions->standby = db_rows_bool(rows, 0, 8);
		versions->flagged_from = db_rows_int(rows, 0, 9);
	}
	db_rows_free(rows);
	return st;
}

