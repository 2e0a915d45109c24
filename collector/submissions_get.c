/* GET /v1/submissions/<uuid>: the receipt of one of the agency's own
 * submissions. Another agency's uuid answers exactly like an unknown one, so
 * the endpoint does not tell which uuids exist. */
#include "collector.h"
#include "store.h"

static void reply_not_found(struct http_request *req)
{
	http_reply_error(req, 404, "not_found", "your agency has no submission with this id");
}

void submissions_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;
	struct receipt r;
	bool found = false;
	const char *uuid = http_path_param(req);

	if (collector_authenticate_submitter(c, req, &who, "read its receipts") != 0)
		return;
	if (!store_uuid_valid(uuid)) {
		reply_not_found(req);
		return;
	}
	struct db *db = db_pool_get(c->pool);
	enum db_status st = store_receipt(db, who.agency_id, uuid, &r, &found);
	db_pool_put(c->pool, db);
	if (st == DB_UNAVAILABLE) {
		collector_reply_unavailable(c, req);
		return;
	}
	cJSON *body = st == DB_OK && found ? receipt_json(&r) : NULL;
	if (body)
		http_reply_json(req, 200, body);
	else if (st == DB_OK && !found)
		reply_not_found(req);
	else
		http_reply_error(req, 500, "internal_error", "the receipt could not be read");
}
