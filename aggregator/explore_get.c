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

/* The parameters that may come once, in explore_query's table. */
enum { Q_FROM, Q_TO, Q_FREQ, Q_LANG, Q_COUNT };

/* The query as the form sends it. */
struct explore_query {
	struct buf indicators;               /* the indicator values joined by commas */
	struct buf areas;                    /* the area values likewise */
	struct query_param once[Q_COUNT];    /* from, to, freq, lang: values borrowed */
	char unknown[48];                    /* the first unknown name, "" for none */
};

/* Joins a repeated name's values; an empty one adds nothing. */
static void join(struct buf *list, const char *value)
{
	if (!value || !*value)
		return;
	if (list->len)
		buf_puts(list, ",");
	buf_puts(list, value);
}

/* One argument of the query (http_query_each). */
static void read_one(void *ctx, const char *key, const char *value)
{
	struct explore_query *q = ctx;

	if (strcmp(key, "indicator") == 0 || strcmp(key, "area") == 0) {
		join(key[0] == 'i' ? &q->indicators : &q->areas, value);
		return;
	}
	for (size_t i = 0; i < Q_COUNT; i++)
		if (strcmp(key, q->once[i].name) == 0) {
			q->once[i].value = value ? value : "";
			q->once[i].count++;
			return;
		}
	if (!q->unknown[0])
		query_echo(q->unknown, sizeof q->unknown, key);
}

/* Reads the query; 0, or -1 after answering 400. An empty from or to (a
 * text field left empty) is as if absent; freq is quarter when absent. */
static int query_read_explore(struct http_request *req, struct explore_query *q)
{
	http_query_each(req, read_one, q);
	if (q->unknown[0]) {
		http_reply_error(req, 400, "invalid_parameter", "unknown query parameter '%s'",
		                 q->unknown);
		return -1;
	}
	for (size_t i = 0; i < Q_COUNT; i++)
		if (q->once[i].count > 1) {
			http_reply_error(req, 400, "invalid_parameter", "%s: give it once",
			                 q->once[i].name);
			return -1;
		}
	if (buf_failed(&q->indicators) || buf_failed(&q->areas)) {
		http_reply_error(req, 500, "internal_error", "out of memory");
		return -1;
	}
	const char *lang = q->once[Q_LANG].value, *freq = q->once[Q_FREQ].value;
	if (lang && strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0)
		return query_bad(req, "lang", lang, "expected sv or en");
	if (freq && strcmp(freq, "all") != 0 && strcmp(freq, "quarter") != 0 &&
	    strcmp(freq, "year") != 0)
		return query_bad(req, "freq", freq, "expected all, quarter or year");
	for (size_t i = Q_FROM; i <= Q_TO; i++)
		if (q->once[i].value && !*q->once[i].value)
			q->once[i].value = NULL;
	if (!freq)
		q->once[Q_FREQ].value = "quarter";
	return 0;
}

/* Reads the selection and, when it is small enough, its rows; the
 * connection goes back once read. 0, or -1 after answering. */
static int explore_read(struct aggregator *a, struct http_request *req, struct read_ctx *rc,
                        const struct explore_query *q, struct data_sel *s,
                        struct explore_view *v, struct data_row **rows)
{
	struct data_ask ask = { q->indicators.data, q->areas.data, q->once[Q_FROM].value,
	                        q->once[Q_TO].value, q->once[Q_FREQ].value };
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
	struct explore_query q = {
		BUF_INIT, BUF_INIT,
		{ [Q_FROM] = { "from", NULL, 0 }, [Q_TO] = { "to", NULL, 0 },
		  [Q_FREQ] = { "freq", NULL, 0 }, [Q_LANG] = { "lang", NULL, 0 } }, "",
	};
	struct read_ctx rc = READ_CTX_INIT;
	struct data_sel s = { 0 };
	struct data_row *rows = NULL;
	struct buf page = BUF_INIT;

	if (read_gate(a, req, READ_PAGE, &rc) != 0 || query_read_explore(req, &q) != 0 ||
	    read_begin(a, req, NULL, &rc) != 0)
		goto done;
	struct explore_view v = {
		.cat = rc.cat,
		.english = q.once[Q_LANG].value && strcmp(q.once[Q_LANG].value, "en") == 0,
		.indicators = q.indicators.data ? q.indicators.data : "",
		.areas = q.areas.data ? q.areas.data : "", .from = q.once[Q_FROM].value,
		.to = q.once[Q_TO].value, .freq = q.once[Q_FREQ].value,
		.cells_max = EXPLORE_CELLS_MAX,
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
