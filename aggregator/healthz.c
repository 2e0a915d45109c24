/* GET /healthz: whether the aggregator can reach its database (the check
 * itself is the services' common one, common/service.c). */
#include "aggregator.h"
#include "service.h"

void healthz_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;

	service_healthz(req, a->pool, a->retry_after_s);
}
