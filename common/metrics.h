/* A registry of metrics and their Prometheus text (exposition format
 * 0.0.4): counters, gauges and histograms, each a family of series with a
 * fixed set of label names, every series registered before it is used.
 *
 * Registration happens while one thread runs (a program's start); after
 * it, any number of threads update series with relaxed atomics (no lock,
 * no allocation), and metrics_render reads them. A series may also be read
 * when rendered (metrics_read), for a value another module keeps.
 *
 * A failed registration is sticky, as a buf's is: register freely, ask
 * metrics_failed once. Every update takes NULL as a no-op, so that a
 * module counts whether or not it was given a registry. */
#ifndef SAMLAD_METRICS_H
#define SAMLAD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "compiler.h"

/* The media type of metrics_render's text. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metric_type {
	METRIC_COUNTER,    /* only goes up: metric_add */
	METRIC_GAUGE,      /* any value: metric_set */
	METRIC_HISTOGRAM,  /* observations counted in buckets: metric_observe */
};

/* What a family is; its strings and arrays are borrowed (string literals
 * and static arrays, as a rule) for the registry's life. */
struct metric_spec {
	enum metric_type type;     /* counter, gauge or histogram */
	const char *name;          /* [a-zA-Z_:][a-zA-Z0-9_:]*, unique in the registry */
	const char *help;          /* one sentence */
	const char *const *labels; /* the label names, NULL-terminated; NULL for none */
	const double *bounds;      /* a histogram's bucket upper bounds, increasing */
	size_t nbounds;            /* how many (+Inf is added) */
	bool sparse;               /* a series is printed only once it is not zero */
};

struct metrics;
struct metric_family;
/* One series: a family's label values and its value. */
struct metric;

/* An empty registry; NULL when memory ran out. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
/* True when a registration failed (memory, a bad name or spec). */
bool metrics_failed(const struct metrics *m);

/* Registers a family; NULL (and the registry failed) on a bad spec or no
 * memory, or when m is NULL. Families are rendered in this order. */
struct metric_family *metrics_family(struct metrics *m, const struct metric_spec *spec);
/* Registers a series of family f with one value per label name (NULL when
 * the family has none); values are copied. NULL when f is NULL or memory
 * ran out. Series are rendered in this order. */
struct metric *metric_series(struct metric_family *f, const char *const *values);
/* A family of one series without labels, in one call. */
struct metric *metrics_single(struct metrics *m, enum metric_type type, const char *name,
                              const char *help);
/* A series without labels whose value fn(ctx) gives when the registry is
 * rendered (a counter or a gauge another module keeps). */
struct metric *metrics_read(struct metrics *m, enum metric_type type, const char *name,
                            const char *help, int64_t (*fn)(void *ctx), void *ctx);

/* Adds n to a counter. */
void metric_add(struct metric *s, uint64_t n);
/* Adds one to a counter. */
void metric_inc(struct metric *s);
/* Sets a gauge. */
void metric_set(struct metric *s, int64_t v);
/* Counts one observation of a histogram. */
void metric_observe(struct metric *s, double v);
/* A counter's or gauge's value (a histogram's count), for tests. */
int64_t metric_value(const struct metric *s);

/* Appends the text of every family to out. Returns 0, or -1 when out has
 * failed (memory). */
int metrics_render(const struct metrics *m, struct buf *out) WUR;

#endif
