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
#include "log.h"

/* ---- versions --------------------------------------------------------- */

static const struct db_statement SQL_VERSIONS = {
	"load_versions",
	"SELECT (SELECT coalesce(max(id), 0) FROM submission),"
	"       (SELECT version FROM catalogue_version)"
};

/* Receipts give received_at to the millisecond (truncated), so the arrival
 * time is compared at that precision: as_of set to a receipt's time then
 * includes that submission, as it must to reproduce what was stored. */
static const char SQL_VERSIONS_AS_OF[] =
	"SELECT (SELECT coalesce(max(id), 0) FROM submission"
	"         WHERE date_trunc('milliseconds', received_at) <= $1::timestamptz),"
	"       (SELECT version FROM catalogue_version)";

enum db_status load_versions(struct db *db, const char *as_of, struct load_versions *out)
{
	PGresult *res = NULL;
	const char *params[] = { as_of };
	enum db_status st = as_of ? db_exec(db, &res, SQL_VERSIONS_AS_OF, 1, params)
	                          : db_exec_prepared(db, &res, &SQL_VERSIONS, 0, NULL);

	if (st != DB_OK) {
		db_log_failure(db, "the versions query", st);
		return st;
	}
	out->data = db_int(res, 0, 0);
	out->catalogue = db_int(res, 0, 1);
	PQclear(res);
	return DB_OK;
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

enum db_status load_history(struct db *db, int indicator_id, const int *area_ids,
                            size_t nareas, int from, int to, long long version,
                            struct load_revision **out, size_t *n)
{
	char ind[16], lo[16], hi[16], ver[24];
	struct buf ids = BUF_INIT;
	PGresult *res = NULL;
	enum db_status st = DB_ERROR;

	*out = NULL;
	*n = 0;
	if (db_int_array(&ids, area_ids, nareas) != 0)
		goto done;
	snprintf(ind, sizeof ind, "%d", indicator_id);
	snprintf(lo, sizeof lo, "%d", from);
	snprintf(hi, sizeof hi, "%d", to);
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { ind, ids.data, lo, hi, ver };
	st = db_exec(db, &res, SQL_HISTORY, 5, params);
	if (st != DB_OK)
		db_log_failure(db, "the history query", st);
	else if (history_from(res, out, n) != 0) {
		log_error("out of memory reading the history of counts");
		st = DB_ERROR;
	}
done:
	PQclear(res);
	buf_free(&ids);
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
	"SELECT encode(secret_sha256, 'hex'), role, agency_id, revoked_at IS NOT NULL,"
	"       (SELECT id FROM submission ORDER BY id DESC LIMIT 1),"
	"       (SELECT version FROM catalogue_version)"
	"  FROM token WHERE id = $1"
};

enum db_status load_token_versions(struct db *db, long long id, struct load_token_row *tok,
                                   struct load_versions *versions)
{
	char idtext[24];
	PGresult *res = NULL;

	memset(tok, 0, sizeof *tok);
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
		tok->found = true;
		snprintf(tok->hash_hex, sizeof tok->hash_hex, "%s", hash);
		tok->role = auth_role_parse(db_value(res, 0, 1));
		tok->agency_id = (int)db_int(res, 0, 2);
		tok->revoked = !rev || strcmp(rev, "f") != 0;
		/* NULL (no submission yet) reads as 0, as in load_versions. */
		versions->data = db_int(res, 0, 4);
		versions->catalogue = db_int(res, 0, 5);
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
