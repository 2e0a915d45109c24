/* POST /submit: the grid's form (application/x-www-form-urlencoded, with
 * the session cookie). Fields: quarter, lang, action ("check" or
 * "submit") and one "v:<indicator>:<area>" per cell. The cells that are
 * not empty become the rows of a CSV batch (indicator,area,period,value)
 * that goes exactly the way of POST /v1/counts with Content-Type text/csv
 * (batch.c): "check" as its dry run. The page shows the receipt, or every
 * conflict beside its cell, and keeps what was entered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "form.h"
#include "http_browser.h"
#include "submit.h"

/* The longest name or value of a field read. */
#define FIELD_MAX 1024

/* What the form held besides the cells. */
struct posted {
	char quarter[FIELD_MAX + 1]; /* the quarter's text */
	char lang[4];                /* "en", else Swedish */
	bool check;                  /* action=check: a dry run */
	bool has_quarter;            /* quarter came */
};

/* Reads the fields that are not cells. */
static int read_other(void *ctx, const char *name, const char *value)
{
	struct posted *p = ctx;

	if (strcmp(name, "quarter") == 0) {
		p->has_quarter = true;
		snprintf(p->quarter, sizeof p->quarter, "%s", value);
	} else if (strcmp(name, "lang") == 0)
		snprintf(p->lang, sizeof p->lang, "%s", value);
	else if (strcmp(name, "action") == 0)
		p->check = strcmp(value, "check") == 0;
	return 0;
}

/* Where the cells go: the grid keeps what was entered, the CSV gets the
 * cells that are not empty. */
struct cells {
	struct grid *g;     /* borrowed */
	struct buf *csv;    /* borrowed; the batch */
	const char *period; /* the quarter's text as the rows carry it */
	size_t sent;        /* rows written */
};

/* Splits "v:<indicator>:<area>" in place; NULL for a field of no cell. */
static char *cell_area(char *name)
{
	if (strncmp(name, "v:", 2) != 0)
		return NULL;
	char *sep = strchr(name + 2, ':');
	if (!sep)
		return name + strlen(name);
	*sep = '\0';
	return sep + 1;
}

static int read_cell(void *ctx, const char *name, const char *value)
{
	struct cells *x = ctx;
	char key[FIELD_MAX + 1];

	snprintf(key, sizeof key, "%s", name);
	const char *area = cell_area(key);
	if (!area)
		return 0;
	struct grid_cell *cell = grid_cell(x->g, key + 2, area);
	if (cell)
		grid_set_typed(cell, value);
	if (!*value)
		return 0;
	const char *fields[] = { key + 2, area, x->period, value };
	x->sent++;
	return csv_write_record(x->csv, fields, 4) == 0 ? 0 : -1;
}

/* Refuses a body that is no form (415, 400). 0 when it is one. */
static int read_form(struct collector *c, struct http_request *req, int agency_id,
                     struct posted *p)
{
	size_t len;
	const char *body = http_body(req, &len);
	const struct words *w = words_for(NULL);
	struct submit_view v = { .w = w };

	unsigned status = 415;

	if (strcmp(http_content_type(req), FORM_TYPE) != 0)
		v.error = w->form_type;
	else if (form_each(body, len, FIELD_MAX, read_other, p) != 0) {
		v.error = "the form could not be read";
		status = 400;
	} else
		return 0;
	submit_reply(c, req, status, &v, agency_id);
	return -1;
}

void submit_post(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct posted p = { .quarter = "", .lang = "" };
	struct batch b = BATCH_INIT;
	struct grid g = GRID_INIT;
	struct buf csv = BUF_INIT;
	int period;
	size_t len;
	const char *body = http_body(req, &len);

	if (http_cross_site(req)) {
		struct submit_view v = { .w = words_for(NULL), .error = words_for(NULL)->cross_site };
		submit_reply(c, req, 403, &v, 0);
		return;
	}
	if (collector_session_submitter(c, req, &b.who) != 0 ||
	    read_form(c, req, b.who.agency_id, &p) != 0)
		goto done;
	const struct words *w = words_for(p.lang);
	if (submit_quarter(c, req, w, b.who.agency_id, p.quarter, &period) != 0 ||
	    submit_grid(c, req, b.who.agency_id, period, &g) != 0)
		goto done;
	g.posted = true;
	struct cells x = { &g, &csv, p.quarter, 0 };
	buf_puts(&csv, "indicator,area,period,value\r\n");
	if (form_each(body, len, FIELD_MAX, read_cell, &x) != 0 || buf_failed(&csv)) {
		http_reply_error(req, 500, "internal_error", "the form could not be read");
		goto done;
	}
	if (x.sent == 0) {
		/* The batch would say "a header but no rows"; the page says it so. */
		struct submit_view v = { .w = w, .grid = &g, .error = w->empty_form };
		submit_reply(c, req, 400, &v, b.who.agency_id);
		goto done;
	}
	b.dry_run = p.check;
	enum batch_outcome out = batch_run(c, &b, csv.data, csv.len, true);
	submit_outcome(c, req, w, &b, out, &g, true);
done:
	batch_free(&b);
	grid_free(&g);
	buf_free(&csv);
}
