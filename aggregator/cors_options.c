/* CORS for --public: pages of any other site may read the data endpoints
 * (the JSON API, never the sign-in or the browser pages), so that an
 * analyst's browser tools can load the published numbers. Anyone may read
 * them without a token then anyway; credentials are never allowed. */
#include "aggregator.h"

/* The answer headers a reading script may see besides the simple ones:
 * the next page's link, the entity tag and the data versions. */
#define CORS_EXPOSE "ETag, Link, Samlad-Data-Version, Samlad-Catalogue-Version"

void cors_allow_read(struct http_request *req)
{
	http_add_header(req, "Access-Control-Allow-Origin", "*");
	http_add_header(req, "Access-Control-Expose-Headers", CORS_EXPOSE);
}

/* OPTIONS on a data endpoint: the preflight a browser sends before a GET
 * with headers of its own (If-None-Match). Without --public there is no
 * such route: the answer is the 405 (Allow: GET) of any other method. */
void cors_options(struct http_request *req, void *app)
{
	const struct aggregator *a = app;

	if (!a->public_read) {
		http_reply_no_route(req);
		return;
	}
	http_add_header(req, "Allow", "GET, OPTIONS");
	http_add_header(req, "Access-Control-Allow-Origin", "*");
	http_add_header(req, "Access-Control-Allow-Methods", "GET");
	http_add_header(req, "Access-Control-Allow-Headers", "Accept, If-None-Match");
	http_add_header(req, "Access-Control-Max-Age", "86400");
	http_reply(req, 204, NULL, "", 0);
}
