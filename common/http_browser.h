/* What a program's pages for browsers need beyond plain HTTP: a cookie
 * set with the attributes that keep it from scripts and other sites, and
 * the check that refuses a form posted from another site. */
#ifndef SAMLAD_HTTP_BROWSER_H
#define SAMLAD_HTTP_BROWSER_H

#include <stdbool.h>
#include "http.h"

/* Adds Set-Cookie name=value with HttpOnly (no script reads it),
 * SameSite=Strict (no other site's request carries it), Path=/ and
 * Max-Age; Secure too when the program serves HTTPS itself. On plain HTTP
 * (loopback, or behind a TLS proxy) a browser would drop a Secure cookie,
 * so a proxy in front should add it (docs/operations.md). An empty value
 * with max_age 0 removes the cookie. The header's text is wiped after. */
void http_set_cookie(struct http_request *req, const char *name, const char *value,
                     unsigned max_age);

/* True when a browser says the request was sent from another site: by
 * Sec-Fetch-Site when it sends one ("same-origin", or "none" for a typed
 * address, are this site), else by Origin, whose host must be the Host the
 * request was sent to ("null" never is). A client that sends neither is no
 * browser a page could have steered, and passes. SameSite=Strict keeps the
 * cookie off such posts already; this also stops a sign-in into the
 * attacker's account (login CSRF) and a forced sign-out. */
bool http_cross_site(const struct http_request *req);

/* Sends the browser to `location` with 303 See Other (after a form, or to
 * the sign-in page); `text` is the short plain-text body. */
void http_redirect(struct http_request *req, const char *location, const char *text);

#endif
