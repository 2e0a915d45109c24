/* Two agencies posting at the same time, each from its own thread: every
 * batch gets its 201 with the right tally, and the database holds exactly
 * the rows both sent, the history of revisions included. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "harness.h"
#include "period.h"
#include "tap.h"
#include "json_get.h"

/* Batches per agency: the first half reports new quarters, the second half
 * revises the quarters of the first half with other values. */
#define BATCHES 24
#define HALF (BATCHES / 2)

static const char *const areas[] = {
	"0182-boo", "0182-fisksatra", "0182-saltsjobaden", "0182-sicklaon", "0182-alta",
	"0581-klockaretorpet", "0581-marielund", "0581-hageby", "0581-navestad", "0581-skarblacka",
};
static const char *const bup_indicators[] = {
	"bup.nya_barn", "bup.aktuella_barn", "bup.npf_utredningar",
};
static const char *const soc_indicators[] = {
	"soc.utredda_barn", "soc.oppna_insatser", "soc.barn_oppna_insatser",
	"soc.placerade", "soc.utredningar_insats",
};

/* One agency's poster thread: what it sends and what came back. */
struct poster {
	const char *agency;               /* agency code, for messages */
	const char *token;                /* its submitter token */
	const char *const *indicators;    /* the indicators it owns */
	size_t nindicators;
	int base_value;                   /* makes the two agencies' values differ */
	const char *url;                  /* POST target */
	long status[BATCHES];             /* the status of each batch */
	long long created[BATCHES];       /* receipt tallies */
	long long updated[BATCHES];
	long long unchanged[BATCHES];
	long long rows[BATCHES];
	char uuid[BATCHES][40];           /* receipt uuids */
	char error[BATCHES][256];         /* transport errors */
};

/* The quarter of batch b: batches b and b + HALF share it. */
static int batch_period(int b)
{
	return period_add(period_make(2010, 1), b % HALF);
}

/* The value batch b sends for indicator i, area a. A revision changes every
 * other value and re-posts the rest unchanged. */
static int batch_value(const struct poster *p, int b, size_t i, size_t a)
{
	int v = p->base_value + (int)(i * 10 + a) + b % HALF;
	if (b >= HALF && (i + a) % 2 == 0)
		v += 1000;
	return v;
}

/* Rows of one batch that a revision changes. */
static long long changed_rows(const struct poster *p)
{
	long long n = 0;
	for (size_t i = 0; i < p->nindicators; i++)
		for (size_t a = 0; a < ARRAY_LEN(areas); a++)
			n += (i + a) % 2 == 0;
	return n;
}

static char *batch_body(const struct poster *p, int b)
{
	struct buf body = BUF_INIT;
	char period[PERIOD_STRLEN];
	int rc = buf_puts(&body, "{\"counts\":[");

	period_format(batch_period(b), period);
	for (size_t i = 0; i < p->nindicators; i++)
		for (size_t a = 0; a < ARRAY_LEN(areas); a++)
			rc |= buf_printf(&body, "%s{\"indicator\":\"%s\",\"area\":\"%s\","
			                 "\"period\":\"%s\",\"value\":%d}", i + a ? "," : "",
			                 p->indicators[i], areas[a], period, batch_value(p, b, i, a));
	rc |= buf_puts(&body, "]}");
	if (rc != 0)
		abort();
	return buf_steal(&body);
}

/* Lets both threads start posting at the same moment. */
static pthread_barrier_t start_line;

static void *poster_run(void *arg)
{
	struct poster *p = arg;
	pthread_barrier_wait(&start_line);
	for (int b = 0; b < BATCHES; b++) {
		struct http_result res;
		char *body = batch_body(p, b);
		http_do("POST", p->url, p->token, "application/json", body, strlen(body), NULL, &res);
		p->status[b] = res.status;
		snprintf(p->error[b], sizeof p->error[b], "%s", res.error);
		cJSON *r = cJSON_Parse(res.body.data);
		const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "submission"));
		snprintf(p->uuid[b], sizeof p->uuid[b], "%s", uuid ? uuid : "");
		p->rows[b] = json_int(r, "rows");
		p->created[b] = json_int(r, "created");
		p->updated[b] = json_int(r, "updated");
		p->unchanged[b] = json_int(r, "unchanged");
		cJSON_Delete(r);
		http_result_free(&res);
		free(body);
	}
	return NULL;
}

static struct harness_db db;

/* Receipts of one agency: each 201 with the tally its batch implies. */
static void check_receipts(const struct poster *p)
{
	long long per_batch = (long long)(p->nindicators * ARRAY_LEN(areas));
	long long changed = changed_rows(p);
	int uuids = 0, statuses = 0, tallies = 0;

	for (int b = 0; b < BATCHES; b++) {
		bool first = b < HALF;
		statuses += p->status[b] == 201;
		if (p->status[b] != 201)
			diag("%s batch %d: status %ld %s", p->agency, b, p->status[b], p->error[b]);
		tallies += p->rows[b] == per_batch &&
		           p->created[b] == (first ? per_batch : 0) &&
		           p->updated[b] == (first ? 0 : changed) &&
		           p->unchanged[b] == (first ? 0 : per_batch - changed);
		uuids += harness_is_uuid(p->uuid[b]);
	}
	is_int(statuses, BATCHES, "%s: every batch answered 201", p->agency);
	is_int(tallies, BATCHES, "%s: every receipt has the expected rows/created/updated/unchanged",
	       p->agency);
	is_int(uuids, BATCHES, "%s: every receipt names a uuid", p->agency);
}

/* The database against what one agency sent. */
static void check_rows(const struct poster *p)
{
	char sql[1024];
	long long per_batch = (long long)(p->nindicators * ARRAY_LEN(areas));
	long long want_sum = 0;

	for (int b = HALF; b < BATCHES; b++)
		for (size_t i = 0; i < p->nindicators; i++)
			for (size_t a = 0; a < ARRAY_LEN(areas); a++)
				want_sum += batch_value(p, b, i, a);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM submission s JOIN agency a"
	         " ON a.id = s.agency_id WHERE a.code = '%s'", p->agency);
	is_int(harness_sql_int(&db, sql), BATCHES, "%s: one submission per batch", p->agency);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM count_history h JOIN indicator i"
	         " ON i.id = h.indicator_id JOIN agency a ON a.id = i.agency_id WHERE a.code = '%s'",
	         p->agency);
	is_int(harness_sql_int(&db, sql), HALF * (per_batch + changed_rows(p)),
	       "%s: the history holds every new row and every changed row, once", p->agency);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM count_current c JOIN indicator i"
	         " ON i.id = c.indicator_id JOIN agency a ON a.id = i.agency_id WHERE a.code = '%s'",
	         p->agency);
	is_int(harness_sql_int(&db, sql), HALF * per_batch, "%s: current keys", p->agency);
	snprintf(sql, sizeof sql, "SELECT sum(c.value) FROM count_current c JOIN indicator i"
	         " ON i.id = c.indicator_id JOIN agency a ON a.id = i.agency_id WHERE a.code = '%s'",
	         p->agency);
	is_int(harness_sql_int(&db, sql), want_sum, "%s: the current values are the revisions",
	       p->agency);
	for (int b = 0; b < BATCHES; b++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM count_history h JOIN submission s"
		         " ON s.id = h.submission_id WHERE s.uuid = '%s'", p->uuid[b]);
		long long want = b < HALF ? per_batch : changed_rows(p);
		if (harness_sql_int(&db, sql) != want) {
			is_int(harness_sql_int(&db, sql), want, "%s batch %d: its rows", p->agency, b);
			return;
		}
	}
	ok(true, "%s: every submission holds exactly the rows it wrote", p->agency);
}

int main(void)
{
	struct harness_proc collector;
	char url[160];
	pthread_t threads[2];

	harness_db_create(&db, "concurrency");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char *tok_bup = harness_token(&db, "submitter", "bup");
	char *tok_soc = harness_token(&db, "submitter", "soc");
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	static struct poster bup, soc;
	bup = (struct poster){ .agency = "bup", .token = tok_bup, .indicators = bup_indicators,
	                       .nindicators = ARRAY_LEN(bup_indicators), .base_value = 1,
	                       .url = url };
	soc = (struct poster){ .agency = "soc", .token = tok_soc, .indicators = soc_indicators,
	                       .nindicators = ARRAY_LEN(soc_indicators), .base_value = 500,
	                       .url = url };
	pthread_barrier_init(&start_line, NULL, 2);
	pthread_create(&threads[0], NULL, poster_run, &bup);
	pthread_create(&threads[1], NULL, poster_run, &soc);
	pthread_join(threads[0], NULL);
	pthread_join(threads[1], NULL);
	pthread_barrier_destroy(&start_line);

	check_receipts(&bup);
	check_receipts(&soc);
	check_rows(&bup);
	check_rows(&soc);
	is_int(harness_sql_int(&db, "SELECT count(DISTINCT uuid) FROM submission"), 2 * BATCHES,
	       "every submission has its own uuid");
	is_int(harness_sql_int(&db,
	       "SELECT count(*) FROM (SELECT id, received_at, lag(received_at) OVER (ORDER BY id) AS prev"
	       " FROM submission) s WHERE prev > received_at"), 0,
	       "submission ids increase with received_at (ingests are serialised)");
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_bup);
	free(tok_soc);
	harness_db_drop(&db);
	curl_global_cleanup();
	return tap_done();
}
