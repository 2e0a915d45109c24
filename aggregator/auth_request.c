/* The aggregator's gate: who a request speaks for (bearer token or session
 * cookie), whether that may read, and the snapshot a read works on (data
 * version and catalogue).
 *
 * The catalogue protocol is the collector's: a handler holds cat_lock for
 * reading for as long as it uses a->cat and keeps no pointer into it after
 * aggregator_release. A reload builds the new catalogue without any lock
 * and swaps the pointer under the write lock.
 *
 * A bearer token is checked in the same round trip that reads the data
 * and catalogue versions (load_token_versions), so that a read that hits
 * the table cache costs one statement. The versions wait in a thread-local
 * note for this request's aggregator_snapshot: a handler runs in one
 * thread from start to end, every handler that takes a snapshot first
 * passes aggregator_authorize or aggregator_identify, and both clear the
 * note before anything else, so a note is never read by another request.
 * The token is still checked on every request: a revocation takes effect
 * at once. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "log.h"

/* The versions read with this thread's last bearer token check. */
struct pending_snapshot {
	const struct http_request *req;  /* the request that read them, or NULL */
	const struct db *db;             /* on this connection */
	struct load_versions versions;   /* what was read */
};

static _Thread_local struct pending_snapshot pending;

static void pending_clear(void)
{
	pending = (struct pending_snapshot){ NULL, NULL, { .settled = true } };
}

bool aggregator_role_reads(enum auth_role role)
{
	return role == ROLE_ANALYST || role == ROLE_ADMIN;
}

/* Says which check failed, so that the reader can fix it; a browser may
 * also sign in. */
static const char *failure_text(enum auth_result r)
{
	if (r == AUTH_MISSING)
		return "no token: send \"Authorization: Bearer <token>\" or sign in at /login";
	return auth_result_message(r);
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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex of 32 bytes into raw bytes; 0 or -1. */
static int hash_from_hex(const char *hex, unsigned char out[AUTH_HASH_BYTES])
{
	if (strlen(hex) != 2 * AUTH_HASH_BYTES)
		return -1;
	for (size_t i = 0; i < AUTH_HASH_BYTES; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* auth_check's verdict on a token's row (see common/auth.c check_row):
 * the secret is compared, in constant time, before the revocation is
 * looked at, so that without the secret a revoked token and an unknown one
 * look the same. */
static enum auth_result token_verdict(const struct auth_token_row *row, long long id,
                                      const unsigned char *hash, struct principal *who)
{
	unsigned char stored[AUTH_HASH_BYTES];

	if (!row->found)
		return AUTH_UNKNOWN;
	if (hash_from_hex(row->hash_hex, stored) != 0) {
		log_error("token %lld: stored hash is not 32 bytes", id);
		return AUTH_UNKNOWN;
	}
	if (!auth_hash_equal(stored, hash))
		return AUTH_UNKNOWN;
	if (row->revoked)
		return AUTH_REVOKED;
	if (row->role == ROLE_NONE) {
		log_error("token %lld: unknown role", id);
		return AUTH_UNKNOWN;
	}
	*who = (struct principal){ .token_id = id, .role = row->role, .agency_id = row->agency_id };
	return AUTH_OK;
}

/* A bearer token checked against its row, with the versions read in the
 * same statement noted for this request's snapshot. */
static enum auth_result bearer_check(struct http_request *req, struct db *db,
                                     const char *token, struct principal *who)
{
	unsigned char hash[AUTH_HASH_BYTES];
	long long id;
	struct auth_token_row row;
	struct load_versions v;

	if (!token || !*token)
		return AUTH_MISSING;
	if (auth_token_parse(token, &id, hash) != 0)
		return AUTH_MALFORMED;
	if (load_token_versions(db, id, &row, &v) != DB_OK)
		return AUTH_UNAVAILABLE;
	enum auth_result r = token_verdict(&row, id, hash, who);
	if (r == AUTH_OK)
		pending = (struct pending_snapshot){ req, db, v };
	return r;
}

enum auth_result aggregator_identify(struct aggregator *a, struct http_request *req,
                                     struct db *db, struct principal *who,
                                     const char **why)
{
	const char *header = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME);
	const char *reason = NULL;
	enum auth_result r;

	pending_clear();
	*who = (struct principal){ 0, ROLE_NONE, 0 };
	if (header) {
		const char *token = auth_bearer(header);
		r = token ? bearer_check(req, db, token, who) : AUTH_MALFORMED;
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

	pending_clear();
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

int aggregator_snapshot(struct aggregator *a, struct http_request *req, struct db *db,
                        const char *as_of, struct load_versions *out)
{
	enum db_status st = DB_OK;

	/* as_of needs its own query; without it the versions read with the
	 * token (a moment ago, on this connection) are the current ones. */
	if (!as_of && pending.req == req && pending.db == db)
		*out = pending.versions;
	else
		st = load_versions(db, as_of, out);
	pending_clear();
	if (st == DB_OK && out->future) {
		http_reply_error(req, 400, "invalid_parameter", "as_of '%s' is in the future; leave "
		                 "it out for the newest data", as_of);
		return -1;
	}
	if (st == DB_OK && !out->settled) {
		/* An ingest holds the lock and may still commit at or before as_of. */
		http_add_header(req, "Retry-After", "1");
		http_reply_error(req, 503, "as_of_unsettled", "as_of '%s': a submission is being "
		                 "stored at that time; ask again in a second", as_of);
		return -1;
	}
	if (st == DB_OK)
		st = catalogue_refresh(&a->cat_lock, &a->cat, db, out->catalogue);
	if (st == DB_OK)
		st = timeline_refresh(&a->timeline, db, out->catalogue);
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

struct tables_ctx aggregator_tables(struct aggregator *a, struct db *db,
                                    const struct load_versions *v)
{
	return (struct tables_ctx){ db, a->cat, &a->timeline, v->at, v->recorded, a->cache };
}

void aggregator_release(struct aggregator *a)
{
	pending_clear();
	pthread_rwlock_unlock(&a->cat_lock);
}
