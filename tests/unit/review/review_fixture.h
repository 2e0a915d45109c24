/* A synthetic review for the renderer's tests and its benchmark: any
 * number of indicators, districts and years, deterministic values, and
 * hidden and missing points at fixed places.
 *
 * A point that is not published carries `leak` as its value, although the
 * real gathering (series_build.c) always stores 0 there: a renderer that read
 * the value of a hidden point would print `leak`, so a test can prove it
 * never does. Header-only; everything is static. */
#ifndef SAMLAD_REVIEW_FIXTURE_H
#define SAMLAD_REVIEW_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "derived.h"
#include "period.h"
#include "review.h"

/* Everything one synthetic review owns. */
struct fixture {
	struct catalogue cat;   /* agencies, areas and indicators (arrays owned) */
	struct review r;        /* the review; its arrays are owned here */
	long long leak;         /* the value planted behind every hidden point */
};

/* How the fixture's point (item, area, quarter index) looks: every 7th
 * point (offset by area) hidden, every 11th missing. */
static enum point_status fixture_status(size_t item, size_t area, size_t q)
{
	size_t h = item * 3 + area * 5 + q;
	if (h % 11 == 4)
		return POINT_MISSING;
	if (h % 7 == 3)
		return POINT_SUPPRESSED;
	return POINT_PUBLISHED;
}

static long long fixture_value(size_t item, size_t area, size_t q)
{
	return 1200 + (long long)(item * 37 + area * 101 + q * 13 % 29);
}

/* Fills a quarterly (or yearly) series from the pattern; derived values
 * and the trend as the aggregator computes them. */
static void fixture_series(struct series *s, const struct cat_indicator *ind,
                           const struct cat_area *area, enum series_freq freq, int first,
                           size_t n, size_t item, size_t a, long long leak)
{
	memset(s, 0, sizeof *s);
	s->indicator = ind;
	s->area = area;
	s->freq = freq;
	s->n = n;
	s->points = calloc(n, sizeof *s->points);
	s->derived = calloc(n, sizeof *s->derived);
	struct trend_point *tp = calloc(n, sizeof *tp);
	size_t m = 0;
	if (!s->points || !s->derived || !tp)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct series_point *p = &s->points[i];
		p->period = freq == FREQ_QUARTER ? period_add(first, (int)i) : first + (int)i;
		p->status = fixture_status(item, a, freq == FREQ_QUARTER ? i : i * 4 + 1);
		p->value = p->status == POINT_PUBLISHED ? fixture_value(item, a, i) + (long long)i * 3
		                                        : leak;
		if (p->status == POINT_PUBLISHED)
			tp[m++] = (struct trend_point){ (int)i, period_quarter(p->period),
			                                period_year(p->period), (double)p->value };
	}
	derived_compute(s->points, n, freq, ind->kind, s->derived);
	/* derived_compute reads only published values; a hidden point's
	 * derived values are absent, as in the aggregator. */
	if (trend_analyse(tp, m, freq == FREQ_QUARTER, 0.05, &s->trend) != TREND_OK)
		abort();
	free(tp);
}

/* The review year's table: every 4th cell hidden, the rest published; its
 * leaves are the districts (ids 101...). Item 1 is protected with k 10,
 * the others with 5. A hidden cell carries the leak (a table never does:
 * the renderer must not show it all the same). */
static struct ptable *fixture_table(int year, size_t ndistricts, size_t item, long long leak)
{
	struct ptable *t = ptable_new(year, ndistricts, true);
	if (!t)
		abort();
	t->k = item == 1 ? 10 : 5;
	t->passed = true;
	for (size_t d = 0; d < ndistricts; d++)
		t->leaves[d] = 101 + (int)d;
	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++) {
		bool hidden = (i + item) % 4 == 1;
		t->cells[i].status = hidden ? DC_HIDDEN : DC_PUBLISHED;
		t->cells[i].value = hidden ? leak : 2000 + (long long)(i * 7 + item);
	}
	return t;
}

__attribute__((format(printf, 1, 2)))
static char *fixture_strdup(const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	char *s = strdup(tmp);
	if (!s)
		abort();
	return s;
}

/* The catalogue: three agencies, a municipality 9999 with ndistricts
 * districts, nind indicators (alternately flow and stock, first-line and
 * specialised). */
static void fixture_catalogue(struct catalogue *cat, size_t nind, size_t ndistricts)
{
	memset(cat, 0, sizeof *cat);
	cat->nagencies = 3;
	cat->agencies = calloc(3, sizeof *cat->agencies);
	cat->nareas = ndistricts + 1;
	cat->areas = calloc(cat->nareas, sizeof *cat->areas);
	cat->nindicators = nind;
	cat->indicators = calloc(nind ? nind : 1, sizeof *cat->indicators);
	if (!cat->agencies || !cat->areas || !cat->indicators)
		abort();
	for (size_t i = 0; i < 3; i++)
		cat->agencies[i] = (struct cat_agency){ (int)i + 1, fixture_strdup("agency%zu", i),
		                                        fixture_strdup("Verksamhet %zu", i), NULL };
	cat->areas[0] = (struct cat_area){ 100, strdup("9999"), strdup("Provkommun"), -1,
	                                   ndistricts, 0, 0 };
	for (size_t d = 0; d < ndistricts; d++)
		cat->areas[d + 1] = (struct cat_area){ 101 + (int)d, fixture_strdup("9999-d%02zu", d),
		                                       fixture_strdup("Område %zu", d), 0, 0,
		                                       0, 0 };
	for (size_t i = 0; i < nind; i++)
		cat->indicators[i] = (struct cat_indicator){
			(int)i + 1, fixture_strdup("ind.code%02zu", i), (int)(i % 3),
			i % 2 ? LEVEL_SPECIALISED : LEVEL_FIRST_LINE, i % 3 == 2 ? KIND_STOCK : KIND_FLOW,
			fixture_strdup("Indikator nummer %zu", i), fixture_strdup("Indicator number %zu", i),
			0 };
}

/* Reports of the three agencies: agency 0 on time, agency 1 late in Q2,
 * agency 2 missing Q3 and partial in Q4. */
static void fixture_reports(struct review *r, const struct catalogue *cat)
{
	time_t now = period_end(period_make(r->year + 1, 4));

	r->nagencies = 3;
	r->agencies = calloc(3, sizeof *r->agencies);
	if (!r->agencies)
		abort();
	for (size_t a = 0; a < 3; a++) {
		r->agencies[a].agency = &cat->agencies[a];
		for (int q = 0; q < 4; q++) {
			struct review_report *rep = &r->agencies[a].quarters[q];
			rep->period = period_make(r->year, q + 1);
			rep->expected = 10;
			time_t first = period_end(rep->period) + 5 * 86400;
			long long got = 10;
			/* Agency 1 is late twice, so the list groups its quarters. */
			if (a == 1 && (q == 1 || q == 3))
				first += 60 * 86400;
			if (a == 2 && q == 2)
				got = 0;
			if (a == 2 && q == 3)
				got = 7;
			review_report_judge(rep, got, first, r->grace_days, now);
		}
	}
}

static struct fixture *fixture_new(size_t nind, size_t ndistricts, int year, long long leak)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->leak = leak;
	fixture_catalogue(&f->cat, nind, ndistricts);
	struct review *r = &f->r;
	r->cat = &f->cat;
	r->municipality = &f->cat.areas[0];
	if (layout_make(&f->cat, r->municipality, &r->layout) != 0)
		abort();
	r->year = year;
	r->first_year = year - REVIEW_YEARS + 1;
	r->last_period = period_make(year, 4);
	r->alpha = 0.05;
	r->grace_days = 30;
	snprintf(r->as_of, sizeof r->as_of, "%d-02-01T08:00:00Z", year + 1);
	snprintf(r->generated, sizeof r->generated, "%d-02-02T09:30:00Z", year + 1);
	r->nitems = nind;
	r->items = calloc(nind ? nind : 1, sizeof *r->items);
	if (!r->items)
		abort();
	size_t nq = REVIEW_YEARS * 4;
	for (size_t i = 0; i < nind; i++) {
		struct review_indicator *it = &r->items[i];
		it->indicator = &f->cat.indicators[i];
		it->agency = &f->cat.agencies[it->indicator->agency];
		fixture_series(&it->quarters, it->indicator, r->municipality, FREQ_QUARTER,
		               period_make(r->first_year, 1), nq, i, 0, leak);
		fixture_series(&it->years, it->indicator, r->municipality, FREQ_YEAR, r->first_year,
		               REVIEW_YEARS, i, 0, leak);
		it->ndistricts = r->layout.ndistricts;
		it->districts = calloc(it->ndistricts ? it->ndistricts : 1, sizeof *it->districts);
		if (!it->districts)
			abort();
		for (size_t d = 0; d < it->ndistricts; d++)
			fixture_series(&it->districts[d], it->indicator, r->layout.leaves[d], FREQ_QUARTER,
			               period_make(r->first_year, 1), nq, i, d + 1, leak);
		it->table = fixture_table(year, r->layout.ndistricts, i, leak);
	}
	fixture_reports(r, &f->cat);
	return f;
}

static void fixture_free(struct fixture *f)
{
	review_free(&f->r);
	for (size_t i = 0; i < f->cat.nagencies; i++) {
		free(f->cat.agencies[i].code);
		free(f->cat.agencies[i].name);
	}
	for (size_t i = 0; i < f->cat.nareas; i++) {
		free(f->cat.areas[i].code);
		free(f->cat.areas[i].name);
	}
	for (size_t i = 0; i < f->cat.nindicators; i++) {
		free(f->cat.indicators[i].code);
		free(f->cat.indicators[i].name_sv);
		free(f->cat.indicators[i].name_en);
	}
	free(f->cat.agencies);
	free(f->cat.areas);
	free(f->cat.indicators);
	free(f);
}

#endif
