/* GET /healthz: whether the collector can reach its database. No token:
 * load balancers and scripts/run.sh ask it before anything exists. */
#include "collector.h"
#include "log.h"

void healthz_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct db *db = db_pool_get(c->pool);

	/* A broken connection is reset on this use, so a database that came
	 * back turns the answer to 200 without a restart. */
	enum db_status st = db_command(db, "SELECT 1");
	if (st != DB_OK)
		log_warn("healthz: database check failed: %s", db_error(db));
	db_pool_put(c->pool, db);
	if (st != DB_OK) {
		collector_reply_unavailable(c, req);
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
