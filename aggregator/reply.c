/* Replies shared by the aggregator's handlers. */
#include "aggregator.h"
#include "service.h"
#include "xlsx.h"

#include <stdio.h>

void aggregator_reply_unavailable(struct aggregator *a, struct http_request *req)
{
	service_reply_unavailable(req, a->retry_after_s);
}

void aggregator_reply_failure(struct aggregator *a, struct http_request *req,
                              enum agg_status st, const char *what)
{
	if (st == AGG_UNAVAILABLE)
		aggregator_reply_unavailable(a, req);
	else
		http_reply_error(req, 500, "internal_error", "%s could not be made", what);
}

void aggregator_reply_csv(struct http_request *req, struct buf *csv, int built)
{
	if (built != 0 || buf_failed(csv) || !csv->data) {
		buf_free(csv);
		http_reply_error(req, 500, "internal_error", "out of memory building the CSV");
		return;
	}
	size_t len = csv->len;
	http_reply_owned(req, 200, "text/csv; charset=utf-8", buf_steal(csv), len);
}

void aggregator_reply_xlsx(struct http_request *req, const struct read_ctx *rc,
                           const struct xlsx_answer *x)
{
	struct xlsx_method m = { x->k, x->as_of && *x->as_of ? x->as_of : NULL, rc->v.at.data,
	                         rc->v.at.catalogue };
	struct buf book = BUF_INIT;
	char disposition[256];

	if (render_xlsx(x->rows, x->n, x->style, &m, &book) != 0 || !book.data) {
		buf_free(&book);
		http_reply_error(req, 500, "internal_error", "the workbook could not be made");
		return;
	}
	snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", x->filename);
	http_add_header(req, "Content-Disposition", disposition);
	size_t len = book.len;
	http_reply_owned(req, 200, query_format_type(FORMAT_XLSX), buf_steal(&book), len);
}
