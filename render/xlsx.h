/* Published rows (data.h) as an Excel workbook, for the analyst who works
 * in a spreadsheet. Sheet one holds the rows: a header, then per row the
 * indicator, its name, the area, its name, the period, the frequency, the
 * value and the status word. A published value is a number (a zero stays
 * the number 0, shown as SCB's "–" by its number format, so that sums and
 * pivots still count it); a value not published is the legend's ".." as
 * text. Sheet two holds the legend (legend.h) and the method: what the
 * cells are, the k, the point answered for and the versions. Swedish by
 * default, English with style->english.
 *
 * libxlsxwriter writes only to a file: the workbook goes through a private
 * temporary file (mkstemp under TMPDIR or /tmp, unlinked at once after
 * reading) and comes back in memory. No database, no HTTP. */
#ifndef SAMLAD_XLSX_H
#define SAMLAD_XLSX_H

#include <stddef.h>
#include "buf.h"
#include "compiler.h"
#include "data.h"

/* What the method sheet says about the answer. */
struct xlsx_method {
	long long k;                  /* the k the cells were protected with; 0 when it
	                               * is each indicator's own (stated by /v1/table) */
	const char *as_of;            /* the as_of answered for, or NULL for "now" */
	long long data_version;       /* the data version (Samlad-Data-Version) */
	long long catalogue_version;  /* the catalogue version */
};

/* Writes the workbook into out (appended). 0, or -1 when the file could
 * not be made or memory ran out. */
int render_xlsx(const struct data_row *rows, size_t n, const struct data_style *style,
                const struct xlsx_method *method, struct buf *out) WUR;

#endif
