/* One mail by libcurl's SMTP; see smtp.h. */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* What the upload reads from: the message and how far it got. */
struct upload {
	const char *data;  /* borrowed; the message */
	size_t len;        /* its length */
	size_t done;       /* bytes handed to libcurl so far */
};

/* libcurl's read callback: the next part of the message. */
static size_t read_part(char *to, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t left = u->len - u->done, room = size * n, k = left < room ? left : room;

	memcpy(to, u->data + u->done, k);
	u->done += k;
	return k;
}

bool smtp_url_valid(const char *url)
{
	return strncmp(url, "smtp://", 7) == 0 || strncmp(url, "smtps://", 8) == 0;
}

/* The options of one send on handle c. */
static void set_options(CURL *c, const struct smtp_server *s, const char *from,
                        struct curl_slist *rcpt, struct upload *u, char *err)
{
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_part);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (s->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
	if (s->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
}

int smtp_send(const struct smtp_server *s, const char *from, const char *to,
              const char *message, size_t len, char err[SMTP_ERROR_MAX])
{
	char envelope_from[300];
	struct upload u = { message, len, 0 };
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	CURL *c = curl_easy_init();
	CURLcode rc = CURLE_OUT_OF_MEMORY;

	err[0] = '\0';
	snprintf(envelope_from, sizeof envelope_from, "<%s>", from);
	if (c && rcpt) {
		set_options(c, s, envelope_from, rcpt, &u, err);
		rc = curl_easy_perform(c);
	}
	if (rc != CURLE_OK && err[0] == '\0')
		snprintf(err, SMTP_ERROR_MAX, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}
