/* The metrics registry and its text. A family and its series are linked
 * lists in registration order: they only grow, before the threads that
 * update them start, so rendering walks them without a lock. */
#include "metrics.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct metric {
	struct metric_family *family;  /* the family it belongs to */
	char **values;                 /* owned; one per label name */
	_Atomic uint64_t value;        /* a counter's count, a gauge's int64_t bits */
	_Atomic uint64_t *buckets;     /* owned; a histogram's counts per bucket, +Inf last */
	_Atomic uint64_t sum;          /* a histogram's sum, a double's bits */
	int64_t (*read)(void *ctx);    /* gives the value at rendering, or NULL */
	void *ctx;                     /* borrowed; read's argument */
	struct metric *next;           /* the next series of the family */
};

struct metric_family {
	struct metric_spec spec;       /* borrowed strings and arrays */
	size_t nlabels;                /* entries in spec.labels */
	struct metric *first;          /* owned list of series */
	struct metric *last;           /* where the next one is linked */
	struct metrics *registry;      /* the registry, whose failure is sticky */
	struct metric_family *next;    /* the next family */
};

struct metrics {
	struct metric_family *first;   /* owned list of families */
	struct metric_family *last;    /* where the next one is linked */
	bool failed;                   /* a registration failed */
};

struct metrics *metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

static void series_free(struct metric *s, size_t nlabels)
{
	for (size_t i = 0; s->values && i < nlabels; i++)
		free(s->values[i]);
	free(s->values);
	free((void *)s->buckets);
	free(s);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (struct metric_family *f = m->first, *nf; f; f = nf) {
		nf = f->next;
		for (struct metric *s = f->first, *ns; s; s = ns) {
			ns = s->next;
			series_free(s, f->nlabels);
		}
		free(f);
	}
	free(m);
}

bool metrics_failed(const struct metrics *m)
{
	return !m || m->failed;
}

/* A metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]* (labels without ':',
 * which the caller does not use). */
static bool name_ok(const char *name)
{
	if (!name || !name[0] || (name[0] >= '0' && name[0] <= '9'))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:") ==
	       strlen(name);
}

static bool spec_ok(const struct metric_spec *spec, size_t *nlabels)
{
	bool ok = name_ok(spec->name) && spec->help;

	for (*nlabels = 0; ok && spec->labels && spec->labels[*nlabels]; ++*nlabels)
		ok = name_ok(spec->labels[*nlabels]) && strcmp(spec->labels[*nlabels], "le") != 0;
	if (spec->type != METRIC_HISTOGRAM)
		return ok && spec->nbounds == 0;
	for (size_t i = 1; ok && i < spec->nbounds; i++)
		ok = spec->bounds[i - 1] < spec->bounds[i];
	return ok && (spec->nbounds == 0 || spec->bounds);
}

struct metric_family *metrics_family(struct metrics *m, const struct metric_spec *spec)
{
	size_t nlabels;

	if (!m)
		return NULL;
	struct metric_family *f = spec_ok(spec, &nlabels) ? calloc(1, sizeof *f) : NULL;
	if (!f) {
		m->failed = true;
		return NULL;
	}
	*f = (struct metric_family){ .spec = *spec, .nlabels = nlabels, .registry = m };
	if (m->last)
		m->last->next = f;
	else
		m->first = f;
	m->last = f;
	return f;
}

/* Makes a series' own copies of its label values and its buckets. */
static int series_fill(struct metric *s, const struct metric_family *f,
                       const char *const *values)
{
	if (f->nlabels && !(s->values = calloc(f->nlabels, sizeof *s->values)))
		return -1;
	for (size_t i = 0; i < f->nlabels; i++)
		if (!values || !values[i] || !(s->values[i] = strdup(values[i])))
			return -1;
	if (f->spec.type == METRIC_HISTOGRAM &&
	    !(s->buckets = calloc(f->spec.nbounds + 1, sizeof *s->buckets)))
		return -1;
	return 0;
}

struct metric *metric_series(struct metric_family *f, const char *const *values)
{
	if (!f)
		return NULL;
	struct metric *s = calloc(1, sizeof *s);
	if (!s || series_fill(s, f, values) != 0) {
		if (s)
			series_free(s, f->nlabels);
		f->registry->failed = true;
		return NULL;
	}
	s->family = f;
	if (f->last)
		f->last->next = s;
	else
		f->first = s;
	f->last = s;
	return s;
}

struct metric *metrics_single(struct metrics *m, enum metric_type type, const char *name,
                              const char *help)
{
	struct metric_spec spec = { .type = type, .name = name, .help = help };

	return metric_series(metrics_family(m, &spec), NULL);
}

struct metric *metrics_read(struct metrics *m, enum metric_type type, const char *name,
                            const char *help, int64_t (*fn)(void *ctx), void *ctx)
{
	struct metric *s = type == METRIC_HISTOGRAM ? NULL : metrics_single(m, type, name, help);

	if (s) {
		s->read = fn;
		s->ctx = ctx;
	} else if (m) {
		m->failed = true;
	}
	return s;
}

/* ---- updates ------------------------------------------------------------ */

void metric_add(struct metric *s, uint64_t n)
{
	if (s)
		atomic_fetch_add_explicit(&s->value, n, memory_order_relaxed);
}

void metric_inc(struct metric *s)
{
	metric_add(s, 1);
}

void metric_set(struct metric *s, int64_t v)
{
	if (s)
		atomic_store_explicit(&s->value, (uint64_t)v, memory_order_relaxed);
}

/* Adds v to a double kept as its bits: a compare-and-swap, which never
 * loops without another thread's concurrent add. */
static void sum_add(_Atomic uint64_t *sum, double v)
{
	uint64_t old = atomic_load_explicit(sum, memory_order_relaxed), new;

	do {
		double d;
		memcpy(&d, &old, sizeof d);
		d += v;
		memcpy(&new, &d, sizeof new);
	} while (!atomic_compare_exchange_weak_explicit(sum, &old, new, memory_order_relaxed,
	                                                memory_order_relaxed));
}

void metric_observe(struct metric *s, double v)
{
	if (!s || !s->buckets)
		return;
	const struct metric_spec *spec = &s->family->spec;
	size_t i = 0;
	while (i < spec->nbounds && v > spec->bounds[i])
		i++;
	atomic_fetch_add_explicit(&s->buckets[i], 1, memory_order_relaxed);
	sum_add(&s->sum, v);
	atomic_fetch_add_explicit(&s->value, 1, memory_order_relaxed);
}

int64_t metric_value(const struct metric *s)
{
	if (!s)
		return 0;
	if (s->read)
		return s->read(s->ctx);
	return (int64_t)atomic_load_explicit(&s->value, memory_order_relaxed);
}

/* ---- the text ----------------------------------------------------------- */

/* Appends s with the escapes of a label value (\\, \", \n) or, without
 * quotes, of a HELP text (\\, \n). */
static void put_escaped(struct buf *out, const char *s, bool quotes)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else if (*s == '"' && quotes)
			buf_puts(out, "\\\"");
		else
			buf_append(out, s, 1);
	}
}

/* A double as Prometheus reads it: the shortest text that reads back as
 * the same value, or +Inf, -Inf, NaN. */
static void put_double(struct buf *out, double v)
{
	char text[32];

	if (isnan(v) || isinf(v)) {
		buf_puts(out, isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(text, sizeof text, "%.*g", digits, v);
		if (strtod(text, NULL) == v)
			break;
	}
	buf_puts(out, text);
}

/* Writes "name{a="x",b="y",le="0.1"}" (suffix after the name; le may be
 * NULL, bound its value). */
static void put_name(struct buf *out, const struct metric *s, const char *suffix,
                     const double *le)
{
	const struct metric_family *f = s->family;

	buf_printf(out, "%s%s", f->spec.name, suffix);
	if (f->nlabels == 0 && !le)
		return;
	buf_puts(out, "{");
	for (size_t i = 0; i < f->nlabels; i++) {
		buf_printf(out, "%s%s=\"", i ? "," : "", f->spec.labels[i]);
		put_escaped(out, s->values[i], true);
		buf_puts(out, "\"");
	}
	if (le) {
		buf_puts(out, f->nlabels ? ",le=\"" : "le=\"");
		put_double(out, *le);
		buf_puts(out, "\"");
	}
	buf_puts(out, "}");
}

/* A histogram's buckets (cumulative), sum and count. */
static void put_histogram(struct buf *out, const struct metric *s)
{
	const struct metric_spec *spec = &s->family->spec;
	uint64_t total = 0, sum_bits = atomic_load_explicit(&s->sum, memory_order_relaxed);
	double sum, inf = INFINITY;

	for (size_t i = 0; i <= spec->nbounds; i++) {
		total += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
		put_name(out, s, "_bucket", i < spec->nbounds ? &spec->bounds[i] : &inf);
		buf_printf(out, " %" PRIu64 "\n", total);
	}
	memcpy(&sum, &sum_bits, sizeof sum);
	put_name(out, s, "_sum", NULL);
	buf_puts(out, " ");
	put_double(out, sum);
	buf_puts(out, "\n");
	/* The count is the buckets' total, so that the two always agree. */
	put_name(out, s, "_count", NULL);
	buf_printf(out, " %" PRIu64 "\n", total);
}

static void put_series(struct buf *out, const struct metric *s)
{
	int64_t v = metric_value(s);

	if (s->family->spec.type == METRIC_HISTOGRAM) {
		if (!s->family->spec.sparse || v != 0)
			put_histogram(out, s);
		return;
	}
	if (s->family->spec.sparse && v == 0)
		return;
	put_name(out, s, "", NULL);
	if (s->family->spec.type == METRIC_COUNTER)
		buf_printf(out, " %" PRIu64 "\n", (uint64_t)v);
	else
		buf_printf(out, " %" PRId64 "\n", v);
}

int metrics_render(const struct metrics *m, struct buf *out)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };

	for (const struct metric_family *f = m ? m->first : NULL; f; f = f->next) {
		buf_printf(out, "# HELP %s ", f->spec.name);
		put_escaped(out, f->spec.help, false);
		buf_printf(out, "\n# TYPE %s %s\n", f->spec.name, types[f->spec.type]);
		for (const struct metric *s = f->first; s; s = s->next)
			put_series(out, s);
	}
	return buf_failed(out) ? -1 : 0;
}
