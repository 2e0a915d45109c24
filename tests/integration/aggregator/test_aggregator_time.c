/* Disclosure control over time through real HTTP (issue 7): a reader who
 * reads a table at every time it changed, with as_of as every analyst can,
 * solves the linear program over everything read, and learns no small
 * count to within less than k.
 *
 * Each scenario plants submissions one at a time (each committed whole, as
 * the collector stores them, and arriving later than the ones before, as
 * ids and arrival times always rise together), reads /v1/table after
 * each, and gives the
 * statuses read over HTTP to the reader's LP (dc_audit over the states,
 * history_fixture.h: a count unchanged between two states is the same
 * unknown, the cautious assumption). The scenarios are the leak classes
 * the issue reproduced: Q4 arriving last, a district added to the
 * catalogue, a published 10 revised to 3, a hidden 3 revised to 4 and 0.
 * Then: the same request with the same as_of answers the same bytes after
 * a catalogue import, after a restart and from a second aggregator; a
 * database whose states nobody read until the end answers every as_of
 * exactly as one read at every step; the aggregator's role can append
 * states but not change them; an as_of in the future is refused and one
 * an ingest may still join is answered 503. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg_support.h"
#include "history_fixture.h"
#include "tap.h"

#define NPF "bup.npf_utredningar"
#define NDIST 5

static struct agg_env env;

/* Nacka's districts in code order, and their ids in the fixture. */
static const char *const districts[NDIST] = { "0182-alta", "0182-boo", "0182-fisksatra",
                                              "0182-saltsjobaden", "0182-sicklaon" };

/* The arrival of the four quarters of 2024. */
static const char *const quarter_times[4] = {
	"2024-04-10T08:00:00Z", "2024-07-10T08:00:00Z", "2024-10-10T08:00:00Z",
	"2025-01-10T08:00:00Z",
};

/* 2024 of npf_utredningar in Nacka: everything at least 10 but alta's Q4. */
static const long long q2024[NDIST][4] = {
	{ 10, 12, 14, 2 }, { 11, 13, 15, 16 }, { 20, 21, 22, 23 }, { 30, 31, 32, 33 },
	{ 40, 41, 42, 43 },
};

/* The table bodies read after each quarter of 2024 arrived. */
static char *bodies[4];

/* ---- reading ----------------------------------------------------------------- */

/* GET /v1/table of NPF in 0182, with `as_of` ("" for none); the body,
 * malloc'd ("" when the answer is not 200). */
static char *table_body(struct agg_env *e, int year, const char *as_of)
{
	struct http_result r;
	agg_get(&e->agg, e->analyst, NULL, &r, "/v1/table?indicator=" NPF "&area=0182&year=%d%s%s",
	        year, as_of[0] ? "&as_of=" : "", as_of);
	char *body = strdup(r.status == 200 && r.body.data ? r.body.data : "");
	if (r.status != 200)
		diag("table %d as_of '%s': %ld %s", year, as_of, r.status, r.body.data);
	http_result_free(&r);
	return body;
}

/* A table body drawn as a fixture picture ('.' published, 'h' hidden, '-'
 * missing; rows joined by '/'). */
static const char *picture_of(const char *body, char *out)
{
	cJSON *o = cJSON_Parse(body);
	const cJSON *row;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(row, agg_at(o, "rows")) {
		const cJSON *cell;
		if (n)
			out[n++] = '/';
		cJSON_ArrayForEach(cell, cJSON_GetObjectItemCaseSensitive(row, "cells")) {
			const char *st = agg_str(cell, "status");
			out[n++] = strcmp(st, "published") == 0 ? '.' : strcmp(st, "suppressed") == 0 ? 'h'
			                                                                            : '-';
		}
	}
	out[n] = '\0';
	cJSON_Delete(o);
	return out;
}

/* Adds the state the reader saw (its counts known to the test, its
 * statuses from the body) to the reader's history. */
static void reader_adds(struct fx *f, size_t nleaves, const long long (*q)[4], const int *ids,
                        const char *body)
{
	char pic[PICTURE_MAX];
	fx_add(f, nleaves, true, DC_FLOW, 5, q, ids);
	fx_draw(f, f->h.nstates - 1, picture_of(body, pic));
}

/* The time of the database's clock now, as an as_of to the millisecond. */
static void db_now(char *out, size_t size)
{
	char *t = harness_sql_text(&env.db, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
	                                    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
	snprintf(out, size, "%s", t ? t : "");
	free(t);
}

/* ---- planting ------------------------------------------------------------------- */

/* One submission of bup at `at` with the given quarter of every district
 * (values[d]); -1 leaves a district out. */
static void plant_quarter(struct agg_env *e, const char *at, int year, int quarter,
                          const long long *values)
{
	long long s = agg_submission(e, "bup", at);
	for (int d = 0; d < NDIST; d++) {
		if (values[d] < 0)
			continue;
		struct agg_count c = { NPF, districts[d], year * 10 + quarter, values[d] };
		agg_plant(e, s, &c, 1);
	}
	agg_commit(e);
}

/* The counts of 2024 known after `n` quarters arrived. */
static void known_2024(int n, long long (*q)[4])
{
	for (int d = 0; d < NDIST; d++)
		for (int c = 0; c < 4; c++)
			q[d][c] = c < n ? q2024[d][c] : -1;
}

static void plant_2024_quarter(struct agg_env *e, int i)
{
	long long v[NDIST];
	for (int d = 0; d < NDIST; d++)
		v[d] = q2024[d][i];
	plant_quarter(e, quarter_times[i], 2024, i + 1, v);
}

/* ---- Q4 last -------------------------------------------------------------------- */

/* Leak 1: the quarters of 2024 arrive one by one; the fourth brings
 * alta's 2. Alta's Q1..Q3 were published by every earlier state and stay
 * published; its new year hides with the 2 (the year minus the published
 * quarters would be the 2). */
static void test_q4_last(struct fx *f)
{
	char pic[PICTURE_MAX];

	for (int i = 0; i < 4; i++) {
		long long q[NDIST][4];
		plant_2024_quarter(&env, i);
		bodies[i] = table_body(&env, 2024, "");
		known_2024(i + 1, q);
		reader_adds(f, NDIST, q, NULL, bodies[i]);
	}
	is_str(picture_of(bodies[2], pic), "...--/...--/...--/...--/...--/...--",
	       "q4 last: after Q3 every cell is published");
	is_str(picture_of(bodies[3], pic), "...hh/...hh/...../...../...../.....",
	       "q4 last: with Q4, alta's 2 hides with its new year, and boo's Q4 and year with "
	       "them");
	is_int(fx_exposed(f, NULL), 0, "q4 last: the reader of all four states pins nothing down");
	for (int i = 0; i < 4; i++) {
		char *again = table_body(&env, 2024, quarter_times[i]);
		is_str(again, bodies[i], "q4 last: as of %s, the table read then", quarter_times[i]);
		free(again);
	}
}

/* The same through /v1/series alone and through the review page. */
static void test_q4_last_elsewhere(void)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?indicator=" NPF "&area=0182-alta"
	        "&from=2024&to=2024&freq=year&format=csv");
	is_str(r.body.data, "indicator,area,period,value,status\r\n"
	       NPF ",0182-alta,2024,,suppressed\r\n", "series: alta's year is hidden");
	http_result_free(&r);
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/series?indicator=" NPF "&area=0182-alta"
	        "&from=2024Q1&to=2024Q4&format=csv&as_of=%s", quarter_times[2]);
	is_str(r.body.data, "indicator,area,period,value,status\r\n"
	       NPF ",0182-alta,2024Q1,10,published\r\n" NPF ",0182-alta,2024Q2,12,published\r\n"
	       NPF ",0182-alta,2024Q3,14,published\r\n" NPF ",0182-alta,2024Q4,,missing\r\n",
	       "series as of Q3: alta's three quarters");
	http_result_free(&r);
	agg_get(&env.agg, env.analyst, NULL, &r, "/review/2024?area=0182&as_of=%s",
	        quarter_times[3]);
	ok(r.status == 200 && strstr(r.body.data, "data-cell=\"0182-alta/2024Q4\" class=\"hidden\"") &&
	   strstr(r.body.data, "data-cell=\"0182-alta/2024\" class=\"hidden\"") &&
	   strstr(r.body.data, "data-cell=\"0182-alta/2024Q1\" class=\"n\">10<"),
	   "review as of Q4: alta's Q4 and year hidden, its Q1 shown");
	http_result_free(&r);
}

/* ---- a district added ---------------------------------------------------------- */

/* Leak 3: a catalogue import re-protected all history. Orminge is added to
 * Nacka: counted from the import's quarter, it changes no 2024 table, so
 * the table now and as of before the import are the bytes they were.
 * Then its first period is moved back to 2024Q1: the 2024 table gets a new
 * state in which the municipality's cells are missing (Orminge reported
 * nothing), and still nothing earlier hidden comes out, and as of before
 * the import the table is what it was. Last, Orminge (with no counts)
 * moves to Norrköping: a parent's change applies to the states after it. */
static void test_new_district(struct fx *f)
{
	char now[64], dir[] = "/tmp/samlad-time-XXXXXX", pic[PICTURE_MAX];
	static const int ids[NDIST + 1] = { 0, 1, 2, 5, 3, 4 };

	if (!mkdtemp(dir))
		return;
	harness_sleep_ms(5);
	db_now(now, sizeof now);
	harness_sleep_ms(5);
	agg_catalogue_copy(dir, "0182-orminge,Orminge,0182,,\n");
	is_int(agg_import(&env, dir, NULL), 0, "new district: imported");
	char *cur = table_body(&env, 2024, ""), *then = table_body(&env, 2024, now);
	is_str(cur, bodies[3], "new district counted from now: the 2024 table is unchanged");
	is_str(then, bodies[3], "new district: as of before the import, the same bytes");
	free(cur);
	free(then);

	agg_catalogue_copy(dir, "0182-orminge,Orminge,0182,2024Q1,\n");
	is_int(agg_import(&env, dir, NULL), 0, "new district from 2024Q1: imported");
	cur = table_body(&env, 2024, "");
	is_str(picture_of(cur, pic), "...hh/...hh/...../-----/...../...../-----",
	       "new district from 2024Q1: its row and the municipality's are missing, the rest "
	       "as before");
	long long q[NDIST + 1][4];
	known_2024(4, q);
	memmove(q[4], q[3], 2 * sizeof q[0]);
	for (int c = 0; c < 4; c++)
		q[3][c] = -1;
	reader_adds(f, NDIST + 1, q, ids, cur);
	is_int(fx_exposed(f, NULL), 0, "new district: the reader of every state pins nothing down");
	then = table_body(&env, 2024, now);
	is_str(then, bodies[3], "new district from 2024Q1: as of before the imports, the same bytes");
	free(cur);
	free(then);

	/* Orminge, which has no counts, moves to Norrköping: Nacka's 2024 table
	 * gets a state without it (its totals back), Norrköping's a state with
	 * it, and as of before the move Nacka's is what it was. */
	harness_sleep_ms(5);
	db_now(now, sizeof now);
	harness_sleep_ms(5);
	char *before_move = table_body(&env, 2024, "");
	agg_catalogue_copy(dir, "0182-orminge,Orminge,0581,2024Q1,\n");
	is_int(agg_import(&env, dir, NULL), 0, "moved district: imported");
	cur = table_body(&env, 2024, "");
	is_str(picture_of(cur, pic), "...hh/...hh/...../...../...../.....",
	       "moved district: Nacka's table has its five districts and its totals again");
	then = table_body(&env, 2024, now);
	is_str(then, before_move, "moved district: as of before the move, the same bytes");
	struct http_result r;
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/table?indicator=" NPF "&area=0581&year=2024");
	ok(r.status == 200 && strstr(r.body.data, "\"area\":\"0182-orminge\"") != NULL,
	   "moved district: Norrköping's table has a row for it");
	http_result_free(&r);
	free(before_move);
	free(cur);
	free(then);
	char path[600];
	static const char *const files[] = { "agencies.csv", "areas.csv", "indicators.csv",
	                                     "permissions.csv" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- revisions ---------------------------------------------------------------------- */

/* The 2023 table of a history of revisions, read after each. */
struct revisions {
	struct fx f;              /* the reader's history of 2023 */
	long long q[NDIST][4];    /* the counts now */
	char pic[PICTURE_MAX];    /* the last picture */
};

static void revise(struct revisions *rv, const char *at, int d, int quarter, long long v)
{
	long long values[NDIST] = { -1, -1, -1, -1, -1 };
	values[d] = v;
	rv->q[d][quarter - 1] = v;
	plant_quarter(&env, at, 2023, quarter, values);
	char *body = table_body(&env, 2023, "");
	reader_adds(&rv->f, NDIST, rv->q, NULL, body);
	picture_of(body, rv->pic);
	free(body);
}

/* Leak 5: a published 10 revised to 3, whose two states' totals would
 * differ by 7; a hidden 3 revised to 4 and then to 0 (published), whose
 * totals would give the partners and with them the 3 and the 4. */
static void test_revisions(void)
{
	static struct revisions rv;
	char *body;

	fx_init(&rv.f);
	for (int q = 1; q <= 4; q++) {
		long long v[NDIST];
		for (int d = 0; d < NDIST; d++)
			v[d] = rv.q[d][q - 1] = 10 * q + d;
		plant_quarter(&env, "2025-02-01T00:00:00Z", 2023, q, v);
	}
	body = table_body(&env, 2023, "");
	reader_adds(&rv.f, NDIST, rv.q, NULL, body);
	is_str(picture_of(body, rv.pic), "...../...../...../...../...../.....",
	       "revisions: 2023 all published");
	free(body);
	revise(&rv, "2025-03-01T00:00:00Z", 0, 1, 3);
	ok(rv.pic[0] == 'h' && rv.pic[5 * 6] == 'h', "10 to 3: alta's Q1 and the Q1 total hide (%s)",
	   rv.pic);
	is_int(fx_exposed(&rv.f, NULL), 0, "10 to 3: nothing pinned down");
	revise(&rv, "2025-03-02T00:00:00Z", 1, 2, 3);
	is_int(fx_exposed(&rv.f, NULL), 0, "boo's 21 to 3: nothing pinned down");
	revise(&rv, "2025-03-03T00:00:00Z", 1, 2, 4);
	is_int(fx_exposed(&rv.f, NULL), 0, "boo's 3 to 4: nothing pinned down");
	revise(&rv, "2025-03-04T00:00:00Z", 1, 2, 0);
	is_int(fx_exposed(&rv.f, NULL), 0, "boo's 4 to 0: nothing pinned down (%s)", rv.pic);
	ok(rv.f.h.nstates == 5, "revisions: five states read");
}

/* ---- the same bytes ----------------------------------------------------------- */

/* After a restart, and from a second aggregator that records nothing
 * itself, every as_of answers what was read. */
static void test_same_bytes(void)
{
	struct harness_proc second;
	static const char *const quiet[] = { "--record-threads", "0", NULL };

	harness_stop(&env.agg);
	if (harness_start(&env.agg, harness_program("aggregator/samlad-aggregator"),
	                  env.db.aggregator_url, NULL) != 0) {
		ok(false, "the aggregator starts again");
		return;
	}
	if (harness_start(&second, harness_program("aggregator/samlad-aggregator"),
	                  env.db.aggregator_url, quiet) != 0) {
		ok(false, "a second aggregator starts");
		return;
	}
	for (int i = 0; i < 4; i++) {
		struct http_result r;
		char *again = table_body(&env, 2024, quarter_times[i]);
		is_str(again, bodies[i], "after a restart, as of %s: the same bytes", quarter_times[i]);
		free(again);
		agg_get(&second, env.analyst, NULL, &r, "/v1/table?indicator=" NPF
		        "&area=0182&year=2024&as_of=%s", quarter_times[i]);
		is_str(r.body.data, bodies[i], "a second aggregator, as of %s: the same bytes",
		       quarter_times[i]);
		http_result_free(&r);
	}
	harness_stop(&second);
}

/* A database with the same submissions, whose aggregator starts (and
 * records nothing on its own) only when all of them are in: the states it
 * protects at the end are the states protected as they came. */
static void test_order_independent(void)
{
	static const char *const quiet[] = { "--record-threads", "0", NULL };
	struct agg_env late;

	agg_env_start(&late, "aggtimelate", quiet);
	harness_stop(&late.agg);
	for (int i = 0; i < 4; i++)
		plant_2024_quarter(&late, i);
	if (harness_start(&late.agg, harness_program("aggregator/samlad-aggregator"),
	                  late.db.aggregator_url, quiet) != 0) {
		ok(false, "the late aggregator starts");
		agg_env_stop(&late);
		return;
	}
	char *now = table_body(&late, 2024, "");
	is_str(now, bodies[3], "never read until the end: the newest state is the same bytes");
	free(now);
	for (int i = 0; i < 4; i++) {
		char *then = table_body(&late, 2024, quarter_times[i]);
		is_str(then, bodies[i], "never read until the end, as of %s: the same bytes",
		       quarter_times[i]);
		free(then);
	}
	agg_env_stop(&late);
}

/* ---- the role ---------------------------------------------------------------------- */

/* The SQLSTATE of a statement run as the aggregator's role ("" on success). */
static void as_aggregator(const char *sql, char *state, size_t size)
{
	PGconn *c = PQconnectdb(env.db.aggregator_url);
	PGresult *res = PQexec(c, sql);
	const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(state, size, "%s", s ? s : "");
	PQclear(res);
	PQfinish(c);
}

static void test_append_only(void)
{
	char state[8];

	ok(harness_sql_int(&env.db, "SELECT count(*) FROM table_state") > 10,
	   "table_state holds the recorded states");
	as_aggregator("UPDATE table_state SET hidden = 0", state, sizeof state);
	is_str(state, "42501", "the aggregator's role may not change a recorded state");
	as_aggregator("DELETE FROM table_state", state, sizeof state);
	is_str(state, "42501", "nor delete one");
	as_aggregator("DELETE FROM record_progress", state, sizeof state);
	is_str(state, "42501", "nor the recorder's progress");
	as_aggregator("SELECT count(*) FROM table_state", state, sizeof state);
	is_str(state, "", "but it reads them");
}

/* ---- as_of at the edge of now -------------------------------------------------- */

static void test_as_of_edges(void)
{
	struct http_result r;
	char now[64];

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/table?indicator=" NPF
	        "&area=0182&year=2024&as_of=2999-01-01T00:00:00Z");
	agg_check_error("as_of in the future", &r, 400, "invalid_parameter");
	ok(strstr(r.body.data, "as_of '2999-01-01T00:00:00Z' is in the future") != NULL,
	   "and the message says so");
	http_result_free(&r);

	/* An ingest holds the lock: as_of now could still gain it. */
	harness_sql(&env.db, "BEGIN");
	harness_sql(&env.db, "SELECT pg_advisory_xact_lock(7308332174350950756)");
	db_now(now, sizeof now);
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/table?indicator=" NPF
	        "&area=0182&year=2024&as_of=%s", now);
	agg_check_error("as_of now during an ingest", &r, 503, "as_of_unsettled");
	char retry[16] = "";
	ok(http_result_header(&r, "Retry-After", retry, sizeof retry) && strcmp(retry, "1") == 0,
	   "with Retry-After: 1");
	http_result_free(&r);
	harness_sql(&env.db, "COMMIT");
	char *current = table_body(&env, 2024, "");
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/table?indicator=" NPF
	        "&area=0182&year=2024&as_of=%s", now);
	is_str(r.body.data, current, "once the ingest ended: the table of that time");
	free(current);
	http_result_free(&r);
}

int main(void)
{
	static struct fx f;

	agg_env_start(&env, "aggtime", NULL);
	fx_init(&f);
	test_q4_last(&f);
	test_q4_last_elsewhere();
	test_new_district(&f);
	test_revisions();
	test_same_bytes();
	test_order_independent();
	test_append_only();
	test_as_of_edges();
	for (int i = 0; i < 4; i++)
		free(bodies[i]);
	agg_env_stop(&env);
	return tap_done();
}
