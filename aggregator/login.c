/* GET /login (the sign-in form), POST /login (a token in, a session cookie
 * out) and POST /logout. The form is plain HTML without script; the token
 * is checked exactly like a bearer token, and only an analyst's or an
 * admin's token gets a session. Neither the token nor the cookie is ever
 * logged. The cookie (core/session.h) and the cross-site check
 * (common/http_browser.h) are the collector's sign-in's too. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "aggregator.h"
#include "form.h"
#include "html.h"
#include "http_browser.h"

/* The sign-in page, with a message when there is one; a failure shows in
 * the buffer (buf_failed). */
static void login_page(struct buf *b, const char *message, unsigned hours)
{
	html_begin(b, "en", "Samlad: sign in");
	buf_puts(b, "<h1>Samlad: sign in</h1>\n");
	if (message)
		buf_htmlf(b, "<p class=\"error\" role=\"alert\">%s</p>\n", message);
	buf_printf(b,
	        "<form method=\"post\" action=\"/login\">\n"
	        "<p><label for=\"token\">Token</label><br>\n"
	        "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" "
	        "required autofocus></p>\n"
	        "<p><button type=\"submit\">Sign in</button></p>\n</form>\n"
	        "<p>Sign in with an analyst's or an admin's token (it begins with "
	        "<code>smd_</code>). The session lasts %u hours, or until the aggregator "
	        "restarts.</p>\n", hours);
	html_end(b);
}

static void reply_page(struct aggregator *a, struct http_request *req, unsigned status,
                       const char *message)
{
	struct buf b = BUF_INIT;

	login_page(&b, message, session_lifetime(a->sessions) / 3600);
	html_reply(req, status, &b, 0);
}

void login_get(struct http_request *req, void *app)
{
	reply_page(app, req, 200, NULL);
}

/* The answer to a token that did not check out. */
static void reply_refused(struct aggregator *a, struct http_request *req, enum auth_result r)
{
	char seconds[16];

	if (r == AUTH_UNAVAILABLE) {
		snprintf(seconds, sizeof seconds, "%u", a->retry_after_s);
		http_add_header(req, "Retry-After", seconds);
		reply_page(a, req, 503, "The database cannot be reached; try again shortly.");
	} else if (r == AUTH_REVOKED)
		reply_page(a, req, 401, "This token has been revoked. Ask for a new one.");
	else
		reply_page(a, req, 401, "That token is not valid. Check that it was copied whole.");
}

/* Sets the session cookie of the token and sends the browser to /. */
static void reply_signed_in(struct aggregator *a, struct http_request *req,
                            const struct principal *who)
{
	char cookie[SESSION_COOKIE_MAX];

	if (session_make(a->sessions, who->token_id, time(NULL), cookie, sizeof cookie) != 0) {
		http_reply_error(req, 500, "internal_error", "the session could not be made");
		return;
	}
	http_set_cookie(req, SESSION_COOKIE_NAME, cookie, session_lifetime(a->sessions));
	OPENSSL_cleanse(cookie, sizeof cookie);
	http_redirect(req, "/", "signed in\n");
}

/* Refuses a cross-site post (http_cross_site) with 403; true when it did. */
static bool refuse_cross_site(struct aggregator *a, struct http_request *req)
{
	if (!http_cross_site(req))
		return false;
	reply_page(a, req, 403, "This form was sent from another site. Open this page "
	           "yourself and sign in here.");
	return true;
}

/* Checks the token and answers. */
static void sign_in(struct aggregator *a, struct http_request *req, const char *token)
{
	struct principal who;
	char tag[64];
	struct db *db = db_pool_get(a->pool);
	enum auth_result r = auth_check(db, token, &who);

	db_pool_put(a->pool, db);
	if (r != AUTH_OK) {
		reply_refused(a, req, r);
		return;
	}
	snprintf(tag, sizeof tag, "token:%lld", who.token_id);
	http_set_log_tag(req, tag);
	if (!aggregator_role_reads(who.role))
		reply_page(a, req, 403, "This token may not read the aggregator: it needs an "
		           "analyst's or an admin's token, not an agency's.");
	else
		reply_signed_in(a, req, &who);
}

void login_post(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	char token[AUTH_TOKEN_MAX + 1];
	size_t len;
	const char *body = http_body(req, &len);

	if (refuse_cross_site(a, req))
		return;
	if (strcmp(http_content_type(req), FORM_TYPE) != 0) {
		reply_page(a, req, 415, "Send the form as " FORM_TYPE ".");
		return;
	}
	int rc = form_field(body, len, "token", token, sizeof token);
	if (rc == 0 && token[0] != '\0')
		sign_in(a, req, token);
	else if (rc < 0)
		reply_page(a, req, 401, "That token is not valid. Check that it was copied whole.");
	else
		reply_page(a, req, 400, "Enter a token.");
	OPENSSL_cleanse(token, sizeof token);
}

void logout_post(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME);

	if (refuse_cross_site(a, req))
		return;
	if (cookie)
		session_end(a->sessions, cookie, time(NULL));
	http_set_cookie(req, SESSION_COOKIE_NAME, "", 0);
	http_redirect(req, "/login", "signed out\n");
}
