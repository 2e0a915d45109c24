/* The aggregator's gate: who a request speaks for (bearer token or session
 * cookie), whether that may read, and the context a read works in (data
 * version, catalogue snapshot, connection); see struct read_ctx.
 *
 * Whether a token is valid is decided by auth_verdict (core/auth.h) for
 * every way a token comes: here a bearer token and a session cookie, in the
 * collector and at sign-in auth_check. A bearer token is checked in the
 * same round trip that reads the data and catalogue versions
 * (load_token_versions), so that a read that hits the table cache costs
 * one statement; the versions are kept in the request's read_ctx for its
 * read_begin. The token is checked on every request: a revocation takes
 * effect at once.
 *
 * The catalogue is an immutable snapshot (core/catalogue.h): a read
 * holds a reference from read_begin to read_end and keeps every pointer
 * into the catalogue no longer than that; a reload swaps in a new snapshot
 * without waiting for any reader. */
#include <stdio.h>
#include <time.h>

#include "aggregator.h"
#include "log.h"

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

/* The session cookie's token (session_principal: the signature proved
 * possession of the secret, so the verdict is on the row alone). */
static enum auth_result cookie_check(struct aggregator *a, struct http_request *req,
                                     struct read_ctx *ctx, const char *cookie,
                                     const char **why)
{
	enum auth_result r = session_principal(a->sessions, ctx->db, cookie, time(NULL),
	                                       &ctx->who, why);

	/* A session speaks for a reader; its agency does not matter here. */
	ctx->who.agency_id = 0;
	if (r == AUTH_OK)
		tag_request(req, "session", ctx->who.token_id);
	return r;
}

/* A bearer token checked against its row; the versions read in the same
 * statement are kept for read_begin. */
static enum auth_result bearer_check(struct http_request *req, struct read_ctx *ctx,
                                     const char *token)
{
	unsigned char hash[AUTH_HASH_BYTES];
	long long id;
	struct auth_token_row row;
	struct load_versions v;

	if (!token || !*token)
		return AUTH_MISSING;
	if (auth_token_parse(token, &id, hash) != 0)
		return AUTH_MALFORMED;
	if (load_token_versions(ctx->db, id, &row, &v) != DB_OK)
		return AUTH_UNAVAILABLE;
	enum auth_result r = auth_verdict(&row, hash, &ctx->who);
	if (r == AUTH_OK) {
		ctx->v = v;
		ctx->token_versions = true;
		tag_request(req, "token", id);
	}
	return r;
}

/* Who the request speaks for: "Authorization: Bearer", else the session
 * cookie. On a failure *why says why, for a 401 message. */
static enum auth_result identify(struct aggregator *a, struct http_request *req,
                                 struct read_ctx *ctx, const char **why)
{
	const char *header = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME);
	const char *reason = NULL;
	enum auth_result r;

	ctx->who = (struct principal){ 0, ROLE_NONE, 0 };
	if (header) {
		const char *token = auth_bearer(header);
		r = token ? bearer_check(req, ctx, token) : AUTH_MALFORMED;
	} else if (cookie && *cookie)
		r = cookie_check(a, req, ctx, cookie, &reason);
	else
		r = AUTH_MISSING;
	*why = reason ? reason : failure_text(r);
	return r;
}

/* Refuses a reader without a valid token or session: 401 for the API, 303
 * to /login for a page. */
static void reply_unidentified(struct http_request *req, enum read_gate gate, const char *why)
{
	if (gate == READ_PAGE) {
		http_add_header(req, "Location", "/login");
		http_reply(req, 303, "text/plain; charset=utf-8", "sign in at /login\n", 18);
		return;
	}
	http_add_header(req, "WWW-Authenticate", "Bearer");
	http_reply_error(req, 401, "unauthorized", "%s", why);
}

/* Refuses a role that may not read (403); the API also says which may. */
static void reply_forbidden(struct http_request *req, enum read_gate gate, enum auth_role role)
{
	http_reply_error(req, 403, "forbidden", "a %s token may not read the aggregator%s",
	                 auth_role_name(role), gate == READ_PAGE ? ""
	                 : "; it needs an analyst's or an admin's token");
}

int read_gate(struct aggregator *a, struct http_request *req, enum read_gate gate,
              struct read_ctx *ctx)
{
	const char *why;

	ctx->db = db_pool_get(a->pool);
	if (a->public_read && gate != READ_ADMIN) {
		if (gate == READ_API)
			cors_allow_read(req);
		return 0;
	}
	enum auth_result r = identify(a, req, ctx, &why);
	if (r == AUTH_UNAVAILABLE)
		aggregator_reply_unavailable(a, req);
	else if (r != AUTH_OK)
		reply_unidentified(req, gate, why);
	else if (gate == READ_ADMIN && ctx->who.role != ROLE_ADMIN)
		http_reply_error(req, 403, "forbidden", "this needs an admin's token");
	else if (gate != READ_ADMIN && !aggregator_role_reads(ctx->who.role))
		reply_forbidden(req, gate, ctx->who.role);
	else
		return 0;
	return -1;
}

/* A hot standby cannot record (states.h): beyond the watermark, the newest
 * data are answered as of the watermark (the version headers say which),
 * and an as_of waits for the primary's recorder, so that an as_of answer
 * is the same from every server. Returns 0, or -1 after answering. */
static int standby_fix(struct http_request *req, const char *as_of, struct read_ctx *ctx)
{
	if (!as_of) {
		ctx->v.at = ctx->v.recorded;
		return 0;
	}
	http_add_header(req, "Retry-After", "1");
	http_reply_error(req, 503, "not_recorded", "as_of '%s' is not recorded yet on this "
	                 "standby; ask again in a second", as_of);
	return -1;
}

/* The versions of the read: those read with the token a moment ago, or for
 * an as_of (or without a token) their own query. Returns 0, or -1 after
 * answering a point that cannot be answered for (yet). */
static int versions_fix(struct http_request *req, const char *as_of, struct read_ctx *ctx,
                        enum db_status *st)
{
	*st = DB_OK;
	if (as_of || !ctx->token_versions)
		*st = load_versions(ctx->db, as_of, &ctx->v);
	ctx->token_versions = false;
	if (*st == DB_OK && ctx->v.future) {
		http_reply_error(req, 400, "invalid_parameter", "as_of '%s' is in the future; leave "
		                 "it out for the newest data", as_of);
		return -1;
	}
	if (*st == DB_OK && !ctx->v.settled) {
		/* An ingest holds the lock and may still commit at or before as_of. */
		http_add_header(req, "Retry-After", "1");
		http_reply_error(req, 503, "as_of_unsettled", "as_of '%s': a submission is being "
		                 "stored at that time; ask again in a second", as_of);
		return -1;
	}
	if (*st == DB_OK && ctx->v.standby && point_cmp(ctx->v.at, ctx->v.recorded) > 0)
		return standby_fix(req, as_of, ctx);
	return 0;
}

/* The versions an answer is for, so that a reader sees how current it is. */
static void version_headers(struct http_request *req, const struct read_ctx *ctx)
{
	char v[32];

	snprintf(v, sizeof v, "%lld", ctx->v.at.data);
	http_add_header(req, "Samlad-Data-Version", v);
	snprintf(v, sizeof v, "%lld", ctx->v.at.catalogue);
	http_add_header(req, "Samlad-Catalogue-Version", v);
}

int read_begin(struct aggregator *a, struct http_request *req, const char *as_of,
               struct read_ctx *ctx)
{
	enum db_status st;

	if (versions_fix(req, as_of, ctx, &st) != 0)
		return -1;
	if (st == DB_OK)
		st = catalogue_refresh(&a->cat, ctx->db, ctx->v.catalogue);
	if (st == DB_OK)
		st = timeline_refresh(&a->timeline, ctx->db, ctx->v.catalogue);
	/* The catalogue held may be newer, swapped in by another request since:
	 * that is fine, the newest one is always at least as current as ours. */
	if (st == DB_UNAVAILABLE)
		aggregator_reply_unavailable(a, req);
	else if (st != DB_OK) {
		log_error("snapshot failed: %s %s", db_sqlstate(ctx->db), db_error(ctx->db));
		http_reply_error(req, 500, "internal_error", "the data version could not be read");
	} else if (!(ctx->cat = catalogue_hold(&a->cat)))
		http_reply_error(req, 500, "internal_error", "no catalogue is loaded");
	else {
		/* A settled as_of answer is the same bytes forever (the recorded
		 * states), so a client may keep it. */
		if (as_of)
			http_set_cache(req, HTTP_CACHE_IMMUTABLE);
		version_headers(req, ctx);
		return 0;
	}
	return -1;
}

struct tables_ctx read_tables(struct aggregator *a, const struct read_ctx *ctx)
{
	return (struct tables_ctx){ ctx->db, ctx->cat, &a->timeline, ctx->v.at, ctx->v.recorded,
	                            a->cache, ctx->v.flagged_from };
}

void read_put_db(struct aggregator *a, struct read_ctx *ctx)
{
	if (ctx->db)
		db_pool_put(a->pool, ctx->db);
	ctx->db = NULL;
}

void read_end(struct aggregator *a, struct read_ctx *ctx)
{
	read_put_db(a, ctx);
	catalogue_unref(ctx->cat);
	ctx->cat = NULL;
}
