/* JSON and CSV renderings of what the endpoints answer. Each function
 * takes published data only (series.h, ptable.h) and returns a new
 * cJSON object (NULL when memory ran out) or appends to a buffer (0 or -1).
 * Floating-point statistics are rounded to RENDER_DIGITS significant
 * digits, so that the same data always prints the same text. */
#ifndef SAMLAD_RENDER_H
#define SAMLAD_RENDER_H

#include <cjson/cJSON.h>
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "ptable.h"
#include "series.h"

#define RENDER_DIGITS 6

/* {"code", "name_sv", "name_en", "agency", "level", "kind"} */
cJSON *render_indicator(const struct catalogue *cat, const struct cat_indicator *ind);
/* {"code", "name", "parent"}: parent is the parent's code or null. */
cJSON *render_area(const struct catalogue *cat, const struct cat_area *area);

/* The /v1/series body: indicator, area, freq, points, derived, trend. */
cJSON *render_series(const struct catalogue *cat, const struct series *s);
/* The /v1/series CSV: indicator,area,period,value,status. */
int render_series_csv(const struct series *s, struct buf *out) WUR;

/* The /v1/table body: indicator, area, year, suppress_below, audit, rows. */
cJSON *render_table(const struct catalogue *cat, const struct cat_indicator *ind,
                    const struct cat_area *municipality, const struct ptable *t);
/* The /v1/table CSV: indicator,area,period,frequency,value,status, the
 * frequency "quarter" or "year" so that a pivot over the quarters never
 * counts a year's column as one more quarter. */
int render_table_csv(const struct catalogue *cat, const struct cat_indicator *ind,
                     const struct cat_area *municipality, const struct ptable *t,
                     struct buf *out) WUR;

#endif
