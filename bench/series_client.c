/* The series benchmark's client (bench/series.sh runs it; bench/README.md
 * explains the method).
 *
 *   series-client --url URL --indicators FILE --areas FILE
 *                 [--from 2019Q1] [--to 2024Q4] [--concurrency 32]
 *                 [--warmup 5 | --warmup-areas FILE] [--seconds 20] [--seed 1]
 *
 * Keeps --concurrency requests in flight over as many keep-alive
 * connections (libcurl multi), each a GET /v1/series of a random indicator
 * and a random area (every line of the files equally likely). It first runs
 * a warm-up pass whose answers are only checked: --warmup seconds of the
 * same mix, or with --warmup-areas one request for every indicator and
 * every area of that file, in a random order. Then the measured pass of
 * --seconds; it prints "name value" lines: requests, requests per second,
 * latency percentiles, errors and connections.
 *
 * Every answer must be 200; every 64th is also parsed and must be a series
 * with one point per quarter of the range. The token comes from
 * SAMLAD_TOKEN, never argv, so that it does not show in ps. */
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "compiler.h"
#include "period.h"

/* A series answer is a few kilobytes; anything larger is cut off. */
#define RESPONSE_MAX (1024 * 1024)
/* How much of an unexpected response is shown. */
#define SHOW_MAX 400
/* Every CHECK_EVERY-th answer is parsed in full; parsing them all would
 * take CPU from the server on a small machine. */
#define CHECK_EVERY 64
/* The most failures described on stderr; the rest are only counted. */
#define SHOW_FAILURES 5
#define URL_MAX 512

/* Lines of a file: codes. */
struct lines {
	char **s;     /* owned, each owned */
	size_t n;     /* entries in s */
};

/* One slot of the driver: an easy handle and what it is doing. */
struct slot {
	CURL *h;               /* owned */
	struct buf body;       /* the response body so far */
	char url[URL_MAX];     /* the request's URL (libcurl copies it, kept for messages) */
	double started;        /* when the request was added, monotonic seconds */
	bool verify;           /* parse this answer in full */
};

/* The latencies of a pass, in milliseconds, in completion order. */
struct samples {
	double *ms;    /* owned */
	size_t n;      /* entries used */
	size_t cap;    /* entries allocated */
};

/* What a pass counts. */
struct pass {
	double seconds;        /* how long new requests are started (timed pass) */
	size_t *sweep;         /* owned, or NULL for a timed pass: the order of every
	                        * indicator x --warmup-areas pair, each requested once */
	size_t nsweep;         /* entries in sweep */
	size_t requests;       /* answers received */
	size_t failures;       /* transport errors, non-200 or wrong bodies */
	size_t non_200;        /* answers with another status */
	long connects;         /* connections libcurl opened */
	double elapsed;        /* from the first request to the last answer */
	double max_ms;         /* the slowest answer */
	struct samples lat;    /* latencies; only kept for the measured pass */
	bool keep;             /* record latencies */
};

/* The command line and what it names. */
struct options {
	const char *url;         /* the aggregator's base URL */
	const char *ind_file;    /* indicator codes, one a line */
	const char *area_file;   /* area codes, one a line */
	const char *warm_file;   /* area codes of the sweep warm-up, or NULL */
	const char *from;        /* first quarter of every request */
	const char *to;          /* last quarter */
	long concurrency;        /* requests in flight */
	double warmup;           /* seconds of the warm-up pass */
	double seconds;          /* seconds of the measured pass */
	uint64_t seed;           /* of the request mix */
};

/* The state shared by the passes. */
struct driver {
	const struct options *o;  /* the command line */
	struct lines ind;         /* indicator codes */
	struct lines area;        /* area codes */
	struct lines warm;        /* area codes of the sweep warm-up (may be empty) */
	int npoints;              /* quarters from --from to --to */
	uint64_t rng;             /* xorshift64* state */
	CURLM *multi;             /* owned */
	struct slot *slots;       /* owned; o->concurrency entries */
	size_t shown;             /* failures described so far */
	size_t verified;          /* answers parsed in full */
};

static void die_usage(void)
{
	fprintf(stderr,
	        "usage: series-client --url URL --indicators FILE --areas FILE\n"
	        "         [--from 2019Q1] [--to 2024Q4] [--concurrency 32]\n"
	        "         [--warmup 5 | --warmup-areas FILE] [--seconds 20] [--seed 1]\n"
	        "  FILE lines are codes; the token comes from SAMLAD_TOKEN.\n");
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: a fixed seed gives the same mix in every run. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng_next(s) % n);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	l->s = NULL;
	l->n = 0;
}

/* Appends a code (the line without its newline); 0 or -1. */
static int lines_add(struct lines *l, const char *line)
{
	size_t len = strcspn(line, "\r\n");
	char **s = realloc(l->s, (l->n + 1) * sizeof *s);

	if (!s)
		return -1;
	l->s = s;
	l->s[l->n] = strndup(line, len);
	if (!l->s[l->n])
		return -1;
	l->n++;
	return 0;
}

/* Reads a file of codes; a code must be URL-safe as the catalogue's are. On
 * failure says why and leaves *l empty. */
static int lines_read(const char *path, struct lines *l)
{
	char line[512];
	size_t lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "series-client: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strcspn(line, "\r\n");
		if (len == 0 || strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789._-") != len) {
			fprintf(stderr, "series-client: %s:%zu: not a code\n", path, lineno);
			goto fail;
		}
		if (lines_add(l, line) != 0) {
			fprintf(stderr, "series-client: out of memory\n");
			goto fail;
		}
	}
	fclose(f);
	if (l->n == 0) {
		fprintf(stderr, "series-client: %s: empty\n", path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	lines_free(l);
	return -1;
}

static int samples_add(struct samples *s, double ms)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 65536;
		double *v = realloc(s->ms, cap * sizeof *v);
		if (!v)
			return -1;
		s->ms = v;
		s->cap = cap;
	}
	s->ms[s->n++] = ms;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted values by the nearest-rank method. */
static double quantile(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return 0;
	size_t rank = (size_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return sorted[(rank > n ? n : rank) - 1];
}

/* libcurl's write callback: the response body into the slot's buf. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > RESPONSE_MAX || buf_append(b, ptr, n) != 0)
		return 0;
	return n;
}

/* Describes a failed request, the first few times. */
static void show_failure(struct driver *d, const struct slot *s, const char *what,
                         long status)
{
	if (d->shown++ >= SHOW_FAILURES)
		return;
	fprintf(stderr, "series-client: %s: %s (status %ld): %.*s\n", s->url, what, status,
	        SHOW_MAX, s->body.data ? s->body.data : "");
}

/* A full check of one answer: a JSON series with one point per quarter,
 * each with a period and a status. */
static bool series_ok(const struct driver *d, const char *body)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(j, "points");
	bool ok = cJSON_IsArray(pts) && cJSON_GetArraySize(pts) == d->npoints;

	for (const cJSON *p = ok ? pts->child : NULL; p; p = p->next)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "period")) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "status")))
			ok = false;
	cJSON_Delete(j);
	return ok;
}

/* Points the slot at the next request of the pass (the next pair of a
 * sweep, else a random one) and hands it to the multi. */
static int slot_start(struct driver *d, const struct pass *p, struct slot *s, size_t seq)
{
	const char *ind, *area;

	if (p->sweep) {
		size_t pair = p->sweep[seq];
		ind = d->ind.s[pair / d->warm.n];
		area = d->warm.s[pair % d->warm.n];
	} else {
		ind = d->ind.s[rng_below(&d->rng, d->ind.n)];
		area = d->area.s[rng_below(&d->rng, d->area.n)];
	}

	snprintf(s->url, sizeof s->url, "%s/v1/series?indicator=%s&area=%s&from=%s&to=%s",
	         d->o->url, ind, area, d->o->from, d->o->to);
	buf_reset(&s->body);
	s->verify = seq % CHECK_EVERY == 0;
	curl_easy_setopt(s->h, CURLOPT_URL, s->url);
	s->started = now_s();
	return curl_multi_add_handle(d->multi, s->h) == CURLM_OK ? 0 : -1;
}

/* Counts one finished transfer into the pass. */
static void slot_done(struct driver *d, struct slot *s, CURLcode result, struct pass *p)
{
	double ms = (now_s() - s->started) * 1000;
	long status = 0, made = 0;

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &made);
	p->connects += made;
	p->requests++;
	if (ms > p->max_ms)
		p->max_ms = ms;
	if (p->keep && samples_add(&p->lat, ms) != 0)
		p->failures++;
	if (result != CURLE_OK) {
		p->failures++;
		show_failure(d, s, curl_easy_strerror(result), status);
	} else if (status != 200) {
		p->failures++;
		p->non_200++;
		show_failure(d, s, "not 200", status);
	} else if (s->verify) {
		d->verified++;
		if (!s->body.data || !series_ok(d, s->body.data)) {
			p->failures++;
			show_failure(d, s, "not a series of the range", status);
		}
	}
}

/* True while the pass should start another request. */
static bool more(const struct pass *p, size_t seq, double stop)
{
	return p->sweep ? seq < p->nsweep : now_s() < stop;
}

/* Runs one pass: starts a request in every slot, and a new one in a slot
 * whenever its answer came, until p->seconds have passed (or the sweep is
 * through); then waits for the requests in flight. */
static int run_pass(struct driver *d, struct pass *p)
{
	size_t n = (size_t)d->o->concurrency, active = 0, seq = 0;
	double start = now_s(), stop = start + p->seconds;

	for (size_t i = 0; i < n && more(p, seq, stop); i++, active++)
		if (slot_start(d, p, &d->slots[i], seq++) != 0)
			return -1;
	while (active > 0) {
		int running, left;
		if (curl_multi_perform(d->multi, &running) != CURLM_OK ||
		    curl_multi_poll(d->multi, NULL, 0, 100, NULL) != CURLM_OK)
			return -1;
		curl_multi_perform(d->multi, &running);
		CURLMsg *m;
		while ((m = curl_multi_info_read(d->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct slot *s = NULL;
			CURL *h = m->easy_handle;
			CURLcode result = m->data.result;
			curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
			curl_multi_remove_handle(d->multi, h);
			slot_done(d, s, result, p);
			active--;
			if (more(p, seq, stop)) {
				if (slot_start(d, p, s, seq++) != 0)
					return -1;
				active++;
			}
		}
	}
	p->elapsed = now_s() - start;
	return 0;
}

static void report(const struct driver *d, const struct pass *warm, struct pass *p)
{
	qsort(p->lat.ms, p->lat.n, sizeof *p->lat.ms, cmp_double);
	printf("concurrency %ld\n", d->o->concurrency);
	printf("warmup_requests %zu\n", warm->requests);
	printf("warmup_seconds %.3f\n", warm->elapsed);
	printf("warmup_max_ms %.3f\n", warm->max_ms);
	printf("warmup_failures %zu\n", warm->failures);
	printf("requests %zu\n", p->requests);
	printf("seconds %.3f\n", p->elapsed);
	printf("requests_per_s %.1f\n", (double)p->requests / p->elapsed);
	printf("p50_ms %.3f\n", quantile(p->lat.ms, p->lat.n, 0.50));
	printf("p90_ms %.3f\n", quantile(p->lat.ms, p->lat.n, 0.90));
	printf("p99_ms %.3f\n", quantile(p->lat.ms, p->lat.n, 0.99));
	printf("max_ms %.3f\n", p->lat.n ? p->lat.ms[p->lat.n - 1] : 0.0);
	printf("failures %zu\n", p->failures);
	printf("non_200 %zu\n", p->non_200);
	printf("verified %zu\n", d->verified);
	printf("connections %ld\n", warm->connects + p->connects);
}

/* The slots' easy handles, set up once: each keeps its connection alive
 * between requests. */
static int slots_init(struct driver *d, const char *token)
{
	size_t n = (size_t)d->o->concurrency;

	d->slots = calloc(n, sizeof *d->slots);
	if (!d->slots)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &d->slots[i];
		s->h = curl_easy_init();
		if (!s->h)
			return -1;
		curl_easy_setopt(s->h, CURLOPT_PRIVATE, (char *)s);
		curl_easy_setopt(s->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(s->h, CURLOPT_XOAUTH2_BEARER, token);
		curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &s->body);
		/* Generous: a slow answer is a figure (max_ms), not an error. */
		curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 300L);
		curl_easy_setopt(s->h, CURLOPT_TCP_NODELAY, 1L);
	}
	/* Room for every slot's connection in the multi's cache, and no more
	 * connections than slots. */
	curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)n);
	curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
	return 0;
}

static void driver_free(struct driver *d)
{
	for (size_t i = 0; d->slots && i < (size_t)d->o->concurrency; i++) {
		curl_easy_cleanup(d->slots[i].h);
		buf_free(&d->slots[i].body);
	}
	free(d->slots);
	if (d->multi)
		curl_multi_cleanup(d->multi);
	lines_free(&d->ind);
	lines_free(&d->area);
	lines_free(&d->warm);
}

static double parse_number(const char *s, const char *name, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "series-client: --%s: not a number from %g to %g: %s\n", name,
		        lo, hi, s);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "indicators", required_argument, NULL, 'i' },
		{ "areas", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "warmup-areas", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': o->url = optarg; break;
		case 'i': o->ind_file = optarg; break;
		case 'a': o->area_file = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'c': o->concurrency = (long)parse_number(optarg, "concurrency", 1, 1024); break;
		case 'w': o->warmup = parse_number(optarg, "warmup", 0, 3600); break;
		case 's': o->seconds = parse_number(optarg, "seconds", 0.1, 3600); break;
		case 'W': o->warm_file = optarg; break;
		case 'r': o->seed = (uint64_t)parse_number(optarg, "seed", 1, 1e15); break;
		default: die_usage();
		}
	}
	if (optind != argc || !o->url || !o->ind_file || !o->area_file)
		die_usage();
}

/* Reads the files and checks the range; says why when it cannot. */
static int driver_init(struct driver *d, const struct options *o)
{
	int from, to;

	d->o = o;
	d->rng = o->seed * 0x9E3779B97F4A7C15ULL | 1;
	if (period_parse(o->from, &from) != PERIOD_OK || period_parse(o->to, &to) != PERIOD_OK ||
	    from > to) {
		fprintf(stderr, "series-client: --from %s --to %s: not two quarters in order\n",
		        o->from, o->to);
		return -1;
	}
	d->npoints = period_index(to) - period_index(from) + 1;
	if (lines_read(o->ind_file, &d->ind) != 0 || lines_read(o->area_file, &d->area) != 0 ||
	    (o->warm_file && lines_read(o->warm_file, &d->warm) != 0))
		return -1;
	if (strlen(o->url) > URL_MAX / 2) {
		fprintf(stderr, "series-client: --url: too long\n");
		return -1;
	}
	d->multi = curl_multi_init();
	return d->multi ? 0 : -1;
}

/* A sweep over every indicator x warm-up area pair in a random order
 * (Fisher-Yates); 0 or -1. */
static int sweep_make(struct driver *d, struct pass *p)
{
	p->nsweep = d->ind.n * d->warm.n;
	p->sweep = malloc(p->nsweep * sizeof *p->sweep);
	if (!p->sweep)
		return -1;
	for (size_t i = 0; i < p->nsweep; i++)
		p->sweep[i] = i;
	for (size_t i = p->nsweep; i > 1; i--) {
		size_t j = rng_below(&d->rng, i), t = p->sweep[i - 1];
		p->sweep[i - 1] = p->sweep[j];
		p->sweep[j] = t;
	}
	return 0;
}

/* The warm-up pass (a sweep when --warmup-areas was given, else timed),
 * then the measured pass; 0 when every answer was right. */
static int drive(struct driver *d)
{
	struct pass warm = { .seconds = d->o->warmup };
	struct pass meas = { .seconds = d->o->seconds, .keep = true };
	int rc = -1;

	if (d->warm.n > 0 && sweep_make(d, &warm) != 0)
		goto fail;
	if ((warm.sweep || warm.seconds > 0) && run_pass(d, &warm) != 0)
		goto fail;
	/* series.sh starts perf on this line: flush it now, not at exit. */
	printf("warmup_done %.3f\n", warm.elapsed);
	fflush(stdout);
	if (run_pass(d, &meas) != 0)
		goto fail;
	report(d, &warm, &meas);
	rc = warm.failures + meas.failures == 0 ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, "series-client: %zu failed requests (%zu warm-up, %zu measured)\n",
		        warm.failures + meas.failures, warm.failures, meas.failures);
fail:
	if (rc != 0 && meas.requests == 0)
		fprintf(stderr, "series-client: the driver stopped (libcurl multi failed)\n");
	free(meas.lat.ms);
	free(warm.sweep);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { .from = "2019Q1", .to = "2024Q4", .concurrency = 32,
	                     .warmup = 5, .seconds = 20, .seed = 1 };
	struct driver d = { 0 };
	int rc = 1;

	parse_options(argc, argv, &o);
	const char *token = getenv("SAMLAD_TOKEN");
	if (!token || !*token) {
		fprintf(stderr, "series-client: SAMLAD_TOKEN is not set\n");
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if (driver_init(&d, &o) != 0 || slots_init(&d, token) != 0) {
		fprintf(stderr, "series-client: cannot set up the driver\n");
		goto fail;
	}
	rc = drive(&d) == 0 ? 0 : 1;
fail:
	driver_free(&d);
	curl_global_cleanup();
	return rc;
}
