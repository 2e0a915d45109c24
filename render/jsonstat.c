/* JSON-stat 2.0 (https://json-stat.org/full/) of a /v1/data cube; see
 * data.h. R's rjstat and Python's pyjstat read it into a data frame with
 * one column per dimension. */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include "flag.h"
#include "json_build.h"
#include "period.h"
#include "series.h"

/* One dimension's category: "index" {code: position} and "label". */
static cJSON *category(const char *const *codes, const char *const *labels, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *index = cJSON_AddObjectToObject(o, "index");
	cJSON *label = cJSON_AddObjectToObject(o, "label");
	bool ok = index && label;

	for (size_t i = 0; ok && i < n; i++)
		ok = cJSON_AddNumberToObject(index, codes[i], (double)i) &&
		     cJSON_AddStringToObject(label, codes[i], labels[i]);
	return json_checked(o, ok);
}

static cJSON *dimension(const char *label, const char *const *codes,
                        const char *const *labels, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "label", label) &&
	          json_add(o, "category", category(codes, labels, n));

	return json_checked(o, ok);
}

/* Codes and labels of one dimension, for dimension(). */
struct names {
	const char **codes;   /* owned array; the strings borrowed */
	const char **labels;  /* owned array; the strings borrowed */
};

static bool names_new(struct names *n, size_t count)
{
	n->codes = calloc(count + 1, sizeof *n->codes);
	n->labels = calloc(count + 1, sizeof *n->labels);
	return n->codes && n->labels;
}

static void names_free(struct names *n)
{
	free(n->codes);
	free(n->labels);
}

static cJSON *indicator_dimension(const struct data_cube *c, const struct data_style *style)
{
	struct names n;
	cJSON *d = NULL;

	if (names_new(&n, c->nind)) {
		for (size_t i = 0; i < c->nind; i++) {
			n.codes[i] = c->ind[i]->code;
			n.labels[i] = style->english ? c->ind[i]->name_en : c->ind[i]->name_sv;
		}
		d = dimension(style->english ? "Indicator" : "Indikator", n.codes, n.labels, c->nind);
	}
	names_free(&n);
	return d;
}

static cJSON *area_dimension(const struct data_cube *c, const struct data_style *style)
{
	struct names n;
	cJSON *d = NULL;

	if (names_new(&n, c->narea)) {
		for (size_t i = 0; i < c->narea; i++) {
			n.codes[i] = c->area[i]->code;
			n.labels[i] = c->area[i]->name;
		}
		d = dimension(style->english ? "Area" : "Område", n.codes, n.labels, c->narea);
	}
	names_free(&n);
	return d;
}

/* The time dimension: the periods of the first (indicator, area). */
static cJSON *time_dimension(const struct data_cube *c)
{
	char (*text)[PERIOD_STRLEN] = calloc(c->nper + 1, sizeof *text);
	struct names n;
	cJSON *d = NULL;

	if (text && names_new(&n, c->nper)) {
		for (size_t p = 0; p < c->nper; p++) {
			const struct data_row *r = &c->rows[p];
			if (r->col == DC_YEAR)
				snprintf(text[p], sizeof text[p], "%d", r->year);
			else
				period_format(period_make(r->year, r->col + 1), text[p]);
			n.codes[p] = n.labels[p] = text[p];
		}
		d = dimension("Period", n.codes, n.labels, c->nper);
	}
	if (text)
		names_free(&n);
	free(text);
	return d;
}

/* "value" (null where not published) and "status" {position: word}. */
static bool add_values(cJSON *o, const struct data_cube *c)
{
	size_t n = c->nind * c->narea * c->nper;
	cJSON *values = cJSON_AddArrayToObject(o, "value");
	cJSON *status = cJSON_AddObjectToObject(o, "status");
	bool ok = values && status;
	char key[24];

	for (size_t i = 0; ok && i < n; i++) {
		enum point_status st = point_status_of(c->rows[i].cell.status);
		ok = json_append(values, st == POINT_PUBLISHED ?
		                 cJSON_CreateNumber((double)c->rows[i].cell.value) : cJSON_CreateNull());
		const char *word = st != POINT_PUBLISHED ? point_status_name(st)
		                                         : flag_name((enum flag)c->rows[i].flag);
		snprintf(key, sizeof key, "%zu", i);
		if (ok && word)
			ok = cJSON_AddStringToObject(status, key, word) != NULL;
	}
	return ok;
}

/* "id", "size" and "role". */
static bool add_shape(cJSON *o, const struct data_cube *c)
{
	static const char *const ids[] = { "indicator", "area", "time" };
	const int size[] = { (int)c->nind, (int)c->narea, (int)c->nper };
	cJSON *role = cJSON_CreateObject();
	bool ok = json_add(o, "id", cJSON_CreateStringArray(ids, 3)) &&
	          json_add(o, "size", cJSON_CreateIntArray(size, 3)) && json_add(o, "role", role);

	return ok && json_add(role, "time", cJSON_CreateStringArray(ids + 2, 1)) &&
	       json_add(role, "geo", cJSON_CreateStringArray(ids + 1, 1)) &&
	       json_add(role, "metric", cJSON_CreateStringArray(ids, 1));
}

cJSON *render_data_jsonstat(const struct data_cube *cube, const struct data_style *style)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *dims = NULL;
	bool ok = cJSON_AddStringToObject(o, "version", "2.0") &&
	          cJSON_AddStringToObject(o, "class", "dataset") &&
	          cJSON_AddStringToObject(o, "label", style->english ?
	                                  "Samlad: protected counts" : "Samlad: skyddade antal") &&
	          cJSON_AddStringToObject(o, "source", "Samlad") && add_shape(o, cube) &&
	          (dims = cJSON_AddObjectToObject(o, "dimension")) != NULL &&
	          json_add(dims, "indicator", indicator_dimension(cube, style)) &&
	          json_add(dims, "area", area_dimension(cube, style)) &&
	          json_add(dims, "time", time_dimension(cube)) && add_values(o, cube);

	return json_checked(o, ok);
}
