/* The symbols a table shows instead of a number, as Swedish official
 * statistics use them (SCB's teckenförklaring), so that no symbol means
 * something else to a Swedish reader: ".." is a value that is not
 * available (here: hidden by disclosure control, or not reported), "–" is
 * zero, "*" a provisional value, "|" a break in the series. The review,
 * the spreadsheets and the explorer print cells through this one table;
 * machine formats (JSON, CSV, JSON-stat, SDMX) carry numbers and status
 * words instead. Pure. */
#ifndef SAMLAD_LEGEND_H
#define SAMLAD_LEGEND_H

#include <stddef.h>
#include "series.h"

/* The symbols, in the order a legend lists them. */
enum legend_symbol {
	LEGEND_ZERO,           /* "–": magnitude zero */
	LEGEND_NOT_AVAILABLE,  /* "..": not available (hidden or not reported) */
	LEGEND_PROVISIONAL,    /* "*": a provisional value */
	LEGEND_BREAK,          /* "|": a break in the series before this value */
	LEGEND_COUNT
};

/* One line of the legend. */
struct legend_row {
	const char *symbol;  /* as printed, UTF-8 */
	const char *sv;      /* its meaning in Swedish, as SCB words it */
	const char *en;      /* its meaning in English */
};

/* The row of a symbol. */
const struct legend_row *legend_row(enum legend_symbol s);
/* The symbol a cell shows instead of its number, or NULL when the number
 * is shown: ".." for a value not published, "–" for a published zero. */
const char *legend_cell_symbol(enum point_status st, long long value);
/* The mark printed after a published value its agency flagged ("*"
 * provisional, "|" a break), or NULL for none. */
const char *legend_flag_symbol(int flag);

#endif
