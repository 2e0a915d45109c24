/* GET /explore?indicator=A&indicator=B&area=0581*&area=0182-boo[&from=][&to=]
 *     [&freq=quarter|year|all][&lang=en]
 * The explorer: a page that chooses indicators, areas and periods, and
 * shows what was chosen as a chart and a table per indicator, with links
 * that download it from /v1/data (explore_page.h). A form sends a
 * checkbox once per box ticked, so indicator and area may come many
 * times; they become the comma lists of /v1/data, and the selection is
 * read and its rows are read by the same code as /v1/data's
 * (data_read.h), so that the page shows exactly the cells /v1/data
 * gives. A selection of more than EXPLORE_CELLS_MAX cells is not shown:
 * the page says so and offers the downloads. Bad parameters are refused
 * as /v1/data refuses them (400 invalid_parameter). A browser without a
 * session is sent to /login, like the review. */
#include <stdlib.h>
#include <string.h>

#include "aggregator.h"
#include "data_read.h"
#include "explore_page.h"
#include "html.h"

/* The most cells a page shows: a table of 4 000 cells is already more
 * than a reader reads. */
#define EXPLORE_CELLS_MAX 4000

/* The query as the form sends it. */
struct explore_query {
	struct buf indicators;  /* the indicator values joined by commas */
	struct buf areas;       /* the area values likewise */
	const char *from;       /* borrowed; NULL when absent or empty */
	const char *to;         /* borrowed; likewise */
	const char *freq;       /* borrowed; NULL when absent */
	const char *lang;       /* borrowed; NULL when absent */
	int repeated;           /* a name that may come once came again: its index + 1 */
	char unknown[48];       /* the first unknown name, "" for none */
};

/* The names that may come once, in the order of explore_query's pointers. */
static const char *const ONCE[] = { "from", "to", "freq", "lang" };

/* Joins a repeated name's values; an empty one (no box ticked) adds nothing. */
static void join(struct buf *list, const char *value)
{
	if (!*value)
		return;
	if (list->len)
		buf_puts(list, ",");
	buf_puts(list, value);
}

static void read_one(void *ctx, const char *key, const char *value)
{
	struct explore_query *q = ctx;
	const char **once[] = { &q->from, &q->to, &q->freq, &q->lang };

	if (strcmp(key, "indicator") == 0 || strcmp(key, "area") == 0) {
		join(key[0] == 'i' ? &q->indicators : &q->areas, value ? value : "");
		return;
	}
	for (size_t i = 0; i < sizeof ONCE / sizeof ONCE[0]; i++)
		if (strcmp(key, ONCE[i]) == 0) {
			if (*once[i] && !q->repeated)
				q->repeated = (int)i + 1;
			/* An empty text field of the form means "not given". */
			*once[i] = value && *value ? value : i < 2 ? NULL : "";
			return;
		}
	if (!q->unknown[0])
		query_echo(q->unknown, sizeof q->unknown, key);
}

/* Reads the query; 0, or -1 after answering 400. */
static int query_read_explore(struct http_request *req, struct explore_query *q)
{
	http_query_each(req, read_one, q);
	if (q->unknown[0]) {
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'",
		                 q->unknown);
		return -1;
	}
	if (q->repeated) {
		http_reply_error(req, 400, "invalid_parameter", "%s: give it once",
		                 ONCE[q->repeated - 1]);
		return -1;
	}
	if (buf_failed(&q->indicators) || buf_failed(&q->areas)) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return -1;
	}
	if (q->lang && strcmp(q->lang, "sv") != 0 && strcmp(q->lang, "en") != 0)
		return query_bad(req, "lang", q->lang, "expected sv or en");
	if (q->freq && strcmp(q->freq, "all") != 0 && strcmp(q->freq, "quarter") != 0 &&
	    strcmp(q->freq, "year") != 0)
		return query_bad(req, "freq", q->freq, "expected all, quarter or year");
	if (!q->freq)
		q->freq = "quarter";
	return 0;
}

/* Reads the selection and, when it is small enough, its rows; the
 * connection goes back once read. 0, or -1 after answering. */
static int explore_read(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                        const struct explore_query *q, struct data_sel *s,
                        struct explore_view *v, struct data_row **rows)
{
	struct data_ask ask = { q->indicators.data, q->areas.data, q->from, q->to, q->freq };
	enum agg_status st = AGG_OK;

	if (!q->indicators.len || !q->areas.len)
		return 0;
	if (data_sel_read(req, rc->cat, &ask, s) != 0)
		return -1;
	v->sel = s;
	v->cells = data_sel_total(s);
	if (v->cells > EXPLORE_CELLS_MAX)
		return 0;
	struct tables_ctx ctx = read_tables(a, rc);
	*rows = calloc((size_t)v->cells + 1, sizeof **rows);
	st = *rows ? data_rows_read(&ctx, s, 0, (size_t)v->cells, *rows) : AGG_FAILED;
	if (st != AGG_OK) {
		aggregator_reply_failure(a, req, st, "the data");
		return -1;
	}
	v->rows = *rows;
	return 0;
}

void explore_get(struct http_request *req, void *app)
{
	struct aggregator *a = app;
	struct explore_query q = { BUF_INIT, BUF_INIT, NULL, NULL, NULL, NULL, 0, "" };
	struct read_ctx rc = READ_CTX_INIT;
	struct data_sel s = { 0 };
	struct data_row *rows = NULL;
	struct buf page = BUF_INIT;

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read_explore(req, &q) != 0 ||
	    read_begin(a, req, NULL, &rc) != 0)
		goto done;
	struct explore_view v = {
		.cat = rc.cat, .english = q.lang && strcmp(q.lang, "en") == 0,
		.indicators = q.indicators.data ? q.indicators.data : "",
		.areas = q.areas.data ? q.areas.data : "", .from = q.from, .to = q.to,
		.freq = q.freq, .cells_max = EXPLORE_CELLS_MAX,
	};
	int st = explore_read(a, req, &rc, &q, &s, &v, &rows);
	read_put_db(a, &rc);
	if (st == 0) {
		http_add_header(req, "Content-Language", v.english ? "en" : "sv");
		html_reply(req, 200, &page, explore_page(&page, &v));
	}
done:
	buf_free(&page);
	free(rows);
	data_sel_free(&s);
	buf_free(&q.indicators);
	buf_free(&q.areas);
	read_end(a, &rc);
}
