/* GET /reporting?area=MUNICIPALITY[&from=][&to=][&lang=en][&as_of=]: the
 * agency x quarter matrix of /v1/completeness as a page, Swedish unless
 * lang=en. Each cell has its status as a word and as a colour, so that the
 * colour is never the only sign. A browser without a session is sent to
 * /login, like the review. */
#include <string.h>

#include "aggregator.h"
#include "html.h"
#include "period.h"
#include "query.h"
#include "review.h"

/* Positions in the parameter list. */
enum { P_AREA, P_FROM, P_TO, P_LANG, P_AS_OF, P_COUNT };

/* The statuses, named so that each word below is tied to its status. */
enum { ST_COMPLETE, ST_LATE, ST_PARTIAL, ST_MISSING, ST_NOT_DUE, ST_NOT_EXPECTED, NSTATUS };
static const char *const STATUS[NSTATUS] = {
	[ST_COMPLETE] = "complete", [ST_LATE] = "late", [ST_PARTIAL] = "partial",
	[ST_MISSING] = "missing", [ST_NOT_DUE] = "not_due", [ST_NOT_EXPECTED] = "not_expected",
};

/* The page's words in one language. */
struct words {
	const char *lang;             /* the Content-Language */
	const char *title;            /* the heading, before the municipality's name */
	const char *note;             /* before the grace days */
	const char *days;             /* after them */
	const char *agency;           /* the first column's heading */
	const char *rate;             /* the reporting rate's heading */
	const char *on_time;          /* the on-time rate's heading */
	const char *all;              /* the last row's name */
	const char *status[NSTATUS];  /* per STATUS */
};

static const struct words SV = {
	.lang = "sv", .title = "Rapportering",
	.note = "En rapport är i tid när dess sista nyckel kommit senast",
	.days = "dagar efter kvartalets slut.", .agency = "Verksamhet", .rate = "Rapporterat",
	.on_time = "I tid", .all = "Alla",
	.status = { [ST_COMPLETE] = "komplett", [ST_LATE] = "sen", [ST_PARTIAL] = "delvis",
	            [ST_MISSING] = "saknas", [ST_NOT_DUE] = "ej förfallen",
	            [ST_NOT_EXPECTED] = "förväntas ej" },
};

static const struct words EN = {
	.lang = "en", .title = "Reporting",
	.note = "A report is on time when its last key came at most",
	.days = "days after the quarter's end.", .agency = "Agency", .rate = "Reported",
	.on_time = "On time", .all = "All",
	.status = { [ST_COMPLETE] = "complete", [ST_LATE] = "late", [ST_PARTIAL] = "partial",
	            [ST_MISSING] = "missing", [ST_NOT_DUE] = "not due",
	            [ST_NOT_EXPECTED] = "not expected" },
};

/* Background colours per STATUS: green, orange, yellow, red, grey, white. */
static const char STYLE[] =
	"<style>.complete{background:#cfc}.late{background:#fd9}.partial{background:#ffc}"
	".missing{background:#fcc}.not_due{background:#eee}.not_expected{background:#fff}"
	"</style>\n";

/* The status's index in STATUS. */
static size_t status_index(const char *status)
{
	size_t i = 0;

	while (i + 1 < NSTATUS && strcmp(STATUS[i], status) != 0)
		i++;
	return i;
}

/* One cell: class for the colour, the word, and "n / m" when partial. */
static void cell(struct buf *b, const struct review_report *r, const struct words *w)
{
	const char *status = review_report_status(r);

	buf_printf(b, "<td class=\"%s\">%s", status, w->status[status_index(status)]);
	if (strcmp(status, "partial") == 0)
		buf_printf(b, " %lld/%lld", r->reported, r->expected);
	buf_puts(b, "</td>");
}

/* A rate as "75,0 %" (Swedish) or "75.0%", or a dash when nothing was due. */
static void rate_cell(struct buf *b, long long part, long long due, const struct words *w)
{
	if (due == 0) {
		buf_puts(b, "<td>\xE2\x80\x93</td>");
		return;
	}
	long long tenths = (2000 * part / due + 1) / 2;
	buf_printf(b, w == &SV ? "<td>%lld,%lld\xC2\xA0%%</td>" : "<td>%lld.%lld%%</td>",
	           tenths / 10, tenths % 10);
}

static void header_row(struct buf *b, const struct review_matrix *m, const struct words *w)
{
	char period[PERIOD_STRLEN];

	buf_printf(b, "<table class=\"reporting\">\n<tr><th>%s</th>", w->agency);
	for (size_t q = 0; q < m->nperiods; q++) {
		period_format(period_add(m->from, (int)q), period);
		buf_printf(b, "<th>%s</th>", period);
	}
	buf_printf(b, "<th>%s</th><th>%s</th></tr>\n", w->rate, w->on_time);
}

static int page(struct buf *b, const struct cat_area *area, const struct review_matrix *m,
                const struct words *w)
{
	struct review_rates all = { 0 };

	html_begin(b, w->lang, w->title);
	buf_puts(b, STYLE);
	buf_htmlf(b, "<h1>%s: %s</h1>\n", w->title, area->name);
	buf_printf(b, "<p>%s %d %s</p>\n", w->note, m->grace_days, w->days);
	header_row(b, m, w);
	for (size_t i = 0; i < m->nrows; i++) {
		struct review_rates rt = { 0 };
		buf_htmlf(b, "<tr><th>%s</th>", m->rows[i].agency->name);
		for (size_t q = 0; q < m->nperiods; q++) {
			cell(b, &m->rows[i].reports[q], w);
			review_rates_add(&rt, &m->rows[i].reports[q]);
			review_rates_add(&all, &m->rows[i].reports[q]);
		}
		rate_cell(b, rt.complete, rt.due, w);
		rate_cell(b, rt.on_time, rt.due, w);
		buf_puts(b, "</tr>\n");
	}
	buf_printf(b, "<tr><th>%s</th><td colspan=\"%zu\"></td>", w->all, m->nperiods);
	rate_cell(b, all.complete, all.due, w);
	rate_cell(b, all.on_time, all.due, w);
	buf_puts(b, "</tr>\n</table>\n");
	html_end(b);
	return 0;
}

void reporting_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct query_param qp[P_COUNT] = {
		[P_AREA] = { "area", NULL, 0 }, [P_FROM] = { "from", NULL, 0 },
		[P_TO] = { "to", NULL, 0 }, [P_LANG] = { "lang", NULL, 0 },
		[P_AS_OF] = { "as_of", NULL, 0 },
	};
	struct reporting_args args = { 0 };
	struct review_matrix m = { 0 };
	struct read_ctx rc = READ_CTX_INIT;
	struct buf b = BUF_INIT;
	const char *lang = NULL;

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read(req, qp, P_COUNT) != 0)
		goto done;
	lang = qp[P_LANG].value;
	if (lang && strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0) {
		query_bad(req, "lang", lang, "expected sv or en");
		goto done;
	}
	if (reporting_args_read(a, req, &rc, qp[P_AREA].value, qp[P_FROM].value, qp[P_TO].value,
	                        qp[P_AS_OF].value, &args) != 0 ||
	    reporting_matrix(a, req, &rc, &args, &m) != 0)
		goto done;
	const struct words *w = lang && strcmp(lang, "en") == 0 ? &EN : &SV;
	http_add_header(req, "Content-Language", w->lang);
	html_reply(req, 200, &b, page(&b, args.municipality, &m, w));
done:
	review_matrix_free(&m);
	read_end(a, &rc);
}
