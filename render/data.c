/* The /v1/data renderings; see data.h. The columns are those an analyst
 * pivots on: quarter and year rows are told apart by their own column,
 * frequency, so that a pivot over quarters never counts a year twice. */
#include "data.h"

#include <stdio.h>
#include "csv.h"
#include "flag.h"
#include "json_build.h"
#include "period.h"
#include "series.h"

/* The header of the CSV, in the order of data_fields. */
static const char *const data_columns[] = { "indicator", "indicator_name", "area", "area_name",
                                            "period", "frequency", "value", "status", "flag" };
#define DATA_NCOLUMNS (sizeof data_columns / sizeof data_columns[0])

/* The text of one row's fields; value is "" unless published. */
struct data_fields {
	char period[PERIOD_STRLEN];  /* "2024Q1" or "2024" */
	char value[24];              /* the published count */
	const char *text[DATA_NCOLUMNS]; /* every column, borrowed from the row or above */
};

static void fields_of(const struct data_row *r, const struct data_style *style,
                      struct data_fields *f)
{
	enum point_status st = point_status_of(r->cell.status);
	bool year = r->col == DC_YEAR;

	if (year)
		snprintf(f->period, sizeof f->period, "%d", r->year);
	else
		period_format(period_make(r->year, r->col + 1), f->period);
	f->value[0] = '\0';
	if (st == POINT_PUBLISHED)
		snprintf(f->value, sizeof f->value, "%lld", r->cell.value);
	const char *const text[DATA_NCOLUMNS] = {
		r->indicator->code, style->english ? r->indicator->name_en : r->indicator->name_sv,
		r->area->code, r->area->name, f->period, year ? "year" : "quarter", f->value,
		point_status_name(st), flag_name((enum flag)r->flag) ? flag_name((enum flag)r->flag) : "",
	};
	for (size_t i = 0; i < DATA_NCOLUMNS; i++)
		f->text[i] = text[i];
}

static cJSON *row_json(const struct data_row *r, const struct data_style *style)
{
	struct data_fields f;
	cJSON *o = cJSON_CreateObject();
	bool ok = true;

	fields_of(r, style, &f);
	for (size_t i = 0; ok && i < DATA_NCOLUMNS; i++) {
		if (i == 8)
			ok = !f.text[i][0] || cJSON_AddStringToObject(o, "flag", f.text[i]);
		else if (i == 6)
			ok = json_add(o, "value", f.value[0] ? cJSON_CreateNumber((double)r->cell.value)
			                                     : cJSON_CreateNull());
		else
			ok = cJSON_AddStringToObject(o, data_columns[i], f.text[i]) != NULL;
	}
	return json_checked(o, ok);
}

cJSON *render_data(const struct data_row *rows, size_t n, const struct data_style *style,
                   const struct data_page *page)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddNumberToObject(o, "total", (double)page->total) &&
	          cJSON_AddNumberToObject(o, "page", (double)page->page) &&
	          cJSON_AddNumberToObject(o, "pages", (double)page->pages) &&
	          json_add(o, "next", page->next ? cJSON_CreateString(page->next)
	                                         : cJSON_CreateNull());
	cJSON *list = ok ? cJSON_AddArrayToObject(o, "rows") : NULL;

	ok = ok && list;
	for (size_t i = 0; ok && i < n; i++)
		ok = json_append(list, row_json(&rows[i], style));
	return json_checked(o, ok);
}

int render_data_csv(const struct data_row *rows, size_t n, const struct data_style *style,
                    struct buf *out)
{
	struct data_fields f;

	buf_puts(out, "\xEF\xBB\xBF");
	csv_write_record_sep(out, data_columns, DATA_NCOLUMNS, style->sep);
	for (size_t i = 0; i < n; i++) {
		fields_of(&rows[i], style, &f);
		csv_write_record_sep(out, f.text, DATA_NCOLUMNS, style->sep);
	}
	return buf_failed(out) ? -1 : 0;
}

size_t data_rows_of_table(const struct catalogue *cat, const struct cat_indicator *ind,
                          const struct cat_area *municipality, const struct ptable *t,
                          struct data_row *rows)
{
	size_t n = 0;

	for (size_t r = 0; r < t->nrows; r++) {
		const struct cat_area *a = r < t->nleaves ? catalogue_area_by_id(cat, t->leaves[r])
		                                          : municipality;
		if (!a)
			continue; /* areas are never deleted; never here */
		for (int c = 0; c < DC_NCOLS; c++)
			rows[n++] = (struct data_row){ ind, a, t->year, c,
			                               t->cells[r * DC_NCOLS + (size_t)c],
			                               t->flags[r * DC_NCOLS + (size_t)c] };
	}
	return n;
}

void data_rows_of_series(const struct series *s, struct data_row *rows)
{
	static const enum dc_cell cell_of[] = { [POINT_PUBLISHED] = DC_PUBLISHED,
	                                        [POINT_SUPPRESSED] = DC_HIDDEN,
	                                        [POINT_MISSING] = DC_MISSING };

	for (size_t i = 0; i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		bool q = s->freq == FREQ_QUARTER;
		rows[i] = (struct data_row){ s->indicator, s->area,
		                             q ? period_year(p->period) : p->period,
		                             q ? period_quarter(p->period) - 1 : DC_YEAR,
		                             { p->value, cell_of[p->status] }, p->flag };
	}
}
