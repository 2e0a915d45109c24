/* The selection of GET /v1/data and of the explorer (/explore), and the
 * reading of its rows: which indicators, areas and periods a request
 * names, and each cell of the protected year tables for them. Both
 * handlers call these, so that the explorer shows exactly the cells
 * /v1/data gives for the same selection. */
#ifndef SAMLAD_DATA_READ_H
#define SAMLAD_DATA_READ_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "data.h"
#include "http.h"
#include "series_tables.h"

/* The longest list a parameter may carry, in bytes. */
#define DATA_LIST_MAX 8192

/* A column of a year table a row comes from. */
struct data_period {
	int year;  /* the table's year */
	int col;   /* 0..3 a quarter, DC_YEAR the year */
};

/* What a request asks for, as its parameters say it (borrowed; NULL when
 * absent). */
struct data_ask {
	const char *indicator;  /* comma list of indicator codes; NULL: all */
	const char *area;       /* comma list of area codes, `0581*` a tree; NULL: all */
	const char *from;       /* the first quarter (or year); NULL: four years before to */
	const char *to;         /* the last; NULL: the last finished quarter */
	const char *freq;       /* all, quarter or year; NULL: all */
};

/* What a request selects, once read; the arrays are owned. */
struct data_sel {
	const struct cat_indicator **ind;  /* the indicators, in catalogue order */
	size_t nind;                       /* how many */
	const struct cat_area **area;      /* the areas, in catalogue order */
	size_t narea;                      /* how many */
	struct data_period *per;           /* the periods of each (indicator, area) */
	size_t nper;                       /* how many */
	int y0, y1;                        /* the years the periods lie in */
};

/* Reads the selection against the catalogue. 0, or -1 after answering
 * (400 invalid_parameter naming the parameter, or 500). */
int data_sel_read(struct http_request *req, const struct catalogue *cat,
                  const struct data_ask *ask, struct data_sel *s) WUR;
/* Frees the arrays (a zeroed selection too). */
void data_sel_free(struct data_sel *s);
/* Rows (cells) of the whole selection: indicators x areas x periods. */
long long data_sel_total(const struct data_sel *s);

/* Fills rows[] with rows first..first+n-1 of the selection, in the order
 * indicator, area, period, from the tables at ctx's point. */
enum agg_status data_rows_read(const struct tables_ctx *ctx, const struct data_sel *s,
                               long long first, size_t n, struct data_row *rows) WUR;

/* Appends "?name=value" (the first) or "&name=value" to a query being
 * built in b, the value percent-encoded where a query string would
 * misread it. */
void data_query_append(struct buf *b, const char *name, const char *value);

#endif
