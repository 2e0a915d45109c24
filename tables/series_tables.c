/* Reading a series' tables; see series_tables.h. */
#include "series_tables.h"

#include <stdlib.h>

enum agg_status series_tables_read(const struct tables_ctx *ctx, const struct series_request *rq,
                                   struct series_tables *out)
{
	const struct cat_area *m = area_municipality(ctx->cat, rq->area);

	series_years(rq, &out->y0, &out->y1);
	out->tables = calloc((size_t)(out->y1 - out->y0 + 1), sizeof *out->tables);
	if (!out->tables)
		return AGG_FAILED;
	return tables_read(ctx, rq->indicator->id, m->id, out->y0, out->y1, out->tables);
}

void series_tables_free(struct series_tables *t)
{
	for (int y = t->y0; t->tables && y <= t->y1; y++)
		free(t->tables[y - t->y0]);
	free(t->tables);
	t->tables = NULL;
}
