/* The form's page; see submit_page.h. */
#include "submit_page.h"

#include <stdio.h>
#include <string.h>
#include "html.h"
#include "period.h"

/* The page's own rules: a cell's state in a word, and a colour beside it. */
static const char STYLE[] =
	"td.new{background:#fff}td.stored{background:#eef6ee}td.changed{background:#fff6dd}"
	".state{font-size:.8em;color:#555;display:block}"
	"td .error{font-size:.8em;display:block}.error{white-space:pre-line}"
	"input[type=number]{width:7em}.receipt{background:#eef6ee;padding:.5em}";

/* The heading, whom the session is for, and the sign-out button. */
static void page_top(struct buf *b, const struct submit_view *v)
{
	const struct words *w = v->w;

	buf_htmlf(b, "<h1>%s</h1>\n<form method=\"post\" action=\"/logout\"><p>", w->title);
	if (v->agency)
		buf_htmlf(b, "%s <strong>%s</strong> ", w->signed_in_as, v->agency);
	buf_htmlf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
	          "<button type=\"submit\">%s</button></p></form>\n", w->lang, w->sign_out);
	if (v->error)
		buf_htmlf(b, "<p class=\"error\" role=\"alert\">%s</p>\n", v->error);
}

/* The quarter picker: the last SUBMIT_PICKER_QUARTERS quarters, newest
 * first, the last finished one chosen. */
static void picker(struct buf *b, const struct submit_view *v)
{
	const struct words *w = v->w;
	int q = period_current(v->now), chosen = period_last_finished(v->now);
	char text[PERIOD_STRLEN];

	buf_htmlf(b, "<form method=\"get\" action=\"/submit\">\n"
	          "<p><label for=\"quarter\">%s</label>\n<select id=\"quarter\" name=\"quarter\">\n",
	          w->quarter);
	for (int i = 0; i < SUBMIT_PICKER_QUARTERS; i++, q = period_add(q, -1)) {
		period_format(q, text);
		buf_printf(b, "<option value=\"%s\"%s>%s</option>\n", text,
		           q == chosen ? " selected" : "", text);
	}
	buf_htmlf(b, "</select>\n<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	          "<button type=\"submit\">%s</button></p>\n</form>\n", w->lang, w->choose);
}

/* The receipt of a check or a submission. */
static void receipt(struct buf *b, const struct submit_view *v)
{
	const struct receipt *r = v->receipt;
	const struct words *w = v->w;

	buf_puts(b, "<div class=\"receipt\" role=\"status\"><p>");
	buf_htmlf(b, "%s <span class=\"created\">%lld</span> %s, <span class=\"updated\">%lld"
	          "</span> %s, <span class=\"unchanged\">%lld</span> %s.",
	          v->dry_run ? w->checked_receipt : w->stored_receipt, r->created, w->n_created,
	          r->updated, w->n_updated, r->unchanged, w->n_unchanged);
	if (v->dry_run)
		buf_htmlf(b, " %s", w->nothing_stored);
	else
		buf_htmlf(b, " %s <code class=\"submission\">%s</code>", w->submission,
		          r->submission);
	buf_puts(b, "</p></div>\n");
}

/* One cell: the input with the value to show, its state in a word, and its
 * messages. */
static void cell_html(struct buf *b, const struct submit_view *v, size_t r, size_t c)
{
	static const char *const classes[] = { "new", "stored", "changed" };
	const struct grid *g = v->grid;
	const struct grid_cell *cell = &g->cells[r * g->nareas + c];
	const char *words[] = { v->w->state_new, v->w->state_stored, v->w->state_changed };
	enum grid_state st = grid_state(cell, g->posted);
	char stored[16] = "";

	if (!cell->permitted) {
		buf_htmlf(b, "<td>%s</td>", v->w->nothing);
		return;
	}
	if (cell->has_stored)
		snprintf(stored, sizeof stored, "%d", cell->stored);
	buf_htmlf(b, "<td class=\"%s\"><input type=\"number\" min=\"0\" step=\"1\" "
	          "name=\"v:%s:%s\" value=\"%s\" aria-label=\"%s, %s\">"
	          "<span class=\"state\">%s</span>", classes[st], g->inds[r]->code,
	          g->areas[c]->code, cell->has_typed ? cell->typed : stored,
	          strcmp(v->w->lang, "en") == 0 ? g->inds[r]->name_en : g->inds[r]->name_sv,
	          g->areas[c]->name, words[st]);
	if (cell->errors)
		buf_htmlf(b, "<span class=\"error\">%s</span>", cell->errors);
	buf_puts(b, "</td>");
}

/* The grid as a table inside the form that checks and submits it. */
static void grid_form(struct buf *b, const struct submit_view *v, const char *quarter)
{
	const struct grid *g = v->grid;
	const struct words *w = v->w;

	buf_htmlf(b, "<form method=\"post\" action=\"/submit\">\n"
	          "<input type=\"hidden\" name=\"quarter\" value=\"%s\">\n"
	          "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	          "<table>\n<thead><tr><th>%s</th>", quarter, w->lang, w->indicator);
	for (size_t c = 0; c < g->nareas; c++)
		buf_htmlf(b, "<th scope=\"col\">%s<br><code>%s</code></th>", g->areas[c]->name,
		          g->areas[c]->code);
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < g->ninds; r++) {
		buf_htmlf(b, "<tr><th scope=\"row\">%s<br><code>%s</code></th>",
		          strcmp(w->lang, "en") == 0 ? g->inds[r]->name_en : g->inds[r]->name_sv,
		          g->inds[r]->code);
		for (size_t c = 0; c < g->nareas; c++)
			cell_html(b, v, r, c);
		buf_puts(b, "</tr>\n");
	}
	buf_htmlf(b, "</tbody>\n</table>\n<p><button type=\"submit\" name=\"action\" "
	          "value=\"check\">%s</button>\n<button type=\"submit\" name=\"action\" "
	          "value=\"submit\">%s</button></p>\n</form>\n", w->check, w->submit);
}

/* The upload of a CSV file, and the template's link. */
static void upload_form(struct buf *b, const struct submit_view *v, const char *quarter)
{
	const struct words *w = v->w;

	buf_htmlf(b, "<h2>%s</h2>\n<form method=\"post\" action=\"/submit/upload\" "
	          "enctype=\"multipart/form-data\">\n"
	          "<input type=\"hidden\" name=\"quarter\" value=\"%s\">\n"
	          "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	          "<p><label for=\"file\">%s</label><br>\n"
	          "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\"></p>\n"
	          "<p><button type=\"submit\">%s</button></p>\n</form>\n"
	          "<p><a href=\"/submit/template.xlsx?quarter=%s&amp;lang=%s\">%s</a></p>\n",
	          w->upload, quarter, w->lang, w->upload_help, w->upload_button, quarter,
	          w->lang, w->template_link);
}

/* The grid's part of the page: messages, the grid, the upload. */
static void grid_part(struct buf *b, const struct submit_view *v)
{
	const struct grid *g = v->grid;
	char quarter[PERIOD_STRLEN];

	period_format(g->period, quarter);
	buf_htmlf(b, "<h2>%s %s</h2>\n<p><a href=\"/submit?lang=%s\">%s</a></p>\n",
	          v->w->quarter, quarter, v->w->lang, v->w->other_quarter);
	if (v->receipt)
		receipt(b, v);
	if (g->errors)
		buf_htmlf(b, "<p class=\"error rows\" role=\"alert\">%s</p>\n", g->errors);
	if (g->ninds == 0)
		buf_htmlf(b, "<p>%s</p>\n", v->w->no_indicators);
	else
		grid_form(b, v, quarter);
	upload_form(b, v, quarter);
}

void submit_page(struct buf *b, const struct submit_view *v)
{
	html_begin_styled(b, v->w->lang, v->w->title, STYLE);
	page_top(b, v);
	if (v->grid)
		grid_part(b, v);
	else
		picker(b, v);
	html_end(b);
}
