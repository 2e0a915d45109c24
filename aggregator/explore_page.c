/* The explorer's page; see explore_page.h. The numbers come only from
 * the rows /v1/data reads (data_read.h): a cell that disclosure control
 * hid arrives without its value and is printed as the legend's "..". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_page.h"
#include "html.h"
#include "legend.h"
#include "numfmt.h"
#include "period.h"
#include "series_build.h"
#include "svg.h"

/* The page's words in one language. */
struct words {
	const char *lang;         /* the html lang */
	const char *title;        /* the heading */
	const char *intro;        /* the first paragraph */
	const char *indicators;   /* the indicators' fieldset */
	const char *areas;        /* the areas' fieldset */
	const char *with_all;     /* after a municipality's name: with all its districts */
	const char *period;       /* the period fieldset */
	const char *from;         /* the first quarter's label */
	const char *to;           /* the last quarter's label */
	const char *freq;         /* the frequency's label */
	const char *freq_all;     /* quarters and years */
	const char *freq_quarter; /* quarters */
	const char *freq_year;    /* years */
	const char *show;         /* the button */
	const char *choose;       /* nothing chosen yet */
	const char *too_many_a;   /* before the cells */
	const char *too_many_b;   /* between the cells and the limit */
	const char *too_many_c;   /* after the limit */
	const char *download;     /* before the links */
	const char *area;         /* the table's first column */
	const char *by_quarter;   /* a chart's title: per quarter */
	const char *by_year;      /* per year */
	const char *count;        /* the y axis */
	const char *x_quarter;    /* the x axis of quarters */
	const char *x_year;       /* of years */
	const char *lines;        /* a chart's description, before the areas */
	const char *legend;       /* the legend's heading */
	enum numfmt_lang num;     /* the number format */
};

static const struct words SV = {
	.lang = "sv", .title = "Utforska data",
	.intro = "Välj indikatorer, områden och perioder och tryck på Visa. Alla siffror har "
	         "passerat röjandekontrollen: små antal och de celler som skulle avslöja dem visas "
	         "inte.",
	.indicators = "Indikatorer", .areas = "Områden", .with_all = "med alla delområden",
	.period = "Period", .from = "Från kvartal", .to = "Till kvartal", .freq = "Frekvens",
	.freq_all = "kvartal och år", .freq_quarter = "kvartal", .freq_year = "år",
	.show = "Visa", .choose = "Välj minst en indikator och ett område.",
	.too_many_a = "Urvalet har", .too_many_b = "celler, fler än de",
	.too_many_c = "som en sida visar. Välj färre indikatorer, områden eller perioder, "
	              "eller ladda ner urvalet.",
	.download = "Ladda ner urvalet:", .area = "Område", .by_quarter = "per kvartal",
	.by_year = "per år", .count = "Antal", .x_quarter = "Kvartal", .x_year = "År",
	.lines = "En linje per område:", .legend = "Teckenförklaring", .num = NUMFMT_SV,
};

static const struct words EN = {
	.lang = "en", .title = "Explore the data",
	.intro = "Choose indicators, areas and periods and press Show. Every figure has passed "
	         "disclosure control: small counts and the cells that would reveal them are not "
	         "shown.",
	.indicators = "Indicators", .areas = "Areas", .with_all = "with all its districts",
	.period = "Period", .from = "From quarter", .to = "To quarter", .freq = "Frequency",
	.freq_all = "quarters and years", .freq_quarter = "quarters", .freq_year = "years",
	.show = "Show", .choose = "Choose at least one indicator and one area.",
	.too_many_a = "The selection has", .too_many_b = "cells, more than the",
	.too_many_c = "a page shows. Choose fewer indicators, areas or periods, or download the "
	              "selection.",
	.download = "Download the selection:", .area = "Area", .by_quarter = "by quarter",
	.by_year = "by year", .count = "Count", .x_quarter = "Quarter", .x_year = "Year",
	.lines = "One line per area:", .legend = "Legend", .num = NUMFMT_EN,
};

/* True when `code` is an item of the comma list. */
static bool listed(const char *list, const char *code)
{
	size_t n = strlen(code);

	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0'))
		if (strncmp(p, code, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static const char *indicator_name(const struct cat_indicator *ind, const struct words *w)
{
	return w == &EN ? ind->name_en : ind->name_sv;
}

/* "name (agency)": two agencies may have indicators of the same name. */
static void indicator_label(struct buf *b, const struct catalogue *cat,
                            const struct cat_indicator *ind, const struct words *w)
{
	buf_htmlf(b, "%s (%s)", indicator_name(ind, w), cat->agencies[ind->agency].name);
}

static void checkbox(struct buf *b, const char *name, const char *value, bool on)
{
	buf_htmlf(b, "<input type=\"checkbox\" name=\"%s\" value=\"%s\"%s> ", name, value,
	          on ? " checked" : "");
}

/* The indicators, a group per agency. */
static void indicator_choices(struct buf *b, const struct explore_view *v,
                              const struct words *w)
{
	const struct catalogue *cat = v->cat;

	buf_htmlf(b, "<fieldset class=\"indicators\"><legend>%s</legend>\n", w->indicators);
	for (size_t g = 0; g < cat->nagencies; g++) {
		buf_htmlf(b, "<fieldset class=\"agency\"><legend>%s</legend>\n",
		          cat->agencies[g].name);
		for (size_t i = 0; i < cat->nindicators; i++) {
			const struct cat_indicator *ind = &cat->indicators[i];
			if (ind->agency != (int)g)
				continue;
			buf_puts(b, "<label>");
			checkbox(b, "indicator", ind->code, listed(v->indicators, ind->code));
			indicator_label(b, cat, ind, w);
			buf_puts(b, "</label><br>\n");
		}
		buf_puts(b, "</fieldset>\n");
	}
	buf_puts(b, "</fieldset>\n");
}

/* One municipality: itself, itself with all its districts, each district. */
static void municipality_choices(struct buf *b, const struct explore_view *v,
                                 const struct cat_area *m, const struct words *w)
{
	char tree[80];

	snprintf(tree, sizeof tree, "%s*", m->code);
	buf_htmlf(b, "<fieldset class=\"municipality\"><legend>%s</legend>\n<label>", m->name);
	checkbox(b, "area", m->code, listed(v->areas, m->code));
	buf_htmlf(b, "%s</label><br>\n<label>", m->name);
	checkbox(b, "area", tree, listed(v->areas, tree));
	buf_htmlf(b, "%s %s</label><br>\n", m->name, w->with_all);
	for (size_t i = 0; i < v->cat->nareas; i++) {
		const struct cat_area *a = &v->cat->areas[i];
		if (a == m || !area_publishable(a) || area_municipality(v->cat, a) != m)
			continue;
		buf_puts(b, "<label>");
		checkbox(b, "area", a->code, listed(v->areas, a->code));
		buf_htmlf(b, "%s</label><br>\n", a->name);
	}
	buf_puts(b, "</fieldset>\n");
}

static void option(struct buf *b, const char *value, const char *label, const char *chosen)
{
	buf_htmlf(b, "<option value=\"%s\"%s>%s</option>", value,
	          strcmp(value, chosen) == 0 ? " selected" : "", label);
}

/* The period range and the frequency. */
static void period_choices(struct buf *b, const struct explore_view *v, const struct words *w)
{
	static const char pattern[] = "[0-9]{4}(-?[QK][1-4])?";

	buf_htmlf(b, "<fieldset class=\"period\"><legend>%s</legend>\n"
	          "<label for=\"from\">%s</label> <input type=\"text\" id=\"from\" name=\"from\" "
	          "size=\"8\" placeholder=\"2022Q1\" pattern=\"%s\" value=\"%s\">\n"
	          "<label for=\"to\">%s</label> <input type=\"text\" id=\"to\" name=\"to\" "
	          "size=\"8\" placeholder=\"2024Q4\" pattern=\"%s\" value=\"%s\">\n"
	          "<label for=\"freq\">%s</label> <select id=\"freq\" name=\"freq\">",
	          w->period, w->from, pattern, v->from ? v->from : "", w->to, pattern,
	          v->to ? v->to : "", w->freq);
	option(b, "quarter", w->freq_quarter, v->freq);
	option(b, "year", w->freq_year, v->freq);
	option(b, "all", w->freq_all, v->freq);
	buf_puts(b, "</select>\n</fieldset>\n");
}

static void form(struct buf *b, const struct explore_view *v, const struct words *w)
{
	buf_puts(b, "<form method=\"get\" action=\"/explore\">\n");
	if (w == &EN)
		buf_puts(b, "<input type=\"hidden\" name=\"lang\" value=\"en\">\n");
	indicator_choices(b, v, w);
	buf_htmlf(b, "<fieldset class=\"areas\"><legend>%s</legend>\n", w->areas);
	for (size_t i = 0; i < v->cat->nareas; i++)
		if (v->cat->areas[i].parent < 0)
			municipality_choices(b, v, &v->cat->areas[i], w);
	buf_puts(b, "</fieldset>\n");
	period_choices(b, v, w);
	buf_htmlf(b, "<p><button type=\"submit\">%s</button></p>\n</form>\n", w->show);
}

/* The links that download the selection from /v1/data. */
static void downloads(struct buf *b, const struct explore_view *v, const struct words *w)
{
	static const char *const formats[][2] = {
		{ "CSV", "&format=csv&sep=semicolon" }, { "JSON-stat", "&format=json-stat2" },
		{ "Excel (xlsx)", "&format=xlsx" },
	};
	struct buf q = BUF_INIT;

	data_query_append(&q, "indicator", v->indicators);
	data_query_append(&q, "area", v->areas);
	if (v->from)
		data_query_append(&q, "from", v->from);
	if (v->to)
		data_query_append(&q, "to", v->to);
	data_query_append(&q, "freq", v->freq);
	if (w == &EN)
		data_query_append(&q, "lang", "en");
	buf_htmlf(b, "<p class=\"downloads\">%s", w->download);
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		buf_htmlf(b, " <a class=\"download\" href=\"/v1/data%s%s\">%s</a>",
		          q.data ? q.data : "", formats[i][1], formats[i][0]);
	buf_puts(b, "</p>\n");
	if (buf_failed(&q))
		b->failed = true;
	buf_free(&q);
}

/* A period's name as /v1/data writes it: "2024Q3", or "2024". */
static void period_name(const struct data_period *p, char out[PERIOD_STRLEN])
{
	if (p->col == DC_YEAR)
		snprintf(out, PERIOD_STRLEN, "%d", p->year);
	else
		period_format(period_make(p->year, p->col + 1), out);
}

/* The arrays of one chart: the columns of one frequency, a line per area. */
struct chart {
	size_t *x;                 /* owned; the periods' indexes in sel->per */
	size_t n;                  /* how many */
	char (*ticks)[PERIOD_STRLEN];  /* owned; their names */
	char (*groups)[PERIOD_STRLEN]; /* owned; the year where one starts */
	const char **tick_ptrs;    /* owned; into ticks */
	const char **group_ptrs;   /* owned; into groups, or NULL */
	enum svg_mark *marks;      /* owned; narea x n */
	double *values;            /* owned; narea x n, read where marks say SVG_VALUE */
	struct svg_line *lines;    /* owned; narea */
};

static void chart_free(struct chart *c)
{
	free(c->x);
	free(c->ticks);
	free(c->groups);
	free(c->tick_ptrs);
	free(c->group_ptrs);
	free(c->marks);
	free(c->values);
	free(c->lines);
}

/* The x axis: quarters when the selection has any, else years. */
static int chart_axis(struct chart *c, const struct data_sel *s, bool *quarters)
{
	size_t m = s->nper + 1;

	*quarters = false;
	for (size_t p = 0; p < s->nper; p++)
		*quarters |= s->per[p].col != DC_YEAR;
	c->x = calloc(m, sizeof *c->x);
	c->ticks = calloc(m, sizeof *c->ticks);
	c->groups = calloc(m, sizeof *c->groups);
	c->tick_ptrs = calloc(m, sizeof *c->tick_ptrs);
	c->group_ptrs = calloc(m, sizeof *c->group_ptrs);
	if (!c->x || !c->ticks || !c->groups || !c->tick_ptrs || !c->group_ptrs)
		return -1;
	for (size_t p = 0; p < s->nper; p++) {
		if ((s->per[p].col != DC_YEAR) != *quarters)
			continue;
		period_name(&s->per[p], c->ticks[c->n]);
		c->tick_ptrs[c->n] = c->ticks[c->n];
		if (!*quarters || s->per[p].col == 0 || c->n == 0) {
			snprintf(c->groups[c->n], PERIOD_STRLEN, "%d", s->per[p].year);
			c->group_ptrs[c->n] = c->groups[c->n];
		}
		c->x[c->n++] = p;
	}
	return 0;
}

/* The lines of indicator i: one per area, from the rows. */
static int chart_lines(struct chart *c, const struct explore_view *v, size_t i)
{
	const struct data_sel *s = v->sel;

	c->marks = calloc(s->narea * c->n + 1, sizeof *c->marks);
	c->values = calloc(s->narea * c->n + 1, sizeof *c->values);
	c->lines = calloc(s->narea + 1, sizeof *c->lines);
	if (!c->marks || !c->values || !c->lines)
		return -1;
	for (size_t a = 0; a < s->narea; a++) {
		for (size_t k = 0; k < c->n; k++) {
			const struct pcell *cell = &v->rows[(i * s->narea + a) * s->nper + c->x[k]].cell;
			enum point_status st = point_status_of(cell->status);
			c->marks[a * c->n + k] = st == POINT_PUBLISHED ? SVG_VALUE
			                         : st == POINT_SUPPRESSED ? SVG_HIDDEN : SVG_MISSING;
			c->values[a * c->n + k] = st == POINT_PUBLISHED ? (double)cell->value : 0;
		}
		c->lines[a] = (struct svg_line){ s->area[a]->name, c->marks + a * c->n,
		                                 c->values + a * c->n, false, true };
	}
	return 0;
}

/* The key: each area's name in its line's colour. */
static void chart_key(struct buf *b, const struct data_sel *s, const struct words *w)
{
	buf_htmlf(b, "<p class=\"key\">%s", w->lines);
	for (size_t a = 0; a < s->narea; a++)
		buf_htmlf(b, "%s <span class=\"k%d\">\xe2\x96\xa0</span> %s", a ? " ·" : "", (int)(a % 4),
		          s->area[a]->name);
	buf_puts(b, "</p>\n");
}

/* The chart of indicator i. 0, or -1 when memory ran out. */
static int chart(struct buf *b, const struct explore_view *v, size_t i, const struct words *w)
{
	struct chart c = { 0 };
	bool quarters;
	char title[512];
	int rc = -1;

	if (chart_axis(&c, v->sel, &quarters) != 0 || chart_lines(&c, v, i) != 0)
		goto done;
	snprintf(title, sizeof title, "%s, %s", indicator_name(v->sel->ind[i], w),
	         quarters ? w->by_quarter : w->by_year);
	struct svg_chart sc = {
		.title = title, .desc = w->lines, .x_label = quarters ? w->x_quarter : w->x_year,
		.y_label = w->count, .x_ticks = c.tick_ptrs, .x_groups = c.group_ptrs, .n = c.n,
		.lines = c.lines, .nlines = v->sel->narea, .width = 640, .height = 260,
		.lang = w->num,
	};
	rc = svg_line_chart(b, &sc);
	chart_key(b, v->sel, w);
done:
	chart_free(&c);
	return rc;
}

/* One cell: the number, or the legend's symbol. */
static void value_cell(struct buf *b, const struct data_row *r, const struct words *w)
{
	char period[PERIOD_STRLEN], num[NUMFMT_MAX];
	enum point_status st = point_status_of(r->cell.status);
	const char *symbol = legend_cell_symbol(st, r->cell.value);
	struct data_period p = { r->year, r->col };

	period_name(&p, period);
	if (!symbol)
		numfmt_int(num, r->cell.value, false, w->num);
	buf_htmlf(b, "<td data-period=\"%s\">%s</td>", period, symbol ? symbol : num);
}

/* The table of indicator i: a row per area, a column per period. */
static void table(struct buf *b, const struct explore_view *v, size_t i, const struct words *w)
{
	const struct data_sel *s = v->sel;
	char period[PERIOD_STRLEN];

	buf_htmlf(b, "<table class=\"data\" data-indicator=\"%s\">\n<tr><th scope=\"col\">%s</th>",
	          s->ind[i]->code, w->area);
	for (size_t p = 0; p < s->nper; p++) {
		period_name(&s->per[p], period);
		buf_printf(b, "<th scope=\"col\">%s</th>", period);
	}
	buf_puts(b, "</tr>\n");
	for (size_t a = 0; a < s->narea; a++) {
		buf_htmlf(b, "<tr data-area=\"%s\"><th scope=\"row\">%s</th>", s->area[a]->code,
		          s->area[a]->name);
		for (size_t p = 0; p < s->nper; p++)
			value_cell(b, &v->rows[(i * s->narea + a) * s->nper + p], w);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* The symbols the tables print (legend.h), in the page's language. */
static void legend(struct buf *b, const struct words *w)
{
	static const enum legend_symbol used[] = { LEGEND_NOT_AVAILABLE, LEGEND_ZERO };

	buf_htmlf(b, "<p class=\"legend\">%s:", w->legend);
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
		const struct legend_row *row = legend_row(used[i]);
		buf_htmlf(b, "%s <b>%s</b> %s", i ? " ·" : "", row->symbol,
		          w == &EN ? row->en : row->sv);
	}
	buf_puts(b, "</p>\n");
}

/* What was chosen: the downloads, then a chart and a table per indicator,
 * or the message that there are too many cells to show. */
static int results(struct buf *b, const struct explore_view *v, const struct words *w)
{
	char cells[NUMFMT_MAX], max[NUMFMT_MAX];

	if (!v->rows) {
		numfmt_int(cells, v->cells, false, w->num);
		numfmt_int(max, v->cells_max, false, w->num);
		buf_htmlf(b, "<p class=\"error\" role=\"alert\">%s %s %s %s %s</p>\n", w->too_many_a,
		          cells, w->too_many_b, max, w->too_many_c);
		downloads(b, v, w);
		return 0;
	}
	downloads(b, v, w);
	legend(b, w);
	for (size_t i = 0; i < v->sel->nind; i++) {
		buf_puts(b, "<section class=\"indicator\">\n<h2>");
		indicator_label(b, v->cat, v->sel->ind[i], w);
		buf_puts(b, "</h2>\n");
		if (chart(b, v, i, w) != 0)
			return -1;
		table(b, v, i, w);
		buf_puts(b, "</section>\n");
	}
	return 0;
}

int explore_page(struct buf *b, const struct explore_view *v)
{
	const struct words *w = v->english ? &EN : &SV;
	char style[256];

	snprintf(style, sizeof style, "fieldset{margin:.4em 0}table.data td{text-align:right;"
	         "padding:0 .4em}.k0{color:%s}.k1{color:%s}.k2{color:%s}.k3{color:%s}",
	         svg_line_colour(0), svg_line_colour(1), svg_line_colour(2), svg_line_colour(3));
	html_begin_styled(b, w->lang, w->title, style);
	buf_htmlf(b, "<h1>%s</h1>\n<p>%s</p>\n", w->title, w->intro);
	form(b, v, w);
	if (!v->sel)
		buf_htmlf(b, "<p class=\"hint\">%s</p>\n", w->choose);
	else if (results(b, v, w) != 0)
		return -1;
	html_end(b);
	return buf_failed(b) ? -1 : 0;
}
