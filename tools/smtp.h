/* Sending one mail by SMTP with libcurl: smtp:// (plain, or STARTTLS
 * when asked) and smtps:// (implicit TLS). Plumbing: it knows nothing of
 * what the mail says. */
#ifndef SAMLAD_SMTP_H
#define SAMLAD_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* Room for libcurl's message of a failure. */
#define SMTP_ERROR_MAX 256

/* Where and how to send. */
struct smtp_server {
	const char *url;       /* borrowed; smtp://host:port or smtps://host:port */
	bool starttls;         /* require STARTTLS on smtp:// */
	const char *user;      /* borrowed; the login, or NULL for none */
	const char *password;  /* borrowed; its password, or NULL */
	long timeout_s;        /* the longest a whole send may take */
};

/* True when the URL's scheme is smtp:// or smtps://. */
bool smtp_url_valid(const char *url);
/* Sends the message (RFC 5322 text, CRLF line ends) from `from` to `to`,
 * both bare addresses. 0, or -1 with libcurl's reason in err. */
int smtp_send(const struct smtp_server *s, const char *from, const char *to,
              const char *message, size_t len, char err[SMTP_ERROR_MAX]) WUR;

#endif
