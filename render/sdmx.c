/* The SDMX-JSON 2.1.0 data message of one series; see sdmx.h. Builders
 * chain their steps into one flag (json_build.h). */
#include "sdmx.h"

#include <stdbool.h>
#include <stdio.h>
#include "csv.h"
#include "json_build.h"
#include "flag.h"
#include "period.h"

/* Indexes into the OBS_STATUS values below. */
enum { OBS_NORMAL, OBS_SUPPRESSED, OBS_MISSING, OBS_BREAK, OBS_PROVISIONAL };
/* Indexes into the CONF_STATUS values below. */
enum { CONF_FREE, CONF_CONFIDENTIAL };

/* An identifier with its name, for code lists. */
struct sdmx_code {
	const char *id;    /* the code */
	const char *name;  /* its English name in the SDMX code list */
};

static const struct sdmx_code obs_status[] = {
	[OBS_NORMAL] = { "A", "Normal value" },
	[OBS_SUPPRESSED] = { "Q", "Missing value; suppressed" },
	[OBS_MISSING] = { "O", "Missing value" },
	[OBS_BREAK] = { "B", "Time series break" },
	[OBS_PROVISIONAL] = { "P", "Provisional value" },
};

static const struct sdmx_code conf_status[] = {
	[CONF_FREE] = { "F", "Free" },
	[CONF_CONFIDENTIAL] = { "C", "Confidential statistical information" },
};

void sdmx_id(const char *code, char *out, size_t size)
{
	size_t i = 0;

	for (; code[i] && i + 1 < size; i++)
		out[i] = code[i] == '.' ? '@' : code[i];
	out[i] = '\0';
}

/* ---- meta ----------------------------------------------------------- */

static cJSON *meta_json(const struct sdmx_meta *m)
{
	static const char *const languages[] = { "en", "sv" };
	cJSON *o = cJSON_CreateObject(), *sender = NULL;
	bool ok = cJSON_AddStringToObject(o, "id", m->id) &&
	          cJSON_AddStringToObject(o, "prepared", m->prepared) &&
	          cJSON_AddBoolToObject(o, "test", false) &&
	          json_add(o, "contentLanguages", cJSON_CreateStringArray(languages, 2)) &&
	          (sender = cJSON_AddObjectToObject(o, "sender")) != NULL &&
	          cJSON_AddStringToObject(sender, "id", "SAMLAD") &&
	          cJSON_AddStringToObject(sender, "name", "Samlad");
	return json_checked(o, ok);
}

/* ---- structure: dimensions ------------------------------------------ */

/* {"id", "name", "names": {"en", "sv"}, "description"} of a catalogue code. */
static cJSON *code_value(const char *code, const char *name_en, const char *name_sv)
{
	char id[128], about[160];
	cJSON *o = cJSON_CreateObject(), *names = NULL;

	sdmx_id(code, id, sizeof id);
	snprintf(about, sizeof about, "Samlad code %s", code);
	bool ok = cJSON_AddStringToObject(o, "id", id) &&
	          cJSON_AddStringToObject(o, "name", name_en) &&
	          (names = cJSON_AddObjectToObject(o, "names")) != NULL &&
	          cJSON_AddStringToObject(names, "en", name_en) &&
	          cJSON_AddStringToObject(names, "sv", name_sv) &&
	          cJSON_AddStringToObject(o, "description", about);
	return json_checked(o, ok);
}

/* A dimension; takes ownership of values (freed on failure). */
static cJSON *dimension(const char *id, const char *name, int position, cJSON *values)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "id", id) &&
	          cJSON_AddStringToObject(o, "name", name) &&
	          cJSON_AddNumberToObject(o, "keyPosition", position);

	if (!ok)
		cJSON_Delete(values);
	return json_checked(o, ok && json_add(o, "values", values));
}

/* A one-element array holding item. */
static cJSON *one(cJSON *item)
{
	cJSON *list = cJSON_CreateArray();
	return json_checked(list, json_append(list, item));
}

/* The first and last instant of a period, as RFC 3339 date-times. */
static void period_bounds(enum series_freq freq, int period, char *start, char *end)
{
	static const int last_day[] = { 31, 30, 30, 31 };
	int year = freq == FREQ_QUARTER ? period_year(period) : period;
	int q0 = freq == FREQ_QUARTER ? period_quarter(period) : 1;
	int q1 = freq == FREQ_QUARTER ? q0 : 4;

	snprintf(start, 32, "%04d-%02d-01T00:00:00Z", year % 10000, (q0 - 1) * 3 + 1);
	snprintf(end, 32, "%04d-%02d-%02dT23:59:59Z", year % 10000, q1 * 3, last_day[q1 - 1]);
}

/* One TIME_PERIOD value: "2024-Q1" (SDMX's reporting quarter) or "2024". */
static cJSON *time_value(enum series_freq freq, int period)
{
	char id[16], start[32], end[32];
	cJSON *o = cJSON_CreateObject();

	if (freq == FREQ_QUARTER)
		snprintf(id, sizeof id, "%04d-Q%d", period_year(period) % 10000, period_quarter(period));
	else
		snprintf(id, sizeof id, "%04d", period % 10000);
	period_bounds(freq, period, start, end);
	bool ok = cJSON_AddStringToObject(o, "id", id) && cJSON_AddStringToObject(o, "name", id) &&
	          cJSON_AddStringToObject(o, "start", start) &&
	          cJSON_AddStringToObject(o, "end", end);
	return json_checked(o, ok);
}

/* TIME_PERIOD at key position `position`; takes values. */
static cJSON *time_dimension_of(cJSON *values, int position)
{
	cJSON *d = dimension("TIME_PERIOD", "Time period", position, values);
	cJSON *roles = NULL;
	bool ok;

	ok = (roles = cJSON_AddArrayToObject(d, "roles")) != NULL &&
	     json_append(roles, cJSON_CreateString("TIME_PERIOD"));
	return json_checked(d, ok);
}

static cJSON *time_dimension(const struct series *s)
{
	cJSON *values = cJSON_CreateArray();
	bool ok = values != NULL;

	for (size_t i = 0; ok && i < s->n; i++)
		ok = json_append(values, time_value(s->freq, s->points[i].period));
	return time_dimension_of(json_checked(values, ok), 2);
}

static cJSON *dimensions_json(const struct series *s)
{
	const struct cat_indicator *ind = s->indicator;
	cJSON *o = cJSON_CreateObject(), *series = cJSON_CreateArray();
	bool ok = json_add(o, "series", series) &&
	          json_append(series, dimension("INDICATOR", "Indicator", 0,
	                                        one(code_value(ind->code, ind->name_en,
	                                                       ind->name_sv)))) &&
	          json_append(series, dimension("AREA", "Area", 1,
	                                        one(code_value(s->area->code, s->area->name,
	                                                       s->area->name)))) &&
	          json_add(o, "observation", one(time_dimension(s)));
	return json_checked(o, ok);
}

/* ---- structure: measures and attributes ----------------------------- */

static cJSON *measures_json(void)
{
	cJSON *o = cJSON_CreateObject(), *list = NULL, *m = NULL;
	bool ok = (list = cJSON_AddArrayToObject(o, "observation")) != NULL &&
	          json_append(list, m = cJSON_CreateObject()) &&
	          cJSON_AddStringToObject(m, "id", "OBS_VALUE") &&
	          cJSON_AddStringToObject(m, "name", "Observation value");
	return json_checked(o, ok);
}

/* An observation-level attribute with its code list. */
static cJSON *attribute(const char *id, const char *name, const struct sdmx_code *codes,
                        size_t n)
{
	cJSON *o = cJSON_CreateObject(), *values = NULL, *roles = NULL, *rel = NULL;
	bool ok = cJSON_AddStringToObject(o, "id", id) &&
	          cJSON_AddStringToObject(o, "name", name) &&
	          (roles = cJSON_AddArrayToObject(o, "roles")) != NULL &&
	          json_append(roles, cJSON_CreateString(id)) &&
	          (rel = cJSON_AddObjectToObject(o, "relationship")) != NULL &&
	          cJSON_AddObjectToObject(rel, "observation") != NULL &&
	          (values = cJSON_AddArrayToObject(o, "values")) != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		cJSON *v = cJSON_CreateObject();
		ok = json_append(values, v) && cJSON_AddStringToObject(v, "id", codes[i].id) &&
		     cJSON_AddStringToObject(v, "name", codes[i].name);
	}
	return json_checked(o, ok);
}

static cJSON *attributes_json(void)
{
	cJSON *o = cJSON_CreateObject(), *list = NULL;
	bool ok = (list = cJSON_AddArrayToObject(o, "observation")) != NULL &&
	          json_append(list, attribute("OBS_STATUS", "Observation status", obs_status,
	                                      sizeof obs_status / sizeof *obs_status)) &&
	          json_append(list, attribute("CONF_STATUS", "Confidentiality status",
	                                      conf_status, sizeof conf_status / sizeof *conf_status));
	return json_checked(o, ok);
}

static cJSON *links_json(const char *self)
{
	cJSON *link = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(link, "href", self) &&
	          cJSON_AddStringToObject(link, "rel", "self");
	return one(json_checked(link, ok));
}

/* The one structure, named `name`; takes dimensions. */
static cJSON *structure_of(const char *name, cJSON *dimensions, const struct sdmx_meta *m)
{
	cJSON *o = cJSON_CreateObject(), *sets = NULL;
	bool ok = cJSON_AddStringToObject(o, "name", name) &&
	          (sets = cJSON_AddArrayToObject(o, "dataSets")) != NULL &&
	          json_append(sets, cJSON_CreateNumber(0)) &&
	          json_add(o, "links", links_json(m->self));

	/* dimensions is added (or freed) whatever came before. */
	ok = json_add(ok ? o : NULL, "dimensions", dimensions) && ok &&
	     json_add(o, "measures", measures_json()) &&
	     json_add(o, "attributes", attributes_json());
	return json_checked(o, ok);
}

static cJSON *structure_json(const struct series *s, const struct sdmx_meta *m)
{
	char name[512];

	snprintf(name, sizeof name, "%s, %s", s->indicator->name_en, s->area->name);
	return structure_of(name, dimensions_json(s), m);
}

/* ---- the data set --------------------------------------------------- */

/* The OBS_STATUS of a value: a published value flagged by its agency is a
 * break (B) or provisional (P), as core/flag.h's precedence puts them. */
static int obs_status_of(enum point_status st, int flag)
{
	if (st == POINT_MISSING)
		return OBS_MISSING;
	if (st != POINT_PUBLISHED)
		return OBS_SUPPRESSED;
	return flag == FLAG_BREAK ? OBS_BREAK : flag == FLAG_PROVISIONAL ? OBS_PROVISIONAL
	                                                                 : OBS_NORMAL;
}

/* [value, OBS_STATUS index, CONF_STATUS index] of one point: a missing
 * point has no value and no CONF_STATUS (null), a suppressed one no value. */
static cJSON *observation(enum point_status st, long long value, int flag)
{
	bool shown = st == POINT_PUBLISHED, missing = st == POINT_MISSING;
	int obs = obs_status_of(st, flag);
	cJSON *a = cJSON_CreateArray();
	bool ok = json_append(a, shown ? cJSON_CreateNumber((double)value) : cJSON_CreateNull()) &&
	          json_append(a, cJSON_CreateNumber(obs)) &&
	          json_append(a, missing ? cJSON_CreateNull()
	                                 : cJSON_CreateNumber(shown ? CONF_FREE : CONF_CONFIDENTIAL));
	return json_checked(a, ok);
}

static cJSON *dataset_json(const struct series *s)
{
	cJSON *o = cJSON_CreateObject(), *series = NULL, *one_series = NULL, *obs = NULL;
	char key[24];
	bool ok = cJSON_AddNumberToObject(o, "structure", 0) &&
	          cJSON_AddStringToObject(o, "action", "Information") &&
	          (series = cJSON_AddObjectToObject(o, "series")) != NULL &&
	          (one_series = cJSON_AddObjectToObject(series, "0:0")) != NULL &&
	          (obs = cJSON_AddObjectToObject(one_series, "observations")) != NULL;

	for (size_t i = 0; ok && i < s->n; i++) {
		snprintf(key, sizeof key, "%zu", i);
		ok = json_add(obs, key, observation(s->points[i].status, s->points[i].value,
		                                         s->points[i].flag));
	}
	return json_checked(o, ok);
}

cJSON *sdmx_series(const struct series *s, const struct sdmx_meta *meta)
{
	cJSON *o = cJSON_CreateObject(), *data = NULL, *structures = NULL, *sets = NULL;
	bool ok = cJSON_AddStringToObject(o, "$schema", SDMX_SCHEMA_URL) &&
	          json_add(o, "meta", meta_json(meta)) &&
	          (data = cJSON_AddObjectToObject(o, "data")) != NULL &&
	          (structures = cJSON_AddArrayToObject(data, "structures")) != NULL &&
	          json_append(structures, structure_json(s, meta)) &&
	          (sets = cJSON_AddArrayToObject(data, "dataSets")) != NULL &&
	          json_append(sets, dataset_json(s));
	return json_checked(o, ok);
}

/* ---- a table --------------------------------------------------------- */

/* The FREQ values: Q (quarterly) at 0, A (annual) at 1. */
static cJSON *freq_values(void)
{
	static const char *const ids[] = { "Q", "A" }, *const en[] = { "Quarterly", "Annual" },
	                         *const sv[] = { "Kvartal", "\xc3\x85r" };
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (int i = 0; ok && i < 2; i++) {
		cJSON *v = cJSON_CreateObject(), *names = NULL;
		ok = json_append(list, v) && cJSON_AddStringToObject(v, "id", ids[i]) &&
		     cJSON_AddStringToObject(v, "name", en[i]) &&
		     (names = cJSON_AddObjectToObject(v, "names")) != NULL &&
		     cJSON_AddStringToObject(names, "en", en[i]) &&
		     cJSON_AddStringToObject(names, "sv", sv[i]);
	}
	return json_checked(list, ok);
}

/* The area of table row r: a leaf's, or the municipality's. */
static const struct cat_area *row_area(const struct catalogue *cat,
                                       const struct cat_area *municipality,
                                       const struct ptable *t, size_t r)
{
	return r < t->nleaves ? catalogue_area_by_id(cat, t->leaves[r]) : municipality;
}

static cJSON *table_dimensions(const struct catalogue *cat, const struct cat_indicator *ind,
                               const struct cat_area *m, const struct ptable *t)
{
	cJSON *o = cJSON_CreateObject(), *series = cJSON_CreateArray();
	cJSON *areas = cJSON_CreateArray(), *times = cJSON_CreateArray();
	bool ok = areas && times;

	for (size_t r = 0; ok && r < t->nrows; r++) {
		const struct cat_area *a = row_area(cat, m, t, r);
		ok = a && json_append(areas, code_value(a->code, a->name, a->name));
	}
	for (int c = 0; ok && c < DC_NCOLS; c++)
		ok = json_append(times, c == DC_YEAR ? time_value(FREQ_YEAR, t->year)
		                                     : time_value(FREQ_QUARTER,
		                                                  period_make(t->year, c + 1)));
	areas = json_checked(areas, ok);
	times = json_checked(times, ok);
	ok = json_add(o, "series", series) &&
	     json_append(series, dimension("INDICATOR", "Indicator", 0,
	                                   one(code_value(ind->code, ind->name_en, ind->name_sv)))) &&
	     json_append(series, dimension("AREA", "Area", 1, areas)) &&
	     json_append(series, dimension("FREQ", "Frequency", 2, freq_values())) &&
	     json_add(o, "observation", one(time_dimension_of(times, 3)));
	return json_checked(o, ok);
}

/* Series "0:r:0" (the quarters, observations 0..3) and "0:r:1" (the
 * year, observation 4) of row r. */
static bool table_row_series(cJSON *series, const struct ptable *t, size_t r)
{
	bool ok = true;

	for (int f = 0; ok && f < 2; f++) {
		char key[48], at[8];
		cJSON *one_series = NULL, *obs = NULL;
		snprintf(key, sizeof key, "0:%zu:%d", r, f);
		ok = (one_series = cJSON_AddObjectToObject(series, key)) != NULL &&
		     (obs = cJSON_AddObjectToObject(one_series, "observations")) != NULL;
		for (int c = f ? DC_YEAR : 0; ok && c < (f ? DC_NCOLS : DC_YEAR); c++) {
			const struct pcell *cell = &t->cells[r * DC_NCOLS + (size_t)c];
			snprintf(at, sizeof at, "%d", c);
			ok = json_add(obs, at, observation(point_status_of(cell->status), cell->value,
			                                   t->flags[r * DC_NCOLS + (size_t)c]));
		}
	}
	return ok;
}

cJSON *sdmx_table(const struct catalogue *cat, const struct cat_indicator *ind,
                  const struct cat_area *municipality, const struct ptable *t,
                  const struct sdmx_meta *meta)
{
	char name[512];
	cJSON *o = cJSON_CreateObject(), *data = NULL, *structures = NULL, *sets = NULL;
	cJSON *set = NULL, *series = NULL;

	snprintf(name, sizeof name, "%s, %s, %d", ind->name_en, municipality->name, t->year);
	bool ok = cJSON_AddStringToObject(o, "$schema", SDMX_SCHEMA_URL) &&
	          json_add(o, "meta", meta_json(meta)) &&
	          (data = cJSON_AddObjectToObject(o, "data")) != NULL &&
	          (structures = cJSON_AddArrayToObject(data, "structures")) != NULL &&
	          json_append(structures, structure_of(name, table_dimensions(cat, ind, municipality,
	                                                                      t), meta)) &&
	          (sets = cJSON_AddArrayToObject(data, "dataSets")) != NULL &&
	          json_append(sets, set = cJSON_CreateObject()) &&
	          cJSON_AddNumberToObject(set, "structure", 0) &&
	          cJSON_AddStringToObject(set, "action", "Information") &&
	          (series = cJSON_AddObjectToObject(set, "series")) != NULL;

	for (size_t r = 0; ok && r < t->nrows; r++)
		ok = table_row_series(series, t, r);
	return json_checked(o, ok);
}

/* ---- SDMX-CSV -------------------------------------------------------- */

int sdmx_csv(const struct data_row *rows, size_t n, struct buf *out)
{
	static const char *const header[] = { "STRUCTURE", "STRUCTURE_ID", "ACTION", "INDICATOR",
	                                      "AREA", "FREQ", "TIME_PERIOD", "OBS_VALUE",
	                                      "OBS_STATUS", "CONF_STATUS" };
	char ind[128], period[32], value[24];

	csv_write_record(out, header, 10);
	for (size_t i = 0; i < n; i++) {
		const struct data_row *r = &rows[i];
		enum point_status st = point_status_of(r->cell.status);
		bool year = r->col == DC_YEAR, shown = st == POINT_PUBLISHED;
		sdmx_id(r->indicator->code, ind, sizeof ind);
		if (year)
			snprintf(period, sizeof period, "%04d", r->year % 10000);
		else
			snprintf(period, sizeof period, "%04d-Q%d", r->year % 10000, r->col + 1);
		snprintf(value, sizeof value, "%lld", r->cell.value);
		int obs = obs_status_of(st, r->flag);
		const char *const row[] = { "dataflow", SDMX_CSV_STRUCTURE, "I", ind, r->area->code,
		                            year ? "A" : "Q", period, shown ? value : "",
		                            obs_status[obs].id,
		                            st == POINT_MISSING ? "" : conf_status[shown ? CONF_FREE
		                                                       : CONF_CONFIDENTIAL].id };
		csv_write_record(out, row, 10);
	}
	return buf_failed(out) ? -1 : 0;
}
