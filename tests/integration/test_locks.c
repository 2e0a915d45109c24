/* Token labels, locked periods and the audit, against the real collector,
 * samlad-admin and PostgreSQL: a label shows in token list and a bad one
 * is refused; a locked year refuses a batch that would change it (409
 * period_locked, nothing stored) but takes unchanged rows, other years and
 * other municipalities; an unlock lets the change in; the audit lists every
 * event in order and --since filters it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tap.h"

static struct harness_db db;
static struct harness_proc collector;
static struct buf out = BUF_INIT, err = BUF_INIT;
static char counts_url[160], dry_run_url[180];
static char *tok_bup;

/* Runs samlad-admin with these arguments against the test database;
 * stdout and stderr land in `out` and `err`. Returns the exit status. */
#define ADMIN(...) harness_admin(db.admin_url, (const char *const[]){ __VA_ARGS__, NULL }, \
                                 &out, &err)

static const char *text(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* Posts a JSON body of counts; returns the status, the body in *res. */
static long post(const char *body, struct http_result *res)
{
	if (http_do("POST", counts_url, tok_bup, "application/json", body, strlen(body), NULL,
	            res) != 0)
		return 0;
	return res->status;
}

/* One bup.nya_barn row. */
#define ROW(area, period, value) \
	"{\"indicator\":\"bup.nya_barn\",\"area\":\"" area "\",\"period\":\"" period \
	"\",\"value\":" #value "}"
#define BODY(...) "{\"counts\":[" __VA_ARGS__ "]}"

/* Posts and checks the status and the receipt's tally. */
static void post_ok(const char *what, const char *body, long status, int created,
                    int updated, int unchanged)
{
	struct http_result res;
	char want[128];

	is_int(post(body, &res), status, "%s: status", what);
	snprintf(want, sizeof want, "\"created\":%d,\"updated\":%d,\"unchanged\":%d}", created,
	         updated, unchanged);
	ok(res.body.data && strstr(res.body.data, want), "%s: the receipt says %s", what, want);
	http_result_free(&res);
}

/* Posts and checks that the whole batch is refused with exactly `want`. */
static void post_locked(const char *what, const char *body, const char *want)
{
	struct http_result res;
	long long history = harness_sql_int(&db, "SELECT count(*) FROM count_history");
	long long submissions = harness_sql_int(&db, "SELECT count(*) FROM submission");

	is_int(post(body, &res), 409, "%s: 409", what);
	is_str(res.body.data, want, "%s: the body names the locked periods", what);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), history,
	       "%s: no count stored", what);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), submissions,
	       "%s: no submission stored", what);
	http_result_free(&res);
}

static void test_labels(void)
{
	char want[512], *created;

	is_int(ADMIN("token", "create", "--role", "submitter", "--agency", "bup", "--label",
	             "BUP Östergötland, journal system"), 0, "token create --label exits 0");
	tok_bup = strdup(text(&out));
	tok_bup[strcspn(tok_bup, "\n")] = '\0';
	is_int(ADMIN("token", "create", "--role", "analyst"), 0, "a token without a label");
	is_int(ADMIN("token", "list"), 0, "token list exits 0");
	created = harness_sql_text(&db, "SELECT string_agg(to_char(created_at AT TIME ZONE "
	                           "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ' ' ORDER BY id) "
	                           "FROM token");
	snprintf(want, sizeof want,
	         "id     role      agency               created_at           revoked_at           label\n"
	         "1      submitter bup                  %.20s -                    BUP Östergötland, journal system\n"
	         "2      analyst   -                    %.20s -                    -\n",
	         created, created + 21);
	is_str(text(&out), want, "token list shows the label, '-' for none");
	free(created);

	static const struct {
		const char *label;  /* refused */
		const char *why;    /* the test's name */
	} bad[] = {
		{ "", "an empty label" },
		{ "BUP\tjournal", "a tab" },
		{ "BUP\njournal", "a newline" },
		{ "BUP \xc2\x85 journal", "a C1 control character (U+0085)" },
		{ "BUP \xff journal", "invalid UTF-8" },
		{ "BUP \xc3", "a truncated UTF-8 sequence" },
	};
	const char *message = "samlad-admin: token create: --label must be 1 to 200 "
	                      "characters of UTF-8 text without control characters\n";
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		is_int(ADMIN("token", "create", "--role", "analyst", "--label", bad[i].label), 2,
		       "%s is refused with exit 2", bad[i].why);
		is_str(text(&err), message, "%s: the message", bad[i].why);
	}
	char long_label[420] = "";
	for (int i = 0; i < 200; i++)
		strcat(long_label, "ö");
	is_int(ADMIN("token", "create", "--role", "analyst", "--label", long_label), 0,
	       "200 characters (400 bytes) are a label");
	strcat(long_label, "a");
	is_int(ADMIN("token", "create", "--role", "analyst", "--label", long_label), 2,
	       "201 characters are refused");
	is_str(text(&err), message, "201 characters: the message");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM token"), 3,
	       "no refused label stored a token");
	is_int(harness_sql_int(&db, "SELECT length(label) FROM token WHERE id = 3"), 200,
	       "the long label is stored whole");
}

static void test_lock_errors(void)
{
	is_int(ADMIN("lock", "--area", "0581-hageby", "--year", "2025"), 2,
	       "locking a district is a usage error");
	is_str(text(&err), "samlad-admin: lock: \"0581-hageby\" is a district; lock its "
	       "municipality's year\n", "and says so");
	is_int(ADMIN("lock", "--area", "9999", "--year", "2025"), 2,
	       "locking an unknown area is a usage error");
	is_str(text(&err), "samlad-admin: lock: no area \"9999\" in the catalogue\n",
	       "and says so");
	is_int(ADMIN("lock", "--area", "0581"), 2, "--year is required");
	is_str(text(&err), "samlad-admin: lock: --area and --year are required\n", "and says so");
	is_int(ADMIN("lock", "--area", "0581", "--year", "2025", "--by", "a\tb"), 2,
	       "a --by with a control character is refused");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM period_lock"), 0,
	       "no refused lock is recorded");
}

/* A dry run checks the locks as a post does: the same 409 for a change,
 * 200 for a resend. */
static void test_dry_run_locked(void)
{
	struct http_result res;
	const char *change = BODY(ROW("0581-hageby", "2025Q1", 6));
	const char *resend = BODY(ROW("0581-hageby", "2025Q1", 5));

	http_do("POST", dry_run_url, tok_bup, "application/json", change, strlen(change), NULL,
	        &res);
	is_int(res.status, 409, "a dry run of a change in the locked year: 409");
	is_str(res.body.data, "{\"error\":\"period_locked\",\"message\":\"the batch would "
	       "change locked period 2025Q1; nothing was stored\",\"periods\":[\"2025Q1\"]}",
	       "the dry run's body names the locked period");
	http_result_free(&res);
	http_do("POST", dry_run_url, tok_bup, "application/json", resend, strlen(resend), NULL,
	        &res);
	is_int(res.status, 200, "a dry run of a resend in the locked year: 200");
	ok(res.body.data && strstr(res.body.data, "\"unchanged\":1"), "and it is unchanged");
	http_result_free(&res);
}

static void test_locks(void)
{
	post_ok("before the lock", BODY(ROW("0581-hageby", "2025Q1", 5) ","
	                                ROW("0581-navestad", "2025Q2", 3) ","
	                                ROW("0581-hageby", "2026Q1", 4)), 201, 3, 0, 0);
	test_lock_errors();
	is_int(ADMIN("lock", "--area", "0581", "--year", "2025", "--by", "coordinator"), 0,
	       "lock exits 0");
	is_str(text(&out), "locked 0581 2025\n", "lock says so");
	is_int(ADMIN("lock", "--area", "0581", "--year", "2025"), 0, "locking again exits 0");
	is_str(text(&out), "locked 0581 2025 (it already was)\n", "and says it already was");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM period_lock"), 1,
	       "locking again records nothing");

	post_locked("an update in the locked year",
	            BODY(ROW("0581-hageby", "2025Q1", 6) "," ROW("0581-navestad", "2025Q2", 3) ","
	                 ROW("0581-hageby", "2026Q1", 9)),
	            "{\"error\":\"period_locked\",\"message\":\"the batch would change locked "
	            "period 2025Q1; nothing was stored\",\"periods\":[\"2025Q1\"]}");
	post_locked("a new value and an update in the locked year",
	            BODY(ROW("0581-navestad", "2025Q3", 1) "," ROW("0581-hageby", "2025Q1", 6) ","
	                 ROW("0581-hageby", "2025Q3", 2)),
	            "{\"error\":\"period_locked\",\"message\":\"the batch would change locked "
	            "periods 2025Q1, 2025Q3; nothing was stored\",\"periods\":[\"2025Q1\","
	            "\"2025Q3\"]}");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history WHERE value IN (6, 9)"), 0,
	       "no refused value is in the history");
	test_dry_run_locked();
	post_ok("a resend of the locked year's values", BODY(ROW("0581-hageby", "2025Q1", 5) ","
	        ROW("0581-navestad", "2025Q2", 3)), 201, 0, 0, 2);
	post_ok("unchanged values with a change in 2026", BODY(ROW("0581-hageby", "2025Q1", 5) ","
	        ROW("0581-hageby", "2026Q1", 8)), 201, 0, 1, 1);
	post_ok("another municipality's 2025", BODY(ROW("0182-boo", "2025Q1", 7)), 201, 1, 0, 0);

	is_int(ADMIN("lock", "--area", "0581", "--year", "2025", "--unlock"), 0, "unlock exits 0");
	is_str(text(&out), "unlocked 0581 2025\n", "unlock says so");
	is_int(ADMIN("lock", "--area", "0581", "--year", "2025", "--unlock"), 0,
	       "unlocking again exits 0");
	is_str(text(&out), "unlocked 0581 2025 (it already was)\n", "and says it already was");
	post_ok("after the unlock", BODY(ROW("0581-hageby", "2025Q1", 6)), 201, 0, 1, 0);
	is_int(harness_sql_int(&db, "SELECT value FROM count_current c JOIN area a ON "
	                       "a.id = c.area_id WHERE a.code = '0581-hageby' AND period = 20251"),
	       6, "the change is stored");
	is_int(ADMIN("lock", "--area", "0581", "--year", "2025"), 0, "lock again");
	char *events = harness_sql_text(&db, "SELECT string_agg(format('%s %s %s', year, "
	                                "locked, by_whom), ', ' ORDER BY id) FROM period_lock");
	is_str(events, "2025 t coordinator, 2025 f samlad_admin, 2025 t samlad_admin",
	       "every lock and unlock is recorded with who");
	free(events);
}

/* The audit's lines without their first column, the time. */
static char *without_times(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	while (*s) {
		s += strcspn(s, "\t");
		size_t n = strcspn(s, "\n");
		memcpy(p, s + (*s == '\t'), n - (*s == '\t'));
		p += n - (*s == '\t');
		s += n;
		if (*s == '\n')
			*p++ = *s++;
	}
	*p = '\0';
	return o;
}

static void test_audit(void)
{
	char want[4096], *uuids, *label, *rest;

	is_int(ADMIN("token", "revoke", "2"), 0, "revoke a token");
	is_int(ADMIN("audit"), 0, "audit exits 0");
	uuids = harness_sql_text(&db, "SELECT string_agg(uuid::text, ' ' ORDER BY id) FROM submission");
	label = harness_sql_text(&db, "SELECT label FROM token WHERE id = 3");
	snprintf(want, sizeof want,
	         "catalogue_import\tversion 1\tafter_submission=0 suppress_below=5\n"
	         "token_created\ttoken 1\trole=submitter agency=bup label=BUP Östergötland, journal system\n"
	         "token_created\ttoken 2\trole=analyst agency=- label=-\n"
	         "token_created\ttoken 3\trole=analyst agency=- label=%s\n"
	         "submission\t%.36s\tagency=bup token=1 rows=3 created=3 updated=0 unchanged=0\n"
	         "lock\t0581 2025\tby=coordinator\n"
	         "submission\t%.36s\tagency=bup token=1 rows=2 created=0 updated=0 unchanged=2\n"
	         "submission\t%.36s\tagency=bup token=1 rows=2 created=0 updated=1 unchanged=1\n"
	         "submission\t%.36s\tagency=bup token=1 rows=1 created=1 updated=0 unchanged=0\n"
	         "unlock\t0581 2025\tby=samlad_admin\n"
	         "submission\t%.36s\tagency=bup token=1 rows=1 created=0 updated=1 unchanged=0\n"
	         "lock\t0581 2025\tby=samlad_admin\n"
	         "token_revoked\ttoken 2\t\n",
	         label,
	         uuids, uuids + 37, uuids + 74, uuids + 111, uuids + 148);
	rest = without_times(text(&out));
	is_str(rest, want, "audit lists every event, oldest first");
	free(rest);

	/* Every line starts with a time, in order. */
	char *copy = strdup(text(&out)), *save = NULL, prev[64] = "", since[64] = "";
	bool ordered = true, times = true;
	int line = 0;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save), line++) {
		char t[64];
		snprintf(t, sizeof t, "%.*s", (int)strcspn(l, "\t"), l);
		times = times && harness_is_rfc3339(t) && strlen(t) == 24;
		ordered = ordered && strcmp(prev, t) <= 0;
		snprintf(prev, sizeof prev, "%s", t);
		if (line == 5)
			snprintf(since, sizeof since, "%s", t);
	}
	free(copy);
	ok(times, "every time is RFC 3339 in UTC to the millisecond");
	ok(ordered, "the times are in order");

	is_int(ADMIN("audit", "--since", since), 0, "audit --since exits 0 (%s)", since);
	rest = without_times(text(&out));
	is_str(rest, strstr(want, "lock\t0581 2025\tby=coordinator"),
	       "--since the first lock lists it and what came after");
	free(rest);
	is_int(ADMIN("audit", "--since", "9999-01-01T00:00:00+01:00"), 0, "audit --since the future");
	is_str(text(&out), "", "lists nothing");
	is_int(ADMIN("audit", "--since", "2025-02-30T00:00:00Z"), 2, "a bad --since exits 2");
	is_str(text(&err), "samlad-admin: audit: --since '2025-02-30T00:00:00Z' is not an "
	       "RFC 3339 time, e.g. 2025-01-31T00:00:00Z\n", "and says why");
	free(uuids);
	free(label);
}

int main(void)
{
	harness_db_create(&db, "locks");
	test_labels();
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	snprintf(counts_url, sizeof counts_url, "%s/v1/counts", collector.base_url);
	snprintf(dry_run_url, sizeof dry_run_url, "%s?dry_run=true", counts_url);
	test_locks();
	test_audit();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_bup);
	harness_db_drop(&db);
	buf_free(&out);
	buf_free(&err);
	return tap_done();
}
