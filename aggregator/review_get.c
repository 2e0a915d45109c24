/* GET /review/YEAR?area=CODE[&lang=en][&as_of=...]: the annual trend review as one page; see aggregator.h.
 * A browser without a session is sent to /login, like the index; a reader
 * with a token may also send it as a bearer token. */

#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "html.h"
#include "query.h"
#include "review.h"
#include "review_html.h"
#include "review_load.h"

/* Positions in the parameter list. */
enum { P_AREA, P_LANG, P_AS_OF, P_COUNT };

/* lang=sv|en, Swedish when absent. */
static int lang_read(struct http_request *req, const char *value, enum review_lang *out)
{
	if (!value || strcmp(value, "sv") == 0)
		*out = REVIEW_SV;
	else if (strcmp(value, "en") == 0)
		*out = REVIEW_EN;
	else
		return query_bad(req, "lang", value, "expected sv or en");
	return 0;
}

/* Reads the review's input on the read's connection, gives the
 * connection back, and computes and renders the review without it: the
 * trends and the page need only what was read and the catalogue. */
static void review_answer(struct aggregator *a, struct http_request *req,
                          struct read_ctx *rc, const struct review_params *p,
                          enum review_lang lang)
{
	struct review_input in;
	struct review r = { 0 };
	struct buf page = BUF_INIT;
	struct tables_ctx ctx = read_tables(a, rc);
	enum agg_status st = AGG_FAILED;

	if (review_plan(rc->cat, p, &in) == 0)
		st = review_input_read(&ctx, &in);
	read_put_db(a, rc);
	if (st == AGG_OK)
		st = review_build(&in, p, &r);
	review_input_free(&in);
	if (st != AGG_OK) {
		aggregator_reply_failure(a, req, st, "the review");
		return;
	}
	http_add_header(req, "Content-Language", lang == REVIEW_EN ? "en" : "sv");
	html_reply(req, 200, &page, review_html(&page, &r, lang));
	review_free(&r);
}

void review_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_AREA] = { "area", NULL, 0 }, [P_LANG] = { "lang", NULL, 0 },
		[P_AS_OF] = { "as_of", NULL, 0 },
	};
	char as_of[QUERY_TIME_MAX];
	struct review_params p = { .grace_days = a->grace_days, .alpha = a->alpha,
	                           .now = time(NULL) };
	enum review_lang lang = REVIEW_SV;
	struct read_ctx rc = READ_CTX_INIT;

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read(req, qp, P_COUNT) != 0 ||
	    query_year(req, http_path_param(req), p.now, &p.year) != 0 ||
	    lang_read(req, qp[P_LANG].value, &lang) != 0 ||
	    query_as_of(req, qp[P_AS_OF].value, as_of) != 0 ||
	    read_begin(a, req, as_of[0] ? as_of : NULL, &rc) != 0)
		goto done;
	p.as_of = as_of[0] ? as_of : NULL;
	if (query_municipality(req, rc.cat, qp[P_AREA].value, "a review", &p.municipality) == 0)
		review_answer(a, req, &rc, &p, lang);
done:
	read_end(a, &rc);
}
