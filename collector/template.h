/* The form's spreadsheet template: an .xlsx workbook of one quarter's
 * rows for an agency to fill in, made with libxlsxwriter. No HTTP and no
 * database: it is made from a grid (grid.h); template_get.c serves it.
 *
 * The first sheet holds the rows the collector's CSV takes, the header
 * indicator, area, period, value and one row per permitted indicator and
 * district, the value empty; saved from Excel as CSV (either dialect) it
 * is a batch for POST /v1/counts or the form's upload. The second sheet
 * names each row's indicator and area, so that the first holds only what
 * the CSV reader reads. */
#ifndef SAMLAD_TEMPLATE_H
#define SAMLAD_TEMPLATE_H

#include <stdbool.h>
#include "buf.h"
#include "compiler.h"
#include "grid.h"

/* The sheets' names: the first's is the same in both languages. */
#define TEMPLATE_SHEET_ROWS "counts"
#define TEMPLATE_SHEET_NAMES_SV "namn"
#define TEMPLATE_SHEET_NAMES_EN "names"

/* Appends the workbook of g's permitted cells (rows by indicator, then by
 * district, as the grid has them) to *out, the names in English when
 * english, else in Swedish. Returns 0, or -1 when the workbook could not
 * be made (no temporary file, out of memory); *out is the caller's. */
int template_xlsx(const struct grid *g, bool english, struct buf *out) WUR;

#endif
