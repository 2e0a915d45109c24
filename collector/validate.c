/* Validation against the catalogue, in three passes: resolve every row's
 * codes, find repeated keys (which needs every row resolved), then write the
 * conflicts row by row, merged with what ingest found, so that the list comes
 * out in order without sorting the whole of it. */
#include "validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "period.h"

#define NO_ROW SIZE_MAX

/* What pass one learnt about a row. */
struct check {
	const struct cat_indicator *ind; /* the indicator, or NULL when absent or unknown */
	const struct cat_area *area;     /* the area, or NULL when absent or unknown */
	enum period_error period_err;    /* PERIOD_OK when the period is usable */
	int period;                      /* canonical yyyyq when it parsed, else 0 */
	bool permitted;                  /* the agency may report ind for area */
	size_t dup_of;                   /* index of the first row with the same key, or NO_ROW */
};

/* A row's key, for finding repeats. */
struct key_ref {
	int indicator_id; /* indicator.id */
	int area_id;      /* area.id */
	int period;       /* yyyyq */
	size_t index;     /* the row */
};

/* Everything pass three needs. */
struct validate_ctx {
	const struct raw_batch *batch;  /* the rows */
	const struct check *checks;     /* pass one's findings, one per row */
	int current;                    /* the current quarter, for messages */
	struct conflicts *row;          /* scratch: the conflicts of one row */
};

/* What pass one resolved for the previous row. The rows of a batch mostly
 * share their indicator and their period (an agency reports a quarter at a
 * time), so each is looked up or parsed once per run of equal texts, and
 * the current quarter once per batch rather than once per row. */
struct memo {
	const char *indicator;           /* the last indicator text, or NULL */
	const struct cat_indicator *ind; /* what it resolved to */
	const char *period;              /* the last period text, or NULL */
	enum period_error period_err;    /* what it parsed to */
	int period_value;                /* yyyyq when it parsed */
	int current;                     /* the current quarter, yyyyq */
};

/* The period's syntax and range: from 2000Q1 to the current quarter. The
 * parsed value is kept also when the range is wrong, for the messages. */
static void check_period(const char *text, struct memo *m, struct check *c)
{
	if (!m->period || strcmp(text, m->period) != 0) {
		m->period = text;
		m->period_value = 0;
		m->period_err = period_parse(text, &m->period_value);
		if (m->period_err == PERIOD_OK && period_year(m->period_value) < PERIOD_MIN_YEAR)
			m->period_err = PERIOD_TOO_EARLY;
		else if (m->period_err == PERIOD_OK && m->period_value > m->current)
			m->period_err = PERIOD_FUTURE;
	}
	c->period_err = m->period_err;
	c->period = m->period_value;
}

static const struct cat_indicator *check_indicator(const char *text, const struct catalogue *cat,
                                                   struct memo *m)
{
	if (!m->indicator || strcmp(text, m->indicator) != 0) {
		m->indicator = text;
		m->ind = catalogue_indicator(cat, text);
	}
	return m->ind;
}

/* Pass one: looks up one row's codes and period. */
static void check_row(const struct raw_row *row, const struct catalogue *cat,
                      int agency_id, struct memo *m, struct check *c)
{
	memset(c, 0, sizeof *c);
	c->dup_of = NO_ROW;
	c->period_err = PERIOD_SYNTAX;
	if (row->indicator)
		c->ind = check_indicator(row->indicator, cat, m);
	if (row->area)
		c->area = catalogue_area(cat, row->area);
	if (row->period)
		check_period(row->period, m, c);
	if (c->ind && c->area && catalogue_area_is_leaf(c->area))
		c->permitted = catalogue_permitted(cat, agency_id, c->ind->id, c->area->id);
}

static int key_compare(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;

	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	if (x->area_id != y->area_id)
		return x->area_id < y->area_id ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_key(const struct key_ref *a, const struct key_ref *b)
{
	return a->indicator_id == b->indicator_id && a->area_id == b->area_id &&
	       a->period == b->period;
}

/* Pass two: every row whose key an earlier row already had gets dup_of.
 * Rows whose indicator, area or period is unusable have no key. */
static int find_repeats(struct check *checks, size_t n)
{
	struct key_ref *keys = malloc((n ? n : 1) * sizeof *keys);
	size_t nkeys = 0;

	if (!keys)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct check *c = &checks[i];
		if (c->ind && c->area && c->period_err == PERIOD_OK)
			keys[nkeys++] = (struct key_ref){ c->ind->id, c->area->id, c->period, i };
	}
	qsort(keys, nkeys, sizeof *keys, key_compare);
	for (size_t k = 1, first = 0; k < nkeys; k++) {
		if (same_key(&keys[first], &keys[k]))
			checks[keys[k].index].dup_of = keys[first].index;
		else
			first = k;
	}
	free(keys);
	return 0;
}

/* Conflicts about the indicator: unknown, or not this agency's to report. */
static int indicator_conflicts(struct validate_ctx *x, size_t i)
{
	const struct raw_row *r = &x->batch->rows[i];
	const struct check *c = &x->checks[i];
	char ind[CONFLICT_FIELD_MAX], area[CONFLICT_FIELD_MAX];

	if (!r->indicator || (c->ind && (!c->area || !catalogue_area_is_leaf(c->area) ||
	                                 c->permitted)))
		return 0;
	ingest_echo(ind, sizeof ind, r->indicator, strlen(r->indicator));
	if (!c->ind)
		return conflicts_add(x->row, i, r->line, RANK_INDICATOR, "indicator",
		                     "unknown_indicator", "indicator '%s' is not in the catalogue", ind);
	ingest_echo(area, sizeof area, r->area, strlen(r->area));
	return conflicts_add(x->row, i, r->line, RANK_INDICATOR, "indicator", "not_permitted",
	                     "your agency is not permitted to report indicator '%s' for area '%s'",
	                     ind, area);
}

/* Conflicts about the area: unknown, or a municipality that has districts. */
static int area_conflicts(struct validate_ctx *x, size_t i)
{
	const struct raw_row *r = &x->batch->rows[i];
	const struct check *c = &x->checks[i];
	char area[CONFLICT_FIELD_MAX];

	if (!r->area || (c->area && catalogue_area_is_leaf(c->area)))
		return 0;
	ingest_echo(area, sizeof area, r->area, strlen(r->area));
	if (!c->area)
		return conflicts_add(x->row, i, r->line, RANK_AREA, "area", "unknown_area",
		                     "area '%s' is not in the catalogue", area);
	return conflicts_add(x->row, i, r->line, RANK_AREA, "area", "not_a_leaf_area",
	                     "area '%s' has %zu districts; report each district instead",
	                     area, c->area->nchildren);
}

/* A known leaf area counts only from its first period to its last: a
 * district added from 2027Q1 is no part of any table before, so a count
 * for 2026 would be counted nowhere. */
static int area_period_conflict(struct validate_ctx *x, size_t i)
{
	const struct raw_row *r = &x->batch->rows[i];
	const struct check *c = &x->checks[i];
	const struct cat_area *a = c->area;
	char text[PERIOD_STRLEN], bound[PERIOD_STRLEN];

	if (!a || !catalogue_area_is_leaf(a) || catalogue_area_active(a, c->period))
		return 0;
	period_format(c->period, text);
	bool before = a->first_period && c->period < a->first_period;
	period_format(before ? a->first_period : a->last_period, bound);
	if (before)
		return conflicts_add(x->row, i, r->line, RANK_PERIOD, "period", "period_before_area",
		                     "area '%s' is counted from %s; period %s is before it",
		                     a->code, bound, text);
	return conflicts_add(x->row, i, r->line, RANK_PERIOD, "period", "period_after_area",
	                     "area '%s' is counted until %s; period %s is after it",
	                     a->code, bound, text);
}

static int period_conflicts(struct validate_ctx *x, size_t i)
{
	const struct raw_row *r = &x->batch->rows[i];
	const struct check *c = &x->checks[i];
	char text[CONFLICT_FIELD_MAX], now[PERIOD_STRLEN];

	if (!r->period)
		return 0;
	if (c->period_err == PERIOD_OK)
		return area_period_conflict(x, i);
	ingest_echo(text, sizeof text, r->period, strlen(r->period));
	if (c->period_err == PERIOD_TOO_EARLY)
		return conflicts_add(x->row, i, r->line, RANK_PERIOD, "period", "period_too_early",
		                     "period '%s' is before 2000Q1, the first quarter accepted", text);
	if (c->period_err == PERIOD_FUTURE) {
		period_format(x->current, now);
		return conflicts_add(x->row, i, r->line, RANK_PERIOD, "period", "future_period",
		                     "period '%s' is after the current quarter, %s", text, now);
	}
	return conflicts_add(x->row, i, r->line, RANK_PERIOD, "period", "invalid_period",
	                     "period '%s' is not a quarter; write it as YYYYQn or YYYY-Qn "
	                     "(or YYYYKn, YYYY-Kn), e.g. 2024Q3", text);
}

static int repeat_conflict(struct validate_ctx *x, size_t i)
{
	const struct raw_row *r = &x->batch->rows[i];
	const struct check *c = &x->checks[i];
	char ind[CONFLICT_FIELD_MAX], area[CONFLICT_FIELD_MAX], period[PERIOD_STRLEN];

	if (c->dup_of == NO_ROW)
		return 0;
	ingest_echo(ind, sizeof ind, r->indicator, strlen(r->indicator));
	ingest_echo(area, sizeof area, r->area, strlen(r->area));
	period_format(c->period, period);
	return conflicts_add(x->row, i, r->line, RANK_ROW, "row", "duplicate_key",
	                     "indicator '%s', area '%s' and period %s already appear at index %zu",
	                     ind, area, period, c->dup_of);
}

/* Orders one row's conflicts by rank, keeping the order of equal ranks. */
static void sort_row(struct conflicts *row)
{
	for (size_t i = 1; i < row->n; i++) {
		struct conflict c = row->items[i];
		size_t j = i;
		for (; j > 0 && row->items[j - 1].rank > c.rank; j--)
			row->items[j] = row->items[j - 1];
		row->items[j] = c;
	}
}

/* Pass three for one row: ingest's conflicts (from *cursor on) and the
 * catalogue's, sorted and appended to out. */
static int row_conflicts(struct validate_ctx *x, size_t i, const struct conflicts *found,
                         size_t *cursor, struct validation *out)
{
	x->row->n = 0;
	for (; *cursor < found->n && found->items[*cursor].index == i; (*cursor)++)
		if (conflicts_push(x->row, &found->items[*cursor]) != 0)
			return -1;
	if (indicator_conflicts(x, i) != 0 || area_conflicts(x, i) != 0 ||
	    period_conflicts(x, i) != 0 || repeat_conflict(x, i) != 0)
		return -1;
	if (x->row->n == 0 && !x->batch->rows[i].bad)
		return 0;
	out->invalid_rows++;
	sort_row(x->row);
	for (size_t k = 0; k < x->row->n; k++)
		if (conflicts_push(&out->conflicts, &x->row->items[k]) != 0)
			return -1;
	return 0;
}

/* Every row is valid: resolve them to ids. */
static int collect_rows(const struct raw_batch *batch, const struct check *checks,
                        struct validation *out)
{
	out->rows = malloc((batch->n ? batch->n : 1) * sizeof *out->rows);
	if (!out->rows)
		return -1;
	for (size_t i = 0; i < batch->n; i++)
		out->rows[i] = (struct valid_row){ checks[i].ind->id, checks[i].area->id,
		                                   checks[i].period, (int)batch->rows[i].value,
		                                   batch->rows[i].flag };
	return 0;
}

int validate_batch(const struct raw_batch *batch, const struct conflicts *found,
                   const struct catalogue *cat, int agency_id, time_t now,
                   struct validation *out)
{
	struct conflicts row = CONFLICTS_INIT;
	struct check *checks = malloc((batch->n ? batch->n : 1) * sizeof *checks);
	size_t cursor = 0;
	int rc = -1;

	out->nrows = batch->n;
	if (!checks)
		goto fail;
	struct memo memo = { NULL, NULL, NULL, PERIOD_SYNTAX, 0, period_current(now) };
	for (size_t i = 0; i < batch->n; i++)
		check_row(&batch->rows[i], cat, agency_id, &memo, &checks[i]);
	if (find_repeats(checks, batch->n) != 0)
		goto fail;
	struct validate_ctx x = { batch, checks, memo.current, &row };
	for (size_t i = 0; i < batch->n; i++)
		if (row_conflicts(&x, i, found, &cursor, out) != 0)
			goto fail;
	/* Conflicts ingest dropped past its limit belong to rows after the
	 * last one listed here, so they are dropped here too. */
	out->conflicts.omitted += found->omitted;
	rc = out->invalid_rows ? 0 : collect_rows(batch, checks, out);
fail:
	conflicts_free(&row);
	free(checks);
	return rc;
}

void validation_free(struct validation *v)
{
	free(v->rows);
	conflicts_free(&v->conflicts);
	*v = (struct validation)VALIDATION_INIT;
}
