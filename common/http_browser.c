/* Cookies and cross-site posts; see http_browser.h. */
#include "http_browser.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

/* The cookie's attributes, and Secure over HTTPS. */
#define COOKIE_ATTRIBUTES "; HttpOnly; SameSite=Strict; Path=/"
#define COOKIE_SECURE "; Secure"
/* Room for a header: the name and value and the attributes. */
#define COOKIE_HEADER_MAX 512

void http_set_cookie(struct http_request *req, const char *name, const char *value,
                     unsigned max_age)
{
	char header[COOKIE_HEADER_MAX];
	int n = snprintf(header, sizeof header, "%s=%s" COOKIE_ATTRIBUTES "%s; Max-Age=%u",
	                 name, value, http_is_tls(req) ? COOKIE_SECURE : "", max_age);

	if (n > 0 && (size_t)n < sizeof header)
		http_add_header(req, "Set-Cookie", header);
	OPENSSL_cleanse(header, sizeof header);
}

bool http_cross_site(const struct http_request *req)
{
	const char *site = http_header(req, "Sec-Fetch-Site");
	const char *origin = http_header(req, "Origin");
	const char *host = http_header(req, "Host");

	if (site)
		return strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0;
	if (!origin)
		return false;
	const char *sep = strstr(origin, "://");
	if (!sep || !host || (strncmp(origin, "http://", 7) != 0 &&
	                      strncmp(origin, "https://", 8) != 0))
		return true;
	return strcmp(sep + 3, host) != 0;
}

void http_redirect(struct http_request *req, const char *location, const char *text)
{
	http_add_header(req, "Location", location);
	http_reply(req, 303, "text/plain; charset=utf-8", text, strlen(text));
}
