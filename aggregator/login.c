/* GET /login (the sign-in form), POST /login (a token in, a session cookie
 * out) and POST /logout. The form is plain HTML without script; the token
 * is checked exactly like a bearer token, and only an analyst's or an
 * admin's token gets a session. Neither the token nor the cookie is ever
 * logged. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "aggregator.h"
#include "hex.h"
#include "html.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
/* The cookie's attributes: no script may read it, no other site's request
 * carries it. Secure is added when the aggregator serves HTTPS itself; on
 * plain HTTP (loopback, or behind a TLS proxy) a browser would drop a
 * Secure cookie, so a proxy in front should add it (docs/operations.md). */
#define COOKIE_ATTRIBUTES "; HttpOnly; SameSite=Strict; Path=/"
#define COOKIE_SECURE "; Secure"

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

/* URL-decodes s[0..n) into out (size bytes); -1 when it does not fit or a
 * %-escape is broken. */
static int form_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++, o++) {
		if (o + 1 >= size)
			return -1;
		if (s[i] == '+')
			out[o] = ' ';
		else if (s[i] != '%')
			out[o] = s[i];
		else if (i + 2 < n && hex_decode(s + i + 1, 2, out + o) == 0)
			i += 2;
		else
			return -1;
	}
	out[o] = '\0';
	return 0;
}

/* Finds field `name` in a form body and decodes its value into out.
 * Returns 0, 1 when the field is absent, -1 when its value is unreadable. */
static int form_field(const char *body, size_t len, const char *name, char *out,
                      size_t size)
{
	const char *p = body, *end = body + len;
	size_t nlen = strlen(name);

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if ((size_t)(stop - p) > nlen && p[nlen] == '=' && memcmp(p, name, nlen) == 0)
			return form_decode(p + nlen + 1, (size_t)(stop - p - (ptrdiff_t)nlen - 1),
			                   out, size);
		p = stop + 1;
	}
	return 1;
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
	char cookie[SESSION_COOKIE_MAX], header[SESSION_COOKIE_MAX + 128];

	if (session_make(a->sessions, who->token_id, time(NULL), cookie, sizeof cookie) != 0) {
		http_reply_error(req, 500, "internal_error", "the session could not be made");
		return;
	}
	snprintf(header, sizeof header, SESSION_COOKIE_NAME "=%s" COOKIE_ATTRIBUTES "%s; Max-Age=%u",
	         cookie, http_is_tls(req) ? COOKIE_SECURE : "", session_lifetime(a->sessions));
	OPENSSL_cleanse(cookie, sizeof cookie);
	http_add_header(req, "Set-Cookie", header);
	OPENSSL_cleanse(header, sizeof header);
	http_add_header(req, "Location", "/");
	http_reply(req, 303, "text/plain; charset=utf-8", "signed in\n", 10);
}

/* True when a browser says the form was posted from another site: by
 * Sec-Fetch-Site when it sends one ("same-origin", or "none" for a typed
 * address, are this site), else by Origin, whose host must be the Host the
 * request was sent to ("null" never is). A client that sends neither is no
 * browser a page could have steered, and passes. SameSite=Strict keeps the
 * cookie off such posts already; this also stops a sign-in into the
 * attacker's account (login CSRF) and a forced sign-out. */
static bool cross_site(const struct http_request *req)
{
	const char *site = http_header(req, "Sec-Fetch-Site");
	const char *origin = http_header(req, "Origin");
	const char *host = http_header(req, "Host");

	if (site)
		return strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0;
	if (!origin)
		return false;
	const char *sep = strstr(origin, "://");
	if (!sep || !host || (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0))
		return true;
	return strcmp(sep + 3, host) != 0;
}

/* Refuses a cross-site post (see cross_site) with 403; true when it did. */
static bool refuse_cross_site(struct aggregator *a, struct http_request *req)
{
	if (!cross_site(req))
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
	http_add_header(req, "Set-Cookie", http_is_tls(req)
	                ? SESSION_COOKIE_NAME "=" COOKIE_ATTRIBUTES COOKIE_SECURE "; Max-Age=0"
	                : SESSION_COOKIE_NAME "=" COOKIE_ATTRIBUTES "; Max-Age=0");
	http_add_header(req, "Location", "/login");
	http_reply(req, 303, "text/plain; charset=utf-8", "signed out\n", 11);
}
