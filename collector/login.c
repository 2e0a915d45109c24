/* The form's GET /login (the sign-in page), POST /login (a submitter's
 * token in, a session cookie out) and POST /logout. The same cookie
 * (core/session.h) and the same cross-site check (common/http_browser.h)
 * as the aggregator's sign-in; only an agency's submitter token gets a
 * session here. Swedish by default, English with lang=en (in the query of
 * GET, a field of the posts). Neither the token nor the cookie is ever
 * logged. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "collector.h"
#include "form.h"
#include "html.h"
#include "http_browser.h"
#include "words.h"

/* The lang field of a posted form: "en" or "sv". */
static const struct words *posted_words(struct http_request *req)
{
	char lang[4];
	size_t len;
	const char *body = http_body(req, &len);

	if (strcmp(http_content_type(req), FORM_TYPE) != 0 ||
	    form_field(body, len, "lang", lang, sizeof lang) != 0)
		return words_for(NULL);
	return words_for(lang);
}

static void reply_page(struct collector *c, struct http_request *req, unsigned status,
                       const struct words *w, const char *message)
{
	struct buf b = BUF_INIT;

	html_begin(&b, w->lang, w->title);
	buf_htmlf(&b, "<h1>%s</h1>\n", w->title);
	if (message)
		buf_htmlf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", message);
	buf_htmlf(&b, "<form method=\"post\" action=\"/login\">\n"
	          "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	          "<p><label for=\"token\">%s</label><br>\n"
	          "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" "
	          "required autofocus></p>\n"
	          "<p><button type=\"submit\">%s</button></p>\n</form>\n",
	          w->lang, w->token, w->sign_in);
	/* The help holds markup of its own: it is the program's text. */
	buf_printf(&b, "<p>%s %u %s</p>\n", w->sign_in_help,
	           session_lifetime(c->sessions) / 3600, w->hours);
	html_end(&b);
	html_reply(req, status, &b, 0);
}

void login_get(struct http_request *req, void *app)
{
	reply_page(app, req, 200, words_for(http_query(req, "lang")), NULL);
}

/* The answer to a token that did not check out. */
static void reply_refused(struct collector *c, struct http_request *req,
                          const struct words *w, enum auth_result r)
{
	char seconds[16];

	if (r == AUTH_UNAVAILABLE) {
		snprintf(seconds, sizeof seconds, "%u", c->retry_after_s);
		http_add_header(req, "Retry-After", seconds);
		reply_page(c, req, 503, w, w->unavailable);
	} else
		reply_page(c, req, 401, w, r == AUTH_REVOKED ? w->revoked : w->bad_token);
}

/* Sets the session cookie of the token and sends the browser to /submit. */
static void reply_signed_in(struct collector *c, struct http_request *req,
                            const struct words *w, const struct principal *who)
{
	char cookie[SESSION_COOKIE_MAX];

	if (session_make(c->sessions, who->token_id, time(NULL), cookie, sizeof cookie) != 0) {
		http_reply_error(req, 500, "internal_error", "the session could not be made");
		return;
	}
	http_set_cookie(req, SESSION_COOKIE_NAME, cookie, session_lifetime(c->sessions));
	OPENSSL_cleanse(cookie, sizeof cookie);
	http_redirect(req, strcmp(w->lang, "en") == 0 ? "/submit?lang=en" : "/submit",
	              "signed in\n");
}

/* Checks the token and answers. */
static void sign_in(struct collector *c, struct http_request *req, const struct words *w,
                    const char *token)
{
	struct principal who;
	char tag[64];
	struct db *db = db_pool_get(c->pool);
	enum auth_result r = auth_check(db, token, &who);

	db_pool_put(c->pool, db);
	if (r != AUTH_OK) {
		reply_refused(c, req, w, r);
		return;
	}
	snprintf(tag, sizeof tag, "token:%lld", who.token_id);
	http_set_log_tag(req, tag);
	if (who.role != ROLE_SUBMITTER)
		reply_page(c, req, 403, w, w->wrong_role);
	else
		reply_signed_in(c, req, w, &who);
}

void login_post(struct http_request *req, void *app)
{
	struct collector *c = app;
	char token[AUTH_TOKEN_MAX + 1] = "";
	size_t len;
	const char *body = http_body(req, &len);
	const struct words *w = posted_words(req);

	if (http_cross_site(req)) {
		reply_page(c, req, 403, w, w->cross_site);
		return;
	}
	if (strcmp(http_content_type(req), FORM_TYPE) != 0) {
		reply_page(c, req, 415, w, w->form_type);
		return;
	}
	int rc = form_field(body, len, "token", token, sizeof token);
	if (rc == 0 && token[0] != '\0')
		sign_in(c, req, w, token);
	else if (rc < 0)
		reply_page(c, req, 401, w, w->bad_token);
	else
		reply_page(c, req, 400, w, w->no_token);
	OPENSSL_cleanse(token, sizeof token);
}

void logout_post(struct http_request *req, void *app)
{
	struct collector *c = app;
	const char *cookie = http_cookie(req, SESSION_COOKIE_NAME);
	const struct words *w = posted_words(req);

	if (http_cross_site(req)) {
		reply_page(c, req, 403, w, w->cross_site);
		return;
	}
	if (cookie)
		session_end(c->sessions, cookie, time(NULL));
	http_set_cookie(req, SESSION_COOKIE_NAME, "", 0);
	http_redirect(req, strcmp(w->lang, "en") == 0 ? "/login?lang=en" : "/login",
	              "signed out\n");
}
