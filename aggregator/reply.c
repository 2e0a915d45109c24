/* Replies shared by the aggregator's handlers. */
#include "aggregator.h"
#include "service.h"

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
