/* The form's page (GET and POST /submit): the quarter picker, or the
 * grid of a quarter with its messages, and the upload. Plain HTML with no
 * script; every text from the catalogue or the user is escaped. No HTTP:
 * the handlers reply with what it wrote. */
#ifndef SAMLAD_SUBMIT_PAGE_H
#define SAMLAD_SUBMIT_PAGE_H

#include <time.h>
#include "buf.h"
#include "grid.h"
#include "store.h"
#include "words.h"

/* How many quarters the picker offers, the current one first. */
#define SUBMIT_PICKER_QUARTERS 8

/* What the page shows. */
struct submit_view {
	const struct words *w;        /* its language */
	const char *agency;           /* the agency's name, or NULL */
	struct grid *grid;            /* the quarter's grid, or NULL for the picker */
	time_t now;                   /* the clock, for the picker's quarters */
	const char *error;            /* a message above the rest, or NULL */
	const struct receipt *receipt; /* the receipt of a check or a submission, or NULL */
	bool dry_run;                 /* the receipt is a check's */
};

/* Writes the page into b; a failure shows in the buffer (buf_failed). */
void submit_page(struct buf *b, const struct submit_view *v);

#endif
