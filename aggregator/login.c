/* GET /login (the sign-in form), POST /login (a token in, a session cookie
 * out) and POST /logout. The form is plain HTML without script; the token
 * is checked exactly like a bearer token, and only an analyst's or an
 * admin's token gets a session. Swedish by default, English with lang=en
 * (in the query of GET, a field of the post). Neither the token nor the
 * cookie is ever logged. The cookie (core/session.h) and the cross-site check
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

/* The sign-in page's words in one language. */
struct login_words {
	const char *lang;          /* the html lang, and the form's lang field */
	const char *title;         /* the title and heading */
	const char *token;         /* the field's label */
	const char *sign_in;       /* the button */
	const char *help;          /* before the session's hours (holds markup) */
	const char *hours;         /* after them */
	const char *unavailable;   /* 503 */
	const char *revoked;       /* a revoked token */
	const char *bad_token;     /* an unknown or broken one */
	const char *wrong_role;    /* an agency's token */
	const char *cross_site;    /* a form from another site */
	const char *form_type;     /* not a form */
	const char *no_token;      /* an empty field */
};

static const struct login_words SV = {
	.lang = "sv", .title = "Samlad: logga in", .token = "Nyckel", .sign_in = "Logga in",
	.help = "Logga in med en analytikers eller en administratörs nyckel (den börjar med "
	        "<code>smd_</code>). Inloggningen gäller i",
	.hours = "timmar, eller tills aggregatorn startas om.",
	.unavailable = "Databasen svarar inte; försök igen om en stund.",
	.revoked = "Nyckeln är återkallad. Be om en ny.",
	.bad_token = "Nyckeln gäller inte. Kontrollera att den kopierades hel.",
	.wrong_role = "Den här nyckeln får inte läsa aggregatorn: den behöver en analytikers "
	              "eller en administratörs nyckel, inte en verksamhets.",
	.cross_site = "Formuläret skickades från en annan webbplats. Öppna sidan själv och "
	              "logga in här.",
	.form_type = "Skicka formuläret som " FORM_TYPE ".", .no_token = "Skriv in en nyckel.",
};

static const struct login_words EN = {
	.lang = "en", .title = "Samlad: sign in", .token = "Token", .sign_in = "Sign in",
	.help = "Sign in with an analyst's or an admin's token (it begins with "
	        "<code>smd_</code>). The session lasts",
	.hours = "hours, or until the aggregator restarts.",
	.unavailable = "The database cannot be reached; try again shortly.",
	.revoked = "This token has been revoked. Ask for a new one.",
	.bad_token = "That token is not valid. Check that it was copied whole.",
	.wrong_role = "This token may not read the aggregator: it needs an analyst's or an "
	              "admin's token, not an agency's.",
	.cross_site = "This form was sent from another site. Open this page yourself and sign "
	              "in here.",
	.form_type = "Send the form as " FORM_TYPE ".", .no_token = "Enter a token.",
};

/* English for lang "en", else Swedish. */
static const struct login_words *words_for(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? &EN : &SV;
}

/* The lang field of a posted form. */
static const struct login_words *posted_words(struct http_request *req)
{
	char lang[4];
	size_t len;
	const char *body = http_body(req, &len);

	if (strcmp(http_content_type(req), FORM_TYPE) != 0 ||
	    form_field(body, len, "lang", lang, sizeof lang) != 0)
		return &SV;
	return words_for(lang);
}

/* The sign-in page, with a message when there is one; a failure shows in
 * the buffer (buf_failed). */
static void login_page(struct buf *b, const struct login_words *w, const char *message,
                       unsigned hours)
{
	html_begin(b, w->lang, w->title);
	buf_htmlf(b, "<h1>%s</h1>\n", w->title);
	if (message)
		buf_htmlf(b, "<p class=\"error\" role=\"alert\">%s</p>\n", message);
	buf_htmlf(b,
	        "<form method=\"post\" action=\"/login\">\n"
	        "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	        "<p><label for=\"token\">%s</label><br>\n"
	        "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" "
	        "required autofocus></p>\n"
	        "<p><button type=\"submit\">%s</button></p>\n</form>\n", w->lang, w->token,
	        w->sign_in);
	/* The help holds markup of its own: it is the program's text. */
	buf_printf(b, "<p>%s %u %s</p>\n", w->help, hours, w->hours);
	html_end(b);
}

static void reply_page(struct aggregator *a, struct http_request *req, unsigned status,
                       const struct login_words *w, const char *message)
{
	struct buf b = BUF_INIT;

	login_page(&b, w, message, session_lifetime(a->sessions) / 3600);
	html_reply(req, status, &b, 0);
}

void login_get(struct http_request *req, void *app)
{
	reply_page(app, req, 200, words_for(http_query(req, "lang")), NULL);
}

/* The answer to a token that did not check out. */
static void reply_refused(struct aggregator *a, struct http_request *req,
                          const struct login_words *w, enum auth_result r)
{
	char seconds[16];

	if (r == AUTH_UNAVAILABLE) {
		snprintf(seconds, sizeof seconds, "%u", a->retry_after_s);
		http_add_header(req, "Retry-After", seconds);
		reply_page(a, req, 503, w, w->unavailable);
	} else
		reply_page(a, req, 401, w, r == AUTH_REVOKED ? w->revoked : w->bad_token);
}

/* Sets the session cookie of the token and sends the browser to the
 * index, in the language of the sign-in. */
static void reply_signed_in(struct aggregator *a, struct http_request *req,
                            const struct login_words *w, const struct principal *who)
{
	char cookie[SESSION_COOKIE_MAX];

	if (session_make(a->sessions, who->token_id, time(NULL), cookie, sizeof cookie) != 0) {
		http_reply_error(req, 500, "internal_error", "the session could not be made");
		return;
	}
	http_set_cookie(req, SESSION_COOKIE_NAME, cookie, session_lifetime(a->sessions));
	OPENSSL_cleanse(cookie, sizeof cookie);
	http_redirect(req, w == &EN ? "/?lang=en" : "/", "signed in\n");
}

/* Refuses a cross-site post (http_cross_site) with 403; true when it did. */
static bool refuse_cross_site(struct aggregator *a, struct http_request *req)
{
	if (!http_cross_site(req))
		return false;
	reply_page(a, req, 403, posted_words(req), posted_words(req)->cross_site);
	return true;
}

/* Checks the token and answers. */
static void sign_in(struct aggregator *a, struct http_request *req,
                    const struct login_words *w, const char *token)
{
	struct principal who;
	char tag[64];
	struct db *db = db_pool_get(a->pool);
	enum auth_result r = auth_check(db, token, &who);

	db_pool_put(a->pool, db);
	if (r != AUTH_OK) {
		reply_refused(a, req, w, r);
		return;
	}
	snprintf(tag, sizeof tag, "token:%lld", who.token_id);
	http_set_log_tag(req, tag);
	if (!aggregator_role_reads(who.role))
		reply_page(a, req, 403, w, w->wrong_role);
	else
		reply_signed_in(a, req, w, &who);
}

void login_post(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	char token[AUTH_TOKEN_MAX + 1];
	size_t len;
	const char *body = http_body(req, &len);
	const struct login_words *w = posted_words(req);

	if (refuse_cross_site(a, req))
		return;
	if (strcmp(http_content_type(req), FORM_TYPE) != 0) {
		reply_page(a, req, 415, w, w->form_type);
		return;
	}
	int rc = form_field(body, len, "token", token, sizeof token);
	if (rc == 0 && token[0] != '\0')
		sign_in(a, req, w, token);
	else if (rc < 0)
		reply_page(a, req, 401, w, w->bad_token);
	else
		reply_page(a, req, 400, w, w->no_token);
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
