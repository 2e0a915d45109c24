/* Transport failures explained; see push_transport.h. */
#include "push_transport.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"

/* True when a TLS handshake with the host and port of the http:// url
 * succeeds: the server speaks HTTPS. The certificate is not checked here;
 * only the protocol is in question, and nothing is sent after the
 * handshake. */
static bool speaks_tls(const struct push_config *cfg, const char *url)
{
	struct buf https = BUF_INIT;
	CURL *c = curl_easy_init();
	bool tls = false;

	if (!c || buf_printf(&https, "https://%s", url + strlen("http://")) != 0)
		goto done;
	curl_easy_setopt(c, CURLOPT_URL, https.data);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout_s < 10 ? cfg->timeout_s : 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	tls = curl_easy_perform(c) == CURLE_OK;
done:
	curl_easy_cleanup(c);
	buf_free(&https);
	return tls;
}

/* Puts `sentence` before libcurl's own words in out. */
static bool explain(char *out, size_t size, const char *sentence)
{
	char curl_said[CURL_ERROR_SIZE];

	snprintf(curl_said, sizeof curl_said, "%s", out);
	snprintf(out, size, "%s (%s)", sentence, curl_said);
	return true;
}

bool push_transport_explain(const struct push_config *cfg, const char *url, CURLcode code,
                            char *out, size_t size)
{
	bool https = strncmp(url, "https://", 8) == 0;

	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return explain(out, size, "the collector's certificate could not be verified: "
		               "give the certificate of the authority that signed it with "
		               "--cacert, and check that the URL names the host in the certificate");
	case CURLE_SSL_CACERT_BADFILE:
		return explain(out, size, "the --cacert file could not be read as PEM certificates");
	case CURLE_SSL_CONNECT_ERROR:
		return explain(out, size, "no TLS connection could be made: the collector at this "
		               "https:// URL seems to speak plain HTTP (check the URL and whether "
		               "the collector was started with --tls-cert)");
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
		if (!https && speaks_tls(cfg, url))
			return explain(out, size, "the collector speaks HTTPS: write the URL with "
			               "https:// instead of http://");
		return false;
	default:
		return false;
	}
}
