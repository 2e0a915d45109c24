/* GET /v1/table?indicator=&area=MUNICIPALITY&year=2024[&as_of=][&format=][&lang=]
 * The protected year table a review meeting looks at: each district and the
 * municipality, by Q1..Q4 and the year, with the audit's verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aggregator.h"
#include "query.h"
#include "render.h"
#include "sdmx.h"
#include "xlsx.h"

/* Positions in the parameter list. */
enum { P_INDICATOR, P_AREA, P_YEAR, P_AS_OF, P_FORMAT, P_LANG, P_COUNT };

/* The request once its parameters are read. */
struct table_args {
	const struct cat_indicator *indicator;  /* what */
	const struct cat_area *municipality;    /* a top-level area */
	int year;                               /* the calendar year */
	enum query_format format;               /* JSON, CSV, SDMX-JSON, SDMX-CSV or xlsx */
	bool english;                           /* lang=en: the workbook in English */
	char as_of[QUERY_TIME_MAX];             /* canonical as_of, or "" */
};

static int args_read(struct http_request *req, const struct catalogue *cat,
                     const struct query_param *qp, struct table_args *out)
{
	return query_indicator(req, cat, qp[P_INDICATOR].value, &out->indicator) != 0 ||
	       query_municipality(req, cat, qp[P_AREA].value, "a table", &out->municipality) != 0 ||
	       query_year(req, qp[P_YEAR].value, time(NULL), &out->year) != 0 ||
	       query_lang(req, qp[P_LANG].value, &out->english) != 0 ||
	       query_format(req, qp[P_FORMAT].value, FORMAT_JSON | FORMAT_CSV | FORMAT_SDMX |
	                    FORMAT_SDMX_CSV | FORMAT_XLSX, &out->format) != 0 ? -1 : 0;
}

/* The table as rows, for the formats that take rows: xlsx (k the
 * table's own) and SDMX-CSV. */
static void reply_rows(struct http_request *req, const struct read_ctx *rc,
                       const struct table_args *args, const struct ptable *t)
{
	struct data_row *rows = calloc(t->nrows * DC_NCOLS + 1, sizeof *rows);
	struct data_style style = { args->english, ',' };
	char name[160];

	if (!rows) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return;
	}
	size_t n = data_rows_of_table(rc->cat, args->indicator, args->municipality, t, rows);
	snprintf(name, sizeof name, "samlad-%s-%s-%d.xlsx", args->indicator->code,
	         args->municipality->code, args->year);
	struct xlsx_answer x = { rows, n, &style, t->k, args->as_of, name };
	if (args->format == FORMAT_SDMX_CSV)
		aggregator_reply_sdmx_csv(req, rows, n);
	else
		aggregator_reply_xlsx(req, rc, &x);
	free(rows);
}

/* The table as an SDMX-JSON message, its self link the request's URI. */
static void reply_sdmx(struct http_request *req, const struct read_ctx *rc,
                       const struct table_args *args, const struct ptable *t)
{
	struct sdmx_meta_text mt;
	char self[512], as_of[2 * QUERY_TIME_MAX];

	if (aggregator_sdmx_meta(req, &mt) != 0)
		return;
	aggregator_as_of_param(args->as_of, as_of, sizeof as_of);
	snprintf(self, sizeof self, "/v1/table?indicator=%s&area=%s&year=%d&format=sdmx-json%s",
	         args->indicator->code, args->municipality->code, args->year, as_of);
	struct sdmx_meta meta = { mt.id, mt.prepared, self };
	aggregator_reply_sdmx(req, sdmx_table(rc->cat, args->indicator, args->municipality, t,
	                                      &meta));
}

void table_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_INDICATOR] = { "indicator", NULL, 0 }, [P_AREA] = { "area", NULL, 0 },
		[P_YEAR] = { "year", NULL, 0 }, [P_AS_OF] = { "as_of", NULL, 0 },
		[P_FORMAT] = { "format", NULL, 0 }, [P_LANG] = { "lang", NULL, 0 },
	};
	struct table_args args = { 0 };
	struct read_ctx rc = READ_CTX_INIT;
	struct ptable *t = NULL;
	struct buf csv = BUF_INIT;

	if (read_gate(a, req, READ_API, &rc) != 0 || query_read(req, qp, P_COUNT) != 0 ||
	    query_as_of(req, qp[P_AS_OF].value, args.as_of) != 0 ||
	    read_begin(a, req, args.as_of[0] ? args.as_of : NULL, &rc) != 0 ||
	    args_read(req, rc.cat, qp, &args) != 0)
		goto done;
	struct tables_ctx ctx = read_tables(a, &rc);
	enum agg_status st = tables_read(&ctx, args.indicator->id, args.municipality->id,
	                                 args.year, args.year, &t);
	/* Rendering needs only the catalogue. */
	read_put_db(a, &rc);
	if (st != AGG_OK)
		aggregator_reply_failure(a, req, st, "the table");
	else if (args.format == FORMAT_XLSX || args.format == FORMAT_SDMX_CSV)
		reply_rows(req, &rc, &args, t);
	else if (args.format == FORMAT_SDMX)
		reply_sdmx(req, &rc, &args, t);
	else if (args.format == FORMAT_CSV)
		aggregator_reply_csv(req, &csv, render_table_csv(rc.cat, args.indicator,
		                     args.municipality, t, &csv));
	else
		http_reply_json(req, 200, render_table(rc.cat, args.indicator, args.municipality, t));
done:
	free(t);
	read_end(a, &rc);
}
