/* The ingest benchmark's client (bench/ingest.sh runs it; bench/README.md
 * explains the method).
 *
 * Both modes enumerate the same rows in the same order, so the collector and
 * the plain-SQL references store exactly the same data:
 *
 *   ingest-client post  --url URL   ...  posts every batch as JSON over one
 *                                        keep-alive connection per stream
 *                                        (--streams, default 1), checks every
 *                                        receipt and prints the timing
 *   ingest-client files --out DIR   ...  writes every batch as a COPY text
 *                                        file DIR/batch-NNN.tsv with the
 *                                        database ids of the same rows
 *
 * The keys are (period, indicator, area) in that order: an agency reports a
 * whole quarter at a time. The first batches create --keys distinct keys;
 * the rest revise the first --revisions of them (default all), in the same
 * order, with a different value. The last batch of each part may be
 * shorter. With several streams a revision is sent only once the batch
 * that created its keys has been acknowledged, so every receipt is the
 * same as with one. The token comes from SAMLAD_TOKEN, never argv, so that
 * it does not show in ps. */
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "compiler.h"
#include "period.h"

/* A receipt or an error body is small; anything larger is cut off. */
#define RESPONSE_MAX (1024 * 1024)
/* How much of an unexpected response is shown. */
#define SHOW_MAX 2000

/* Codes from the catalogue with their database ids, in file order. */
struct names {
	char **code;   /* owned, each owned */
	int *id;       /* owned; the row's id in its table */
	size_t n;      /* entries in code and id */
};

/* What to send: the key space and how it is cut into batches. */
struct plan {
	struct names ind;        /* indicators, the middle component of a key */
	struct names area;       /* leaf areas, the fastest-moving component */
	int first_period;        /* the period of key 0 (yyyyq) */
	size_t keys;             /* distinct keys, each created once */
	size_t revisions;        /* keys 0 .. revisions - 1 are revised once */
	size_t batch;            /* rows per batch (the last of a part may be fewer) */
	long long first_sub;     /* submission id of batch 0 in the COPY files */
};

/* One key of the plan, resolved to its parts. */
struct key {
	int period;              /* yyyyq */
	size_t ind;              /* index into plan.ind */
	size_t area;             /* index into plan.area */
};

/* The command line. */
struct options {
	const char *mode;        /* "post" or "files" */
	const char *url;         /* post: the collector's base URL */
	const char *out;         /* files: the folder to write into */
	const char *ind_file;    /* "code<TAB>id" lines of the indicators */
	const char *area_file;   /* "code<TAB>id" lines of the leaf areas */
	const char *first;       /* the first period, "2000Q1" */
	long long keys;          /* distinct keys */
	long long revisions;     /* keys revised; -1: all */
	long long batch;         /* rows per batch */
	long long streams;       /* post: requests in flight, one connection each */
	long long first_sub;     /* files: submission id of the first batch */
};

static void die_usage(void)
{
	fprintf(stderr,
	        "usage: ingest-client post --url URL | files --out DIR\n"
	        "         --indicators FILE --areas FILE [--first-period 2000Q1]\n"
	        "         [--keys 500000] [--revisions KEYS] [--batch-size 10000]\n"
	        "         [--streams 1] [--first-submission 1]\n"
	        "  FILE lines are \"code<TAB>id\"; post reads the token from SAMLAD_TOKEN.\n");
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void names_free(struct names *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->code[i]);
	free(n->code);
	free(n->id);
	n->code = NULL;
	n->id = NULL;
	n->n = 0;
}

/* Appends one "code<TAB>id" line to *n. */
static int names_add(struct names *n, const char *line)
{
	const char *tab = strchr(line, '\t');
	char *end;

	if (!tab || tab == line)
		return -1;
	long id = strtol(tab + 1, &end, 10);
	if (end == tab + 1 || (*end != '\0' && *end != '\n') || id <= 0 || id > INT_MAX)
		return -1;
	char **code = realloc(n->code, (n->n + 1) * sizeof *code);
	if (!code)
		return -1;
	n->code = code;
	int *ids = realloc(n->id, (n->n + 1) * sizeof *ids);
	if (!ids)
		return -1;
	n->id = ids;
	n->code[n->n] = strndup(line, (size_t)(tab - line));
	if (!n->code[n->n])
		return -1;
	n->id[n->n++] = (int)id;
	return 0;
}

/* Reads a names file; on failure says why and leaves *n empty. */
static int names_read(const char *path, struct names *n)
{
	char line[512];
	size_t lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "ingest-client: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (names_add(n, line) != 0) {
			fprintf(stderr, "ingest-client: %s:%zu: not \"code<TAB>id\"\n", path, lineno);
			goto fail;
		}
	}
	fclose(f);
	if (n->n == 0) {
		fprintf(stderr, "ingest-client: %s: empty\n", path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	names_free(n);
	return -1;
}

/* Key k of the plan: periods slowest, then indicators, then areas. */
static struct key key_at(const struct plan *p, size_t k)
{
	size_t per_period = p->ind.n * p->area.n;
	size_t rem = k % per_period;
	struct key key = {
		.period = period_add(p->first_period, (int)(k / per_period)),
		.ind = rem / p->area.n,
		.area = rem % p->area.n,
	};
	return key;
}

/* The value of key k in a pass: a spread of small and larger counts, and a
 * revision always differs from the first value. */
static int value_at(size_t k, int pass)
{
	uint32_t h = (uint32_t)k * 2654435761u;
	return (int)((h >> 12) % 1000) + pass;
}

/* Batches of the first part (creating keys). */
static size_t create_batches(const struct plan *p)
{
	return (p->keys + p->batch - 1) / p->batch;
}

static size_t nbatches(const struct plan *p)
{
	return create_batches(p) + (p->revisions + p->batch - 1) / p->batch;
}

/* Batch b covers keys [*first, *first + *n) in pass *pass (0 new,
 * 1 revision). */
static void batch_span(const struct plan *p, size_t b, size_t *first, size_t *n, int *pass)
{
	size_t creates = create_batches(p);
	*pass = b >= creates;
	*first = (*pass ? b - creates : b) * p->batch;
	size_t end = *pass ? p->revisions : p->keys;
	*n = end - *first < p->batch ? end - *first : p->batch;
}

/* The JSON body of batch b, into out (reset first). */
static int body_json(const struct plan *p, size_t b, struct buf *out)
{
	size_t first, n;
	int pass;
	char per[PERIOD_STRLEN];

	batch_span(p, b, &first, &n, &pass);
	buf_reset(out);
	if (buf_puts(out, "{\"counts\":[") != 0)
		return -1;
	for (size_t k = first; k < first + n; k++) {
		struct key key = key_at(p, k);
		period_format(key.period, per);
		if (buf_printf(out, "%s{\"indicator\":\"%s\",\"area\":\"%s\",\"period\":\"%s\",\"value\":%d}",
		               k == first ? "" : ",", p->ind.code[key.ind],
		               p->area.code[key.area], per, value_at(k, pass)) != 0)
			return -1;
	}
	return buf_puts(out, "]}");
}

/* The COPY text of batch b with ids, in the columns (indicator_id, area_id,
 * period, submission_id, value). */
static int body_copy(const struct plan *p, size_t b, struct buf *out)
{
	size_t first, n;
	int pass;
	long long sub = p->first_sub + (long long)b;

	batch_span(p, b, &first, &n, &pass);
	buf_reset(out);
	for (size_t k = first; k < first + n; k++) {
		struct key key = key_at(p, k);
		if (buf_printf(out, "%d\t%d\t%d\t%lld\t%d\n", p->ind.id[key.ind],
		               p->area.id[key.area], key.period, sub, value_at(k, pass)) != 0)
			return -1;
	}
	return 0;
}

/* files mode: DIR/batch-001.tsv ... one per batch. */
static int write_files(const struct plan *p, const char *dir)
{
	struct buf b = BUF_INIT;
	char path[4096];
	int rc = -1;

	for (size_t i = 0; i < nbatches(p); i++) {
		if (body_copy(p, i, &b) != 0)
			goto fail;
		snprintf(path, sizeof path, "%s/batch-%03zu.tsv", dir, i + 1);
		FILE *f = fopen(path, "w");
		if (!f) {
			fprintf(stderr, "ingest-client: %s: %s\n", path, strerror(errno));
			goto fail;
		}
		size_t w = fwrite(b.data, 1, b.len, f);
		if (fclose(f) != 0 || w != b.len) {
			fprintf(stderr, "ingest-client: %s: write failed\n", path);
			goto fail;
		}
	}
	rc = 0;
fail:
	buf_free(&b);
	return rc;
}

/* libcurl's write callback: the response body into a buf. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > RESPONSE_MAX || buf_append(b, ptr, n) != 0)
		return 0;
	return n;
}

/* Reads an integer member of the receipt, -1 when absent or not a number. */
static long long receipt_int(const cJSON *r, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, name);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

static bool receipt_str(const cJSON *r, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, name);
	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* Checks the answer to batch b: 201 and a receipt that counts every row as
 * created (first pass) or updated (revisions). Says why when it is not. */
static int check_receipt(const struct plan *p, size_t b, long status, const char *body)
{
	size_t first, rows;
	int pass;
	int rc = -1;

	batch_span(p, b, &first, &rows, &pass);
	long long n = (long long)rows;
	cJSON *r = cJSON_Parse(body);
	if (status != 201 || !r)
		goto fail;
	if (!receipt_str(r, "submission") || !receipt_str(r, "received_at") ||
	    !receipt_str(r, "sha256"))
		goto fail;
	if (receipt_int(r, "rows") != n || receipt_int(r, "unchanged") != 0 ||
	    receipt_int(r, "created") != (pass ? 0 : n) ||
	    receipt_int(r, "updated") != (pass ? n : 0))
		goto fail;
	rc = 0;
fail:
	if (rc != 0)
		fprintf(stderr, "ingest-client: batch %zu of %zu (%s): expected 201 with rows %lld, "
		        "created %lld, updated %lld, unchanged 0; got %ld: %.*s\n",
		        b + 1, nbatches(p), pass ? "revisions" : "new keys", n,
		        pass ? 0 : n, pass ? n : 0, status, SHOW_MAX, body);
	cJSON_Delete(r);
	return rc;
}

/* The request headers; the token goes through CURLOPT_XOAUTH2_BEARER. */
static struct curl_slist *post_headers(void)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct curl_slist *next;

	if (!h)
		return NULL;
	/* Without this libcurl sends Expect: 100-continue for large bodies and
	 * waits a round trip (or a second) before sending. */
	next = curl_slist_append(h, "Expect:");
	if (!next)
		curl_slist_free_all(h);
	return next;
}

/* Posts body to the handle's URL; fills *status and *resp. */
static int post_one(CURL *c, const struct buf *body, long *status, struct buf *resp,
                    long *connects)
{
	char err[CURL_ERROR_SIZE] = "";
	long made = 0;

	buf_reset(resp);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		fprintf(stderr, "ingest-client: POST failed: %s\n", err[0] ? err : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &made);
	*connects += made;
	if (!resp->data && buf_puts(resp, "") != 0)
		return -1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Builds every body before the clock starts: the benchmark measures the
 * collector, not this client's printf. */
static struct buf *build_bodies(const struct plan *p)
{
	size_t n = nbatches(p);
	struct buf *bodies = calloc(n, sizeof *bodies);

	if (!bodies)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (body_json(p, i, &bodies[i]) != 0) {
			for (size_t j = 0; j <= i; j++)
				buf_free(&bodies[j]);
			free(bodies);
			return NULL;
		}
	}
	return bodies;
}

/* The median and maximum of the n values at v, as "NAME_median" and
 * "NAME_max" lines (0 when there are none). Sorts them. */
static void report_spread(const char *name, double *v, size_t n)
{
	printf("%s_median %.2f\n", name, n ? median(v, n) : 0.0);
	printf("%s_max %.2f\n", name, n ? v[n - 1] : 0.0);
}

/* Prints the result lines the scripts read: "name value". */
static void report(const struct plan *p, double seconds, double *ms, long connects,
                   size_t body_bytes)
{
	size_t n = nbatches(p), creates = create_batches(p), rows = p->keys + p->revisions;

	printf("rows %zu\n", rows);
	printf("batches %zu\n", n);
	printf("seconds %.6f\n", seconds);
	printf("rows_per_s %.1f\n", (double)rows / seconds);
	printf("connections %ld\n", connects);
	printf("body_bytes %zu\n", body_bytes);
	report_spread("batch_ms_new", ms, creates);
	report_spread("batch_ms_revision", ms + creates, n - creates);
}

/* What the streams share: the next batch to send and what came back. */
struct posting {
	const struct plan *p;        /* the batches */
	struct buf *bodies;          /* owned; one per batch, built before the clock starts */
	const char *url;             /* the collector's /v1/counts */
	const char *token;           /* the submitter's bearer token */
	struct curl_slist *headers;  /* the request headers, shared read-only */
	pthread_mutex_t lock;        /* guards everything below */
	pthread_cond_t acked;        /* broadcast when a batch is acknowledged */
	size_t next;                 /* the next batch to take */
	bool *done;                  /* owned; batches acknowledged */
	bool failed;                 /* a batch failed: every stream stops */
	double *ms;                  /* owned; each batch's request time */
	long connects;               /* connections libcurl opened, all streams */
	size_t bytes;                /* body bytes sent */
};

/* Takes the next batch, waiting until the batch that created a revision's
 * keys has been acknowledged. Returns false when there is none left or a
 * stream failed. */
static bool take_batch(struct posting *g, size_t *b)
{
	bool ok;

	pthread_mutex_lock(&g->lock);
	ok = !g->failed && g->next < nbatches(g->p);
	if (ok) {
		*b = g->next++;
		size_t creates = create_batches(g->p);
		while (*b >= creates && !g->done[*b - creates] && !g->failed)
			pthread_cond_wait(&g->acked, &g->lock);
		ok = !g->failed;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

/* Records batch b's outcome for every stream to see. */
static void finish_batch(struct posting *g, size_t b, bool ok, double ms, long connects)
{
	pthread_mutex_lock(&g->lock);
	g->done[b] = ok;
	g->failed |= !ok;
	g->ms[b] = ms;
	g->connects += connects;
	g->bytes += ok ? g->bodies[b].len : 0;
	pthread_cond_broadcast(&g->acked);
	pthread_mutex_unlock(&g->lock);
}

/* A handle for one stream: libcurl keeps its connection alive. */
static CURL *stream_handle(const struct posting *g, struct buf *resp)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, g->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, g->headers);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
	curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, g->token);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

/* One stream: takes batches in order until none is left or one fails. */
static void *stream_run(void *arg)
{
	struct posting *g = arg;
	struct buf resp = BUF_INIT;
	CURL *c = stream_handle(g, &resp);
	size_t b;

	if (!c) {
		fprintf(stderr, "ingest-client: out of memory\n");
		pthread_mutex_lock(&g->lock);
		g->failed = true;
		pthread_cond_broadcast(&g->acked);
		pthread_mutex_unlock(&g->lock);
	}
	while (c && take_batch(g, &b)) {
		long status = 0, connects = 0;
		double t = now_s();
		bool ok = post_one(c, &g->bodies[b], &status, &resp, &connects) == 0 &&
		          check_receipt(g->p, b, status, resp.data) == 0;
		finish_batch(g, b, ok, (now_s() - t) * 1000, connects);
	}
	curl_easy_cleanup(c);
	buf_free(&resp);
	return NULL;
}

/* Sends every batch over `streams` connections; stops at the first failure. */
static int post_all(struct posting *g, size_t streams)
{
	pthread_t *th = calloc(streams, sizeof *th);
	size_t started = 0;

	if (!th)
		return -1;
	double start = now_s();
	for (; started < streams; started++)
		if (pthread_create(&th[started], NULL, stream_run, g) != 0)
			break;
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	double seconds = now_s() - start;
	free(th);
	if (g->failed || started == 0)
		return -1;
	report(g->p, seconds, g->ms, g->connects, g->bytes);
	return 0;
}

/* post mode: every body built first, then the streams. */
static int post_batches(const struct plan *p, const char *base, const char *token,
                        size_t streams)
{
	char url[2048];
	struct posting g = { .p = p, .url = url, .token = token };
	int rc = -1;

	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.acked, NULL);
	snprintf(url, sizeof url, "%s/v1/counts", base);
	g.bodies = build_bodies(p);
	g.headers = post_headers();
	g.done = calloc(nbatches(p), sizeof *g.done);
	g.ms = calloc(nbatches(p), sizeof *g.ms);
	if (!g.bodies || !g.headers || !g.done || !g.ms) {
		fprintf(stderr, "ingest-client: out of memory\n");
		goto fail;
	}
	rc = post_all(&g, streams);
fail:
	if (g.bodies) {
		for (size_t i = 0; i < nbatches(p); i++)
			buf_free(&g.bodies[i]);
		free(g.bodies);
	}
	free(g.done);
	free(g.ms);
	curl_slist_free_all(g.headers);
	pthread_cond_destroy(&g.acked);
	pthread_mutex_destroy(&g.lock);
	return rc;
}

static long long parse_count(const char *s, const char *name)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "ingest-client: --%s: not a positive integer: %s\n", name, s);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "indicators", required_argument, NULL, 'i' },
		{ "areas", required_argument, NULL, 'a' },
		{ "first-period", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "revisions", required_argument, NULL, 'r' },
		{ "streams", required_argument, NULL, 'n' },
		{ "batch-size", required_argument, NULL, 'b' },
		{ "first-submission", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	if (argc < 2)
		die_usage();
	o->mode = argv[1];
	while ((ch = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': o->url = optarg; break;
		case 'o': o->out = optarg; break;
		case 'i': o->ind_file = optarg; break;
		case 'a': o->area_file = optarg; break;
		case 'p': o->first = optarg; break;
		case 'k': o->keys = parse_count(optarg, "keys"); break;
		case 'r': o->revisions = parse_count(optarg, "revisions"); break;
		case 'n': o->streams = parse_count(optarg, "streams"); break;
		case 'b': o->batch = parse_count(optarg, "batch-size"); break;
		case 's': o->first_sub = parse_count(optarg, "first-submission"); break;
		default: die_usage();
		}
	}
	/* getopt saw argv + 1, so no positional arguments means argc - 1. */
	if (optind != argc - 1 || !o->ind_file || !o->area_file)
		die_usage();
	if (strcmp(o->mode, "post") == 0 ? !o->url : strcmp(o->mode, "files") != 0 || !o->out)
		die_usage();
}

/* Fills the plan and checks that the key space fits the catalogue and the
 * valid periods, so that every row is one the collector must accept. */
static int plan_init(const struct options *o, struct plan *p)
{
	if (period_parse(o->first, &p->first_period) != PERIOD_OK) {
		fprintf(stderr, "ingest-client: --first-period: not a quarter: %s\n", o->first);
		return -1;
	}
	p->keys = (size_t)o->keys;
	p->revisions = o->revisions < 0 ? p->keys : (size_t)o->revisions;
	p->batch = (size_t)o->batch;
	p->first_sub = o->first_sub;
	if (p->revisions > p->keys) {
		fprintf(stderr, "ingest-client: --revisions must not exceed --keys\n");
		return -1;
	}
	if (names_read(o->ind_file, &p->ind) != 0 || names_read(o->area_file, &p->area) != 0)
		return -1;
	struct key last = key_at(p, p->keys - 1);
	if (last.period > period_current(time(NULL))) {
		char per[PERIOD_STRLEN];
		period_format(last.period, per);
		fprintf(stderr, "ingest-client: %zu keys need quarters up to %s, after the current one: "
		        "add indicators or areas\n", p->keys, per);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .first = "2000Q1", .keys = 500000, .revisions = -1, .batch = 10000,
	                     .streams = 1, .first_sub = 1 };
	struct plan p = { 0 };
	int rc = 1;

	parse_options(argc, argv, &o);
	if (plan_init(&o, &p) != 0)
		goto fail;
	if (strcmp(o.mode, "files") == 0) {
		rc = write_files(&p, o.out) == 0 ? 0 : 1;
		goto fail;
	}
	const char *token = getenv("SAMLAD_TOKEN");
	if (!token || !*token) {
		fprintf(stderr, "ingest-client: SAMLAD_TOKEN is not set\n");
		goto fail;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto fail;
	rc = post_batches(&p, o.url, token, (size_t)o.streams) == 0 ? 0 : 1;
	curl_global_cleanup();
fail:
	names_free(&p.ind);
	names_free(&p.area);
	return rc;
}
