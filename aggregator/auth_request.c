/* The aggregator's gate: who a request speaks for (bearer token or session
 * cookie), whether that may read, and the snapshot a read works on (data
 * version and catalogue).
 *
 * The catalogue protocol is the collector's: a handler holds cat_lock for
 * reading for as long as it uses a->cat and keeps no pointer into it after
 * aggregator_release. A reload builds the new catalogue without any lock
 * and swaps the pointer under the write lock. */
#include <stdio.h>
#include <time.h>

#include "aggregator.h"
#include "log.h"

bool aggregator_role_reads(enum auth_role role)
{
	return role == ROLE_ANALYST || role == ROLE_ADMIN;
}

/* Says which check failed, so that the reader can fix it. */
static const char *failure_text(enum auth_result r)
{
	switch (r) {
	case AUTH_MISSING:
		return "no token: send \"Authorization: Bearer <token>\" or sign in at /login";
	case AUTH_MALFORMED:
		return "malformed token: expected \"Authorization: Bearer smd_<id>_<secret>\"";
	case AUTH_UNKNOWN:
		return "unknown token: no such token, or its secret does not match";
	case AUTH_REVOKED:
		return "revoked token: ask for a new one";
	default:
		return "the token could not be checked";
	}
}

/* Names the caller in the access log: a token's id is not secret. */
static void tag_request(struct http_request *req, const char *how, long long id)
{
	char tag[64];

	snprintf(tag, sizeof tag, "%s:%lld", how, id);
	http_set_log_tag(req, tag);
}

/* The session cookie's token, checked like a bearer token's row. */
static enum auth_result cookie_check(struct aggregator *a, struct http_request *req,
                                     struct db *db, const char *cookie,
                                     struct principal *who, const char **why)
{
	long long id = 0;
	bool found, revoked;
	enum auth_role role = ROLE_NONE;
	enum session_result sr = session_verify(a->sessions, cookie, time(NULL), &id);

	if (sr != SESSION_OK) {
		*why = session_result_message(sr);
		return AUTH_UNKNOWN;
	}
	enum db_status st = load_token(db, id, &found, &role, &revoked);
	if (st != DB_OK)
		return AUTH_UNAVAILABLE;
	if (!found || role == ROLE_NONE)
		return AUTH_UNKNOWN;
	if (revoked)
		return AUTH_REVOKED;
	*who = (struct principal){ .token_id = id, .role = role, .agency_id = 0 };
	tag_request(req, "session", id);
	return AUTH_OK;
}

enum auth_result aggregator_identify(struct aggregator *a, struct http_request *req,
                                     struct db *db, struct principal *who,
                                     const char **why)
{
	const char *header = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME);
	const char *reason = NULL;
	enum auth_result r;

	*who = (struct principal){ 0, ROLE_NONE, 0 };
	if (header) {
		const char *token = auth_bearer(header);
		r = token ? auth_check(db, token, who) : AUTH_MALFORMED;
		if (r == AUTH_OK)
			tag_request(req, "token", who->token_id);
	} else if (cookie && *cookie)
		r = cookie_check(a, req, db, cookie, who, &reason);
	else
		r = AUTH_MISSING;
	if (why)
		*why = reason ? reason : failure_text(r);
	return r;
}

int aggregator_authorize(struct aggregator *a, struct http_request *req, struct db *db)
{
	struct principal who;
	const char *why;

	if (a->public_read)
		return 0;
	enum auth_result r = aggregator_identify(a, req, db, &who, &why);
	if (r == AUTH_UNAVAILABLE) {
		aggregator_reply_unavailable(a, req);
		return -1;
	}
	if (r != AUTH_OK) {
		http_add_header(req, "WWW-Authenticate", "Bearer");
		http_reply_error(req, 401, "unauthorized", "%s", why);
		return -1;
	}
	if (!aggregator_role_reads(who.role)) {
		http_reply_error(req, 403, "forbidden",
		                 "a %s token may not read the aggregator; it needs an analyst's "
		                 "or an admin's token", auth_role_name(who.role));
		return -1;
	}
	return 0;
}

/* True when a->cat is loaded and of `version`. */
static bool catalogue_is_current(struct aggregator *a, long long version)
{
	pthread_rwlock_rdlock(&a->cat_lock);
	bool current = a->cat != NULL && a->cat->version == version;
	pthread_rwlock_unlock(&a->cat_lock);
	return current;
}

/* Loads the catalogue when an import changed its version. Two requests
 * may both reload; each frees the one it replaced. */
static enum db_status catalogue_refresh(struct aggregator *a, struct db *db,
                                        long long version)
{
	struct catalogue *fresh = NULL;

	if (catalogue_is_current(a, version))
		return DB_OK;
	enum db_status st = catalogue_load(db, &fresh);
	if (st != DB_OK)
		return st;
	long long loaded = fresh->version;
	pthread_rwlock_wrlock(&a->cat_lock);
	struct catalogue *old = a->cat;
	a->cat = fresh;
	pthread_rwlock_unlock(&a->cat_lock);
	catalogue_free(old);
	log_info("catalogue version %lld loaded", loaded);
	return DB_OK;
}

int aggregator_snapshot(struct aggregator *a, struct http_request *req, struct db *db,
                        const char *as_of, struct load_versions *out)
{
	enum db_status st = load_versions(db, as_of, out);

	if (st == DB_OK)
		st = catalogue_refresh(a, db, out->catalogue);
	if (st == DB_UNAVAILABLE) {
		aggregator_reply_unavailable(a, req);
		return -1;
	}
	if (st != DB_OK) {
		log_error("snapshot failed: %s %s", db_sqlstate(db), db_error(db));
		http_reply_error(req, 500, "internal_error", "the data version could not be read");
		return -1;
	}
	pthread_rwlock_rdlock(&a->cat_lock);
	/* Another request may have swapped in a newer catalogue since: that is
	 * fine, the newest one is always at least as current as ours. */
	if (a->cat)
		return 0;
	pthread_rwlock_unlock(&a->cat_lock);
	http_reply_error(req, 500, "internal_error", "no catalogue is loaded");
	return -1;
}

void aggregator_release(struct aggregator *a)
{
	pthread_rwlock_unlock(&a->cat_lock);
}
