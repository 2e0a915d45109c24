/* The explorer's page (GET /explore): a form (GET, no script) that
 * chooses indicators (grouped by agency), areas (a municipality, a
 * municipality with all its districts, a district), a range of quarters
 * and a frequency; and for what was chosen a chart and a table per
 * indicator, the legend of the symbols, and links that download the same
 * selection from /v1/data as CSV, JSON-stat and xlsx. Swedish unless
 * English is asked for. Every text from the catalogue or the request is
 * escaped. */
#ifndef SAMLAD_EXPLORE_PAGE_H
#define SAMLAD_EXPLORE_PAGE_H

#include <stdbool.h>
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "data.h"
#include "data_read.h"

/* What the page shows. */
struct explore_view {
	const struct catalogue *cat;  /* borrowed; the form's choices */
	bool english;                 /* the page in English */
	const char *indicators;       /* borrowed; the chosen codes as a comma list, "" for none */
	const char *areas;            /* borrowed; the chosen areas likewise (`0581*` a tree) */
	const char *from;             /* borrowed; the first quarter as asked, or NULL */
	const char *to;               /* borrowed; the last, or NULL */
	const char *freq;             /* borrowed; all, quarter or year */
	const struct data_sel *sel;   /* borrowed; the selection read, or NULL: nothing chosen */
	const struct data_row *rows;  /* borrowed; its rows, or NULL when too many to show */
	long long cells;              /* the selection's cells (data_sel_total) */
	long long cells_max;          /* the most cells a page shows */
};

/* Appends the whole page. 0, or -1 when memory ran out. */
int explore_page(struct buf *b, const struct explore_view *v) WUR;

#endif
