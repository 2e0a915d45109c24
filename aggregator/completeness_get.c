/* GET /v1/completeness?area=MUNICIPALITY[&from=][&to=][&as_of=]: for every
 * agency permitted in the municipality and every quarter from..to, the
 * keys expected and arrived, when the first and the last arrived, and the
 * status the review gives (review_matrix_build); with the reporting and
 * on-time rates per agency and overall. Only whether agencies reported:
 * no count's value. The page /reporting shows the same matrix. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "aggregator.h"
#include "json_build.h"
#include "period.h"
#include "query.h"
#include "series.h"
#include "review.h"
#include "review_load.h"

/* Positions in the parameter list. */
enum { P_AREA, P_FROM, P_TO, P_AS_OF, P_COUNT };

/* A time as RFC 3339 UTC, or JSON null for 0. */
static cJSON *time_json(time_t t)
{
	char text[32];
	struct tm tm;

	if (t == 0)
		return cJSON_CreateNull();
	gmtime_r(&t, &tm);
	strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cJSON_CreateString(text);
}

/* A rate per 100 due reports with one decimal, or null with none due. */
static cJSON *rate_json(long long part, long long due)
{
	if (due == 0)
		return cJSON_CreateNull();
	return cJSON_CreateNumber(round(1000.0 * (double)part / (double)due) / 10.0);
}

static cJSON *rates_json(const struct review_rates *rt)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddNumberToObject(o, "due", (double)rt->due) &&
	          cJSON_AddNumberToObject(o, "complete", (double)rt->complete) &&
	          cJSON_AddNumberToObject(o, "on_time", (double)rt->on_time) &&
	          json_add(o, "reporting_rate", rate_json(rt->complete, rt->due)) &&
	          json_add(o, "on_time_rate", rate_json(rt->on_time, rt->due));
	return json_checked(o, ok);
}

static cJSON *report_json(const struct review_report *r)
{
	char period[PERIOD_STRLEN];
	cJSON *o = cJSON_CreateObject();

	period_format(r->period, period);
	bool ok = cJSON_AddStringToObject(o, "period", period) &&
	          cJSON_AddStringToObject(o, "status", review_report_status(r)) &&
	          cJSON_AddNumberToObject(o, "expected", (double)r->expected) &&
	          cJSON_AddNumberToObject(o, "arrived", (double)r->reported) &&
	          json_add(o, "first", time_json(r->first)) &&
	          json_add(o, "last", time_json(r->last)) &&
	          json_add(o, "due", time_json(r->deadline));
	return json_checked(o, ok);
}

/* One agency's quarters and rates; its rates are added to `all`. */
static cJSON *row_json(const struct review_matrix *m, const struct review_matrix_row *row,
                       struct review_rates *all)
{
	struct review_rates rt = { 0 };
	cJSON *o = cJSON_CreateObject(), *qs = cJSON_CreateArray();
	bool ok = cJSON_AddStringToObject(o, "agency", row->agency->code) &&
	          cJSON_AddStringToObject(o, "name", row->agency->name);

	for (size_t q = 0; q < m->nperiods; q++) {
		review_rates_add(&rt, &row->reports[q]);
		review_rates_add(all, &row->reports[q]);
		ok = ok && json_append(qs, report_json(&row->reports[q]));
	}
	ok = json_add(o, "quarters", qs) && ok && json_add(o, "rates", rates_json(&rt));
	return json_checked(o, ok);
}

static cJSON *matrix_json(const struct cat_area *area, const struct review_matrix *m)
{
	char from[PERIOD_STRLEN], to[PERIOD_STRLEN];
	struct review_rates all = { 0 };
	cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();

	period_format(m->from, from);
	period_format(m->to, to);
	bool ok = cJSON_AddStringToObject(o, "area", area->code) &&
	          cJSON_AddStringToObject(o, "from", from) &&
	          cJSON_AddStringToObject(o, "to", to) &&
	          cJSON_AddNumberToObject(o, "grace_days", m->grace_days);
	for (size_t i = 0; i < m->nrows; i++)
		ok = ok && json_append(list, row_json(m, &m->rows[i], &all));
	ok = json_add(o, "agencies", list) && ok && json_add(o, "rates", rates_json(&all));
	return json_checked(o, ok);
}

/* The longest range asked at once: ten years of quarters. */
#define REPORTING_MAX_QUARTERS 40

/* from and to (quarters): to defaults to the current quarter, from to the
 * first quarter of to's year. Returns 0, or -1 after answering 400. */
static int range_read(struct http_request *req, const char *from, const char *to,
                      int *pfrom, int *pto)
{
	time_t now = time(NULL);

	if ((to && query_bound(req, "to", to, FREQ_QUARTER, now, pto) != 0) ||
	    (from && query_bound(req, "from", from, FREQ_QUARTER, now, pfrom) != 0))
		return -1;
	if (!to)
		*pto = period_current(now);
	if (!from)
		*pfrom = period_make(period_year(*pto), 1);
	if (*pfrom > *pto)
		return query_bad(req, "from", from ? from : "", "it is after to");
	if (period_index(*pto) - period_index(*pfrom) >= REPORTING_MAX_QUARTERS)
		return query_bad(req, "to", to ? to : "", "the range may hold at most 40 quarters");
	return 0;
}

int reporting_args_read(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                        const char *area, const char *from, const char *to,
                        const char *as_of, struct reporting_args *out)
{
	if (range_read(req, from, to, &out->from, &out->to) != 0 ||
	    query_as_of(req, as_of, out->as_of) != 0 ||
	    read_begin(a, req, out->as_of[0] ? out->as_of : NULL, rc) != 0)
		return -1;
	return query_municipality(req, rc->cat, area, "a completeness report",
	                          &out->municipality);
}

int reporting_matrix(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                     const struct reporting_args *args, struct review_matrix *out)
{
	struct tables_ctx ctx = read_tables(a, rc);
	struct layout lay = { 0 };
	struct review_arrival *arr = NULL;
	size_t narr = 0;
	enum agg_status st = AGG_FAILED;

	if (layout_make(rc->cat, args->municipality, &lay) == 0)
		st = completeness_arrivals_read(&ctx, rc->cat, &lay, args->from, args->to, &arr,
		                                &narr);
	/* Judging needs only the catalogue. */
	read_put_db(a, rc);
	if (st == AGG_OK && review_matrix_build(rc->cat, &lay, args->from, args->to, arr, narr,
	                                        a->grace_days, time(NULL), out) != 0)
		st = AGG_FAILED;
	free(arr);
	layout_free(&lay);
	if (st == AGG_OK)
		return 0;
	aggregator_reply_failure(a, req, st, "the completeness report");
	return -1;
}

void completeness_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_AREA] = { "area", NULL, 0 }, [P_FROM] = { "from", NULL, 0 },
		[P_TO] = { "to", NULL, 0 }, [P_AS_OF] = { "as_of", NULL, 0 },
	};
	struct reporting_args args = { 0 };
	struct review_matrix m = { 0 };
	struct read_ctx rc = READ_CTX_INIT;

	if (read_gate(a, req, READ_API, &rc) != 0 || query_read(req, qp, P_COUNT) != 0 ||
	    reporting_args_read(a, req, &rc, qp[P_AREA].value, qp[P_FROM].value, qp[P_TO].value,
	                        qp[P_AS_OF].value, &args) != 0)
		goto done;
	if (reporting_matrix(a, req, &rc, &args, &m) == 0)
		http_reply_json(req, 200, matrix_json(args.municipality, &m));
done:
	review_matrix_free(&m);
	read_end(a, &rc);
}
