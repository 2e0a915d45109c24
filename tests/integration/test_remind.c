/* samlad-admin remind against a real PostgreSQL and a real SMTP server
 * (smtp_sink.py: aiosmtpd, which writes every message it receives to a
 * folder as a mail reader parses it). A small catalogue of its own in
 * Norrköping: bup reported 2025Q3 in full, bvc in part, soc not at all
 * and sarskola (no contact address) not at all. The mails are read back:
 * exact recipients, subject and text; a rerun the same day sends nothing;
 * --dry-run sends and records nothing; a quarter not yet due sends
 * nothing; an unreachable server, or one without the STARTTLS asked for,
 * is exit 1 with nothing recorded, as is a run while another runs; bad
 * arguments are clear errors. */
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "period.h"
#include "tap.h"

static struct harness_db db;
static struct buf out = BUF_INIT, err = BUF_INIT;
static char smtp_url[64], dead_url[64], mail_dir[64], cat_dir[64];
static pid_t sink_pid;

#define FORM "--form-url", "http://collector/submit"
#define FROM "--from", "samlad@kommun.example"
/* Runs samlad-admin remind with these arguments after the command. */
#define REMIND(...) harness_admin(db.admin_url, (const char *const[]){ "remind", __VA_ARGS__, \
                                  NULL }, &out, &err)

static const char *text(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* Mails the sink has received: its N.txt files. */
static int mails(void)
{
	DIR *d = opendir(mail_dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' && strstr(e->d_name, ".txt") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* The n-th mail as the sink's mail reader made it, malloc'd; "" when none came. */
static char *mail(int n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%d.txt", mail_dir, n);
	return harness_read_text(path);
}

/* Starts smtp_sink.py on a free port and waits until it listens. */
static void sink_start(void)
{
	char port[16], script[512], ready[128];
	int p = harness_free_port();

	snprintf(port, sizeof port, "%d", p);
	snprintf(smtp_url, sizeof smtp_url, "smtp://127.0.0.1:%d", p);
	snprintf(script, sizeof script, "%s/tests/integration/smtp_sink.py",
	         getenv("SAMLAD_SOURCE_DIR"));
	snprintf(ready, sizeof ready, "%s/ready", mail_dir);
	sink_pid = fork();
	if (sink_pid == 0) {
		execl("/usr/bin/python3", "python3", script, port, mail_dir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300 && access(ready, F_OK) != 0; i++)
		harness_sleep_ms(50);
	if (sink_pid < 0 || access(ready, F_OK) != 0) {
		printf("Bail out! the SMTP server (smtp_sink.py) did not start\n");
		exit(1);
	}
	remove(ready);
}

static void sink_stop(void)
{
	int status = 0;
	kill(sink_pid, SIGTERM);
	waitpid(sink_pid, &status, 0);
}

/* The catalogue of this test: four agencies in two districts. */
static void import_catalogue(void)
{
	harness_write_text(cat_dir, "agencies.csv",
	           "code,name,contact\n"
	           "bup,BUP (barn- och ungdomspsykiatrin),bup@region.example\n"
	           "bvc,BVC (barnavårdscentralen),bvc@region.example\n"
	           "soc,Socialtjänsten BoU,soc@kommun.example\n"
	           "sarskola,Grundsärskola,\n");
	harness_write_text(cat_dir, "areas.csv",
	           "code,name,parent\n0581,Norrköping,\n"
	           "0581-hageby,Hageby,0581\n0581-navestad,Navestad,0581\n");
	harness_write_text(cat_dir, "indicators.csv",
	           "code,agency,level,kind,name_sv,name_en,suppress_below\n"
	           "bup.nya_barn,bup,specialised,flow,Antal nya barn,New children,\n"
	           "bup.aktuella_barn,bup,specialised,stock,Antal aktuella barn,Children in care,\n"
	           "bvc.hembesok,bvc,first_line,flow,Antal hembesök,Home visits,\n"
	           "soc.utredda,soc,first_line,flow,Antal utredda barn,Children assessed,\n"
	           "sarskola.elever,sarskola,first_line,stock,Antal elever,Pupils,\n");
	harness_write_text(cat_dir, "permissions.csv",
	           "agency,indicator,area\n"
	           "bup,bup.nya_barn,0581-hageby\nbup,bup.nya_barn,0581-navestad\n"
	           "bup,bup.aktuella_barn,0581-hageby\nbup,bup.aktuella_barn,0581-navestad\n"
	           "bvc,bvc.hembesok,0581-hageby\nbvc,bvc.hembesok,0581-navestad\n"
	           "soc,soc.utredda,0581-hageby\nsoc,soc.utredda,0581-navestad\n"
	           "sarskola,sarskola.elever,0581-hageby\n");
	const char *const args[] = { "catalogue", "import", cat_dir, NULL };
	if (harness_admin(db.admin_url, args, &out, &err) != 0) {
		printf("Bail out! the test's catalogue did not import: %s\n", text(&err));
		exit(1);
	}
}

/* One submission of the agency at the time, with a count for each key
 * "indicator area" of 2025Q3. */
static void plant(const char *agency, const char *at, const char *const *keys, size_t n)
{
	char sql[1024];
	char *tok = harness_token(&db, "submitter", agency);
	long long token = atoll(tok + 4);

	free(tok);
	snprintf(sql, sizeof sql,
	         "INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
	         " rows, created, updated, unchanged)"
	         " SELECT gen_random_uuid(), a.id, %lld, '%s'::timestamptz,"
	         " sha256(convert_to(random()::text, 'UTF8')), 0, 0, 0, 0"
	         " FROM agency a WHERE a.code = '%s' RETURNING id", token, at, agency);
	long long sub = harness_sql_int(&db, sql);
	for (size_t i = 0; i < n; i++) {
		char ind[64], area[64];
		if (sscanf(keys[i], "%63s %63s", ind, area) != 2)
			abort();
		snprintf(sql, sizeof sql,
		         "INSERT INTO count_history (indicator_id, area_id, period, submission_id,"
		         " value) SELECT i.id, a.id, 20253, %lld, 7 FROM indicator i, area a"
		         " WHERE i.code = '%s' AND a.code = '%s'", sub, ind, area);
		harness_sql(&db, sql);
	}
}

/* True when s begins with prefix. */
static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static long long reminders(void)
{
	return harness_sql_int(&db, "SELECT count(*) FROM reminder");
}

/* Every argument the command checks before it sends anything. */
static void test_bad_arguments(void)
{
	static const struct {
		const char *const argv[12];  /* after "remind" */
		const char *want;            /* stderr */
		int code;                    /* exit status */
	} bad[] = {
		{ { "--area", "9999", "--quarter", "2025Q3", "--smtp-url", "smtp://x:25", FROM, FORM },
		  "samlad-admin: remind: --area \"9999\" is not a municipality of the catalogue\n", 2 },
		{ { "--area", "0581-hageby", "--quarter", "2025Q3", "--dry-run", FROM, FORM },
		  "samlad-admin: remind: --area \"0581-hageby\" is not a municipality of the catalogue\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q5", "--dry-run", FROM, FORM },
		  "samlad-admin: remind: --quarter \"2025Q5\": expected a quarter such as 2025Q3, "
		  "from 2000Q1 on\n", 2 },
		{ { "--area", "0581", "--quarter", "1999Q4", "--dry-run", FROM, FORM },
		  "samlad-admin: remind: --quarter \"1999Q4\": expected a quarter such as 2025Q3, "
		  "from 2000Q1 on\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", FROM, FORM },
		  "samlad-admin: remind: --smtp-url is required (or --dry-run)\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", "--smtp-url", "http://x", FROM, FORM },
		  "samlad-admin: remind: --smtp-url \"http://x\": expected smtp://host:port or "
		  "smtps://host:port\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", "--dry-run", FORM },
		  "samlad-admin: remind: --from is required: a mail address such as "
		  "samlad@kommun.example\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", "--dry-run", "--from", "x@y", FORM },
		  "samlad-admin: remind: --from is required: a mail address such as "
		  "samlad@kommun.example\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", "--dry-run", FROM },
		  "samlad-admin: remind: --form-url is required: the collector's form, "
		  "http://… or https://…\n", 2 },
		{ { "--area", "0581", "--quarter", "2025Q3", "--dry-run", FROM, "--form-url",
		    "http://c/submit x" },
		  "samlad-admin: remind: --form-url is required: the collector's form, "
		  "http://… or https://…\n", 2 },
		{ { "--quarter", "2025Q3", "--dry-run", FROM, FORM },
		  "samlad-admin: remind: --area and --quarter are required\n", 2 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *argv[16] = { "remind" };
		size_t n = 1;
		for (size_t k = 0; bad[i].argv[k]; k++)
			argv[n++] = bad[i].argv[k];
		is_int(harness_admin(db.admin_url, argv, &out, &err), bad[i].code,
		       "bad arguments %zu: exit %d", i + 1, bad[i].code);
		is_str(text(&err), bad[i].want, "bad arguments %zu: says why", i + 1);
		is_str(text(&out), "", "bad arguments %zu: prints nothing else", i + 1);
	}
	is_int(mails(), 0, "bad arguments: no mail sent");
	is_int(reminders(), 0, "bad arguments: nothing recorded");
}

/* The current quarter is never due: nothing is sent. */
static void test_not_due(void)
{
	time_t now = time(NULL);
	int q = period_current(now);
	time_t due = period_end(q) + 30 * 86400;
	char quarter[PERIOD_STRLEN], want[160], day[32];
	struct tm tm;

	period_format(q, quarter);
	gmtime_r(&due, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(want, sizeof want, "0581 %s: not yet due (reports are on time until %s); "
	         "nothing sent\n", quarter, day);
	is_int(REMIND("--area", "0581", "--quarter", quarter, "--smtp-url", smtp_url, FROM, FORM),
	       0, "a quarter not yet due: exit 0");
	is_str(text(&out), want, "and says it is not yet due");
	is_int(mails(), 0, "no mail sent before the due date");
	is_int(reminders(), 0, "nothing recorded before the due date");
}

static void test_dry_run(void)
{
	is_int(REMIND("--area", "0581", "--quarter", "2025K3", "--dry-run", FROM, FORM), 0,
	       "--dry-run: exit 0 (without --smtp-url, and the Swedish quarter)");
	const char *o = text(&out);
	ok(starts(o, "bup: complete, nothing to send\n"
	             "bvc: partial, would send to bvc@region.example (1 missing)\n"),
	   "--dry-run: one line per agency");
	ok(strstr(o, "\nsarskola: missing, no contact address\n"
	             "soc: missing, would send to soc@kommun.example (2 missing)\n") != NULL,
	   "--dry-run: no contact address; soc would be mailed");
	ok(strstr(o, "    To: soc@kommun.example\n") && strstr(o, "    - Antal utredda barn "
	          "(soc.utredda):\n      Hageby, Navestad\n"), "--dry-run: prints the messages");
	is_int(mails(), 0, "--dry-run: no mail sent");
	is_int(reminders(), 0, "--dry-run: nothing recorded");
}

/* A server that cannot be reached, and one without STARTTLS when it is
 * required: exit 1, nothing recorded. */
static void test_send_fails(void)
{
	is_int(REMIND("--area", "0581", "--quarter", "2025Q3", "--smtp-url", dead_url, FROM, FORM),
	       1, "an unreachable SMTP server: exit 1");
	const char *o = text(&out);
	ok(starts(o, "bup: complete, nothing to send\n"
	             "bvc: partial, sending to bvc@region.example failed: Failed to connect to "),
	   "the failure is printed with libcurl's reason");
	ok(strstr(o, "\nsoc: missing, sending to soc@kommun.example failed: ") != NULL,
	   "each agency's failure");
	is_int(reminders(), 0, "a failed send is not recorded");
	is_int(REMIND("--area", "0581", "--quarter", "2025Q3", "--smtp-url", smtp_url,
	              "--smtp-starttls", FROM, FORM), 1, "STARTTLS required, not offered: exit 1");
	ok(strstr(text(&out), "bvc: partial, sending to bvc@region.example failed: "),
	   "and the failure is printed");
	is_int(mails(), 0, "no mail went out without STARTTLS");
	is_int(reminders(), 0, "nothing recorded");
}

/* A run while another holds the reminders' lock sends nothing. */
static void test_locked(void)
{
	harness_sql(&db, "SELECT pg_advisory_lock(7308332174350950757)");
	is_int(REMIND("--area", "0581", "--quarter", "2025Q3", "--smtp-url", smtp_url, FROM, FORM),
	       1, "another run holds the lock: exit 1");
	is_str(text(&err), "samlad-admin: remind: another samlad-admin remind is running; "
	       "nothing sent\n", "and says so");
	is_str(text(&out), "", "no agency's line");
	is_int(mails(), 0, "no mail sent");
	harness_sql(&db, "SELECT pg_advisory_unlock(7308332174350950757)");
}

static const char soc_mail[] =
	"MAIL FROM: samlad@kommun.example\n"
	"RCPT TO: soc@kommun.example\n"
	"From: samlad@kommun.example\n"
	"To: soc@kommun.example\n"
	"Subject: Påminnelse: rapporten för 2025Q3 till Samlad (Norrköping)\n"
	"Content-Type: text/plain; charset=\"utf-8\"\n"
	"\n"
	"Hej!\n"
	"\n"
	"Samlad har inte fått någon rapport från Socialtjänsten BoU för 2025Q3 i\n"
	"Norrköping. Rapporten skulle ha kommit senast 2025-10-30.\n"
	"\n"
	"Det här saknas (2 av 2 värden):\n"
	"\n"
	"- Antal utredda barn (soc.utredda):\n"
	"  Hageby, Navestad\n"
	"\n"
	"Rapportera i formuläret:\n"
	"http://collector/submit?quarter=2025Q3\n"
	"\n"
	"Har ni redan rapporterat kan ni bortse från det här meddelandet. Det\n"
	"skickades automatiskt av Samlad; svara inte på det.\n";

static void test_send(void)
{
	is_int(REMIND("--area", "0581", "--quarter", "2025Q3", "--smtp-url", smtp_url, FROM, FORM),
	       0, "remind: exit 0");
	is_str(text(&out),
	       "bup: complete, nothing to send\n"
	       "bvc: partial, sent to bvc@region.example (1 missing)\n"
	       "sarskola: missing, no contact address\n"
	       "soc: missing, sent to soc@kommun.example (2 missing)\n",
	       "remind: one line per agency");
	is_int(mails(), 2, "two mails received");
	char *bvc = mail(1), *soc = mail(2), *raw;
	ok(bvc && strstr(bvc, "RCPT TO: bvc@region.example\n"), "the first went to bvc only");
	ok(bvc && strstr(bvc, "Samlad har fått en del av rapporten från BVC "
	                      "(barnavårdscentralen) för\n2025Q3 i Norrköping, men inte allt."),
	   "bvc is told its report is partial");
	ok(bvc && strstr(bvc, "Det här saknas (1 av 2 värden):\n\n- Antal hembesök "
	                      "(bvc.hembesok):\n  Navestad\n"), "and that Navestad is missing");
	is_str(soc, soc_mail, "soc's mail, exactly as a mail reader reads it");
	char path[128];
	snprintf(path, sizeof path, "%s/2.eml", mail_dir);
	raw = harness_read_text(path);
	ok(raw && strstr(raw, "\r\nSubject: =?UTF-8?Q?") && strstr(raw, "\r\nDate: ") &&
	   strstr(raw, "\r\nMessage-ID: <") && strstr(raw, "\r\nMIME-Version: 1.0\r\n") &&
	   strstr(raw, "\r\nContent-Transfer-Encoding: 8bit\r\n"),
	   "the raw message has the MIME headers, the subject encoded");
	is_int(harness_sql_int(&db, "SELECT count(*) FROM reminder r JOIN agency a ON a.id = "
	                       "r.agency_id WHERE a.code = 'soc' AND r.period = 20253 AND "
	                       "r.address = 'soc@kommun.example' AND r.day = (now() AT TIME ZONE "
	                       "'UTC')::date AND r.missing = E'soc.utredda 0581-hageby\\n"
	                       "soc.utredda 0581-navestad\\n'"), 1, "soc's mail is recorded");
	is_int(reminders(), 2, "two reminders recorded");
	free(bvc);
	free(soc);
	free(raw);

	is_int(REMIND("--area", "0581", "--quarter", "2025Q3", "--smtp-url", smtp_url, FROM, FORM),
	       0, "a rerun the same day: exit 0");
	is_str(text(&out),
	       "bup: complete, nothing to send\n"
	       "bvc: partial, already reminded today (bvc@region.example)\n"
	       "sarskola: missing, no contact address\n"
	       "soc: missing, already reminded today (soc@kommun.example)\n",
	       "a rerun says each was reminded today");
	is_int(mails(), 2, "a rerun sends nothing");
	is_int(reminders(), 2, "a rerun records nothing");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	static const char *const bup[] = { "bup.nya_barn 0581-hageby", "bup.nya_barn 0581-navestad",
	                                   "bup.aktuella_barn 0581-hageby",
	                                   "bup.aktuella_barn 0581-navestad" };
	static const char *const bvc[] = { "bvc.hembesok 0581-hageby" };

	harness_db_create(&db, "remind");
	snprintf(mail_dir, sizeof mail_dir, "/tmp/samlad-remind-mail.XXXXXX");
	snprintf(cat_dir, sizeof cat_dir, "/tmp/samlad-remind-cat.XXXXXX");
	if (!mkdtemp(mail_dir) || !mkdtemp(cat_dir))
		abort();
	snprintf(dead_url, sizeof dead_url, "smtp://127.0.0.1:%d", harness_free_port());
	import_catalogue();
	plant("bup", "2025-10-05T10:00:00Z", bup, 4);
	plant("bvc", "2025-10-06T10:00:00Z", bvc, 1);
	sink_start();
	test_bad_arguments();
	test_not_due();
	test_dry_run();
	test_send_fails();
	test_locked();
	test_send();
	sink_stop();
	nftw(mail_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(cat_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	buf_free(&out);
	buf_free(&err);
	harness_db_drop(&db);
	return tap_done();
}
