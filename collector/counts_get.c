/* GET /v1/counts?period=2024Q3: the agency's own current values for one
 * quarter, each with the submission that set it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collector.h"
#include "flag.h"
#include "ingest.h"
#include "json_build.h"
#include "period.h"
#include "store.h"

/* What the query string held. */
struct query {
	const char *period;                /* the period's text, or NULL */
	int nperiod;                       /* how many times period was given */
	char unknown[CONFLICT_FIELD_MAX];  /* the first unknown name (sanitised), or "" */
	bool has_unknown;                  /* a parameter other than period came */
};

static void query_one(void *ctx, const char *key, const char *value)
{
	struct query *q = ctx;

	if (strcmp(key, "period") == 0) {
		q->period = value;
		q->nperiod++;
	} else if (!q->has_unknown) {
		q->has_unknown = true;
		ingest_echo(q->unknown, sizeof q->unknown, key, strlen(key));
	}
}

/* Checks the query and reads the period. Returns -1 after answering 400. */
static int read_period(struct http_request *req, int *period)
{
	struct query q = { NULL, 0, "", false };
	char text[CONFLICT_FIELD_MAX];

	http_query_each(req, query_one, &q);
	if (q.has_unknown) {
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'; "
		                 "the only one is period", q.unknown);
		return -1;
	}
	if (q.nperiod != 1) {
		http_reply_error(req, 400, "invalid_parameter", q.nperiod ? "give period once" :
		                 "the query parameter period is required, e.g. ?period=2024Q3");
		return -1;
	}
	enum period_error e = period_parse_checked(q.period, time(NULL), period);
	if (e == PERIOD_OK)
		return 0;
	ingest_echo(text, sizeof text, q.period, strlen(q.period));
	http_reply_error(req, 400, "invalid_parameter", "period '%s': %s", text,
	                 period_error_message(e));
	return -1;
}

static cJSON *count_json(const struct stored_count *k, const char *period)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "indicator", k->indicator) &&
	          cJSON_AddStringToObject(o, "area", k->area) &&
	          cJSON_AddStringToObject(o, "period", period) &&
	          cJSON_AddNumberToObject(o, "value", k->value) &&
	          cJSON_AddStringToObject(o, "submission", k->submission);
	/* A flag is shown only where there is one, as the aggregator does. */
	const char *flag = flag_name((enum flag)k->flag);
	if (ok && flag)
		ok = cJSON_AddStringToObject(o, "flag", flag) != NULL;

	return json_checked(o, ok);
}

/* {"period": "2024Q3", "counts": [...]}, or NULL when memory ran out. */
static cJSON *counts_body(int period, const struct stored_count *counts, size_t n)
{
	char text[PERIOD_STRLEN];
	cJSON *o = cJSON_CreateObject();

	period_format(period, text);
	bool ok = cJSON_AddStringToObject(o, "period", text);
	cJSON *list = cJSON_AddArrayToObject(o, "counts");
	for (size_t i = 0; ok && i < n; i++)
		ok = json_append(list, count_json(&counts[i], text));
	return json_checked(o, ok && list);
}

void counts_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;
	struct stored_count *counts = NULL;
	size_t n = 0;
	int period;

	if (collector_authenticate_submitter(c, req, &who, "read its counts") != 0 ||
	    read_period(req, &period) != 0)
		return;
	struct db *db = db_pool_get(c->pool);
	enum db_status st = store_current_counts(db, who.agency_id, period, &counts, &n);
	db_pool_put(c->pool, db);
	if (st == DB_UNAVAILABLE) {
		collector_reply_unavailable(c, req);
		goto done;
	}
	cJSON *body = st == DB_OK ? counts_body(period, counts, n) : NULL;
	if (body)
		http_reply_json(req, 200, body);
	else
		http_reply_error(req, 500, "internal_error", "the counts could not be read");
done:
	free(counts);
}
