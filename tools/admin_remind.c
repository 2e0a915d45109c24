/* samlad-admin remind --area MUNICIPALITY --quarter 2025Q3 [--dry-run]
 * --smtp-url URL --from ADDR --form-url URL [--grace-days N]: mails each
 * agency whose report of the quarter is missing or partial after the due
 * date (the quarter's end plus the grace days) which indicators and
 * districts are missing and where to report them. The quarter is judged by
 * the code of GET /v1/completeness and the review (tables/review_load.h,
 * review_matrix_build); the mail is review/reminder.h; every mail sent is a
 * row of the append-only reminder (schema/008_reminders.sql), so that a
 * rerun the same day sends nothing twice. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "catalogue_db.h"
#include "crypto.h"
#include "load.h"
#include "period.h"
#include "reminder.h"
#include "review.h"
#include "review_load.h"
#include "smtp.h"

static const struct config_option remind_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "area", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The municipality's code, e.g. 0581 (required)." },
	{ "quarter", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The quarter to remind of, e.g. 2025Q3 or 2025K3 (required)." },
	{ "dry-run", CONFIG_BOOL, NULL, NULL, 0, 0,
	  "Print what would be sent; send and record nothing." },
	{ "smtp-url", CONFIG_STRING, NULL, "SAMLAD_SMTP_URL", 0, 0,
	  "The SMTP server: smtp://host:port, or smtps://host:port for implicit TLS "
	  "(required unless --dry-run)." },
	{ "smtp-starttls", CONFIG_BOOL, NULL, NULL, 0, 0,
	  "Require STARTTLS on an smtp:// server." },
	{ "from", CONFIG_STRING, NULL, "SAMLAD_REMIND_FROM", 0, 0,
	  "The sender's address, e.g. samlad@kommun.example (required)." },
	{ "form-url", CONFIG_STRING, NULL, "SAMLAD_FORM_URL", 0, 0,
	  "The collector's form, e.g. https://collector.example/submit (required); the "
	  "mail links it with ?quarter= added." },
	{ "grace-days", CONFIG_INT, "30", NULL, 0, 366,
	  "Days after a quarter's end a report is on time, as the aggregator's --grace-days." },
	{ "smtp-timeout", CONFIG_INT, "30", NULL, 1, 600,
	  "Seconds one mail may take to send." },
};

/* The session lock (pg_try_advisory_lock's bigint key) one run holds, so
 * that two runs never both find an agency not yet reminded today and both
 * mail it. */
#define REMIND_LOCK "7308332174350950757"

static const char sql_lock[] = "SELECT pg_try_advisory_lock(" REMIND_LOCK ")::int";

/* Whether the agency was reminded of the quarter today (UTC). */
static const char sql_sent_today[] =
	"SELECT count(*) FROM reminder WHERE agency_id = $1 AND area_id = $2 AND period = $3"
	"   AND day = (clock_timestamp() AT TIME ZONE 'UTC')::date";

static const char sql_record[] =
	"INSERT INTO reminder (agency_id, area_id, period, address, day, missing)"
	" VALUES ($1, $2, $3, $4, (clock_timestamp() AT TIME ZONE 'UTC')::date, $5)";

/* The checked command line. */
struct remind_args {
	const char *area;           /* --area */
	int quarter;                /* --quarter, yyyyq */
	bool dry_run;               /* --dry-run */
	const char *from;           /* --from */
	const char *form_url;       /* --form-url */
	int grace_days;             /* --grace-days */
	struct smtp_server smtp;    /* --smtp-url, --smtp-starttls, the login */
};

/* One run: what every agency's line needs. */
struct remind_run {
	const struct remind_args *a;       /* the command line */
	struct db *db;                     /* borrowed; the connection */
	const struct catalogue *cat;       /* borrowed; the catalogue */
	const struct cat_area *area;       /* borrowed; the municipality */
	struct layout lay;                 /* owned; its leaves */
	long long version;                 /* the data version judged */
	time_t now;                        /* the clock of the run */
	int failed;                        /* mails that could not be sent or recorded */
};

/* True when url starts with http:// or https:// and has no space or
 * control character (it goes into the mail as it is). */
static bool form_url_valid(const char *url)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

/* Checks the addresses and URLs; 0, or -1 after saying why. */
static int args_check(struct remind_args *a)
{
	if (!a->form_url || !form_url_valid(a->form_url))
		return admin_error("remind: --form-url is required: the collector's form, "
		                   "http://… or https://…");
	if (!a->from || !catalogue_contact_valid(a->from))
		return admin_error("remind: --from is required: a mail address such as "
		                   "samlad@kommun.example");
	if (!a->dry_run && !a->smtp.url)
		return admin_error("remind: --smtp-url is required (or --dry-run)");
	if (a->smtp.url && !smtp_url_valid(a->smtp.url))
		return admin_error("remind: --smtp-url \"%s\": expected smtp://host:port or "
		                   "smtps://host:port", a->smtp.url);
	return 0;
}

/* Reads the options; 0, or -1 after saying why. */
static int args_read(const struct config *cfg, struct remind_args *a)
{
	const char *q = config_str(cfg, "quarter");

	*a = (struct remind_args){
		.area = config_str(cfg, "area"), .dry_run = config_bool(cfg, "dry-run"),
		.from = config_str(cfg, "from"), .form_url = config_str(cfg, "form-url"),
		.grace_days = (int)config_int(cfg, "grace-days"),
		.smtp = { config_str(cfg, "smtp-url"), config_bool(cfg, "smtp-starttls"),
		          getenv("SAMLAD_SMTP_USER"), getenv("SAMLAD_SMTP_PASSWORD"),
		          config_int(cfg, "smtp-timeout") },
	};
	if (!a->area || !q)
		return admin_error("remind: --area and --quarter are required");
	if (period_parse(q, &a->quarter) != PERIOD_OK ||
	    a->quarter < period_make(PERIOD_MIN_YEAR, 1))
		return admin_error("remind: --quarter \"%s\": expected a quarter such as 2025Q3, "
		                   "from 2000Q1 on", q);
	return args_check(a);
}

/* "Fri, 04 Dec 2026 12:00:00 +0000" and "<uuid@samlad>" for a message. */
static int stamp(time_t now, char date[40], char id[64])
{
	char uuid[CRYPTO_UUID_CHARS + 1];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, 40, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (crypto_uuid_v4(uuid) != 0)
		return -1;
	snprintf(id, 64, "<%s@samlad>", uuid);
	return 0;
}

/* The missing keys as the reminder table keeps them: "indicator area"
 * codes, one a line. */
static int missing_text(const struct reminder *m, struct buf *out)
{
	for (size_t i = 0; i < m->nmissing; i++)
		buf_printf(out, "%s %s\n", m->missing[i].indicator->code, m->missing[i].area->code);
	return buf_failed(out) ? -1 : 0;
}

/* Prints the message under the agency's line, indented, without the CRs. */
static void print_message(const struct buf *msg)
{
	for (size_t i = 0; i < msg->len; i++) {
		if (i == 0 || msg->data[i - 1] == '\n')
			fputs("    ", stdout);
		if (msg->data[i] != '\r')
			putchar(msg->data[i]);
	}
}

/* Whether the agency was reminded of the quarter today: 1 yes, 0 no, -1
 * after saying the database failed. */
static int sent_today(struct remind_run *run, const struct cat_agency *ag)
{
	struct db_rows *rows;

	if (db_exec(run->db, &rows, sql_sent_today,
	            DB_PARAMS(DB_PARAM_INT(ag->id), DB_PARAM_INT(run->area->id),
	                      DB_PARAM_INT(run->a->quarter))) != DB_OK)
		return admin_db_error(run->db, "cannot read the reminders sent");
	int n = db_rows_int(rows, 0, 0) > 0;
	db_rows_free(rows);
	return n;
}

/* Sends the mail and records it; prints the agency's line. */
static void send_one(struct remind_run *run, const struct reminder *m, const struct buf *msg,
                     const char *status)
{
	const struct cat_agency *ag = m->agency;
	struct buf missing = BUF_INIT;
	char err[SMTP_ERROR_MAX];

	if (smtp_send(&run->a->smtp, run->a->from, ag->contact, msg->data, msg->len, err) != 0) {
		printf("%s: %s, sending to %s failed: %s\n", ag->code, status, ag->contact, err);
		run->failed++;
	} else if (missing_text(m, &missing) != 0 ||
	           db_exec(run->db, NULL, sql_record,
	                   DB_PARAMS(DB_PARAM_INT(ag->id), DB_PARAM_INT(run->area->id),
	                             DB_PARAM_INT(run->a->quarter), DB_PARAM_TEXT(ag->contact),
	                             DB_PARAM_TEXT(missing.data))) != DB_OK) {
		printf("%s: %s, sent to %s but not recorded\n", ag->code, status, ag->contact);
		admin_db_error(run->db, "cannot record the reminder");
		run->failed++;
	} else {
		printf("%s: %s, sent to %s (%zu missing)\n", ag->code, status, ag->contact,
		       m->nmissing);
	}
	buf_free(&missing);
}

/* Composes the agency's mail and sends it, or prints it (--dry-run). */
static void remind_one(struct remind_run *run, const struct reminder *m, const char *status)
{
	char date[40], id[64];
	struct buf msg = BUF_INIT;
	struct reminder_envelope env = { run->a->from, m->agency->contact, date, id };

	if (stamp(run->now, date, id) != 0 || reminder_message(&msg, m, &env) != 0) {
		admin_error("%s: cannot compose the mail", m->agency->code);
		run->failed++;
	} else if (run->a->dry_run) {
		printf("%s: %s, would send to %s (%zu missing)\n", m->agency->code, status,
		       m->agency->contact, m->nmissing);
		print_message(&msg);
	} else {
		send_one(run, m, &msg, status);
	}
	buf_free(&msg);
}

/* One agency's quarter: nothing to do, no address, already reminded, or a
 * mail. */
static void agency_line(struct remind_run *run, const struct review_matrix_row *row)
{
	const struct review_report *rep = &row->reports[0];
	const char *status = review_report_status(rep), *code = row->agency->code;
	struct review_key_id *have = NULL;
	struct review_key *keys = NULL;
	size_t nhave = 0, nkeys = 0;
	int today;

	if (strcmp(status, "missing") != 0 && strcmp(status, "partial") != 0)
		printf("%s: %s, nothing to send\n", code, status);
	else if (!row->agency->contact || !row->agency->contact[0])
		printf("%s: %s, no contact address\n", code, status);
	else if ((today = sent_today(run, row->agency)) != 0) {
		if (today > 0)
			printf("%s: %s, already reminded today (%s)\n", code, status,
			       row->agency->contact);
		run->failed += today < 0;
	} else if (review_load_keys(run->db, run->cat, &run->lay, row->agency->id,
	                            run->a->quarter, run->version, &have, &nhave) != DB_OK ||
	           review_missing_keys(run->cat, &run->lay, row->agency->id, run->a->quarter,
	                               have, nhave, &keys, &nkeys) != 0) {
		admin_db_error(run->db, "cannot read the keys that arrived");
		run->failed++;
	} else {
		struct reminder m = { row->agency, run->area, rep, keys, nkeys, run->a->form_url };
		remind_one(run, &m, status);
	}
	free(have);
	free(keys);
}

/* Takes the run's lock; 0, or -1 after saying why not. */
static int take_lock(struct db *db)
{
	struct db_rows *rows;

	if (db_exec(db, &rows, sql_lock, 0, NULL) != DB_OK)
		return admin_db_error(db, "cannot take the reminders' lock");
	bool got = db_rows_int(rows, 0, 0) == 1;
	db_rows_free(rows);
	if (!got)
		return admin_error("remind: another samlad-admin remind is running; nothing sent");
	return 0;
}

/* Judges the quarter as /v1/completeness does and handles every agency;
 * an admin_exit. */
static int remind_area(struct remind_run *run)
{
	struct tables_ctx ctx = { run->db, run->cat, NULL, { 0 }, { 0 }, NULL, 0 };
	struct load_versions v;
	struct review_arrival *arr = NULL;
	struct review_matrix m = { 0 };
	size_t narr = 0;
	int code = ADMIN_FAIL;

	if (!run->a->dry_run && take_lock(run->db) != 0)
		return ADMIN_FAIL;
	if (load_versions(run->db, NULL, &v) != DB_OK) {
		admin_db_error(run->db, "cannot read the data version");
		return ADMIN_FAIL;
	}
	ctx.at = v.at;
	run->version = v.at.data;
	if (layout_make(run->cat, run->area, &run->lay) != 0)
		admin_error("out of memory");
	else if (completeness_arrivals_read(&ctx, run->cat, &run->lay, run->a->quarter,
	                                    run->a->quarter, &arr, &narr) != AGG_OK)
		admin_db_error(run->db, "cannot read the arrivals");
	else if (review_matrix_build(run->cat, &run->lay, run->a->quarter, run->a->quarter, arr,
	                             narr, run->a->grace_days, run->now, &m) != 0)
		admin_error("out of memory");
	else
		code = ADMIN_OK;
	for (size_t i = 0; code == ADMIN_OK && i < m.nrows; i++)
		agency_line(run, &m.rows[i]);
	review_matrix_free(&m);
	free(arr);
	return code == ADMIN_OK && run->failed ? ADMIN_FAIL : code;
}

/* The municipality, and whether its quarter is due; an admin_exit, with
 * ADMIN_OK and *due false when it is not due yet (said). */
static int check_due(struct remind_run *run, bool *due)
{
	struct review_report r = { .period = run->a->quarter, .expected = 1 };
	char q[PERIOD_STRLEN], day[24];
	struct tm tm;

	run->area = catalogue_area(run->cat, run->a->area);
	if (!run->area || run->area->parent >= 0) {
		admin_error("remind: --area \"%s\" is not a municipality of the catalogue",
		            run->a->area);
		return ADMIN_USAGE;
	}
	review_report_judge(&r, 0, 0, run->a->grace_days, run->now);
	*due = r.state != REVIEW_NOT_DUE;
	if (!*due) {
		period_format(run->a->quarter, q);
		gmtime_r(&r.deadline, &tm);
		strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s %s: not yet due (reports are on time until %s); nothing sent\n",
		       run->area->code, q, day);
	}
	return ADMIN_OK;
}

static int remind_run(const struct config *cfg)
{
	struct remind_args a;
	struct catalogue *cat = NULL;
	struct remind_run run = { .a = &a, .now = time(NULL) };
	bool due = false;
	int code = ADMIN_FAIL;

	if (args_read(cfg, &a) != 0)
		return ADMIN_USAGE;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		admin_error("cannot initialise libcurl");
		return ADMIN_FAIL;
	}
	if (!(run.db = admin_connect(cfg)))
		goto done;
	if (catalogue_load(run.db, &cat) != DB_OK) {
		admin_db_error(run.db, "cannot load the catalogue");
		goto done;
	}
	run.cat = cat;
	code = check_due(&run, &due);
	if (code == ADMIN_OK && due)
		code = remind_area(&run);
done:
	layout_free(&run.lay);
	catalogue_free(cat);
	db_free(run.db);
	curl_global_cleanup();
	return code;
}

const struct admin_command admin_remind = {
	.name = "remind",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "mail the agencies whose quarter is missing or partial after its due date",
	.options = remind_options,
	.noptions = ARRAY_LEN(remind_options),
	.run = remind_run,
};
