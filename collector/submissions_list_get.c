/* GET /v1/submissions?limit=100&before=<uuid>: the agency's own
 * submissions, newest first, a page at a time. The page ends with the
 * link to the next one, so a client follows "next" until it is null; the
 * cursor is a submission's uuid, so a page does not shift when new
 * submissions arrive while a client pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collector.h"
#include "ingest.h"
#include "json_build.h"
#include "store.h"

#define LIMIT_DEFAULT 100

/* What the query string held. */
struct query {
	const char *limit;                 /* limit's text, or NULL */
	const char *before;                /* before's text, or NULL */
	int repeated;                      /* how many parameters came more than once */
	char unknown[CONFLICT_FIELD_MAX];  /* the first unknown name (sanitised), or "" */
};

static void query_one(void *ctx, const char *key, const char *value)
{
	struct query *q = ctx;
	const char **slot = strcmp(key, "limit") == 0 ? &q->limit :
	                    strcmp(key, "before") == 0 ? &q->before : NULL;

	if (!slot) {
		if (!q->unknown[0])
			ingest_echo(q->unknown, sizeof q->unknown, key, strlen(key));
		return;
	}
	q->repeated += *slot != NULL;
	*slot = value;
}

/* Reads limit (1..STORE_SUBMISSIONS_MAX); -1 when it is not that. */
static int parse_limit(const char *s)
{
	char *end;

	if (!s)
		return LIMIT_DEFAULT;
	if (*s < '0' || *s > '9')
		return -1;
	long v = strtol(s, &end, 10);
	return *end || v < 1 || v > STORE_SUBMISSIONS_MAX ? -1 : (int)v;
}

/* Checks the query. Returns -1 after answering 400. */
static int read_query(struct http_request *req, int *limit, const char **before)
{
	struct query q = { NULL, NULL, 0, "" };

	http_query_each(req, query_one, &q);
	*limit = parse_limit(q.limit);
	*before = q.before;
	if (q.unknown[0])
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'; "
		                 "the parameters are limit and before", q.unknown);
	else if (q.repeated)
		http_reply_error(req, 400, "invalid_parameter", "give limit and before once each");
	else if (*limit < 0)
		http_reply_error(req, 400, "invalid_parameter", "limit must be a whole number "
		                 "from 1 to %d", STORE_SUBMISSIONS_MAX);
	else if (q.before && !store_uuid_valid(q.before))
		http_reply_error(req, 400, "invalid_parameter", "before must be the id of one "
		                 "of your submissions, as \"next\" gives it");
	else
		return 0;
	return -1;
}

static cJSON *item_json(const struct submission_item *s)
{
	cJSON *o = receipt_json(&s->receipt);
	bool ok = o && cJSON_AddNumberToObject(o, "token_id", (double)s->token_id) &&
	          json_add(o, "token_label", s->token_label[0] ?
	                   cJSON_CreateString(s->token_label) : cJSON_CreateNull());

	return json_checked(o, ok);
}

/* {"submissions": [...], "next": "/v1/submissions?..." or null}. */
static cJSON *page_json(const struct submission_item *items, size_t n, bool more, int limit)
{
	char next[96];
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "submissions");
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < n; i++)
		ok = json_append(list, item_json(&items[i]));
	snprintf(next, sizeof next, "/v1/submissions?limit=%d&before=%s", limit,
	         n ? items[n - 1].receipt.submission : "");
	ok = ok && json_add(o, "next", more ? cJSON_CreateString(next) : cJSON_CreateNull());
	return json_checked(o, ok);
}

static void reply_page(struct http_request *req, const struct submission_item *items,
                       size_t n, bool more, int limit)
{
	cJSON *body = page_json(items, n, more, limit);

	if (body)
		http_reply_json(req, 200, body);
	else
		http_reply_error(req, 500, "internal_error", "the list could not be written");
}

void submissions_list_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;
	const char *before;
	int limit;
	size_t n;
	bool more, found;

	if (collector_authenticate_submitter(c, req, &who, "list its submissions") != 0 ||
	    read_query(req, &limit, &before) != 0)
		return;
	struct submission_item *items = calloc((size_t)limit, sizeof *items);
	if (!items) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return;
	}
	struct db *db = db_pool_get(c->pool);
	enum db_status st = store_submissions(db, who.agency_id, before, limit, items, &n,
	                                      &more, &found);
	db_pool_put(c->pool, db);
	if (st == DB_UNAVAILABLE)
		collector_reply_unavailable(c, req);
	else if (st != DB_OK)
		http_reply_error(req, 500, "internal_error", "the submissions could not be read");
	else if (!found)
		http_reply_error(req, 400, "invalid_parameter", "before: your agency has no "
		                 "submission with this id");
	else
		reply_page(req, items, n, more, limit);
	free(items);
}
