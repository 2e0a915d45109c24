/* GET /: the start page for people in a browser. Per municipality it
 * links its reporting page (reporting_get.c: who has reported) and lists
 * the years from the first to the last with data and, per year, the links
 * to its review page (review_get.c); above them a link to the explorer
 * (explore_get.c). Swedish by default, English with lang=en. Without a
 * valid session (and without --public) the browser is sent to /login. */
#include <stdlib.h>
#include <string.h>

#include "aggregator.h"
#include "html.h"
#include "period.h"
#include "query.h"

/* The page's words in one language. */
struct index_words {
	const char *lang;          /* the html lang */
	const char *sign_out;      /* the button */
	const char *intro;         /* the first paragraph */
	const char *explore;       /* the explorer's path */
	const char *explore_text;  /* its link's text */
	const char *no_data;       /* a municipality without data */
};

static const struct index_words SV = {
	"sv", "Logga ut", "Varje siffra har passerat röjandekontrollen: små antal och de celler "
	"som skulle avslöja dem döljs. API:t beskrivs i docs/aggregator.md.", "/explore",
	"Utforska data: välj indikatorer, områden och perioder, se diagram och tabeller, ladda ner",
	"Inga data ännu.",
};

static const struct index_words EN = {
	"en", "Sign out", "Every figure has passed disclosure control: small counts and the "
	"cells that would reveal them are suppressed. The API is described in "
	"docs/aggregator.md.", "/explore?lang=en",
	"Explore the data: choose indicators, areas and periods, see charts and tables, download",
	"No data yet.",
};

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
                                 size_t n, const struct index_words *w)
{
	struct year_range r = years_of(cat, m, spans, n);

	buf_htmlf(b, "<h2>%s <small>%s</small></h2>\n", m->name, m->code);
	buf_htmlf(b, "<p><a class=\"reporting\" href=\"/reporting?area=%s\">Rapportering</a>"
	          " (vem har rapporterat, kvartal för kvartal)</p>\n", m->code);
	if (r.first == 0)
		buf_htmlf(b, "<p>%s</p>\n", w->no_data);
	for (int y = r.last; r.first != 0 && y >= r.first; y--) {
		buf_printf(b, "<h3>%d</h3>\n", y);
		review_links(b, m, y);
	}
}

/* The page; a failure shows in the buffer (buf_failed). */
static void index_page(struct buf *b, const struct catalogue *cat, bool public_read,
                       const struct load_span *spans, size_t n, const struct index_words *w)
{
	html_begin(b, w->lang, "Samlad");
	buf_puts(b, "<h1>Samlad</h1>\n");
	if (!public_read)
		buf_htmlf(b, "<form method=\"post\" action=\"/logout\"><button type=\"submit\">"
		          "%s</button></form>\n", w->sign_out);
	buf_htmlf(b, "<p>%s</p>\n<p><a class=\"explore\" href=\"%s\">%s</a></p>\n", w->intro,
	          w->explore, w->explore_text);
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].parent < 0)
			municipality_section(b, cat, &cat->areas[i], spans, n, w);
	html_end(b);
}

void index_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct read_ctx rc = READ_CTX_INIT;
	struct load_span *spans = NULL;
	size_t n = 0;
	struct buf page = BUF_INIT;
	struct query_param qp[] = { { "lang", NULL, 0 } };

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read(req, qp, 1) != 0 ||
	    read_begin(a, req, NULL, &rc) != 0)
		goto done;
	if (qp[0].value && strcmp(qp[0].value, "sv") != 0 && strcmp(qp[0].value, "en") != 0) {
		query_bad(req, "lang", qp[0].value, "expected sv or en");
		goto done;
	}
	const struct index_words *w = qp[0].value && strcmp(qp[0].value, "en") == 0 ? &EN : &SV;
	enum db_status st = load_spans(rc.db, rc.v.at.data, &spans, &n);
	read_put_db(a, &rc);
	if (st == DB_OK) {
		index_page(&page, rc.cat, a->public_read, spans, n, w);
		http_add_header(req, "Content-Language", w->lang);
		html_reply(req, 200, &page, 0);
	} else
		aggregator_reply_failure(a, req, tables_status(st), "the index");
done:
	buf_free(&page);
	free(spans);
	read_end(a, &rc);
}
