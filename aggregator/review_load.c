/* The review's SQL; see review_load.h. Arrays of ids go as one "{1,2,3}"
 * text parameter cast to int[], like load.c. */
#include "review_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "log.h"

/* Naming the indicators lets the count history's primary key (indicator,
 * area, period, submission) find the rows instead of a scan of the table. */
static const char SQL_ARRIVALS[] =
	"SELECT s.agency_id, h.period, count(DISTINCT (h.indicator_id, h.area_id)),"
	"       floor(extract(epoch FROM min(s.received_at)))::bigint"
	"  FROM count_history h JOIN submission s ON s.id = h.submission_id"
	" WHERE h.indicator_id = ANY($1::int[]) AND h.area_id = ANY($2::int[])"
	"   AND h.period BETWEEN $3 AND $4 AND h.submission_id <= $5"
	" GROUP BY s.agency_id, h.period ORDER BY 1, 2";

static const char SQL_VERSION_TIME[] =
	"SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	"  FROM submission WHERE id = $1";

/* Copies the result rows into a new array; 0 or -1. */
static int arrivals_from(PGresult *res, struct review_arrival **out, size_t *n)
{
	int rows = PQntuples(res);

	if (rows == 0)
		return 0;
	*out = malloc((size_t)rows * sizeof **out);
	if (!*out)
		return -1;
	for (int r = 0; r < rows; r++)
		(*out)[r] = (struct review_arrival){ (int)db_int(res, r, 0), (int)db_int(res, r, 1),
		                                     db_int(res, r, 2), (time_t)db_int(res, r, 3) };
	*n = (size_t)rows;
	return 0;
}

enum db_status review_load_arrivals(struct db *db, const int *indicator_ids, size_t nind,
                                    const int *area_ids, size_t nareas, int from, int to,
                                    long long version, struct review_arrival **out,
                                    size_t *n)
{
	char lo[16], hi[16], ver[24];
	struct buf inds = BUF_INIT, areas = BUF_INIT;
	PGresult *res = NULL;
	enum db_status st = DB_ERROR;

	*out = NULL;
	*n = 0;
	if (db_int_array(&inds, indicator_ids, nind) != 0 ||
	    db_int_array(&areas, area_ids, nareas) != 0)
		goto done;
	snprintf(lo, sizeof lo, "%d", from);
	snprintf(hi, sizeof hi, "%d", to);
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { inds.data, areas.data, lo, hi, ver };
	st = db_exec(db, &res, SQL_ARRIVALS, 5, params);
	if (st != DB_OK)
		db_log_failure(db, "the arrivals query", st);
	else if (arrivals_from(res, out, n) != 0) {
		log_error("out of memory reading arrivals");
		st = DB_ERROR;
	}
done:
	PQclear(res);
	buf_free(&inds);
	buf_free(&areas);
	return st;
}

enum db_status review_load_version_time(struct db *db, long long version,
                                        char out[REVIEW_TIME_MAX])
{
	char ver[24];
	PGresult *res = NULL;

	out[0] = '\0';
	snprintf(ver, sizeof ver, "%lld", version);
	const char *params[] = { ver };
	enum db_status st = db_exec(db, &res, SQL_VERSION_TIME, 1, params);
	if (st != DB_OK) {
		db_log_failure(db, "the version-time query", st);
		return st;
	}
	if (PQntuples(res) == 1 && db_value(res, 0, 0))
		snprintf(out, REVIEW_TIME_MAX, "%s", db_value(res, 0, 0));
	PQclear(res);
	return DB_OK;
}
