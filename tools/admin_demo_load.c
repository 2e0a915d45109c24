/* samlad-admin demo-load: DEMO ONLY. Loads the demo's counts (the values
 * demo-data writes) as the reports a coordinator would have received, each
 * with the time it would have arrived, so that the completeness page shows
 * what it shows in real life: most agencies on time, some late, one missing
 * in the latest quarter that is due, and nothing yet of the quarters not
 * due. The collector stamps every report with its clock, so the demo's
 * past cannot come through it.
 *
 * One report is one agency's quarter in one municipality. Its arrival is
 * drawn from the agency, municipality and quarter codes alone: in every
 * quarter the two agencies that rank 1 and 2 (by that draw) in a
 * municipality are late, the rest arrive between the quarter's end and its
 * due date (the end plus --grace-days); in the latest due quarter the
 * agency that ranks 0 sends nothing. A report is never dated after the
 * start of today (UTC): one not arrived by then is not loaded. The same
 * catalogue and the same date give the same reports.
 *
 * The reports are written as the collector writes them: under its ingest
 * lock, a submission row (with the agency's oldest live submitter token)
 * and its counts in count_history, submission ids increasing with
 * received_at, all in one transaction. Each carries the idempotency key
 * "samlad-demo <id>" as a mark. A database with the demo already loaded
 * is left as it is; one with submissions none of which is the demo's is
 * refused (nothing written). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "admin_demo.h"
#include "buf.h"
#include "catalogue.h"
#include "catalogue_db.h"
#include "period.h"
#include "vec.h"

#define DAY_S 86400

static const struct config_option load_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "from", CONFIG_STRING, "2019Q1", NULL, 0, 0, "First quarter loaded." },
	{ "grace-days", CONFIG_INT, "30", NULL, 0, 366,
	  "Days after a quarter's end within which a report is on time; give the aggregator's." },
	{ "today", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The day (YYYY-MM-DD, UTC) the demo is loaded as of; default today, never later." },
};

/* One report: an agency's quarter in one municipality. */
struct report {
	const struct cat_agency *agency; /* borrowed from the catalogue */
	const struct cat_area *muni;     /* borrowed; the municipality */
	int period;                      /* the quarter, yyyyq */
	time_t at;                       /* when it arrives */
};

/* What a load is about. */
struct load {
	const struct catalogue *cat; /* borrowed */
	struct demo_plan *plans;     /* owned; one per agency, in the catalogue's order */
	int from, to;                /* the quarters loaded */
	int latest_due;              /* the newest quarter due by the start of today */
	int grace_days;              /* days after a quarter's end a report is on time */
	time_t today;                /* the start of today, UTC */
	struct report *reports;      /* owned; those that arrived, in order of arrival */
	size_t nreports;             /* entries in reports */
	size_t cap;                  /* room in reports */
};

static const char sql_lock[] = "SELECT pg_advisory_xact_lock($1::bigint)";

/* How many submissions there are, and how many carry the demo's mark. */
static const char sql_marked[] =
	"SELECT count(*), count(*) FILTER (WHERE idempotency_sha256 ="
	" sha256(convert_to('samlad-demo ' || id, 'UTF8'))) FROM submission";

static const char sql_token[] =
	"SELECT id FROM token WHERE agency_id = $1 AND role = 'submitter'"
	" AND revoked_at IS NULL ORDER BY id LIMIT 1";

static const char sql_submission[] =
	"INSERT INTO submission (id, uuid, agency_id, token_id, received_at, body_sha256,"
	" idempotency_sha256, rows, created, updated, unchanged)"
	" SELECT n.id, md5('samlad-demo ' || n.id)::uuid, $1, $2, to_timestamp($3),"
	" sha256(convert_to($4, 'UTF8')), sha256(convert_to('samlad-demo ' || n.id, 'UTF8')),"
	" $5, $5, 0, 0 FROM (SELECT nextval('submission_id_seq') AS id) n RETURNING id";

static const char sql_counts[] =
	"INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)"
	" SELECT u.i, u.a, $3, $4, u.v FROM unnest($1::int[], $2::int[], $5::int[]) AS u(i, a, v)";

/* The municipality of a leaf area. */
static const struct cat_area *muni_of(const struct catalogue *cat, const struct cat_area *a)
{
	while (a->parent >= 0)
		a = &cat->areas[a->parent];
	return a;
}

/* True when the agency's plan has a series in the municipality. */
static bool reports_in(const struct demo_plan *plan, const struct catalogue *cat,
                       const struct cat_area *muni)
{
	for (size_t i = 0; i < plan->n; i++)
		if (muni_of(cat, plan->series[i].area) == muni)
			return true;
	return false;
}

/* The draw of an agency's quarter in a municipality. */
static uint64_t report_draw(const struct cat_agency *agency, const struct cat_area *muni,
                            int period)
{
	char key[PERIOD_STRLEN + 80];
	char p[PERIOD_STRLEN];

	period_format(period, p);
	snprintf(key, sizeof key, "%s %s", muni->code, p);
	return demo_hash(agency->code, key);
}

/* The rank of agency i's draw among the agencies reporting in the same
 * municipality and quarter (0 is the lowest). */
static size_t rank_of(const struct load *l, const struct cat_area *muni, int period,
                      uint64_t draw)
{
	size_t rank = 0;

	for (size_t i = 0; i < l->cat->nagencies; i++)
		if (reports_in(&l->plans[i], l->cat, muni))
			rank += report_draw(&l->cat->agencies[i], muni, period) < draw;
	return rank;
}

/* When the report arrives, or 0 when it has not arrived by today. */
static time_t arrival(const struct load *l, int period, uint64_t draw, size_t rank)
{
	time_t deadline = period_end(period) + (time_t)l->grace_days * DAY_S;
	time_t hour = (time_t)(8 + (draw >> 8) % 8) * 3600;

	if (rank == 0 && period == l->latest_due)
		return 0;
	if (rank == 1 || rank == 2) {
		time_t at = deadline + (time_t)(1 + (draw >> 16) % 40) * DAY_S + hour;
		if (period > l->latest_due)
			return 0;
		at = at < l->today ? at : l->today;
		return at > deadline ? at : deadline + 1;
	}
	int days = l->grace_days > 1 ? (int)((draw >> 16) % (uint64_t)l->grace_days) : 0;
	time_t at = period_end(period) + (time_t)days * DAY_S + hour;
	return at <= l->today ? at : 0;
}

static int report_cmp(const void *a, const void *b)
{
	const struct report *x = a, *y = b;
	int c;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if ((c = strcmp(x->agency->code, y->agency->code)) != 0)
		return c;
	if ((c = strcmp(x->muni->code, y->muni->code)) != 0)
		return c;
	return (x->period > y->period) - (x->period < y->period);
}

/* Adds the reports of one agency in one municipality that have arrived. */
static int plan_muni(struct load *l, size_t agency, const struct cat_area *muni)
{
	for (int p = l->from; p <= l->to; p = period_add(p, 1)) {
		uint64_t draw = report_draw(&l->cat->agencies[agency], muni, p);
		time_t at = arrival(l, p, draw, rank_of(l, muni, p, draw));
		if (at == 0)
			continue;
		struct report *r = VEC_PUSH(l->reports, l->nreports, l->cap);
		if (!r)
			return -1;
		*r = (struct report){ &l->cat->agencies[agency], muni, p, at };
	}
	return 0;
}

/* Every report that has arrived by today, in order of arrival. */
static int plan_reports(struct load *l)
{
	const struct catalogue *cat = l->cat;

	l->plans = calloc(cat->nagencies + 1, sizeof *l->plans);
	if (!l->plans)
		return -1;
	for (size_t i = 0; i < cat->nagencies; i++)
		if (demo_plan_agency(cat, &cat->agencies[i], &l->plans[i]) != 0)
			return -1;
	for (size_t i = 0; i < cat->nagencies; i++)
		for (size_t m = 0; m < cat->nareas; m++)
			if (cat->areas[m].parent < 0 && reports_in(&l->plans[i], cat, &cat->areas[m]) &&
			    plan_muni(l, i, &cat->areas[m]) != 0)
				return -1;
	qsort(l->reports, l->nreports, sizeof *l->reports, report_cmp);
	return 0;
}

/* The submitter token the agency's reports are stored under: its oldest
 * live one, as the agency would have used it. */
static int token_of(struct db *db, const struct cat_agency *agency, long long *id)
{
	struct db_rows *rows = NULL;

	if (db_exec(db, &rows, sql_token, DB_PARAMS(DB_PARAM_INT(agency->id))) != DB_OK)
		return admin_db_error(db, "cannot read the tokens");
	int n = db_rows_count(rows);
	*id = n ? db_rows_int(rows, 0, 0) : 0;
	db_rows_free(rows);
	if (!n)
		return admin_error("demo-load: agency %s has no submitter token; create one first",
		                   agency->code);
	return 0;
}

/* The counts of one report as arrays, and its body as the CSV an agency
 * would have posted (its hash is the submission's body_sha256). */
struct parcel {
	int *ind;        /* owned; n indicator ids */
	int *area;       /* owned; n area ids */
	int *value;      /* owned; n counts */
	size_t n;        /* entries in each array */
	size_t cap[3];   /* room in ind, area and value */
	struct buf body; /* owned; the CSV body */
};

/* Makes room for one more count in each array. */
static int parcel_grow(struct parcel *pc)
{
	size_t need = pc->n + 1;

	return vec_reserve(&pc->ind, &pc->cap[0], need, sizeof *pc->ind) != 0 ||
	       vec_reserve(&pc->area, &pc->cap[1], need, sizeof *pc->area) != 0 ||
	       vec_reserve(&pc->value, &pc->cap[2], need, sizeof *pc->value) != 0 ? -1 : 0;
}

/* The counts of report r that the demo has (demo-data's values). */
static int parcel_fill(struct parcel *pc, const struct demo_plan *plan,
                       const struct catalogue *cat, const struct report *r)
{
	char period[PERIOD_STRLEN];

	period_format(r->period, period);
	pc->n = 0;
	buf_reset(&pc->body);
	buf_printf(&pc->body, "indicator,area,period,value\r\n");
	for (size_t i = 0; i < plan->n; i++) {
		const struct demo_series *s = &plan->series[i];
		long long v = demo_series_value(s, r->period);
		if (v < 0 || muni_of(cat, s->area) != r->muni)
			continue;
		if (parcel_grow(pc) != 0)
			return -1;
		pc->ind[pc->n] = s->indicator->id;
		pc->area[pc->n] = s->area->id;
		pc->value[pc->n++] = (int)v;
		buf_printf(&pc->body, "%s,%s,%s,%lld\r\n", s->indicator->code, s->area->code, period, v);
	}
	return buf_failed(&pc->body) ? -1 : 0;
}

/* Writes one report: its submission, then its counts. */
static int write_report(struct db *db, struct load *l, struct parcel *pc, const struct report *r,
                        long long token)
{
	struct db_rows *rows = NULL;
	size_t agency = (size_t)(r->agency - l->cat->agencies);

	if (parcel_fill(pc, &l->plans[agency], l->cat, r) != 0)
		return admin_error("out of memory");
	if (pc->n == 0)
		return 0;
	if (db_exec(db, &rows, sql_submission,
	            DB_PARAMS(DB_PARAM_INT(r->agency->id), DB_PARAM_INT(token),
	                      DB_PARAM_INT((long long)r->at), DB_PARAM_TEXT(pc->body.data),
	                      DB_PARAM_INT((long long)pc->n))) != DB_OK)
		return admin_db_error(db, "cannot write a submission");
	long long id = db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	if (db_exec(db, NULL, sql_counts,
	            DB_PARAMS(DB_PARAM_INTS(pc->ind, pc->n), DB_PARAM_INTS(pc->area, pc->n),
	                      DB_PARAM_INT(r->period), DB_PARAM_INT(id),
	                      DB_PARAM_INTS(pc->value, pc->n))) != DB_OK)
		return admin_db_error(db, "cannot write the counts");
	return 0;
}

/* Writes every report in order of arrival; *rows counts the counts. */
static int write_reports(struct db *db, struct load *l, size_t *rows)
{
	struct parcel pc = { .body = BUF_INIT };
	long long *tokens = calloc(l->cat->nagencies + 1, sizeof *tokens);
	int rc = -1;

	*rows = 0;
	if (!tokens) {
		admin_error("out of memory");
		goto done;
	}
	for (size_t i = 0; i < l->nreports; i++) {
		size_t a = (size_t)(l->reports[i].agency - l->cat->agencies);
		if (!tokens[a] && token_of(db, l->reports[i].agency, &tokens[a]) != 0)
			goto done;
		if (write_report(db, l, &pc, &l->reports[i], tokens[a]) != 0)
			goto done;
		*rows += pc.n;
	}
	rc = 0;
done:
	free(tokens);
	free(pc.ind);
	free(pc.area);
	free(pc.value);
	buf_free(&pc.body);
	return rc;
}

/* Under the ingest lock: 1 when the demo is loaded already (whatever was
 * posted since), 0 when the database holds no submission, -1 (said why)
 * when it holds submissions and none is the demo's. */
static int check_empty(struct db *db)
{
	struct db_rows *rows = NULL;

	if (db_exec(db, NULL, sql_lock, DB_PARAMS(DB_PARAM_TEXT(CATALOGUE_TIMELINE_LOCK))) != DB_OK)
		return admin_db_error(db, "cannot take the ingest lock");
	if (db_exec(db, &rows, sql_marked, 0, NULL) != DB_OK)
		return admin_db_error(db, "cannot count the submissions");
	long long all = db_rows_int(rows, 0, 0), demo = db_rows_int(rows, 0, 1);
	db_rows_free(rows);
	if (demo > 0)
		return 1;
	if (all > 0)
		return admin_error("demo-load: the database holds %lld submissions that are not the "
		                   "demo's; demo-load is for a demo database only; nothing loaded", all);
	return 0;
}

/* Prints the latest due quarter's missing and late reports, per municipality. */
static void say_latest(const struct load *l)
{
	char p[PERIOD_STRLEN];
	const struct catalogue *cat = l->cat;

	period_format(l->latest_due, p);
	for (size_t m = 0; m < cat->nareas; m++) {
		const struct cat_area *muni = &cat->areas[m];
		if (muni->parent >= 0)
			continue;
		for (size_t i = 0; i < cat->nagencies; i++) {
			if (!reports_in(&l->plans[i], cat, muni))
				continue;
			size_t rank = rank_of(l, muni, l->latest_due,
			                      report_draw(&cat->agencies[i], muni, l->latest_due));
			if (rank <= 2)
				printf("%s %s %s: %s\n", p, muni->code, cat->agencies[i].code,
				       rank == 0 ? "missing" : "late");
		}
	}
}

/* The start (UTC) of the day `text` (YYYY-MM-DD), or -1 when it is not a
 * date written so. */
static time_t day_start(const char *text)
{
	struct tm tm = { 0 };
	int y, m, d, end = 0;
	char back[16];

	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 || text[end] != '\0')
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm);
	/* timegm normalises 2025-02-30 to March: only a date that comes back as
	 * it was written is one. */
	if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
	    strftime(back, sizeof back, "%Y-%m-%d", &tm) == 0 || strcmp(back, text) != 0)
		return -1;
	return t;
}

/* Reads --from, --grace-days and --today, and dates the load by today. */
static int load_options_read(const struct config *cfg, struct load *l)
{
	time_t now = time(NULL);
	const char *from = config_str(cfg, "from"), *today = config_str(cfg, "today");

	l->today = now - now % DAY_S;
	if (today && (l->today = day_start(today)) == (time_t)-1)
		return admin_error("demo-load: --today \"%s\": expected a date such as 2025-03-15",
		                   today);
	if (l->today > now)
		return admin_error("demo-load: --today \"%s\": the day has not begun", today);
	l->grace_days = (int)config_int(cfg, "grace-days");
	l->to = period_last_finished(l->today);
	if (period_parse_checked(from, now, &l->from) != PERIOD_OK)
		return admin_error("demo-load: --from \"%s\": expected a quarter such as 2019Q1",
		                   from);
	if (l->from > l->to)
		return admin_error("demo-load: --from is after the last finished quarter");
	l->latest_due = l->to;
	while (period_end(l->latest_due) + (time_t)l->grace_days * DAY_S > l->today)
		l->latest_due = period_add(l->latest_due, -1);
	return 0;
}

static void load_free(struct load *l)
{
	for (size_t i = 0; l->plans && i < l->cat->nagencies; i++)
		free(l->plans[i].series);
	free(l->plans);
	free(l->reports);
}

static int load_run(const struct config *cfg)
{
	struct load l = { 0 };
	struct catalogue *cat = NULL;
	struct db *db = NULL;
	size_t rows = 0;
	int code = ADMIN_FAIL, state;

	if (load_options_read(cfg, &l) != 0)
		return ADMIN_USAGE;
	if (!(db = admin_connect(cfg)))
		goto done;
	if (catalogue_load(db, &cat) != DB_OK) {
		admin_db_error(db, "cannot read the catalogue");
		goto done;
	}
	l.cat = cat;
	if (plan_reports(&l) != 0) {
		admin_error("out of memory");
		goto done;
	}
	if (db_begin(db) != DB_OK) {
		admin_db_error(db, "cannot begin");
		goto done;
	}
	if ((state = check_empty(db)) < 0 || (state == 0 && write_reports(db, &l, &rows) != 0)) {
		db_rollback(db);
		goto done;
	}
	if (db_commit(db) != DB_OK) {
		admin_db_error(db, "cannot commit");
		goto done;
	}
	code = ADMIN_OK;
	if (state == 1) {
		printf("demo-load: the demo's reports are loaded already; nothing done\n");
		goto done;
	}
	printf("demo-load: %zu reports, %zu counts\n", l.nreports, rows);
	say_latest(&l);
done:
	load_free(&l);
	catalogue_free(cat);
	db_free(db);
	return code;
}

const struct admin_command admin_demo_load = {
	.name = "demo-load",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "DEMO ONLY: load the demo's counts with the times they would have arrived",
	.options = load_options,
	.noptions = ARRAY_LEN(load_options),
	.run = load_run,
};
