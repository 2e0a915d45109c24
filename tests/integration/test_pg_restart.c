/* PostgreSQL stopped and started again in the middle of a stream of posts.
 * The test runs a cluster of its own (the shared one serves the other tests
 * at the same time): the collector must answer 503 database_unavailable with
 * Retry-After while the database is gone, recover by itself once it is back
 * (same process), and every batch it acknowledged with a 201 must be stored
 * whole. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler.h"
#include "harness.h"
#include "period.h"
#include "tap.h"

/* Batches the stream may send at most; each has keys no other batch has. */
#define MAX_BATCHES 300
/* Acknowledged batches wanted before the stop and after the start. */
#define WANT_ACKED 5

static const char *const areas[] = {
	"0182-boo", "0182-fisksatra", "0182-saltsjobaden", "0182-sicklaon", "0182-alta",
	"0581-klockaretorpet", "0581-marielund", "0581-hageby", "0581-navestad", "0581-skarblacka",
};
static const char *const indicators[] = {
	"bup.nya_barn", "bup.aktuella_barn", "bup.npf_utredningar",
};

enum phase { PHASE_BEFORE, PHASE_DOWN, PHASE_AFTER, PHASE_COUNT };

/* An acknowledged batch. */
struct ack {
	char uuid[40];      /* the receipt's submission */
	long long rows;     /* the receipt's rows */
	long long sum;      /* the sum of the values the batch sent */
};

/* The posting thread's state; the counters are read while it runs. */
struct stream {
	const char *url;                /* POST target */
	const char *token;              /* a bup submitter token */
	atomic_int phase;               /* set by main: what PostgreSQL is doing now */
	atomic_int stop;                /* set by main to end the stream */
	atomic_int acked[PHASE_COUNT];  /* 201s by the phase in which they were sent */
	atomic_int unavailable;         /* 503 database_unavailable with Retry-After */
	atomic_int bad_503;             /* 503 without Retry-After or with another error */
	atomic_int other;               /* any other answer, or no answer */
	struct ack acks[MAX_BATCHES];   /* every 201; read by main after the join */
	int nacks;                      /* entries in acks */
};

static char dir[] = "/tmp/samlad-pgrestart.XXXXXX";
static bool cluster_made;
static struct harness_proc collector;

/* Runs scripts/pg.sh with a command and the cluster folder. */
static int pg(const char *cmd, const char *arg)
{
	char script[512];
	struct buf err = BUF_INIT;
	const char *src = getenv("SAMLAD_SOURCE_DIR");

	snprintf(script, sizeof script, "%s/scripts/pg.sh", src ? src : ".");
	const char *argv[] = { "/bin/bash", script, cmd, dir, arg, NULL };
	int rc = harness_run(argv, NULL, NULL, NULL, &err);
	if (rc != 0)
		diag("pg.sh %s: exit %d: %s", cmd, rc, err.data ? err.data : "");
	buf_free(&err);
	return rc;
}

/* Runs at exit, also after a "Bail out!": nothing of the test stays behind. */
static void cleanup(void)
{
	if (collector.pid > 0)
		harness_stop(&collector);
	if (!cluster_made)
		return;
	if (pg("stop", NULL) != 0)
		diag("the private cluster did not stop");
	const char *argv[] = { "/bin/rm", "-rf", dir, NULL };
	if (harness_run(argv, NULL, NULL, NULL, NULL) != 0)
		diag("could not remove %s", dir);
	cluster_made = false;
}

/* samlad-admin with DATABASE_URL set to the admin URL. */
static int admin(const char *admin_url, const char *a1, const char *a2, const char *a3)
{
	char env_url[600];
	struct buf err = BUF_INIT;
	const char *argv[] = { harness_program("tools/samlad-admin"), a1, a2, a3, NULL };
	const char *env[] = { env_url, NULL };

	snprintf(env_url, sizeof env_url, "DATABASE_URL=%s", admin_url);
	int rc = harness_run(argv, env, NULL, NULL, &err);
	if (rc != 0)
		diag("samlad-admin %s: exit %d: %s", a1, rc, err.data ? err.data : "");
	buf_free(&err);
	return rc;
}

/* A cluster with a migrated database "samlad" and the test catalogue. */
static void make_cluster(struct harness_db *db)
{
	char host[128], admin_url[512], catalogue[512];
	const char *src = getenv("SAMLAD_SOURCE_DIR");

	if (!src)
		tap_skip_all("SAMLAD_SOURCE_DIR is not set (run scripts/test.sh)");
	if (!mkdtemp(dir) || chmod(dir, 0755) != 0) {
		printf("Bail out! %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	cluster_made = true;
	snprintf(host, sizeof host, "%s/run", dir);
	snprintf(admin_url, sizeof admin_url, "postgresql:///samlad?host=%s&user=samlad_admin", host);
	snprintf(catalogue, sizeof catalogue, "%s/tests/fixtures/catalogue", src);
	if (pg("init", "fast") != 0 || pg("start", NULL) != 0 || pg("bootstrap", "samlad") != 0 ||
	    admin(admin_url, "migrate", NULL, NULL) != 0 ||
	    admin(admin_url, "catalogue", "import", catalogue) != 0) {
		printf("Bail out! the private cluster could not be set up\n");
		exit(1);
	}
	harness_db_open(db, host, "samlad");
}

/* The body of batch k: one indicator, one quarter, every district. */
static char *batch_body(int k, long long *sum)
{
	struct buf b = BUF_INIT;
	char period[PERIOD_STRLEN];
	int rc = buf_puts(&b, "{\"counts\":[");

	*sum = 0;
	period_format(period_from_index(k / (int)ARRAY_LEN(indicators)), period);
	for (size_t a = 0; a < ARRAY_LEN(areas); a++) {
		int v = k * 10 + (int)a;
		*sum += v;
		rc |= buf_printf(&b, "%s{\"indicator\":\"%s\",\"area\":\"%s\",\"period\":\"%s\","
		                 "\"value\":%d}", a ? "," : "",
		                 indicators[k % (int)ARRAY_LEN(indicators)], areas[a], period, v);
	}
	if (rc != 0 || buf_puts(&b, "]}") != 0)
		abort();
	return buf_steal(&b);
}

/* Sorts one answer into the stream's counters. */
static void record(struct stream *s, int phase, const struct http_result *res, long long sum)
{
	char retry_after[32];
	cJSON *r = cJSON_Parse(res->body.data);
	const char *error = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "error"));

	if (res->status == 201 && s->nacks < MAX_BATCHES) {
		struct ack *a = &s->acks[s->nacks++];
		const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "submission"));
		const cJSON *rows = cJSON_GetObjectItemCaseSensitive(r, "rows");
		snprintf(a->uuid, sizeof a->uuid, "%s", uuid ? uuid : "");
		a->rows = cJSON_IsNumber(rows) ? (long long)rows->valuedouble : -1;
		a->sum = sum;
		s->acked[phase]++;
	} else if (res->status == 503 && error && strcmp(error, "database_unavailable") == 0 &&
	           http_result_header(res, "Retry-After", retry_after, sizeof retry_after) &&
	           atoi(retry_after) > 0) {
		s->unavailable++;
	} else if (res->status == 503) {
		s->bad_503++;
		diag("a 503 without Retry-After or database_unavailable: %s", res->body.data);
	} else {
		s->other++;
		diag("phase %d: status %ld %s %s", phase, res->status, res->error, res->body.data);
	}
	cJSON_Delete(r);
}

static void *stream_run(void *arg)
{
	struct stream *s = arg;
	for (int k = 0; k < MAX_BATCHES && !s->stop; k++) {
		struct http_result res;
		long long sum;
		char *body = batch_body(k, &sum);
		int phase = s->phase;
		http_do("POST", s->url, s->token, "application/json", body, strlen(body), NULL, &res);
		record(s, phase, &res, sum);
		http_result_free(&res);
		free(body);
		harness_sleep_ms(20);
	}
	return NULL;
}

/* Waits until *counter reaches want, up to seconds; returns whether it did. */
static bool wait_for(atomic_int *counter, int want, int seconds)
{
	for (int i = 0; i < seconds * 20 && *counter < want; i++)
		harness_sleep_ms(50);
	return *counter >= want;
}

static long healthz(void)
{
	struct http_result res;
	char url[128];
	snprintf(url, sizeof url, "%s/healthz", collector.base_url);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &res);
	long status = res.status;
	http_result_free(&res);
	return status;
}

/* Every acknowledged batch is in the database, whole. */
static void check_acks(struct harness_db *db, const struct stream *s)
{
	char sql[512];
	int whole = 0, sums = 0;

	for (int i = 0; i < s->nacks; i++) {
		const struct ack *a = &s->acks[i];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM count_history h JOIN submission s"
		         " ON s.id = h.submission_id WHERE s.uuid = '%s'", a->uuid);
		long long n = harness_sql_int(db, sql);
		whole += n == a->rows && a->rows == (long long)ARRAY_LEN(areas);
		if (n != a->rows)
			diag("acknowledged %s: %lld rows stored, receipt says %lld", a->uuid, n, a->rows);
		snprintf(sql, sizeof sql, "SELECT coalesce(sum(h.value), -1) FROM count_history h"
		         " JOIN submission s ON s.id = h.submission_id WHERE s.uuid = '%s'", a->uuid);
		sums += harness_sql_int(db, sql) == a->sum;
	}
	is_int(whole, s->nacks, "every acknowledged submission's rows are in count_history");
	is_int(sums, s->nacks, "every acknowledged submission's values are the ones sent");
	ok(harness_sql_int(db, "SELECT count(*) FROM submission") >= s->nacks,
	   "at least as many submissions as acknowledgements");
	is_int(harness_sql_int(db, "SELECT count(*) FROM submission s WHERE s.created + s.updated"
	                           " <> (SELECT count(*) FROM count_history h"
	                           " WHERE h.submission_id = s.id)"), 0,
	       "no submission is stored in part");
}

int main(void)
{
	static struct stream s;
	struct harness_db db;
	char url[160];
	pthread_t thread;

	atexit(cleanup);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	make_cluster(&db);
	char *token = harness_token(&db, "submitter", "bup");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	pid_t pid = collector.pid;
	/* The test's own connection would break with the server; reopen it later. */
	harness_db_close(&db);
	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	s.url = url;
	s.token = token;
	pthread_create(&thread, NULL, stream_run, &s);

	ok(wait_for(&s.acked[PHASE_BEFORE], WANT_ACKED, 30), "posts are acknowledged before the stop");
	s.phase = PHASE_DOWN;
	is_int(pg("stop", NULL), 0, "PostgreSQL stopped in the middle of the stream");
	harness_sleep_ms(2000);
	is_int(healthz(), 503, "/healthz answers 503 while PostgreSQL is down");
	ok(s.unavailable > 0, "posts got 503 database_unavailable with Retry-After while it was down");
	is_int(pg("start", NULL), 0, "PostgreSQL started again");
	s.phase = PHASE_AFTER;
	ok(wait_for(&s.acked[PHASE_AFTER], WANT_ACKED, 60),
	   "posts are acknowledged again after the start, without restarting the collector");
	s.stop = 1;
	pthread_join(thread, NULL);
	diag("201 before/during/after: %d/%d/%d; 503: %d", s.acked[PHASE_BEFORE],
	     s.acked[PHASE_DOWN], s.acked[PHASE_AFTER], s.unavailable);

	is_int(s.bad_503, 0, "every 503 carried database_unavailable and Retry-After");
	is_int(s.other, 0, "every answer was 201 or 503");
	ok(collector.pid == pid && kill(pid, 0) == 0 && waitpid(pid, NULL, WNOHANG) == 0,
	   "the collector is the same process, still running");
	is_int(healthz(), 200, "/healthz answers 200 again");
	char host[256];
	snprintf(host, sizeof host, "%s", db.host);
	harness_db_open(&db, host, "samlad");
	check_acks(&db, &s);
	harness_db_close(&db);
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(token);
	cleanup();
	curl_global_cleanup();
	return tap_done();
}
