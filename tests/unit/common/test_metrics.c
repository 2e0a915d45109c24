/* metrics: the exact text of a small registry (counters, gauges, a
 * histogram, labels and their escapes, values read at rendering, sparse
 * families), refused registrations, increments from many threads, and
 * what an increment costs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "metrics.h"
#include "tap.h"

static const char *const route_labels[] = { "method", "route", NULL };
static const double bounds[] = { 0.005, 0.1, 1 };

/* The registry's text, malloc'd. */
static char *render(const struct metrics *m)
{
	struct buf out = { 0 };

	if (metrics_render(m, &out) != 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out);
}

static int64_t forty_two(void *ctx)
{
	return *(int64_t *)ctx;
}

static void test_text(void)
{
	struct metrics *m = metrics_new();
	int64_t read_value = 42;
	struct metric_family *req = metrics_family(m, &(struct metric_spec){
		.type = METRIC_COUNTER, .name = "x_requests_total",
		.help = "Requests.\nBy \\ route.", .labels = route_labels });
	struct metric *get = metric_series(req, (const char *[]){ "GET", "/a/*" });
	struct metric *odd = metric_series(req, (const char *[]){ "PO\"ST", "a\\b\nc" });
	struct metric *up = metrics_single(m, METRIC_GAUGE, "x_up", "Up.");
	struct metric *lat = metric_series(metrics_family(m, &(struct metric_spec){
		.type = METRIC_HISTOGRAM, .name = "x_seconds", .help = "Latency.",
		.bounds = bounds, .nbounds = 3 }), NULL);
	(void)metrics_read(m, METRIC_COUNTER, "x_read_total", "Read.", forty_two, &read_value);
	struct metric_family *sp = metrics_family(m, &(struct metric_spec){
		.type = METRIC_COUNTER, .name = "x_sparse_total", .help = "Sparse.",
		.labels = (const char *const[]){ "code", NULL }, .sparse = true });
	struct metric *sp_a = metric_series(sp, (const char *[]){ "a" });
	(void)metric_series(sp, (const char *[]){ "b" });

	ok(!metrics_failed(m), "registered");
	metric_add(get, 3);
	metric_inc(odd);
	metric_set(up, -7);
	metric_observe(lat, 0.005);
	metric_observe(lat, 0.25);
	metric_observe(lat, 30);
	metric_inc(sp_a);
	metric_inc(NULL); /* a no-op */
	is_int(metric_value(get), 3, "a counter's value");
	is_int(metric_value(lat), 3, "a histogram's count");
	char *text = render(m);
	is_str(text,
	       "# HELP x_requests_total Requests.\\nBy \\\\ route.\n"
	       "# TYPE x_requests_total counter\n"
	       "x_requests_total{method=\"GET\",route=\"/a/*\"} 3\n"
	       "x_requests_total{method=\"PO\\\"ST\",route=\"a\\\\b\\nc\"} 1\n"
	       "# HELP x_up Up.\n"
	       "# TYPE x_up gauge\n"
	       "x_up -7\n"
	       "# HELP x_seconds Latency.\n"
	       "# TYPE x_seconds histogram\n"
	       "x_seconds_bucket{le=\"0.005\"} 1\n"
	       "x_seconds_bucket{le=\"0.1\"} 1\n"
	       "x_seconds_bucket{le=\"1\"} 2\n"
	       "x_seconds_bucket{le=\"+Inf\"} 3\n"
	       "x_seconds_sum 30.255\n"
	       "x_seconds_count 3\n"
	       "# HELP x_read_total Read.\n"
	       "# TYPE x_read_total counter\n"
	       "x_read_total 42\n"
	       "# HELP x_sparse_total Sparse.\n"
	       "# TYPE x_sparse_total counter\n"
	       "x_sparse_total{code=\"a\"} 1\n",
	       "the exact text, escapes included; a sparse family prints no zero");
	free(text);
	metrics_free(m);
}

static void test_labelled_histogram(void)
{
	struct metrics *m = metrics_new();
	struct metric *s = metric_series(metrics_family(m, &(struct metric_spec){
		.type = METRIC_HISTOGRAM, .name = "h_seconds", .help = "H.",
		.labels = route_labels, .bounds = bounds, .nbounds = 1 }),
		(const char *[]){ "GET", "/" });

	metric_observe(s, 0.001);
	char *text = render(m);
	is_str(text,
	       "# HELP h_seconds H.\n"
	       "# TYPE h_seconds histogram\n"
	       "h_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.005\"} 1\n"
	       "h_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"} 1\n"
	       "h_seconds_sum{method=\"GET\",route=\"/\"} 0.001\n"
	       "h_seconds_count{method=\"GET\",route=\"/\"} 1\n",
	       "le comes after the family's labels");
	free(text);
	metrics_free(m);
}

static void test_refused(void)
{
	static const double down[] = { 1, 0.5 };
	struct metrics *m = metrics_new();

	ok(!metrics_family(m, &(struct metric_spec){ .type = METRIC_COUNTER,
	   .name = "9lives", .help = "h" }), "a name that starts with a digit");
	ok(metrics_failed(m), "fails the registry for good");
	metrics_free(m);
	m = metrics_new();
	ok(!metrics_family(m, &(struct metric_spec){ .type = METRIC_COUNTER,
	   .name = "a-b", .help = "h" }), "a name with a hyphen");
	ok(!metrics_family(m, &(struct metric_spec){ .type = METRIC_COUNTER, .name = "a",
	   .help = "h", .labels = (const char *const[]){ "le", NULL } }), "a label le");
	ok(!metrics_family(m, &(struct metric_spec){ .type = METRIC_HISTOGRAM, .name = "a",
	   .help = "h", .bounds = down, .nbounds = 2 }), "bounds that go down");
	ok(!metrics_read(m, METRIC_HISTOGRAM, "a", "h", forty_two, NULL), "a read histogram");
	ok(!metric_series(NULL, NULL), "a series of no family");
	ok(metrics_failed(NULL), "no registry has failed");
	metrics_free(m);
}

#define THREADS 4
#define PER_THREAD 1000000

static void *hammer(void *arg)
{
	for (int i = 0; i < PER_THREAD; i++)
		metric_inc(arg);
	return NULL;
}

/* Four threads add to one counter: no increment is lost. The time of one
 * increment alone is printed (the cost docs/operations.md quotes). */
static void test_threads(void)
{
	struct metrics *m = metrics_new();
	struct metric *c = metrics_single(m, METRIC_COUNTER, "c_total", "C.");
	pthread_t t[THREADS];
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	hammer(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	            PER_THREAD;
	diag("one increment, one thread: %.1f ns", ns);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, c);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	is_int(metric_value(c), (long long)(THREADS + 1) * PER_THREAD, "no increment lost");
	metrics_free(m);
}

int main(void)
{
	test_text();
	test_labelled_histogram();
	test_refused();
	test_threads();
	return tap_done();
}
