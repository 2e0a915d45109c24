/* The published tables a series is made of, read before the work on them
 * (series_from_tables in analysis/series_build.h), which needs no
 * connection. */
#ifndef SAMLAD_SERIES_TABLES_H
#define SAMLAD_SERIES_TABLES_H

#include "compiler.h"
#include "series_build.h"
#include "states.h"

/* The tables of one series' years. */
struct series_tables {
	struct ptable **tables;  /* owned; one per year y0..y1, each free()d by series_tables_free */
	int y0;                  /* the first year, with the lead-in */
	int y1;                  /* the last year */
};

/* Reads the tables of every year the request spans (series_years) at
 * ctx's point, on ctx's connection. *out is the caller's to free with
 * series_tables_free, also on failure. */
enum agg_status series_tables_read(const struct tables_ctx *ctx, const struct series_request *rq,
                                   struct series_tables *out) WUR;
void series_tables_free(struct series_tables *t);

#endif
