/* The cost of a table's states (bench/states.sh runs it; bench/README.md
 * explains the method).
 *
 *   states-bench --year YEAR --tenth DATA_VERSION
 *
 * On the database of DATABASE_URL (the owning role), for every indicator
 * and municipality with counts in YEAR, each table having eleven states
 * (the tenth ends at submission DATA_VERSION, the eleventh at the newest):
 *   cold build   protect and record its first ten states from nothing, as
 *                a request does when no state of the table is recorded;
 *   eleventh     protect and record the eleventh state against the ten;
 *   cold read    read the table from its recorded states, with no cache.
 * Prints "name value" lines: the count, median and p99 of each, in ms. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue.h"
#include "catalogue_db.h"
#include "db.h"
#include "log.h"
#include "states.h"
#include "timeline.h"

/* The tables to measure. */
static const char SQL_TABLES[] =
	"SELECT DISTINCT h.indicator_id, p.id FROM count_history h"
	"  JOIN area a ON a.id = h.area_id JOIN area p ON p.id = a.parent_id"
	" WHERE h.period / 10 = $1 ORDER BY 1, 2";

static const char SQL_NOW[] =
	"SELECT (SELECT max(id) FROM submission), (SELECT version FROM catalogue_version)";

/* The timings of one kind of work, in milliseconds. */
struct timings {
	double *ms;   /* owned */
	size_t n;     /* how many */
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *name, struct timings *t)
{
	qsort(t->ms, t->n, sizeof *t->ms, cmp_double);
	size_t p99 = t->n ? (t->n * 99 + 99) / 100 - 1 : 0;
	printf("%s_tables %zu\n%s_median_ms %.3f\n%s_p99_ms %.3f\n", name, t->n, name,
	       t->n ? t->ms[t->n / 2] : 0.0, name, t->n ? t->ms[p99] : 0.0);
}

static void die(const char *what, struct db *db)
{
	fprintf(stderr, "states-bench: %s: %s\n", what, db ? db_error(db) : "");
	exit(1);
}

/* One table: the three measurements. */
static void measure(struct db *db, const struct catalogue *cat, struct timeline *tl, int ind,
                    int mun, int year, struct point tenth, struct point now,
                    struct timings *t)
{
	struct record_stats st = { 0 };
	double t0 = now_ms();
	if (tables_record(db, cat, tl, ind, mun, year, year, (struct point){ 0, 0 }, tenth,
	                  &st) != AGG_OK || st.states != 10)
		die("recording ten states", db);
	double t1 = now_ms();
	if (tables_record(db, cat, tl, ind, mun, year, year, tenth, now, &st) != AGG_OK ||
	    st.states != 11)
		die("recording the eleventh state", db);
	double t2 = now_ms();
	struct tables_ctx ctx = { db, cat, tl, now, now, NULL, 0 };
	struct ptable *p = NULL;
	if (tables_read(&ctx, ind, mun, year, year, &p) != AGG_OK || !p || p->at.data == 0)
		die("reading the table", db);
	double t3 = now_ms();
	free(p);
	t[0].ms[t[0].n++] = t1 - t0;
	t[1].ms[t[1].n++] = t2 - t1;
	t[2].ms[t[2].n++] = t3 - t2;
}

int main(int argc, char **argv)
{
	int year = 0;
	long long tenth_data = 0;
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' }, { "tenth", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		if (c == 'y')
			year = atoi(optarg);
		else if (c == 't')
			tenth_data = atoll(optarg);
		else
			return 2;
	}
	const char *url = getenv("DATABASE_URL");
	if (!year || !tenth_data || !url) {
		fprintf(stderr, "usage: DATABASE_URL=... states-bench --year YEAR --tenth ID\n");
		return 2;
	}
	log_init("states-bench");
	struct db *db = db_new(url);
	struct catalogue *cat = NULL;
	struct timeline tl;
	struct db_rows *rows;
	if (!db || catalogue_load(db, &cat) != DB_OK || timeline_init(&tl) != 0 ||
	    timeline_refresh(&tl, db, cat->version) != DB_OK ||
	    db_exec(db, &rows, SQL_NOW, 0, NULL) != DB_OK)
		die("connecting", db);
	struct point now = { db_rows_int(rows, 0, 0), db_rows_int(rows, 0, 1) };
	struct point tenth = { tenth_data, timeline_catalogue_of(&tl, tenth_data) };
	db_rows_free(rows);
	if (db_exec(db, &rows, SQL_TABLES, DB_PARAMS(DB_PARAM_INT(year))) != DB_OK)
		die("listing the tables", db);
	size_t n = (size_t)db_rows_count(rows);
	struct timings t[3];
	for (int i = 0; i < 3; i++)
		t[i] = (struct timings){ calloc(n + 1, sizeof(double)), 0 };
	for (size_t i = 0; i < n; i++)
		measure(db, cat, &tl, (int)db_rows_int(rows, (int)i, 0),
		        (int)db_rows_int(rows, (int)i, 1), year, tenth, now, t);
	db_rows_free(rows);
	report("cold_build_ten", &t[0]);
	report("eleventh_state", &t[1]);
	report("cold_read", &t[2]);
	for (int i = 0; i < 3; i++)
		free(t[i].ms);
	timeline_free(&tl);
	catalogue_free(cat);
	db_free(db);
	return 0;
}
