/* GET /metrics: the collector's metrics in Prometheus's text format, for
 * an admin's token, or for any client on a loopback address when
 * --metrics-loopback allows it. */
#include "collector.h"
#include "service.h"

void metrics_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;

	if (!(c->metrics_loopback && http_from_loopback(req))) {
		struct db *db = db_pool_get(c->pool);
		int rc = collector_authenticate(c, req, db, &who);
		db_pool_put(c->pool, db);
		if (rc != 0)
			return;
		if (who.role != ROLE_ADMIN) {
			http_reply_error(req, 403, "forbidden", "the metrics need an admin's token");
			return;
		}
	}
	service_metrics_reply(req, c->metrics);
}
