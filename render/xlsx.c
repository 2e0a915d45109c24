/* The workbook of published rows; see xlsx.h. */
#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "legend.h"
#include "period.h"

/* The largest workbook read back (a whole /v1/data answer is far less). */
#define XLSX_MAX ((size_t)512 << 20)

/* The words of the workbook in one language. */
struct xlsx_words {
	const char *data_sheet;        /* sheet one's name */
	const char *legend_sheet;      /* sheet two's name */
	const char *header[8];         /* sheet one's header */
	const char *quarter, *year;    /* the frequency column's words */
	const char *legend_title;      /* the legend's heading */
	const char *method_title;      /* the method's heading */
	const char *method[4];         /* the method's sentences */
	const char *k, *k_each;        /* the k's label, and its text when per indicator */
	const char *as_of, *now;       /* the point's label, and its text without as_of */
	const char *data_version;      /* the data version's label */
	const char *catalogue_version; /* the catalogue version's label */
};

static const struct xlsx_words words_sv = {
	"Data", "Teckenförklaring och metod",
	{ "Indikator", "Indikatornamn", "Område", "Områdesnamn", "Period", "Frekvens", "Värde",
	  "Status" },
	"kvartal", "år", "Teckenförklaring", "Metod",
	{ "Värdena är antal som verksamheterna rapporterat, per område och kvartal, och "
	  "årssummor av dem.",
	  "Röjandekontroll: ett antal under k döljs, och så många andra celler att det inte "
	  "kan räknas fram ur summorna; dolda celler visas som ..",
	  "Status: published = publicerat värde, suppressed = dolt av röjandekontrollen, "
	  "missing = inte rapporterat.",
	  "En nolla är talet 0, visat som – (SCB:s tecken för noll)." },
	"k (minsta antal som visas)", "varje indikators eget k (se /v1/table, suppress_below)",
	"Avser läget (as_of)", "när filen hämtades", "Dataversion", "Katalogversion",
};

static const struct xlsx_words words_en = {
	"Data", "Legend and method",
	{ "Indicator", "Indicator name", "Area", "Area name", "Period", "Frequency", "Value",
	  "Status" },
	"quarter", "year", "Legend", "Method",
	{ "The values are counts the agencies reported, per area and quarter, and their "
	  "yearly sums.",
	  "Disclosure control: a count below k is hidden, and as many other cells as keep it "
	  "from being worked out from the sums; hidden cells show ..",
	  "Status: published = a published value, suppressed = hidden by disclosure control, "
	  "missing = not reported.",
	  "A zero is the number 0, shown as – (the Swedish official symbol for zero)." },
	"k (smallest count shown)", "each indicator's own k (see /v1/table, suppress_below)",
	"As of", "when the file was fetched", "Data version", "Catalogue version",
};

/* The formats the cells use. */
struct xlsx_formats {
	lxw_format *bold;   /* the header */
	lxw_format *count;  /* a published number: "–" for zero */
	lxw_format *right;  /* ".." aligned as a number would be */
};

static void write_row(lxw_worksheet *ws, lxw_row_t at, const struct data_row *r,
                      const struct data_style *style, const struct xlsx_words *w,
                      const struct xlsx_formats *f)
{
	enum point_status st = point_status_of(r->cell.status);
	char period[PERIOD_STRLEN];

	if (r->col == DC_YEAR)
		snprintf(period, sizeof period, "%d", r->year);
	else
		period_format(period_make(r->year, r->col + 1), period);
	worksheet_write_string(ws, at, 0, r->indicator->code, NULL);
	worksheet_write_string(ws, at, 1, style->english ? r->indicator->name_en
	                                                 : r->indicator->name_sv, NULL);
	worksheet_write_string(ws, at, 2, r->area->code, NULL);
	worksheet_write_string(ws, at, 3, r->area->name, NULL);
	worksheet_write_string(ws, at, 4, period, NULL);
	worksheet_write_string(ws, at, 5, r->col == DC_YEAR ? w->year : w->quarter, NULL);
	if (st == POINT_PUBLISHED)
		worksheet_write_number(ws, at, 6, (double)r->cell.value, f->count);
	else
		worksheet_write_string(ws, at, 6, legend_cell_symbol(st, 0), f->right);
	worksheet_write_string(ws, at, 7, point_status_name(st), NULL);
}

static void data_sheet(lxw_workbook *wb, const struct data_row *rows, size_t n,
                       const struct data_style *style, const struct xlsx_words *w,
                       const struct xlsx_formats *f)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, w->data_sheet);

	for (lxw_col_t c = 0; c < 8; c++)
		worksheet_write_string(ws, 0, c, w->header[c], f->bold);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 1, 40, NULL);
	worksheet_set_column(ws, 2, 3, 20, NULL);
	for (size_t i = 0; i < n; i++)
		write_row(ws, (lxw_row_t)(i + 1), &rows[i], style, w, f);
}

static void legend_sheet(lxw_workbook *wb, const struct data_style *style,
                         const struct xlsx_method *m, const struct xlsx_words *w,
                         const struct xlsx_formats *f)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, w->legend_sheet);
	lxw_row_t at = 0;

	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, 1, 90, NULL);
	worksheet_write_string(ws, at++, 0, w->legend_title, f->bold);
	for (int s = 0; s < LEGEND_COUNT; s++, at++) {
		const struct legend_row *r = legend_row((enum legend_symbol)s);
		worksheet_write_string(ws, at, 0, r->symbol, NULL);
		worksheet_write_string(ws, at, 1, style->english ? r->en : r->sv, NULL);
	}
	worksheet_write_string(ws, ++at, 0, w->method_title, f->bold);
	for (int i = 0; i < 4; i++)
		worksheet_write_string(ws, ++at, 0, w->method[i], NULL);
	at += 2;
	worksheet_write_string(ws, at, 0, w->k, NULL);
	if (m->k > 0)
		worksheet_write_number(ws, at, 1, (double)m->k, NULL);
	else
		worksheet_write_string(ws, at, 1, w->k_each, NULL);
	worksheet_write_string(ws, ++at, 0, w->as_of, NULL);
	worksheet_write_string(ws, at, 1, m->as_of ? m->as_of : w->now, NULL);
	worksheet_write_string(ws, ++at, 0, w->data_version, NULL);
	worksheet_write_number(ws, at, 1, (double)m->data_version, NULL);
	worksheet_write_string(ws, ++at, 0, w->catalogue_version, NULL);
	worksheet_write_number(ws, at, 1, (double)m->catalogue_version, NULL);
}

/* Builds the workbook into the file at path. 0 or -1. */
static int write_book(const char *path, const struct data_row *rows, size_t n,
                      const struct data_style *style, const struct xlsx_method *m)
{
	const struct xlsx_words *w = style->english ? &words_en : &words_sv;
	lxw_workbook *wb = workbook_new(path);
	struct xlsx_formats f;

	if (!wb)
		return -1;
	f.bold = workbook_add_format(wb);
	format_set_bold(f.bold);
	f.count = workbook_add_format(wb);
	format_set_num_format(f.count, "#,##0;-#,##0;\"\xe2\x80\x93\"");
	format_set_align(f.count, LXW_ALIGN_RIGHT);
	f.right = workbook_add_format(wb);
	format_set_align(f.right, LXW_ALIGN_RIGHT);
	data_sheet(wb, rows, n, style, w, &f);
	legend_sheet(wb, style, m, w, &f);
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

int render_xlsx(const struct data_row *rows, size_t n, const struct data_style *style,
                const struct xlsx_method *method, struct buf *out)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int rc = -1;

	snprintf(path, sizeof path, "%s/samlad-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	if (write_book(path, rows, n, style, method) == 0)
		rc = buf_read_file(out, path, XLSX_MAX) == 0 ? 0 : -1;
	unlink(path);
	return rc;
}
