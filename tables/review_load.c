/* The review's reading and its SQL; see review_load.h. Arrays of ids go
 * as one DB_PARAM_INTS cast to int[], like load.c. */
#include "review_load.h"

#include <stdlib.h>
#include "log.h"
#include "period.h"

/* Naming the indicators lets the count history's primary key (indicator,
 * area, period, submission) find the rows instead of a scan of the table. */
static const char SQL_ARRIVALS[] =
	"SELECT agency_id, period, count(*), floor(extract(epoch FROM min(t)))::bigint,"
	"       floor(extract(epoch FROM max(t)))::bigint"
	"  FROM (SELECT s.agency_id, h.period, min(s.received_at) AS t"
	"          FROM count_history h JOIN submission s ON s.id = h.submission_id"
	"         WHERE h.indicator_id = ANY($1::int[]) AND h.area_id = ANY($2::int[])"
	"           AND h.period BETWEEN $3 AND $4 AND h.submission_id <= $5"
	"         GROUP BY s.agency_id, h.period, h.indicator_id, h.area_id) k"
	" GROUP BY agency_id, period ORDER BY 1, 2";

/* The keys with a count from the agency's submissions, as the arrivals
 * count them. */
static const char SQL_KEYS[] =
	"SELECT DISTINCT h.indicator_id, h.area_id"
	"  FROM count_history h JOIN submission s ON s.id = h.submission_id"
	" WHERE h.indicator_id = ANY($1::int[]) AND h.area_id = ANY($2::int[])"
	"   AND h.period = $3 AND h.submission_id <= $4 AND s.agency_id = $5";

static const char SQL_VERSION_TIME[] =
	"SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	"  FROM submission WHERE id = $1";

enum db_status review_load_arrivals(struct db *db, const int *indicator_ids, size_t nind,
                                    const int *area_ids, size_t nareas, int from, int to,
                                    long long version, struct review_arrival **out,
                                    size_t *n)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_ARRIVALS,
	                            DB_PARAMS(DB_PARAM_INTS(indicator_ids, nind),
	                                      DB_PARAM_INTS(area_ids, nareas), DB_PARAM_INT(from),
	                                      DB_PARAM_INT(to), DB_PARAM_INT(version)));
	int count = db_rows_count(rows);

	*out = NULL;
	*n = 0;
	if (st != DB_OK) {
		db_log_failure(db, "the arrivals query", st);
		return st;
	}
	if (count && !(*out = malloc((size_t)count * sizeof **out))) {
		log_error("out of memory reading arrivals");
		st = DB_ERROR;
	}
	for (int r = 0; *out && r < count; r++)
		(*out)[r] = (struct review_arrival){ (int)db_rows_int(rows, r, 0),
		                                     (int)db_rows_int(rows, r, 1),
		                                     db_rows_int(rows, r, 2),
		                                     (time_t)db_rows_int(rows, r, 3),
		                                     (time_t)db_rows_int(rows, r, 4) };
	*n = *out ? (size_t)count : 0;
	db_rows_free(rows);
	return st;
}

enum db_status review_load_keys(struct db *db, const struct catalogue *cat,
                                const struct layout *lay, int agency_id, int period,
                                long long version, struct review_key_id **out, size_t *n)
{
	int *ids = malloc((cat->nindicators ? cat->nindicators : 1) * sizeof *ids);
	struct db_rows *rows = NULL;
	enum db_status st = ids ? DB_OK : DB_ERROR;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; ids && i < cat->nindicators; i++)
		ids[i] = cat->indicators[i].id;
	if (st == DB_OK)
		st = db_exec(db, &rows, SQL_KEYS,
		             DB_PARAMS(DB_PARAM_INTS(ids, cat->nindicators),
		                       DB_PARAM_INTS(lay->area_ids, lay->nleaves), DB_PARAM_INT(period),
		                       DB_PARAM_INT(version), DB_PARAM_INT(agency_id)));
	int count = st == DB_OK ? db_rows_count(rows) : 0;
	if (st != DB_OK)
		db_log_failure(db, "the keys query", st);
	else if (count && !(*out = malloc((size_t)count * sizeof **out)))
		st = DB_ERROR;
	for (int r = 0; *out && r < count; r++)
		(*out)[r] = (struct review_key_id){ (int)db_rows_int(rows, r, 0),
		                                    (int)db_rows_int(rows, r, 1) };
	*n = *out ? (size_t)count : 0;
	db_rows_free(rows);
	free(ids);
	return st;
}

enum db_status review_load_version_time(struct db *db, long long version,
                                        char out[REVIEW_TIME_MAX])
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_VERSION_TIME, DB_PARAMS(DB_PARAM_INT(version)));

	if (st != DB_OK)
		db_log_failure(db, "the version-time query", st);
	db_rows_copy(rows, 0, 0, out, REVIEW_TIME_MAX);
	db_rows_free(rows);
	return st;
}

/* The arrivals of the review year's reports of the input's indicators in
 * its municipality's leaves. */
static enum agg_status read_arrivals(const struct tables_ctx *ctx, struct review_input *in)
{
	int *ids = malloc((in->nindicators ? in->nindicators : 1) * sizeof *ids);

	if (!ids)
		return AGG_FAILED;
	for (size_t i = 0; i < in->nindicators; i++)
		ids[i] = in->indicators[i]->id;
	enum db_status st = review_load_arrivals(ctx->db, ids, in->nindicators,
	                                         in->layout.area_ids, in->layout.nleaves,
	                                         period_make(in->year, 1),
	                                         period_make(in->year, 4), ctx->at.data,
	                                         &in->arrivals, &in->narrivals);
	free(ids);
	return tables_status(st);
}

enum agg_status review_input_read(const struct tables_ctx *ctx, struct review_input *in)
{
	enum agg_status st = AGG_OK;

	if (!in->as_of_asked)
		st = tables_status(review_load_version_time(ctx->db, ctx->at.data, in->version_time));
	for (size_t i = 0; i < in->nindicators && st == AGG_OK; i++)
		st = tables_read(ctx, in->indicators[i]->id, in->municipality->id,
		                 in->year - REVIEW_YEARS, in->year, in->tables[i].t);
	if (st == AGG_OK)
		st = read_arrivals(ctx, in);
	return st;
}

enum agg_status completeness_arrivals_read(const struct tables_ctx *ctx,
                                           const struct catalogue *cat,
                                           const struct layout *lay, int from, int to,
                                           struct review_arrival **out, size_t *n)
{
	int *ids = malloc((cat->nindicators ? cat->nindicators : 1) * sizeof *ids);

	*out = NULL;
	*n = 0;
	if (!ids)
		return AGG_FAILED;
	for (size_t i = 0; i < cat->nindicators; i++)
		ids[i] = cat->indicators[i].id;
	enum db_status st = review_load_arrivals(ctx->db, ids, cat->nindicators, lay->area_ids,
	                                         lay->nleaves, from, to, ctx->at.data, out, n);
	free(ids);
	return tables_status(st);
}
