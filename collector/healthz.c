/* GET /healthz: whether the collector can reach its database (the check
 * itself is the services' common one, common/service.c). */
#include "collector.h"
#include "service.h"

void healthz_get(struct http_request *req, void *app)
{
	struct collector *c = app;

	service_healthz(req, c->pool, c->retry_after_s);
}
