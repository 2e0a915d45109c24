/* The /v1/data answer: many indicators x areas x periods in one table of
 * rows, as JSON or as CSV that opens in Excel. Only published cells of the
 * protected year tables come here (ptable.h), each named. Pure: no
 * database, no HTTP. */
#ifndef SAMLAD_DATA_H
#define SAMLAD_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "ptable.h"
#include "series.h"

/* One row: a cell of a year table, with what names it. */
struct data_row {
	const struct cat_indicator *indicator;  /* borrowed from the catalogue */
	const struct cat_area *area;            /* borrowed; a municipality or a leaf */
	int year;                               /* the table's year */
	int col;                                /* 0..3 the quarter's column, DC_YEAR the year */
	struct pcell cell;                      /* value and status as published */
	int flag;                               /* the agencies' enum flag (core/flag.h)
	                                         * of a published value, else 0 */
};

/* How the rows are written. */
struct data_style {
	bool english;  /* names in English (indicators' name_en) instead of Swedish */
	char sep;      /* the CSV's separator: ',' or ';' (Swedish Excel) */
};

/* Where a page lies among all the rows of a request. */
struct data_page {
	long long total;   /* rows of the whole request */
	long long page;    /* this page, from 1 */
	long long pages;   /* pages in all (at least 1) */
	const char *next;  /* the next page's path and query, or NULL on the last */
};

/* {"total", "page", "pages", "next", "rows": [{"indicator", "indicator_name",
 * "area", "area_name", "period", "frequency", "value", "status"} and "flag"
 * where the agency set one]}; NULL when memory ran out. */
cJSON *render_data(const struct data_row *rows, size_t n, const struct data_style *style,
                   const struct data_page *page);
/* The same rows as CSV: a UTF-8 byte order mark (so that Excel reads the
 * names as UTF-8), a header, one line per row, the flag last (empty for
 * none). 0 or -1. */
int render_data_csv(const struct data_row *rows, size_t n, const struct data_style *style,
                    struct buf *out) WUR;

/* A whole request as a cube: every indicator x area x period, its rows in
 * that order (rows[(i * narea + a) * nper + p]). */
struct data_cube {
	const struct cat_indicator *const *ind;  /* borrowed; the indicators, in order */
	size_t nind;                             /* how many */
	const struct cat_area *const *area;      /* borrowed; the areas, in order */
	size_t narea;                            /* how many */
	size_t nper;                             /* periods of each (indicator, area) */
	const struct data_row *rows;             /* borrowed; nind * narea * nper rows */
};

/* The cube as a JSON-stat 2.0 dataset: dimensions indicator, area and time
 * (ids the codes, labels the names), value null with a status word where
 * a cell is not published. NULL when memory ran out. */
cJSON *render_data_jsonstat(const struct data_cube *cube, const struct data_style *style);

/* The rows of a table, row by row and Q1..Q4 then the year (what its CSV
 * lists), for the formats that take rows (xlsx, SDMX-CSV): rows[] has
 * t->nrows * DC_NCOLS entries. Returns how many. */
size_t data_rows_of_table(const struct catalogue *cat, const struct cat_indicator *ind,
                          const struct cat_area *municipality, const struct ptable *t,
                          struct data_row *rows);
/* The points of a series as rows, in order: rows[] has s->n entries. */
void data_rows_of_series(const struct series *s, struct data_row *rows);

#endif
