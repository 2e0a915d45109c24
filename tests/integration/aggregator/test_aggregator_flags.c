/* Flags on values (issue 10) in the aggregator's answers, through real
 * HTTP on the counts of planted.h. A second submission, received
 * 2025-02-10, sends three of bup.nya_barn's 2024 counts again with the same
 * values and a flag each:
 *
 *   hageby 2024Q1 = 22      break         published
 *   klockaretorpet 2024Q4 = 67   provisional  published
 *   navestad 2024Q2 = 4     provisional   hidden (below k)
 *
 * What follows, worked by hand (core/flag.h: break outranks provisional):
 * hageby's 2024Q1 and 2024 are "break"; klockaretorpet's 2024Q4 and 2024
 * "provisional"; navestad's 2024Q2 is hidden and shows no flag, but its
 * published year (133) carries it, "provisional"; the municipality's
 * 2024Q1 is "break", 2024Q2 "provisional" (from the hidden navestad, whose
 * value the total includes), 2024Q3 none, 2024Q4 "provisional", 2024
 * "break". As of 2025-02-01 nothing is flagged: the history is
 * append-only, so an earlier as_of answer keeps its bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_support.h"
#include "planted.h"

static struct agg_env env;

static void plant_flags(void)
{
	static const struct { const char *area; int period; long long value; const char *flag; }
	flagged[] = { { "0581-hageby", 20241, 22, "break" },
	              { "0581-klockaretorpet", 20244, 67, "provisional" },
	              { "0581-navestad", 20242, 4, "provisional" } };
	long long sub = agg_submission(&env, "bup", "2025-02-10T10:00:00Z");
	char sql[256];

	for (size_t i = 0; i < 3; i++) {
		struct agg_count c = { NB, flagged[i].area, flagged[i].period, flagged[i].value };
		agg_plant(&env, sub, &c, 1);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(sql, sizeof sql, "UPDATE count_history SET flag = '%s' WHERE submission_id = %lld"
		         " AND period = %d AND area_id = (SELECT id FROM area WHERE code = '%s')",
		         flagged[i].flag, sub, flagged[i].period, flagged[i].area);
		harness_sql(&env.db, sql);
	}
	agg_commit(&env);
}

/* The flag of a table cell, "" for none (the member left out). */
static const char *cell_flag(const cJSON *table, const char *area, const char *period)
{
	const cJSON *row;

	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(table, "rows"))
		if (strcmp(agg_str(row, "area"), area) == 0)
			return agg_str(agg_point(cJSON_GetObjectItemCaseSensitive(row, "cells"), period),
			               "flag");
	return "(no such row)";
}

static cJSON *get_json(const char *path)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "%s", path);
	is_int(r.status, 200, "%s: 200", path);
	cJSON *o = agg_json(&r);
	http_result_free(&r);
	return o;
}

static void test_table(void)
{
	static const struct { const char *area, *period, *flag; } want[] = {
		{ "0581-hageby", "2024Q1", "break" }, { "0581-hageby", "2024Q2", "" },
		{ "0581-hageby", "2024", "break" },
		{ "0581-klockaretorpet", "2024Q4", "provisional" },
		{ "0581-klockaretorpet", "2024", "provisional" },
		{ "0581-navestad", "2024Q2", "" }, { "0581-navestad", "2024", "provisional" },
		{ "0581-marielund", "2024", "" },
		{ "0581", "2024Q1", "break" }, { "0581", "2024Q2", "provisional" },
		{ "0581", "2024Q3", "" }, { "0581", "2024Q4", "provisional" }, { "0581", "2024", "break" },
	};
	cJSON *t = get_json("/v1/table?indicator=bup.nya_barn&area=0581&year=2024");

	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		is_str(cell_flag(t, want[i].area, want[i].period), want[i].flag, "table %s %s: flag '%s'",
		       want[i].area, want[i].period, want[i].flag);
	is_str(cell_flag(t, "0581-navestad", "2024Q2"), "", "a hidden cell shows no flag");
	cJSON_Delete(t);

	t = get_json("/v1/table?indicator=bup.nya_barn&area=0581&year=2024"
	             "&as_of=2025-02-01T00:00:00Z");
	char *text = cJSON_PrintUnformatted(t);
	ok(text && !strstr(text, "\"flag\""), "as of 2025-02-01: no flag anywhere");
	free(text);
	cJSON_Delete(t);
}

static void test_series(void)
{
	cJSON *s = get_json("/v1/series?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1"
	                    "&to=2024Q4");

	is_str(agg_str(s, "points.0.flag"), "break", "series: 2024Q1 break");
	ok(!agg_at(s, "points.1.flag"), "series: 2024Q2 (hidden) no flag");
	ok(!agg_at(s, "points.3.flag"), "series: 2024Q4 no flag");
	cJSON_Delete(s);
	s = get_json("/v1/series?indicator=bup.nya_barn&area=0581&from=2024&to=2024&freq=year");
	is_str(agg_str(s, "points.0.flag"), "break", "series of years: the municipality's 2024");
	cJSON_Delete(s);
}

/* The OBS_STATUS code of observation `key` of an SDMX-JSON series message. */
static const char *obs_status(const cJSON *m, const char *key)
{
	char path[96];

	snprintf(path, sizeof path, "data.dataSets.0.series.0:0.observations.%s.1", key);
	int i = (int)agg_num(m, path);
	snprintf(path, sizeof path, "data.structures.0.attributes.observation.0.values.%d.id", i);
	return agg_str(m, path);
}

static void test_sdmx(void)
{
	cJSON *m = get_json("/v1/series?indicator=bup.nya_barn&area=0581-klockaretorpet"
	                    "&from=2024Q1&to=2024Q4&format=sdmx-json");

	is_str(obs_status(m, "0"), "A", "sdmx: klockaretorpet 2024Q1 normal (A)");
	is_str(obs_status(m, "3"), "P", "sdmx: klockaretorpet 2024Q4 provisional (P)");
	cJSON_Delete(m);
	m = get_json("/v1/series?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q4"
	             "&format=sdmx-json");
	is_str(obs_status(m, "0"), "B", "sdmx: hageby 2024Q1 break (B)");
	is_str(obs_status(m, "1"), "Q", "sdmx: hageby 2024Q2 suppressed (Q), no flag");
	cJSON_Delete(m);
}

static void test_data(void)
{
	struct http_result r;
	cJSON *d = get_json("/v1/data?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1"
	                    "&to=2024Q2&freq=quarter");

	is_str(agg_str(d, "rows.0.flag"), "break", "data: the row's flag");
	ok(!agg_at(d, "rows.1.flag"), "data: no flag on a hidden row");
	cJSON_Delete(d);
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data?indicator=bup.nya_barn&area=0581-hageby"
	        "&from=2024Q1&to=2024Q1&freq=quarter&format=csv");
	is_str(r.body.data, "\xEF\xBB\xBFindicator,indicator_name,area,area_name,period,frequency,"
	       "value,status,flag\r\nbup.nya_barn,Antal nya barn,0581-hageby,Hageby,2024Q1,quarter,"
	       "22,published,break\r\n", "data CSV: the flag column");
	http_result_free(&r);
	d = get_json("/v1/data?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q2"
	             "&freq=quarter&format=json-stat2");
	is_str(agg_str(d, "status.0"), "break", "json-stat: a flagged value's status");
	is_str(agg_str(d, "status.1"), "suppressed", "json-stat: a hidden value's status");
	cJSON_Delete(d);
}

static void test_review(void)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/review/2024?area=0581");
	is_int(r.status, 200, "review: 200");
	ok(strstr(r.body.data, "data-cell=\"0581-hageby/2024Q1\" class=\"n\">22<sup class=\"flag\">|"
	          "</sup></td>") != NULL, "review: the break's mark on hageby 2024Q1");
	ok(strstr(r.body.data, "data-cell=\"0581-klockaretorpet/2024Q4\" class=\"n\">67<sup "
	          "class=\"flag\">*</sup></td>") != NULL, "review: the provisional mark");
	ok(strstr(r.body.data, "<b>*</b> preliminär uppgift") != NULL &&
	   strstr(r.body.data, "<b>|</b> brott i serien") != NULL, "review: the legend names both");
	http_result_free(&r);
}

int main(void)
{
	agg_env_start(&env, "aggflags", NULL);
	plant_all(&env);
	plant_flags();
	test_table();
	test_series();
	test_sdmx();
	test_data();
	test_review();
	agg_env_stop(&env);
	return tap_done();
}
