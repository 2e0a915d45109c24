/* GET /v1/table?indicator=&area=MUNICIPALITY&year=2024[&as_of=][&format=]
 * The protected year table a review meeting looks at: each district and the
 * municipality, by Q1..Q4 and the year, with the audit's verdict. */
#include <stdlib.h>
#include <time.h>

#include "aggregator.h"
#include "query.h"
#include "render.h"

/* Positions in the parameter list. */
enum { P_INDICATOR, P_AREA, P_YEAR, P_AS_OF, P_FORMAT, P_COUNT };

/* The request once its parameters are read. */
struct table_args {
	const struct cat_indicator *indicator;  /* what */
	const struct cat_area *municipality;    /* a top-level area */
	int year;                               /* the calendar year */
	enum query_format format;               /* JSON or CSV */
	char as_of[QUERY_TIME_MAX];             /* canonical as_of, or "" */
};

static int args_read(struct http_request *req, const struct catalogue *cat,
                     const struct query_param *qp, struct table_args *out)
{
	if (query_indicator(req, cat, qp[P_INDICATOR].value, &out->indicator) != 0 ||
	    query_area(req, cat, qp[P_AREA].value, &out->municipality) != 0)
		return -1;
	if (out->municipality->parent >= 0) {
		http_reply_error(req, 400, "invalid_parameter", "area '%s': a table is of a "
		                 "municipality; this area's municipality is '%s'",
		                 out->municipality->code,
		                 area_municipality(cat, out->municipality)->code);
		return -1;
	}
	return query_year(req, qp[P_YEAR].value, time(NULL), &out->year) != 0 ||
	       query_format(req, qp[P_FORMAT].value, FORMAT_JSON | FORMAT_CSV,
	                    &out->format) != 0 ? -1 : 0;
}

/* Reads the table's state at the snapshot and answers with it. */
static void table_answer(struct aggregator *a, struct http_request *req,
                         const struct tables_ctx *ctx, const struct table_args *args)
{
	struct ptable *t = NULL;
	struct buf csv = BUF_INIT;
	enum agg_status st = tables_read(ctx, args->indicator->id, args->municipality->id,
	                                 args->year, args->year, &t);

	if (st != AGG_OK)
		aggregator_reply_failure(a, req, st, "the table");
	else if (args->format == FORMAT_CSV)
		aggregator_reply_csv(req, &csv, render_table_csv(ctx->cat, args->municipality, t,
		                                                 &csv));
	else
		http_reply_json(req, 200, render_table(ctx->cat, args->indicator,
		                                       args->municipality, t));
	free(t);
}

void table_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_INDICATOR] = { "indicator", NULL, 0 }, [P_AREA] = { "area", NULL, 0 },
		[P_YEAR] = { "year", NULL, 0 }, [P_AS_OF] = { "as_of", NULL, 0 },
		[P_FORMAT] = { "format", NULL, 0 },
	};
	struct table_args args = { 0 };
	struct load_versions v;
	struct db *db = db_pool_get(a->pool);

	if (aggregator_authorize(a, req, db) != 0 || query_read(req, qp, P_COUNT) != 0 ||
	    query_as_of(req, qp[P_AS_OF].value, args.as_of) != 0 ||
	    aggregator_snapshot(a, req, db, args.as_of[0] ? args.as_of : NULL, &v) != 0)
		goto done;
	struct tables_ctx ctx = aggregator_tables(a, db, &v);
	if (args_read(req, a->cat, qp, &args) == 0)
		table_answer(a, req, &ctx, &args);
	aggregator_release(a);
done:
	db_pool_put(a->pool, db);
}
