/* GET /v1/catalogue[?as_of=]: the indicators (with the k that applies to
 * each), the area tree, the agencies, and the first and last period that
 * has data (as of the version asked for). */
#include <stdlib.h>

#include "aggregator.h"
#include "json_build.h"
#include "period.h"
#include "query.h"
#include "render.h"

static cJSON *indicators_json(const struct catalogue *cat)
{
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < cat->nindicators; i++) {
		const struct cat_indicator *ind = &cat->indicators[i];
		cJSON *o = render_indicator(cat, ind);
		ok = json_append(list, o) &&
		     cJSON_AddNumberToObject(o, "suppress_below", (double)catalogue_k(cat, ind));
	}
	return json_checked(list, ok);
}

/* Adds a period, or null when there is none (0). */
static bool add_period(cJSON *o, const char *name, int period)
{
	char text[PERIOD_STRLEN];

	if (period == 0)
		return cJSON_AddNullToObject(o, name) != NULL;
	period_format(period, text);
	return cJSON_AddStringToObject(o, name, text) != NULL;
}

/* An area with its periods and its children, recursively (the import
 * refuses cycles; the depth bound only guards a broken catalogue). */
static cJSON *area_tree(const struct catalogue *cat, size_t index, size_t depth)
{
	const struct cat_area *a = &cat->areas[index];
	cJSON *o = render_area(cat, a), *children = NULL;
	bool ok = o && add_period(o, "first_period", a->first_period) &&
	          add_period(o, "last_period", a->last_period) &&
	          (children = cJSON_AddArrayToObject(o, "children")) != NULL &&
	          depth <= cat->nareas;

	for (size_t i = 0; ok && i < cat->nareas; i++)
		if (cat->areas[i].parent == (int)index)
			ok = json_append(children, area_tree(cat, i, depth + 1));
	return json_checked(o, ok);
}

static cJSON *areas_json(const struct catalogue *cat)
{
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < cat->nareas; i++)
		if (cat->areas[i].parent < 0)
			ok = json_append(list, area_tree(cat, i, 0));
	return json_checked(list, ok);
}

static cJSON *agencies_json(const struct catalogue *cat)
{
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < cat->nagencies; i++) {
		cJSON *o = cJSON_CreateObject();
		ok = json_append(list, o) &&
		     cJSON_AddStringToObject(o, "code", cat->agencies[i].code) &&
		     cJSON_AddStringToObject(o, "name", cat->agencies[i].name);
	}
	return json_checked(list, ok);
}

static cJSON *catalogue_json(const struct catalogue *cat, const struct load_span *spans,
                             size_t nspans)
{
	int first = 0, last = 0;
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < nspans; i++) {
		if (!catalogue_area_by_id(cat, spans[i].area_id))
			continue;
		if (first == 0 || spans[i].first < first)
			first = spans[i].first;
		if (spans[i].last > last)
			last = spans[i].last;
	}
	bool ok = o && json_add(o, "indicators", indicators_json(cat)) &&
	          json_add(o, "areas", areas_json(cat)) &&
	          json_add(o, "agencies", agencies_json(cat)) &&
	          add_period(o, "first_period", first) && add_period(o, "last_period", last);
	return json_checked(o, ok);
}

void catalogue_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[] = { { "as_of", NULL, 0 } };
	char as_of[QUERY_TIME_MAX];
	struct read_ctx rc = READ_CTX_INIT;
	struct load_span *spans = NULL;
	size_t nspans = 0;

	if (read_gate(a, req, READ_API, &rc) != 0 || query_read(req, qp, 1) != 0 ||
	    query_as_of(req, qp[0].value, as_of) != 0 ||
	    read_begin(a, req, as_of[0] ? as_of : NULL, &rc) != 0)
		goto done;
	enum db_status st = load_spans(rc.db, rc.v.at.data, &spans, &nspans);
	read_put_db(a, &rc);
	if (st == DB_OK)
		http_reply_json(req, 200, catalogue_json(rc.cat, spans, nspans));
	else
		aggregator_reply_failure(a, req, tables_status(st), "the catalogue");
done:
	free(spans);
	read_end(a, &rc);
}
