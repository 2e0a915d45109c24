/* POST /v1/counts: an agency's batch, stored whole or not at all.
 * route > authenticate > read > validate > store > receipt, the last four
 * in batch.c, the way the form's batches go too. Nothing is
 * answered 2xx before the store has committed. With ?dry_run=true the
 * batch goes the same way but the store only classifies it: the answer is
 * what a real post would answer, and nothing is stored. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "batch.h"
#include "collector.h"
#include "ingest.h"
#include "json_build.h"
#include "log.h"
#include "period.h"
#include "store.h"
#include "validate.h"

#define IDEMPOTENCY_KEY_MAX 255
/* The media types of .xlsx and .xls files. */
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define XLS_TYPE "application/vnd.ms-excel"

/* What the query string held. */
struct post_query {
	const char *dry_run;               /* dry_run's text, or NULL */
	int ndry_run;                      /* how many times dry_run was given */
	char unknown[CONFLICT_FIELD_MAX];  /* the first unknown name (sanitised), or "" */
	bool has_unknown;                  /* a parameter other than dry_run came */
};

static void query_one(void *ctx, const char *key, const char *value)
{
	struct post_query *q = ctx;

	if (strcmp(key, "dry_run") == 0) {
		q->dry_run = value;
		q->ndry_run++;
	} else if (!q->has_unknown) {
		q->has_unknown = true;
		ingest_echo(q->unknown, sizeof q->unknown, key, strlen(key));
	}
}

/* Reads the query: at most dry_run=true or dry_run=false, once. A name
 * mistyped would otherwise store a batch meant as a check, so any other
 * name is refused. Returns -1 after answering 400. */
static int read_query(struct http_request *req, bool *dry_run)
{
	struct post_query q = { NULL, 0, "", false };
	char text[CONFLICT_FIELD_MAX];

	http_query_each(req, query_one, &q);
	*dry_run = q.dry_run && strcmp(q.dry_run, "true") == 0;
	if (q.has_unknown) {
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'; "
		                 "the only one is dry_run", q.unknown);
		return -1;
	}
	if (q.ndry_run > 1) {
		http_reply_error(req, 400, "invalid_parameter", "give dry_run once");
		return -1;
	}
	if (!q.dry_run || *dry_run || strcmp(q.dry_run, "false") == 0)
		return 0;
	ingest_echo(text, sizeof text, q.dry_run, strlen(q.dry_run));
	http_reply_error(req, 400, "invalid_parameter", "dry_run '%s': write dry_run=true "
	                 "to check the batch without storing it, or dry_run=false", text);
	return -1;
}

/* Reads the optional Idempotency-Key: 1 to 255 printable ASCII characters.
 * Only its SHA-256 is kept. Returns -1 after answering 400. */
static int read_key(struct http_request *req, struct store_batch *batch)
{
	const char *key = http_header(req, "Idempotency-Key");
	size_t len = key ? strlen(key) : 0;

	if (!key)
		return 0;
	bool printable = len >= 1 && len <= IDEMPOTENCY_KEY_MAX;
	for (size_t i = 0; printable && i < len; i++)
		printable = key[i] >= 0x20 && key[i] <= 0x7e;
	if (!printable) {
		http_reply_error(req, 400, "invalid_parameter", "Idempotency-Key must be 1 to %d "
		                 "printable ASCII characters", IDEMPOTENCY_KEY_MAX);
		return -1;
	}
	batch->has_key = true;
	crypto_sha256(key, len, batch->key_sha256);
	return 0;
}

/* The body's format from its Content-Type. Returns -1 after answering
 * 415; for a workbook's type with the sentence that says how to save it
 * as CSV. */
static int read_type(struct http_request *req, bool *csv)
{
	const char *type = http_content_type(req);

	*csv = strcmp(type, "text/csv") == 0;
	if (*csv || strcmp(type, "application/json") == 0)
		return 0;
	if (strcmp(type, XLSX_TYPE) == 0 || strcmp(type, XLS_TYPE) == 0)
		http_reply_error(req, 415, INGEST_SPREADSHEET_CODE, "%s",
		                 INGEST_SPREADSHEET_MESSAGE);
	else
		http_reply_error(req, 415, "unsupported_media_type", "send the counts as "
		                 "application/json or text/csv");
	return -1;
}

static cJSON *conflict_json(const struct conflict *k)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddNumberToObject(o, "index", (double)k->index) &&
	          (!k->line || cJSON_AddNumberToObject(o, "line", (double)k->line)) &&
	          cJSON_AddStringToObject(o, "field", k->field) &&
	          cJSON_AddStringToObject(o, "code", k->code) &&
	          cJSON_AddStringToObject(o, "message", k->message);

	return json_checked(o, ok);
}

/* The 422 body: how many rows are bad, and every conflict; a dry run's
 * says so. */
static cJSON *conflicts_body(const struct validation *v, bool dry_run)
{
	char message[160];
	cJSON *o = cJSON_CreateObject();
	int n = snprintf(message, sizeof message, "%zu of %zu rows are invalid; nothing was stored",
	                 v->invalid_rows, v->nrows);

	if (v->conflicts.omitted && n > 0 && (size_t)n < sizeof message)
		snprintf(message + n, sizeof message - (size_t)n, "; the first %zu conflicts are "
		         "listed", v->conflicts.n);
	bool ok = cJSON_AddStringToObject(o, "error", "validation_failed") &&
	          cJSON_AddStringToObject(o, "message", message) &&
	          (!dry_run || cJSON_AddTrueToObject(o, "dry_run"));
	cJSON *list = cJSON_AddArrayToObject(o, "conflicts");
	for (size_t i = 0; ok && i < v->conflicts.n; i++)
		ok = json_append(list, conflict_json(&v->conflicts.items[i]));
	return json_checked(o, ok && list);
}

static void reply_conflicts(struct http_request *req, const struct validation *v,
                            bool dry_run)
{
	cJSON *body = conflicts_body(v, dry_run);

	if (body)
		http_reply_json(req, 422, body);
	else
		http_reply_error(req, 500, "internal_error", "the conflicts could not be listed");
}

/* A dry run's receipt: "dry_run": true, and "submission": null unless it
 * is a replay's (none was made). Returns false when memory ran out. */
static bool mark_dry_run(cJSON *body, bool replayed)
{
	cJSON *none = replayed ? NULL : cJSON_CreateNull();

	if (!replayed && (!none || !cJSON_ReplaceItemInObjectCaseSensitive(body, "submission",
	                                                                    none))) {
		cJSON_Delete(none);
		return false;
	}
	return cJSON_AddTrueToObject(body, "dry_run") != NULL;
}

/* 201 for a new submission, 200 for a replay or a dry run: the receipt
 * each time. A dry run that made no submission has no Location. */
static void reply_receipt(struct http_request *req, const struct receipt *r, bool replayed,
                          bool dry_run)
{
	char location[64];
	cJSON *body = receipt_json(r);

	if (body && dry_run && !mark_dry_run(body, replayed)) {
		cJSON_Delete(body);
		body = NULL;
	}
	if (!body) {
		http_reply_error(req, 500, "internal_error", "the receipt could not be written");
		return;
	}
	snprintf(location, sizeof location, "/v1/submissions/%s", r->submission);
	if (replayed || !dry_run)
		http_add_header(req, "Location", location);
	if (replayed)
		http_add_header(req, "Idempotent-Replayed", "true");
	http_reply_json(req, replayed || dry_run ? 200 : 201, body);
}

/* 503 when the database lacks room (a full disk): nothing was stored and
 * the same batch will be taken once the operator has made room. */
static void reply_no_room(struct collector *c, struct http_request *req)
{
	char seconds[16];

	snprintf(seconds, sizeof seconds, "%u", c->retry_after_s);
	http_add_header(req, "Retry-After", seconds);
	http_reply_error(req, 503, "database_unavailable", "the database has no room to "
	                 "store the batch (its disk may be full); nothing was stored; try "
	                 "again in %u seconds", c->retry_after_s);
}

/* The 409 body of a batch that would change locked periods: a message
 * naming them, and the periods as a list. */
static cJSON *locked_body(const struct receipt *r)
{
	char message[BATCH_LOCKED_MESSAGE_MAX], period[PERIOD_STRLEN];

	batch_locked_message(r, message, sizeof message);
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "error", "period_locked") &&
	          cJSON_AddStringToObject(o, "message", message);
	cJSON *list = cJSON_AddArrayToObject(o, "periods");
	for (size_t i = 0; ok && list && i < r->nlocked; i++) {
		period_format(r->locked[i], period);
		ok = json_append(list, cJSON_CreateString(period));
	}
	return json_checked(o, ok && list);
}

static void reply_locked(struct http_request *req, const struct receipt *r)
{
	cJSON *body = locked_body(r);

	if (body)
		http_reply_json(req, 409, body);
	else
		http_reply_error(req, 500, "internal_error", "the locked periods could not "
		                 "be listed; nothing was stored");
}

/* Answers what the store did with the batch. */
static void reply_stored(struct collector *c, struct http_request *req,
                         enum store_result res, const struct receipt *r, bool dry_run)
{
	switch (res) {
	case STORE_CREATED:
	case STORE_REPLAYED:
		reply_receipt(req, r, res == STORE_REPLAYED, dry_run);
		break;
	case STORE_KEY_REUSED:
		http_reply_error(req, 409, "idempotency_key_reused", "this Idempotency-Key came "
		                 "before with a different body; use a new key for a new batch");
		break;
	case STORE_DUPLICATE:
		http_reply_error(req, 409, "idempotency_key_reused", "another request with this "
		                 "Idempotency-Key was being stored at the same time; send it "
		                 "again to get its receipt");
		break;
	case STORE_UNAVAILABLE:
	case STORE_STALE_CATALOGUE:
		/* The latter: imports kept coming while the rows were checked. */
		collector_reply_unavailable(c, req);
		break;
	case STORE_NO_ROOM:
		reply_no_room(c, req);
		break;
	case STORE_PERIOD_LOCKED:
		reply_locked(req, r);
		break;
	default:
		http_reply_error(req, 500, "internal_error", "the batch could not be stored; "
		                 "nothing was stored");
		break;
	}
}

/* Answers the batch's outcome. */
static void reply_outcome(struct collector *c, struct http_request *req, enum batch_outcome out,
                          const struct batch *b)
{
	switch (out) {
	case BATCH_REJECTED:
		http_reply_error(req, ingest_error_status(&b->err), b->err.code, "%s",
		                 b->err.message);
		break;
	case BATCH_INVALID:
		reply_conflicts(req, &b->checked, b->dry_run);
		break;
	case BATCH_STORED:
		reply_stored(c, req, b->result, &b->receipt, b->dry_run);
		break;
	case BATCH_UNAVAILABLE:
		collector_reply_unavailable(c, req);
		break;
	default:
		http_reply_error(req, 500, "internal_error", "%s", b->failure);
		break;
	}
}

void counts_post(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct batch b = BATCH_INIT;
	bool csv;
	size_t len;

	if (collector_authenticate_submitter(c, req, &b.who, "post counts") != 0)
		return;
	if (read_query(req, &b.dry_run) == 0 && read_type(req, &csv) == 0 &&
	    read_key(req, &b.store) == 0) {
		const char *body = http_body(req, &len);
		reply_outcome(c, req, batch_run(c, &b, body, len, csv), &b);
	}
	batch_free(&b);
}
