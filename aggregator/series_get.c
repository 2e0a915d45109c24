/* GET /v1/series?indicator=&area=&from=&to=&freq=quarter|year[&as_of=][&format=][&lang=]
 * One area's row of the protected year tables over a range of periods,
 * with derived values and the trend, as JSON, CSV, SDMX-JSON, SDMX-CSV or
 * xlsx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "period.h"
#include "query.h"
#include "render.h"
#include "sdmx.h"
#include "xlsx.h"

/* Positions in the parameter list. */
enum { P_INDICATOR, P_AREA, P_FROM, P_TO, P_FREQ, P_AS_OF, P_FORMAT, P_LANG, P_COUNT };

/* The request once its parameters are read. */
struct series_args {
	struct series_request rq;         /* what to assemble */
	enum query_format format;         /* how to answer */
	bool english;                     /* lang=en: the workbook in English */
	char as_of[QUERY_TIME_MAX];       /* canonical as_of, or "" */
};

/* Indicator, area, freq and format; the bounds come after. */
static int args_read(struct http_request *req, const struct catalogue *cat,
                     const struct query_param *qp, struct series_args *out)
{
	if (query_indicator(req, cat, qp[P_INDICATOR].value, &out->rq.indicator) != 0 ||
	    query_area(req, cat, qp[P_AREA].value, &out->rq.area) != 0)
		return -1;
	if (!area_publishable(out->rq.area)) {
		http_reply_error(req, 400, "invalid_parameter", "area '%s': a series is of a "
		                 "municipality or of a district without sub-areas",
		                 out->rq.area->code);
		return -1;
	}
	return query_freq(req, qp[P_FREQ].value, &out->rq.freq) != 0 ||
	       query_lang(req, qp[P_LANG].value, &out->english) != 0 ||
	       query_format(req, qp[P_FORMAT].value,
	                    FORMAT_JSON | FORMAT_CSV | FORMAT_SDMX | FORMAT_SDMX_CSV |
	                    FORMAT_XLSX,
	                    &out->format) != 0 ? -1 : 0;
}

/* The first period with data of the indicator in the area's municipality,
 * in the series' frequency; with no data at all, the year of rq->to (set
 * before), so that an empty series is short rather than reaching back to a
 * year the service would have to guess. */
static enum agg_status default_from(const struct tables_ctx *ctx,
                                    const struct series_request *rq, int *from)
{
	struct layout lay;
	int first = 0;

	if (layout_make(ctx->cat, area_municipality(ctx->cat, rq->area), &lay) != 0)
		return AGG_FAILED;
	enum db_status st = load_first_period(ctx->db, rq->indicator->id, lay.area_ids,
	                                      lay.nleaves, ctx->at.data, &first);
	layout_free(&lay);
	if (st != DB_OK)
		return tables_status(st);
	if (first == 0)
		*from = rq->freq == FREQ_QUARTER ? period_make(period_year(rq->to), 1) : rq->to;
	else
		*from = rq->freq == FREQ_QUARTER ? first : period_year(first);
	return AGG_OK;
}

/* The last finished quarter, or for years the last finished year. */
static int default_to(enum series_freq freq, time_t now)
{
	int last = period_last_finished(now);

	if (freq == FREQ_QUARTER)
		return last;
	return period_quarter(last) == 4 ? period_year(last) : period_year(last) - 1;
}

/* Reads or defaults from and to. Returns 0, or -1 after answering. */
static int bounds_read(struct aggregator *a, struct http_request *req,
                       const struct tables_ctx *ctx, const struct query_param *qp,
                       struct series_request *rq)
{
	time_t now = time(NULL);
	const char *from = qp[P_FROM].value, *to = qp[P_TO].value;

	if ((from && query_bound(req, "from", from, rq->freq, now, &rq->from) != 0) ||
	    (to && query_bound(req, "to", to, rq->freq, now, &rq->to) != 0))
		return -1;
	if (!to)
		rq->to = default_to(rq->freq, now);
	if (!from) {
		enum agg_status st = default_from(ctx, rq, &rq->from);
		if (st != AGG_OK) {
			aggregator_reply_failure(a, req, st, "the series");
			return -1;
		}
	}
	/* A default gives way to an explicit bound on the other side. */
	if (rq->from > rq->to && !from)
		rq->from = rq->to;
	else if (rq->from > rq->to && !to)
		rq->to = rq->from;
	if (rq->from <= rq->to)
		return 0;
	http_reply_error(req, 400, "invalid_parameter", "from '%s' is after to '%s'", from, to);
	return -1;
}

/* The request's own URI, for the SDMX message's "self" link. */
static void self_link(const struct series *s, const struct series_args *args, char *out,
                      size_t size)
{
	char from[PERIOD_STRLEN], to[PERIOD_STRLEN], as_of[2 * QUERY_TIME_MAX];

	series_period_format(s->freq, args->rq.from, from);
	series_period_format(s->freq, args->rq.to, to);
	aggregator_as_of_param(args->as_of, as_of, sizeof as_of);
	snprintf(out, size, "/v1/series?indicator=%s&area=%s&from=%s&to=%s&freq=%s"
	         "&format=sdmx-json%s", s->indicator->code, s->area->code, from, to,
	         s->freq == FREQ_QUARTER ? "quarter" : "year", as_of);
}

static void reply_sdmx(struct http_request *req, const struct series *s,
                       const struct series_args *args)
{
	struct sdmx_meta_text mt;
	char self[512];

	if (aggregator_sdmx_meta(req, &mt) != 0)
		return;
	self_link(s, args, self, sizeof self);
	struct sdmx_meta meta = { mt.id, mt.prepared, self };
	aggregator_reply_sdmx(req, sdmx_series(s, &meta));
}

/* The points as rows, for the formats that take rows: xlsx, SDMX-CSV. */
static void reply_rows(struct http_request *req, const struct read_ctx *rc,
                       const struct series *s, const struct series_args *args)
{
	struct data_row *rows = calloc(s->n + 1, sizeof *rows);
	struct data_style style = { args->english, ',' };
	char name[160];

	if (!rows) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return;
	}
	data_rows_of_series(s, rows);
	snprintf(name, sizeof name, "samlad-%s-%s.xlsx", s->indicator->code, s->area->code);
	struct xlsx_answer x = { rows, s->n, &style, 0, args->as_of, name };
	if (args->format == FORMAT_SDMX_CSV)
		aggregator_reply_sdmx_csv(req, rows, s->n);
	else
		aggregator_reply_xlsx(req, rc, &x);
	free(rows);
}
static void reply_series(struct http_request *req, const struct read_ctx *rc,
                         const struct series *s, const struct series_args *args)
{
	struct buf csv = BUF_INIT;
	const struct catalogue *cat = rc->cat;

	if (args->format == FORMAT_XLSX || args->format == FORMAT_SDMX_CSV)
		reply_rows(req, rc, s, args);
	else if (args->format == FORMAT_CSV)
		aggregator_reply_csv(req, &csv, render_series_csv(s, &csv));
	else if (args->format == FORMAT_SDMX)
		reply_sdmx(req, s, args);
	else
		http_reply_json(req, 200, render_series(cat, s));
}

/* Reads the parameters that need the catalogue and the tables that the
 * series needs, on the read's connection. Returns 0, or -1 after answering. */
static int series_load(struct aggregator *a, struct http_request *req,
                       const struct read_ctx *rc, const struct query_param *qp,
                       struct series_args *args, struct series_tables *t)
{
	struct tables_ctx ctx = read_tables(a, rc);

	if (args_read(req, rc->cat, qp, args) != 0 ||
	    bounds_read(a, req, &ctx, qp, &args->rq) != 0)
		return -1;
	enum agg_status st = series_tables_read(&ctx, &args->rq, t);
	if (st == AGG_OK)
		return 0;
	aggregator_reply_failure(a, req, st, "the series");
	return -1;
}

void series_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_INDICATOR] = { "indicator", NULL, 0 }, [P_AREA] = { "area", NULL, 0 },
		[P_FROM] = { "from", NULL, 0 }, [P_TO] = { "to", NULL, 0 },
		[P_FREQ] = { "freq", NULL, 0 }, [P_AS_OF] = { "as_of", NULL, 0 },
		[P_FORMAT] = { "format", NULL, 0 }, [P_LANG] = { "lang", NULL, 0 },
	};
	struct series_args args = { .rq.alpha = a->alpha };
	struct series_tables t = { NULL, 0, 0 };
	struct series s = { 0 };
	struct read_ctx rc = READ_CTX_INIT;

	if (read_gate(a, req, READ_API, &rc) != 0 || query_read(req, qp, P_COUNT) != 0 ||
	    query_as_of(req, qp[P_AS_OF].value, args.as_of) != 0 ||
	    read_begin(a, req, args.as_of[0] ? args.as_of : NULL, &rc) != 0 ||
	    series_load(a, req, &rc, qp, &args, &t) != 0)
		goto done;
	/* The trend and the rendering need no connection. */
	read_put_db(a, &rc);
	enum agg_status st = series_from_tables(rc.cat, &args.rq, t.tables, t.y0, t.y1, &s);
	if (st == AGG_OK)
		reply_series(req, &rc, &s, &args);
	else
		aggregator_reply_failure(a, req, st, "the series");
done:
	series_clear(&s);
	series_tables_free(&t);
	read_end(a, &rc);
}
