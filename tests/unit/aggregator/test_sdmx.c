/* Unit tests of render/sdmx.c: a hand-made series (published,
 * suppressed and missing points, quarters and years) as an SDMX-JSON 2.1
 * data message, member by member, and the '.'-to-'@' identifiers. The
 * message is checked against the official schema through real HTTP in
 * tests/integration/aggregator/test_aggregator_series.c. */
#include <stdlib.h>
#include <string.h>

#include "sdmx.h"
#include "tap.h"

static struct cat_indicator ind = { .id = 1, .code = "bup.nya_barn", .agency = 0,
                                    .level = LEVEL_SPECIALISED, .kind = KIND_FLOW,
                                    .name_sv = "Antal nya barn", .name_en = "New children" };
static struct cat_area area = { .id = 2, .code = "0581-hageby", .name = "Hageby", .parent = 0 };

/* The member at a dotted path ("a.b.0.c"), or NULL. */
static const cJSON *at(const cJSON *o, const char *path)
{
	char name[64];

	while (o && *path) {
		size_t len = strcspn(path, ".");
		memcpy(name, path, len);
		name[len] = '\0';
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(name))
		                     : cJSON_GetObjectItemCaseSensitive(o, name);
		path += len + (path[len] == '.');
	}
	return o;
}

static const char *str(const cJSON *o, const char *path)
{
	const char *s = cJSON_GetStringValue(at(o, path));
	return s ? s : "(none)";
}

/* The compact JSON text at path (static buffer). */
static const char *text(const cJSON *o, const char *path)
{
	static char buf[256];
	char *t = cJSON_PrintUnformatted(at(o, path));
	snprintf(buf, sizeof buf, "%s", t ? t : "(none)");
	free(t);
	return buf;
}

static void test_ids(void)
{
	char out[32];

	sdmx_id("bup.nya_barn", out, sizeof out);
	is_str(out, "bup@nya_barn", "'.' becomes '@'");
	sdmx_id("0581-hageby", out, sizeof out);
	is_str(out, "0581-hageby", "a code without '.' is kept");
	sdmx_id("a.b.c", out, 4);
	is_str(out, "a@b", "never past the buffer");
}

static void test_quarters(void)
{
	struct series_point pts[] = {
		{ 20241, 12, POINT_PUBLISHED, 0 }, { 20242, 0, POINT_SUPPRESSED, 0 },
		{ 20243, 0, POINT_MISSING, 0 }, { 20244, 0, POINT_PUBLISHED, 0 },
	};
	struct series s = { .indicator = &ind, .area = &area, .freq = FREQ_QUARTER,
	                    .n = 4, .points = pts };
	struct sdmx_meta meta = { "samlad-0123456789abcdef", "2026-01-02T03:04:05Z",
	                          "/v1/series?indicator=bup.nya_barn&area=0581-hageby" };
	cJSON *m = sdmx_series(&s, &meta);

	ok(m != NULL, "a message is made");
	is_str(str(m, "$schema"), SDMX_SCHEMA_URL, "$schema");
	is_str(str(m, "meta.id"), "samlad-0123456789abcdef", "meta.id");
	is_str(str(m, "meta.prepared"), "2026-01-02T03:04:05Z", "meta.prepared");
	is_str(text(m, "meta.test"), "false", "meta.test false");
	is_str(text(m, "meta.contentLanguages"), "[\"en\",\"sv\"]", "meta.contentLanguages");
	is_str(str(m, "meta.sender.id"), "SAMLAD", "meta.sender.id");

	const cJSON *st = at(m, "data.structures.0");
	is_str(str(st, "name"), "New children, Hageby", "structure name");
	is_str(text(st, "dataSets"), "[0]", "the structure's data set");
	is_str(str(st, "links.0.href"), meta.self, "the self link");
	is_str(str(st, "links.0.rel"), "self", "rel self");
	is_str(str(st, "dimensions.series.0.id"), "INDICATOR", "dimension INDICATOR");
	is_str(text(st, "dimensions.series.0.keyPosition"), "0", "INDICATOR at key position 0");
	is_str(str(st, "dimensions.series.0.values.0.id"), "bup@nya_barn", "indicator id");
	is_str(str(st, "dimensions.series.0.values.0.names.sv"), "Antal nya barn", "Swedish name");
	is_str(str(st, "dimensions.series.0.values.0.description"), "Samlad code bup.nya_barn",
	       "the real code in the description");
	is_str(str(st, "dimensions.series.1.id"), "AREA", "dimension AREA");
	is_str(str(st, "dimensions.series.1.values.0.id"), "0581-hageby", "area id");
	is_str(str(st, "dimensions.observation.0.id"), "TIME_PERIOD", "TIME_PERIOD");
	is_str(text(st, "dimensions.observation.0.keyPosition"), "2", "TIME_PERIOD at 2");
	is_str(text(st, "dimensions.observation.0.values.0"),
	       "{\"id\":\"2024-Q1\",\"name\":\"2024-Q1\",\"start\":\"2024-01-01T00:00:00Z\","
	       "\"end\":\"2024-03-31T23:59:59Z\"}", "2024-Q1 with its start and end");
	is_str(str(st, "dimensions.observation.0.values.1.end"), "2024-06-30T23:59:59Z", "Q2 end");
	is_str(str(st, "dimensions.observation.0.values.2.end"), "2024-09-30T23:59:59Z", "Q3 end");
	is_str(str(st, "dimensions.observation.0.values.3.start"), "2024-10-01T00:00:00Z",
	       "Q4 start");
	is_str(str(st, "dimensions.observation.0.values.3.end"), "2024-12-31T23:59:59Z", "Q4 end");
	is_str(str(st, "measures.observation.0.id"), "OBS_VALUE", "measure OBS_VALUE");
	is_str(str(st, "attributes.observation.0.id"), "OBS_STATUS", "attribute OBS_STATUS");
	is_str(text(st, "attributes.observation.0.values"),
	       "[{\"id\":\"A\",\"name\":\"Normal value\"},{\"id\":\"Q\",\"name\":\"Missing value; "
	       "suppressed\"},{\"id\":\"O\",\"name\":\"Missing value\"},{\"id\":\"B\",\"name\":"
	       "\"Time series break\"},{\"id\":\"P\",\"name\":\"Provisional value\"}]",
	       "OBS_STATUS codes, B and P for flagged values");
	is_str(str(st, "attributes.observation.1.id"), "CONF_STATUS", "attribute CONF_STATUS");
	is_str(text(st, "attributes.observation.1.values"),
	       "[{\"id\":\"F\",\"name\":\"Free\"},{\"id\":\"C\",\"name\":\"Confidential "
	       "statistical information\"}]", "CONF_STATUS codes");

	const cJSON *ds = at(m, "data.dataSets.0");
	is_str(text(ds, "structure"), "0", "the data set's structure");
	is_str(str(ds, "action"), "Information", "action Information");
	is_str(text(ds, "series"), "{\"0:0\":{\"observations\":{\"0\":[12,0,0],\"1\":[null,1,1],"
	       "\"2\":[null,2,null],\"3\":[0,0,0]}}}",
	       "observations: published, suppressed (no value), missing, a published 0");
	cJSON_Delete(m);
}

static void test_years(void)
{
	struct series_point pts[] = { { 2023, 40, POINT_PUBLISHED, 0 },
	                              { 2024, 0, POINT_SUPPRESSED, 0 } };
	struct series s = { .indicator = &ind, .area = &area, .freq = FREQ_YEAR, .n = 2,
	                    .points = pts };
	struct sdmx_meta meta = { "samlad-x", "2026-01-02T03:04:05Z", "/v1/series" };
	cJSON *m = sdmx_series(&s, &meta);
	const cJSON *t = at(m, "data.structures.0.dimensions.observation.0.values");

	is_str(text(t, "0"), "{\"id\":\"2023\",\"name\":\"2023\",\"start\":\"2023-01-01T00:00:00Z\","
	       "\"end\":\"2023-12-31T23:59:59Z\"}", "a year with its start and end");
	is_str(text(m, "data.dataSets.0.series.0:0.observations"),
	       "{\"0\":[40,0,0],\"1\":[null,1,1]}", "yearly observations");
	cJSON_Delete(m);

	s.n = 0;
	m = sdmx_series(&s, &meta);
	is_str(text(m, "data.dataSets.0.series.0:0.observations"), "{}", "an empty series");
	cJSON_Delete(m);
}

/* SDMX-CSV of rows: a zero is the number 0 (published), a hidden cell an
 * empty OBS_VALUE with Q and C, a missing one O and no CONF_STATUS, the
 * year FREQ A. */
static void test_csv(void)
{
	static const char want[] =
		"STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,AREA,FREQ,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
		"CONF_STATUS\r\n"
		"dataflow,SAMLAD:COUNTS(1.0.0),I,bup@nya_barn,0581-hageby,Q,2024-Q1,0,A,F\r\n"
		"dataflow,SAMLAD:COUNTS(1.0.0),I,bup@nya_barn,0581-hageby,Q,2024-Q2,,Q,C\r\n"
		"dataflow,SAMLAD:COUNTS(1.0.0),I,bup@nya_barn,0581-hageby,Q,2024-Q3,,O,\r\n"
		"dataflow,SAMLAD:COUNTS(1.0.0),I,bup@nya_barn,0581-hageby,A,2024,31,A,F\r\n";
	const struct data_row rows[] = {
		{ &ind, &area, 2024, 0, { 0, DC_PUBLISHED }, 0 },
		{ &ind, &area, 2024, 1, { 0, DC_HIDDEN }, 0 },
		{ &ind, &area, 2024, 2, { 0, DC_MISSING }, 0 },
		{ &ind, &area, 2024, DC_YEAR, { 31, DC_PUBLISHED }, 0 },
	};
	struct buf out = BUF_INIT;

	is_int(sdmx_csv(rows, 4, &out), 0, "sdmx-csv: made");
	is_str(out.data, want, "sdmx-csv: the exact bytes");
	is_int(sdmx_csv(rows, 0, &out), 0, "sdmx-csv: no rows");
	buf_free(&out);
}

int main(void)
{
	test_ids();
	test_quarters();
	test_years();
	test_csv();
	return tap_done();
}
