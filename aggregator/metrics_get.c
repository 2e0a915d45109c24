/* GET /metrics: the aggregator's metrics in Prometheus's text format, for
 * an admin's token or session (--public or not), or for any client on a
 * loopback address when --metrics-loopback allows it. */
#include "aggregator.h"
#include "service.h"

void metrics_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct read_ctx rc = READ_CTX_INIT;

	if (a->metrics_loopback && http_from_loopback(req))
		service_metrics_reply(req, a->metrics);
	else if (read_gate(a, req, READ_ADMIN, &rc) == 0)
		service_metrics_reply(req, a->metrics);
	read_end(a, &rc);
}
