/* The collector's gate for authenticated endpoints: the bearer token is
 * checked against the token table (auth_check, whose verdict is
 * auth_verdict's), and the catalogue is reloaded when an import changed it
 * since it was last loaded (core/catalogue.h, struct catalogue_holder,
 * says how a handler holds the catalogue). */
#include <stdio.h>
#include <time.h>

#include "collector.h"
#include "catalogue_db.h"
#include "http_browser.h"
#include "log.h"
#include "service.h"

void collector_reply_unavailable(struct collector *c, struct http_request *req)
{
	service_reply_unavailable(req, c->retry_after_s);
}

static void reply_unauthorized(struct http_request *req, enum auth_result r)
{
	http_add_header(req, "WWW-Authenticate", "Bearer");
	http_reply_error(req, 401, "unauthorized", "%s", auth_result_message(r));
}

/* Reads "Authorization: Bearer <token>" and checks the token. */
static enum auth_result token_check(struct http_request *req, struct db *db,
                                    struct principal *who)
{
	const char *header = http_header(req, "Authorization");

	if (!header)
		return AUTH_MISSING;
	const char *token = auth_bearer(header);
	if (!token)
		return AUTH_MALFORMED;
	return auth_check(db, token, who);
}

/* Names the caller in the access log: a token's id is not secret. */
static void tag_request(struct http_request *req, const char *how, long long id)
{
	char tag[64];

	snprintf(tag, sizeof tag, "%s:%lld", how, id);
	http_set_log_tag(req, tag);
}

enum db_status collector_refresh(struct collector *c, struct db *db)
{
	long long version;
	enum db_status st = catalogue_version(db, &version);

	return st == DB_OK ? catalogue_refresh(&c->cat, db, version) : st;
}

int collector_authenticate(struct collector *c, struct http_request *req,
                           struct db *db, struct principal *who)
{
	*who = (struct principal){ 0, ROLE_NONE, 0 };
	enum auth_result r = token_check(req, db, who);
	if (r == AUTH_UNAVAILABLE)
		goto unavailable;
	if (r != AUTH_OK) {
		reply_unauthorized(req, r);
		return -1;
	}
	tag_request(req, "token", who->token_id);
	enum db_status st = collector_refresh(c, db);
	if (st == DB_UNAVAILABLE)
		goto unavailable;
	if (st != DB_OK) {
		log_error("catalogue reload failed: %s %s", db_sqlstate(db), db_error(db));
		http_reply_error(req, 500, "internal_error", "the catalogue could not be loaded");
		return -1;
	}
	return 0;
unavailable:
	collector_reply_unavailable(c, req);
	return -1;
}

int collector_authenticate_submitter(struct collector *c, struct http_request *req,
                                     struct principal *who, const char *action)
{
	struct db *db = db_pool_get(c->pool);
	int rc = collector_authenticate(c, req, db, who);

	/* The connection goes back at once: none is held while a body is parsed. */
	db_pool_put(c->pool, db);
	if (rc != 0)
		return -1;
	if (who->role != ROLE_SUBMITTER) {
		http_reply_error(req, 403, "forbidden",
		                 "only an agency's submitter token may %s", action);
		return -1;
	}
	return 0;
}

/* The session's token and the catalogue, on one connection. */
static enum auth_result session_check(struct collector *c, struct http_request *req,
                                      struct principal *who)
{
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME), *why;
	struct db *db = db_pool_get(c->pool);
	enum auth_result r = AUTH_MISSING;

	*who = (struct principal){ 0, ROLE_NONE, 0 };
	if (cookie && *cookie)
		r = session_principal(c->sessions, db, cookie, time(NULL), who, &why);
	if (r == AUTH_OK) {
		tag_request(req, "session", who->token_id);
		enum db_status st = collector_refresh(c, db);
		if (st != DB_OK)
			r = AUTH_UNAVAILABLE;
	}
	db_pool_put(c->pool, db);
	return r;
}

int collector_session_submitter(struct collector *c, struct http_request *req,
                                struct principal *who)
{
	enum auth_result r = session_check(c, req, who);

	if (r == AUTH_UNAVAILABLE)
		collector_reply_unavailable(c, req);
	else if (r != AUTH_OK)
		http_redirect(req, "/login", "sign in at /login\n");
	else if (who->role != ROLE_SUBMITTER)
		http_reply_error(req, 403, "forbidden", "only an agency's submitter token may "
		                 "use the form");
	else
		return 0;
	return -1;
}
