/* The aggregator's SQL; see load.h. Parameters go as text through db_exec;
 * an array of ids is sent as one "{1,2,3}" literal cast to int[].
 *
 * The statements that run on every request (the token and versions
 * lookups) are prepared statements: parsing and planning were most of
 * their cost in the server. Their plans do not depend on the parameters
 * (a primary key lookup, or none). The counts, history and span queries
 * run only when the table cache misses, take arrays and version bounds
 * whose values decide the best plan, and are planned each time. */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "catalogue.h"
#include "log.h"

/* ---- versions --------------------------------------------------------- */

/* The newest row of record_progress, as the last two columns. */
#define WATERMARK \
	" (SELECT data_version, catalogue_version FROM record_progress" \
	"   ORDER BY data_version DESC, catalogue_version DESC LIMIT 1) w"

static const struct db_statement SQL_VERSIONS = {
	"load_versions",
	"SELECT (SELECT id FROM submission ORDER BY id DESC LIMIT 1),"
	"       (SELECT version FROM catalogue_version), w.data_version, w.catalogue_version"
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
	"                   FROM submission ORDER BY id DESC LIMIT 1), false)"
	"  FROM s," WATERMARK;

/* Reads at, recorded and the current catalogue from four or five
 * columns from `col` on: without a fifth, at's catalogue is the current. */
static void versions_from(PGresult *res, int col, bool fifth, struct load_versions *out)
{
	out->at = (struct point){ db_int(res, 0, col), db_int(res, 0, col + 1) };
	out->recorded = (struct point){ db_int(res, 0, col + 2), db_int(res, 0, col + 3) };
	out->catalogue = fifth ? db_int(res, 0, col + 4) : out->at.catalogue;
}

static enum db_status versions_as_of(struct db *db, const char *as_of,
                                     struct load_versions *out)
{
	PGresult *res = NULL;
	const char *check[] = { as_of, CATALOGUE_TIMELINE_LOCK };
	enum db_status st = db_exec(db, &res, SQL_AS_OF_CHECK, 2, check);
	if (st != DB_OK)
		return st;
	const char *future = db_value(res, 0, 0), *locked = db_value(res, 0, 1);
	out->future = future && future[0] == 't';
	bool held = locked && locked[0] == 't';
	PQclear(res);
	const char *params[] = { as_of };
	st = db_exec(db, &res, SQL_VERSIONS_AS_OF, 1, params);
	if (st != DB_OK)
		return st;
	versions_from(res, 0, true, out);
	const char *before = db_value(res, 0, 5);
	out->settled = !out->future && (!held || (before && before[0] == 't'));
	PQclear(res);
	return DB_OK;
}

enum db_status load_versions(struct db *db, const char *as_of, struct load_versions *out)
{
	PGresult *res = NULL;
	enum db_status st;

	*out = (struct load_versions){ .settled = true };
	if (as_of)
		st = versions_as_of(db, as_of, out);
	else if ((st = db_exec_prepared(db, &res, &SQL_VERSIONS, 0, NULL)) == DB_OK)
		versions_from(res, 0, false, out);
	PQclear(res);
	if (st != DB_OK)
		db_log_failure(db, "the versions query", st);
	return st;
}

/* ---- counts ----------------------------------------------------------- */

/* ---- history ----------------------------------------------------------- */

static const char SQL_HISTORY[] =
	"SELECT area_id, period, submission_id, value"
	"  FROM count_history"
	" WHERE indicator_id = $1 AND area_id = ANY($2::int[])"
	"   AND period BETWEEN $3 AND $4 AND submission_id <= $5"
	" ORDER BY area_id, period, submission_id";

/* Copies the result rows into a new array. */
static int history_from(PGresult *res, struct load_revision **out, size_t *n)
{
	int rows = PQntuples(res);

	*out = NULL;
	*n = 0;
	if (rows == 0)
		return 0;
	*out = malloc((size_t)rows * sizeof **out);
	if (!*out)
		return -1;
	for (int r = 0; r < rows; r++)
		(*out)[r] = (struct load_revision){ (int)db_int(res, r, 0), (int)db_int(res, r, 1),
		                                    db_int(res, r, 2), db_int(res, r, 3) };
	*n = (size_t)rows;
	return 0;
}

enum db_status load_history(struct db *db, int indicator_id, const char *area_ids,
                                int from, int to, long long version,
                                struct load_revision **out, size_t *n)
{
	char ind[16], lo[16], hi[16], ver[24];
	PGresult *res = NULL;

	*out = NULL;
	*n = 0;
	snprintf(ind, sizeof ind, "%d", indicator_id);
	snprintf(lo, sizeof lo, "%d", from);
	snprintf(hi, sizeof hi, "%d", to);
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { ind, area_ids, lo, hi, ver };
	enum db_status st = db_exec(db, &res, SQL_HISTORY, 5, params);
	if (st != DB_OK)
		db_log_failure(db, "the history query", st);
	else if (history_from(res, out, n) != 0) {
		log_error("out of memory reading the history of counts");
		st = DB_ERROR;
	}
	PQclear(res);
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
	char ind[16], ver[24];
	struct buf ids = BUF_INIT;
	PGresult *res = NULL;
	enum db_status st = DB_ERROR;

	*first = 0;
	if (db_int_array(&ids, area_ids, nareas) != 0)
		goto done;
	snprintf(ind, sizeof ind, "%d", indicator_id);
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { ind, ids.data, ver };
	st = db_exec(db, &res, SQL_FIRST_PERIOD, 3, params);
	if (st != DB_OK)
		db_log_failure(db, "the first-period query", st);
	else
		*first = (int)db_int(res, 0, 0);
done:
	PQclear(res);
	buf_free(&ids);
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

static int spans_from(PGresult *res, struct load_span **out, size_t *n)
{
	int rows = PQntuples(res);

	*out = NULL;
	*n = 0;
	if (rows == 0)
		return 0;
	*out = malloc((size_t)rows * sizeof **out);
	if (!*out)
		return -1;
	for (int r = 0; r < rows; r++)
		(*out)[r] = (struct load_span){ (int)db_int(res, r, 0), (int)db_int(res, r, 1),
		                                (int)db_int(res, r, 2) };
	*n = (size_t)rows;
	return 0;
}

enum db_status load_spans(struct db *db, long long version, struct load_span **out,
                          size_t *n)
{
	char ver[24];
	PGresult *res = NULL;

	*out = NULL;
	*n = 0;
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { ver };
	enum db_status st = db_exec(db, &res, SQL_SPANS, 1, params);
	if (st != DB_OK)
		db_log_failure(db, "the spans query", st);
	else if (spans_from(res, out, n) != 0) {
		log_error("out of memory reading spans");
		st = DB_ERROR;
	}
	PQclear(res);
	return st;
}

/* ---- tokens ----------------------------------------------------------- */

/* No row when there is no such token (the request is refused then and
 * needs no versions). encode(…, 'hex') as in auth_check: the bytea's own
 * text depends on the server's bytea_output. The newest submission by
 * ORDER BY … LIMIT 1 rather than max(): the same index probe, planned in
 * about a third less time than the max() and LEFT JOIN form (it runs on
 * every request; prepared, it is planned only on a connection's first
 * few runs). */
static const struct db_statement SQL_TOKEN_VERSIONS = {
	"load_token_versions",
	"SELECT encode(t.secret_sha256, 'hex'), t.role, t.agency_id, t.revoked_at IS NOT NULL,"
	"       (SELECT id FROM submission ORDER BY id DESC LIMIT 1),"
	"       (SELECT version FROM catalogue_version), w.data_version, w.catalogue_version"
	"  FROM token t," WATERMARK
	" WHERE t.id = $1"
};

enum db_status load_token_versions(struct db *db, long long id, struct auth_token_row *tok,
                                   bool *found, struct load_versions *versions)
{
	char idtext[24];
	PGresult *res = NULL;

	memset(tok, 0, sizeof *tok);
	*found = false;
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *params[] = { idtext };
	enum db_status st = db_exec_prepared(db, &res, &SQL_TOKEN_VERSIONS, 1, params);
	if (st != DB_OK) {
		db_log_failure(db, "the token and versions query", st);
		return st;
	}
	const char *hash = db_value(res, 0, 0);
	if (PQntuples(res) == 1 && hash) {
		const char *rev = db_value(res, 0, 3);
		*found = true;
		tok->id = id;
		snprintf(tok->hash_hex, sizeof tok->hash_hex, "%s", hash);
		tok->role = auth_role_parse(db_value(res, 0, 1));
		tok->agency_id = (int)db_int(res, 0, 2);
		tok->revoked = !rev || strcmp(rev, "f") != 0;
		/* NULL (no submission yet) reads as 0, as in load_versions. */
		*versions = (struct load_versions){ .settled = true };
		versions_from(res, 4, false, versions);
	}
	PQclear(res);
	return DB_OK;
}

static const struct db_statement SQL_TOKEN = {
	"load_token",
	"SELECT role, revoked_at IS NOT NULL FROM token WHERE id = $1"
};

enum db_status load_token(struct db *db, long long id, bool *found,
                          enum auth_role *role, bool *revoked)
{
	char idtext[24];
	PGresult *res = NULL;

	*found = false;
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *params[] = { idtext };
	enum db_status st = db_exec_prepared(db, &res, &SQL_TOKEN, 1, params);
	if (st != DB_OK) {
		db_log_failure(db, "the token lookup", st);
		return st;
	}
	if (PQntuples(res) == 1) {
		const char *rev = db_value(res, 0, 1);
		*found = true;
		*role = auth_role_parse(db_value(res, 0, 0));
		*revoked = !rev || strcmp(rev, "f") != 0;
	}
	PQclear(res);
	return DB_OK;
}
