/* GET /healthz: whether the aggregator can reach its database. No token:
 * load balancers and scripts/run.sh ask it before anything exists. */
#include "aggregator.h"
#include "log.h"

void healthz_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct db *db = db_pool_get(a->pool);

	/* A broken connection is reset on this use, so a database that came
	 * back turns the answer to 200 without a restart. */
	enum db_status st = load_ping(db);
	if (st != DB_OK)
		log_warn("healthz: database check failed: %s", db_error(db));
	db_pool_put(a->pool, db);
	if (st != DB_OK) {
		aggregator_reply_unavailable(a, req);
		return;
	}
	cJSON *ok = cJSON_CreateObject();
	/* A NULL object (out of memory) makes http_reply_json answer 500. */
	if (ok && !cJSON_AddStringToObject(ok, "status", "ok")) {
		cJSON_Delete(ok);
		ok = NULL;
	}
	http_reply_json(req, 200, ok);
}
