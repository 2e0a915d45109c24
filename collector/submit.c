/* What the form's handlers share; see submit.h. */
#include "submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "html.h"
#include "period.h"

void submit_reply(struct collector *c, struct http_request *req, unsigned status,
                  struct submit_view *v, int agency_id)
{
	struct buf b = BUF_INIT;
	struct catalogue *cat = v->grid ? NULL : catalogue_hold(&c->cat);
	const struct cat_agency *agency = v->grid ? v->grid->agency
	                                  : cat ? catalogue_agency_by_id(cat, agency_id) : NULL;

	v->agency = agency ? agency->name : NULL;
	v->now = time(NULL);
	submit_page(&b, v);
	catalogue_unref(cat);
	html_reply(req, status, &b, 0);
}

int submit_quarter(struct collector *c, struct http_request *req, const struct words *w,
                   int agency_id, const char *text, int *period)
{
	char shown[40], message[200];
	enum period_error e = period_parse_checked(text, time(NULL), period);

	if (e == PERIOD_OK)
		return 0;
	snprintf(shown, sizeof shown, "%.32s", text);
	snprintf(message, sizeof message, "%s: '%s' (%s)", w->bad_quarter, shown,
	         period_error_message(e));
	struct submit_view v = { .w = w, .error = message };
	submit_reply(c, req, 400, &v, agency_id);
	return -1;
}

int submit_grid(struct collector *c, struct http_request *req, int agency_id, int period,
                struct grid *g)
{
	struct stored_count *counts = NULL;
	size_t n = 0;
	struct catalogue *cat = catalogue_hold(&c->cat);
	struct db *db = db_pool_get(c->pool);
	enum db_status st = store_current_counts(db, agency_id, period, &counts, &n);

	db_pool_put(c->pool, db);
	if (!cat || st == DB_UNAVAILABLE) {
		catalogue_unref(cat);
		collector_reply_unavailable(c, req);
	} else if (grid_build(g, cat, agency_id, period) != 0 || st != DB_OK)
		http_reply_error(req, 500, "internal_error", "the form could not be made");
	else {
		grid_set_stored(g, counts, n);
		free(counts);
		return 0;
	}
	free(counts);
	return -1;
}

/* Puts a conflict, in the page's language, beside its row's cell or, for a
 * row of no cell, above the grid with its indicator and area; not on_cells
 * (a file), above the grid with its line. */
static int place_conflict(struct grid *g, const struct words *w, const struct batch *b,
                          const struct conflict *k, bool on_cells)
{
	char message[CONFLICT_MESSAGE_MAX + 200];
	const struct raw_row *row = k->index < b->rows.n ? &b->rows.rows[k->index] : NULL;
	struct grid_cell *cell = on_cells && row && row->indicator && row->area
	                         ? grid_cell(g, row->indicator, row->area) : NULL;
	const char *said = words_conflict(w, k->code, k->message);

	if (cell)
		return grid_add_error(g, cell, said);
	if (!on_cells && k->line)
		snprintf(message, sizeof message, "%s %zu, %s: %s", w->line, k->line,
		         words_field(w, k->field), said);
	else
		snprintf(message, sizeof message, "%.80s, %.80s: %s",
		         row && row->indicator ? row->indicator : "?",
		         row && row->area ? row->area : "?", said);
	return grid_add_error(g, NULL, message);
}

/* Puts the locked periods' message beside every cell whose entered value
 * would be stored (new or changed), or above the grid when none. */
static int place_locked(struct grid *g, const struct batch *b, bool on_cells)
{
	char message[BATCH_LOCKED_MESSAGE_MAX];
	int placed = 0;

	batch_locked_message(&b->receipt, message, sizeof message);
	for (size_t i = 0; on_cells && i < g->ninds * g->nareas; i++) {
		struct grid_cell *cell = &g->cells[i];
		if (cell->has_typed && grid_state(cell, true) != GRID_STORED) {
			if (grid_add_error(g, cell, message) != 0)
				return -1;
			placed++;
		}
	}
	return placed ? 0 : grid_add_error(g, NULL, message);
}

/* The page after a stored submission: the grid read again, and the receipt. */
static void reply_stored(struct collector *c, struct http_request *req, const struct words *w,
                         struct batch *b, struct grid *g)
{
	int period = g->period;

	grid_free(g);
	if (submit_grid(c, req, b->who.agency_id, period, g) != 0)
		return;
	struct submit_view v = { .w = w, .grid = g, .receipt = &b->receipt };
	submit_reply(c, req, 200, &v, b->who.agency_id);
}

/* The status, top message and reason (the API's error code, for the
 * metrics) of an outcome that stored nothing; 0 for a receipt. */
static unsigned unstored_status(struct collector *c, struct http_request *req,
                                const struct words *w, struct batch *b,
                                enum batch_outcome out, const char **message,
                                const char **reason)
{
	char seconds[16];

	*message = w->errors;
	if (out == BATCH_REJECTED) {
		unsigned status = ingest_error_status(&b->err);
		/* A workbook gets the page's own sentence, in the page's language. */
		*message = status == 415 ? w->spreadsheet : b->err.message;
		*reason = status == 415 ? "unsupported_media_type" : b->err.code;
		return status;
	}
	*reason = "validation_failed";
	if (out == BATCH_INVALID)
		return 422;
	if (out == BATCH_STORED && b->result == STORE_CREATED)
		return 0;
	*reason = "period_locked";
	if (out == BATCH_STORED && b->result == STORE_PERIOD_LOCKED)
		return 409;
	if (out == BATCH_UNAVAILABLE || (out == BATCH_STORED &&
	    (b->result == STORE_UNAVAILABLE || b->result == STORE_STALE_CATALOGUE ||
	     b->result == STORE_NO_ROOM))) {
		snprintf(seconds, sizeof seconds, "%u", c->retry_after_s);
		http_add_header(req, "Retry-After", seconds);
		*message = w->unavailable;
		*reason = "database_unavailable";
		return 503;
	}
	*message = "the batch could not be stored; nothing was stored";
	*reason = "internal_error";
	return 500;
}

void submit_outcome(struct collector *c, struct http_request *req, const struct words *w,
                    struct batch *b, enum batch_outcome out, struct grid *g, bool on_cells)
{
	const char *message, *reason = NULL;
	unsigned status = unstored_status(c, req, w, b, out, &message, &reason);
	int rc = 0;

	/* Counted as the API counts its refusals; a dry run's too, as there. */
	if (status != 0)
		collector_count_refused(c, reason);
	if (status == 0 && !b->dry_run) {
		reply_stored(c, req, w, b, g);
		return;
	}
	struct submit_view v = { .w = w, .grid = g, .dry_run = b->dry_run };
	if (status == 0)
		v.receipt = &b->receipt;
	else
		v.error = message;
	for (size_t i = 0; status == 422 && rc == 0 && i < b->checked.conflicts.n; i++)
		rc = place_conflict(g, w, b, &b->checked.conflicts.items[i], on_cells);
	if (status == 409)
		rc = place_locked(g, b, on_cells);
	if (rc != 0)
		http_reply_error(req, 500, "internal_error", "out of memory listing the conflicts");
	else
		submit_reply(c, req, status ? status : 200, &v, b->who.agency_id);
}
