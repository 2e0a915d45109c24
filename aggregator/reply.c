/* Replies shared by the aggregator's handlers. */
#include <stdio.h>

#include "aggregator.h"

void aggregator_reply_unavailable(struct aggregator *a, struct http_request *req)
{
	char seconds[16];

	snprintf(seconds, sizeof seconds, "%u", a->retry_after_s);
	http_add_header(req, "Retry-After", seconds);
	http_reply_error(req, 503, "database_unavailable",
	                 "the database cannot be reached; try again in %u seconds",
	                 a->retry_after_s);
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
	if (built != 0 || !csv->data) {
		buf_free(csv);
		http_reply_error(req, 500, "internal_error", "out of memory building the CSV");
		return;
	}
	size_t len = csv->len;
	http_reply_owned(req, 200, "text/csv; charset=utf-8", buf_steal(csv), len);
}
