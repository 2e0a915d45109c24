/* GET /: the start page for people in a browser. Per municipality it
 * links its reporting page (reporting_get.c: who has reported) and lists
 * the years from the first to the last with data and, per year, the links
 * to its review page (review_get.c). Without a valid session (and without --public) the
 * browser is sent to /login. */
#include <stdlib.h>

#include "aggregator.h"
#include "html.h"
#include "period.h"
#include "query.h"

/* The years with data of one municipality, from the spans of its leaves. */
struct year_range {
	int first;  /* the first year, 0 when there is no data */
	int last;   /* the last year */
};

/* The links shown under one municipality's year: its review page (issue
 * 4) in Swedish and in English. Codes are [a-z0-9._-]: safe in a URL as
 * they are, escaped for HTML. */
static void review_links(struct buf *b, const struct cat_area *municipality, int year)
{
	buf_htmlf(b, "<ul>\n<li><a class=\"review\" href=\"/review/%d?area=%s\">Trendöversikt %d</a>"
	          " (svenska)</li>\n", year, municipality->code, year);
	buf_htmlf(b, "<li><a class=\"review\" href=\"/review/%d?area=%s&amp;lang=en\">Trend review %d"
	          "</a> (English)</li>\n</ul>\n", year, municipality->code, year);
}

/* The years with data under a municipality. */
static struct year_range years_of(const struct catalogue *cat, const struct cat_area *m,
                                  const struct load_span *spans, size_t n)
{
	struct year_range r = { 0, 0 };

	for (size_t i = 0; i < n; i++) {
		const struct cat_area *a = catalogue_area_by_id(cat, spans[i].area_id);
		if (!a || area_municipality(cat, a) != m)
			continue;
		if (r.first == 0 || period_year(spans[i].first) < r.first)
			r.first = period_year(spans[i].first);
		if (period_year(spans[i].last) > r.last)
			r.last = period_year(spans[i].last);
	}
	return r;
}

static void municipality_section(struct buf *b, const struct catalogue *cat,
                                 const struct cat_area *m, const struct load_span *spans,
                                 size_t n)
{
	struct year_range r = years_of(cat, m, spans, n);

	buf_htmlf(b, "<h2>%s <small>%s</small></h2>\n", m->name, m->code);
	buf_htmlf(b, "<p><a class=\"reporting\" href=\"/reporting?area=%s\">Rapportering</a>"
	          " (vem har rapporterat, kvartal för kvartal)</p>\n", m->code);
	if (r.first == 0)
		buf_puts(b, "<p>No data yet.</p>\n");
	for (int y = r.last; r.first != 0 && y >= r.first; y--) {
		buf_printf(b, "<h3>%d</h3>\n", y);
		review_links(b, m, y);
	}
}

/* The page; a failure shows in the buffer (buf_failed). */
static void index_page(struct buf *b, const struct catalogue *cat, bool public_read,
                       const struct load_span *spans, size_t n)
{
	html_begin(b, "en", "Samlad");
	buf_puts(b, "<h1>Samlad</h1>\n");
	if (!public_read)
		buf_puts(b, "<form method=\"post\" action=\"/logout\"><button type=\"submit\">"
		         "Sign out</button></form>\n");
	buf_puts(b, "<p>Every figure has passed disclosure control: small counts and "
	         "the cells that would reveal them are suppressed. The API is described "
	         "in docs/aggregator.md.</p>\n");
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].parent < 0)
			municipality_section(b, cat, &cat->areas[i], spans, n);
	html_end(b);
}

void index_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct read_ctx rc = READ_CTX_INIT;
	struct load_span *spans = NULL;
	size_t n = 0;
	struct buf page = BUF_INIT;

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read(req, NULL, 0) != 0 ||
	    read_begin(a, req, NULL, &rc) != 0)
		goto done;
	enum db_status st = load_spans(rc.db, rc.v.at.data, &spans, &n);
	read_put_db(a, &rc);
	if (st == DB_OK) {
		index_page(&page, rc.cat, a->public_read, spans, n);
		html_reply(req, 200, &page, 0);
	} else
		aggregator_reply_failure(a, req, tables_status(st), "the index");
done:
	buf_free(&page);
	free(spans);
	read_end(a, &rc);
}
