/* The quarter's template workbook; see template.h.
 *
 * libxlsxwriter 1.1 writes a workbook to a named file only, so the
 * workbook goes to a private temporary file (mkstemp: mode 0600, a name
 * no one else can take), is read back into memory and unlinked at once. */
#include "template.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "log.h"
#include "period.h"

/* The CSV reader's columns, in the order the first sheet has them. */
static const char *const row_header[] = { "indicator", "area", "period", "value" };

/* The second sheet's header, by language. */
static const char *const names_sv[] = { "indicator", "area", "indikator", "område" };
static const char *const names_en[] = { "indicator", "area", "indicator name", "area name" };

/* Writes a header row in bold and sets the columns' widths. */
static void write_header(lxw_worksheet *ws, lxw_format *bold, const char *const *names,
                         const double *widths)
{
	for (lxw_col_t col = 0; col < 4; col++) {
		worksheet_write_string(ws, 0, col, names[col], bold);
		worksheet_set_column(ws, col, col, widths[col], NULL);
	}
}

/* Writes one row of each sheet for cell (r, c) of the grid. */
static void write_row(lxw_worksheet *rows, lxw_worksheet *names, const struct grid *g,
                      size_t r, size_t c, lxw_row_t at, const char *period, bool english)
{
	const struct cat_indicator *ind = g->inds[r];

	/* Strings, never numbers: "0182" and "2025Q3" must stay as written. */
	worksheet_write_string(rows, at, 0, ind->code, NULL);
	worksheet_write_string(rows, at, 1, g->areas[c]->code, NULL);
	worksheet_write_string(rows, at, 2, period, NULL);
	worksheet_write_string(names, at, 0, ind->code, NULL);
	worksheet_write_string(names, at, 1, g->areas[c]->code, NULL);
	worksheet_write_string(names, at, 2, english ? ind->name_en : ind->name_sv, NULL);
	worksheet_write_string(names, at, 3, g->areas[c]->name, NULL);
}

/* Makes the workbook in the file `path`. Returns 0 or -1. */
static int write_workbook(const char *path, const struct grid *g, bool english)
{
	static const double row_widths[] = { 28, 20, 10, 10 };
	static const double name_widths[] = { 28, 20, 50, 24 };
	char period[PERIOD_STRLEN];
	lxw_workbook *wb = workbook_new(path);

	if (!wb)
		return -1;
	lxw_worksheet *rows = workbook_add_worksheet(wb, TEMPLATE_SHEET_ROWS);
	lxw_worksheet *names = workbook_add_worksheet(wb, english ? TEMPLATE_SHEET_NAMES_EN
	                                                          : TEMPLATE_SHEET_NAMES_SV);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	write_header(rows, bold, row_header, row_widths);
	write_header(names, bold, english ? names_en : names_sv, name_widths);
	period_format(g->period, period);
	lxw_row_t at = 1;
	for (size_t r = 0; r < g->ninds; r++)
		for (size_t c = 0; c < g->nareas; c++)
			if (g->cells[r * g->nareas + c].permitted)
				write_row(rows, names, g, r, c, at++, period, english);
	/* Closing writes the file; it frees the workbook whatever it says. */
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR)
		log_error("the template workbook could not be written: %s", lxw_strerror(e));
	return e == LXW_NO_ERROR ? 0 : -1;
}

int template_xlsx(const struct grid *g, bool english, struct buf *out)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int rc = -1;

	snprintf(path, sizeof path, "%s/samlad-template-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		log_error("no temporary file for the template: %s", strerror(errno));
		return -1;
	}
	close(fd);
	if (write_workbook(path, g, english) == 0 && buf_read_file(out, path, SIZE_MAX) == 0)
		rc = 0;
	unlink(path);
	return rc;
}
