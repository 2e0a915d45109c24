/* The review page; see review_html.h. Each part of the page is one
 * function that appends to the buffer without checking: the buffer's
 * failure is sticky, and review_html asks for it once at the end. Only the
 * few parts that can fail otherwise (a series too long for a chart, an
 * area to find) return a status. */
#include "review_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "legend.h"
#include "period.h"
#include "svg.h"

#define EN_DASH "\xe2\x80\x93"
#define MINUS "\xe2\x88\x92"
#define NBSP "\xc2\xa0"
/* How many year-on-year changes the summary lists. */
#define TOP_CHANGES 5

/* The words of one language. The tables below name every field, so that
 * reordering the struct cannot swap two captions. */
struct words {
	const char *lang;          /* the html lang attribute */
	enum numfmt_lang num;      /* the number format */
	const char *title;         /* the page's title */
	const char *as_of;         /* "data as of" */
	const char *generated;     /* "made" */
	const char *legend;        /* the legend's heading */
	const char *missing;       /* a report not made, in the reporting matrix */
	const char *summary;       /* the summary's heading */
	const char *trends;        /* "significant trends", before the years */
	const char *no_trends;     /* when there are none */
	const char *changes;       /* "largest changes", before the years */
	const char *compared;      /* "on", between the years */
	const char *no_changes;    /* when there are none */
	const char *indicator;     /* column heading */
	const char *change;        /* column heading */
	const char *percent;       /* column heading */
	const char *completeness;  /* "reporting", before the year */
	const char *note_a;        /* how lateness is judged, before the days */
	const char *note_b;        /* after the days */
	const char *agency;        /* column heading */
	const char *reported;      /* a complete report on time */
	const char *late;          /* a report after the deadline */
	const char *partial;       /* "partly", before "3 of 5" */
	const char *of;            /* "of" */
	const char *not_due;       /* the quarter has not ended */
	const char *not_reported_list; /* heading of the list of missing reports */
	const char *late_list;     /* heading of the list of late reports */
	const char *none;          /* an empty list */
	const char *quarter;       /* the x axis */
	const char *count;         /* the y axis */
	const char *year;          /* column heading */
	const char *value;         /* column heading */
	const char *mat_flow;      /* the moving annual total of a flow */
	const char *mat_stock;     /* the moving annual mean of a stock */
	const char *mat_short;     /* the row heading of the moving values */
	const char *lines_legend;  /* the chart's lines: solid, then dashed */
	const char *right_axis;    /* "right axis" */
	const char *levels[2];     /* by enum indicator_level */
	const char *kinds[2];      /* by enum indicator_kind */
	const char *up;            /* a significant increase */
	const char *down;          /* a significant decrease */
	const char *flat;          /* no significant trend */
	const char *too_few;       /* too few values for the test */
	const char *per_year;      /* "per year" */
	const char *trend;         /* "trend", before the years */
	const char *districts;     /* the small multiples' heading */
	const char *cross;         /* "by area and quarter", after the year */
	const char *year_values;   /* the caption of the year values */
	const char *area;          /* column heading */
	const char *by_quarter;    /* the end of a chart's title */
	const char *desc_a;        /* a chart's description, before the number of quarters */
	const char *desc_b;        /* after it */
	const char *hidden_n;      /* "hidden values" */
	const char *missing_n;     /* "not reported" */
	const char *method;        /* the appendix heading */
	const char *method_text;   /* the appendix: @KLIST@, @ALPHA@, @GRACE@ are filled in */
	const char *k_all;         /* "for every indicator", after "k = 5" */
	const char *k_other;       /* "for the others", after the last "k = 5" */
	const char *page;          /* CSS content of the page number */
};

static const struct words SV = {
	.lang = "sv",
	.num = NUMFMT_SV,
	.title = "Trendöversikt",
	.as_of = "Uppgifterna avser läget",
	.generated = "Skapad",
	.legend = "Teckenförklaring",
	.missing = "ej rapporterat",
	.summary = "Sammanfattning",
	.trends = "Signifikanta trender",
	.no_trends = "Ingen indikator har en signifikant trend.",
	.changes = "Största förändringar",
	.compared = "jämfört med",
	.no_changes = "Ingen förändring kan visas.",
	.indicator = "Indikator",
	.change = "Förändring",
	.percent = "Förändring, %",
	.completeness = "Rapportering",
	.note_a = "En rapport är sen när den första siffran för kvartalet kom mer än",
	.note_b = "dagar efter kvartalets slut.",
	.agency = "Verksamhet",
	.reported = "rapporterat",
	.late = "sent",
	.partial = "delvis",
	.of = "av",
	.not_due = "ej förfallet",
	.not_reported_list = "Ej rapporterat",
	.late_list = "Sena rapporter",
	.none = "inga",
	.quarter = "Kvartal",
	.count = "Antal",
	.year = "År",
	.value = "Värde",
	.mat_flow = "Rullande årssumma",
	.mat_stock = "Rullande årsmedel",
	.mat_short = "rullande",
	.lines_legend = "Heldragen linje: kvartalets värde (vänster axel); streckad: ",
	.right_axis = "höger axel",
	.levels = { [LEVEL_FIRST_LINE] = "Första linjen", [LEVEL_SPECIALISED] = "Specialiserad nivå" },
	.kinds = { [KIND_FLOW] = "flöde", [KIND_STOCK] = "bestånd" },
	.up = "ökande",
	.down = "minskande",
	.flat = "ingen signifikant trend",
	.too_few = "för få värden för ett trendtest",
	.per_year = "per år",
	.trend = "Trend",
	.districts = "Per område",
	.cross = "per område och kvartal",
	.year_values = "Årsvärden och förändring",
	.area = "Område",
	.by_quarter = "per kvartal",
	.desc_a = "Linjediagram över",
	.desc_b = "kvartal",
	.hidden_n = "Dolda värden",
	.missing_n = "Ej rapporterade",
	.method = "Metod",
	.method_text = "<p><b>Röjandekontroll.</b> Ett värde från 1 till k " MINUS " 1 visas inte, där k "
		"gäller per indikator: @KLIST@. Därtill döljs så få andra värden som möjligt, helst "
		"små, så att inget dolt värde kan räknas fram ur summor: områdena summerar till "
		"kommunen och kvartalen till året (flöde) eller året är fjärde kvartalet (bestånd). "
		"Varje tabell granskas med linjärprogrammering mot allt som den och dess tidigare "
		"versioner har visat (vid varje tidpunkt som kan efterfrågas): för varje dolt värde "
		"beräknas det minsta och största värde som de visade siffrorna tillåter, och "
		"intervallet måste vara minst k brett. Samma tabeller ligger bakom API:et, så sidan "
		"visar aldrig ett värde som API:et döljer. 0 visas: det pekar inte ut någon.</p>\n"
		"<p><b>Trendtest.</b> Mann" EN_DASH "Kendalls test över kvartalsvärdena (dolda och "
		"saknade kvartal utelämnas), med korrektion för lika värden och kontinuitet, "
		"tvåsidigt p. En trend är signifikant när p &lt; @ALPHA@. Lutningen är Sens lutning "
		"(medianen av alla parvisa lutningar) omräknad till per år.</p>\n"
		"<p><b>Rullande årssumma</b> är summan av de fyra senaste kvartalen (flöde) och "
		"<b>rullande årsmedel</b> deras medelvärde (bestånd); ett fönster med ett dolt eller "
		"saknat kvartal ger inget värde. Ett år är summan av kvartalen (flöde) eller fjärde "
		"kvartalet (bestånd); ett år med ett saknat kvartal saknas.</p>\n"
		"<p><b>Rapportering.</b> En rapport räknas som sen när den första siffran kom mer "
		"än @GRACE@ dagar efter kvartalets slut.</p>\n",
	.k_all = "för alla indikatorer",
	.k_other = "för de övriga",
	.page = "\"Sida \" counter(page) \" av \" counter(pages)",
};

static const struct words EN = {
	.lang = "en",
	.num = NUMFMT_EN,
	.title = "Trend review",
	.as_of = "Data as of",
	.generated = "Made",
	.legend = "Legend",
	.missing = "not reported",
	.summary = "Summary",
	.trends = "Significant trends",
	.no_trends = "No indicator has a significant trend.",
	.changes = "Largest changes",
	.compared = "on",
	.no_changes = "No change can be shown.",
	.indicator = "Indicator",
	.change = "Change",
	.percent = "Change, %",
	.completeness = "Reporting",
	.note_a = "A report is late when the quarter's first count came more than",
	.note_b = "days after the quarter ended.",
	.agency = "Agency",
	.reported = "reported",
	.late = "late",
	.partial = "partly",
	.of = "of",
	.not_due = "not yet due",
	.not_reported_list = "Not reported",
	.late_list = "Late reports",
	.none = "none",
	.quarter = "Quarter",
	.count = "Count",
	.year = "Year",
	.value = "Value",
	.mat_flow = "Moving annual total",
	.mat_stock = "Moving annual mean",
	.mat_short = "moving",
	.lines_legend = "Solid line: the quarter's value (left axis); dashed: ",
	.right_axis = "right axis",
	.levels = { [LEVEL_FIRST_LINE] = "First-line", [LEVEL_SPECIALISED] = "Specialised" },
	.kinds = { [KIND_FLOW] = "flow", [KIND_STOCK] = "stock" },
	.up = "increasing",
	.down = "decreasing",
	.flat = "no significant trend",
	.too_few = "too few values for a trend test",
	.per_year = "per year",
	.trend = "Trend",
	.districts = "By area",
	.cross = "by area and quarter",
	.year_values = "Year values and change",
	.area = "Area",
	.by_quarter = "by quarter",
	.desc_a = "Line chart of",
	.desc_b = "quarters",
	.hidden_n = "Hidden values",
	.missing_n = "Not reported",
	.method = "Method",
	.method_text = "<p><b>Disclosure control.</b> A value from 1 to k " MINUS " 1 is not shown, where k "
		"is set per indicator: @KLIST@. Further values are hidden, as few and as small as "
		"possible, so that no hidden value can be worked out from totals: the areas sum to "
		"the municipality and the quarters to the year (flow), or the year is the fourth "
		"quarter (stock). Every table is audited by linear programming against everything it "
		"and its earlier versions have shown (at every time that can be asked for): for each "
		"hidden value the smallest and largest value the shown figures allow are computed, "
		"and the interval must be at least k wide. The API answers from the same tables, so "
		"this page never shows a value the API hides. 0 is shown: it points at no one.</p>\n"
		"<p><b>Trend test.</b> Mann" EN_DASH "Kendall over the quarterly values (hidden and "
		"missing quarters are left out), with the tie and continuity corrections, two-sided "
		"p. A trend is significant when p &lt; @ALPHA@. The slope is Sen's slope (the median "
		"of all pairwise slopes) converted to per year.</p>\n"
		"<p>The <b>moving annual total</b> is the sum of the last four quarters (flow) and "
		"the <b>moving annual mean</b> their mean (stock); a window with a hidden or missing "
		"quarter has no value. A year is the sum of its quarters (flow) or its fourth "
		"quarter (stock); a year with a missing quarter is missing.</p>\n"
		"<p><b>Reporting.</b> A report is late when its first count came more than @GRACE@ days "
		"after the quarter ended.</p>\n",
	.k_all = "for every indicator",
	.k_other = "for the others",
	.page = "\"Page \" counter(page) \" of \" counter(pages)",
};

/* The style sheet; the page-number rule is added per language. */
static const char STYLE[] =
	"body{font:10pt/1.35 'DejaVu Sans',Arial,sans-serif;color:#111;max-width:190mm;"
	"margin:1em auto;padding:0 1em}"
	"h1{font-size:17pt;margin:.2em 0}h2{font-size:13pt;margin:.3em 0}"
	"h3{font-size:10.5pt;margin:.6em 0 .2em}p{margin:.3em 0}"
	"table{border-collapse:collapse;font-size:8.5pt;margin:.3em 0}"
	"th,td{border:1px solid #bbb;padding:1px 4px}th{background:#f2f2f2;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"td.hidden{text-align:center;background:#e6e6e6}td.missing{text-align:center;color:#777}"
	"td.late{background:#fde9d9}td.none{background:#f8d7d7;text-align:center}"
	".meta,.code{color:#444;font-size:9pt}.legend{border:1px solid #999;padding:2px 6px;"
	"display:inline-block}"
	".fig{display:flex;gap:6px;align-items:flex-start}"
	".fig svg{width:108mm;height:auto;flex:none}"
	".multiples{display:grid;grid-template-columns:repeat(5,1fr);gap:4px 6px}"
	".pair{display:flex;gap:14px;align-items:flex-start}"
	"caption{text-align:left;font-weight:bold;font-size:9.5pt;padding:2px 0}"
	"figure{margin:0}figcaption{font-size:8pt;font-weight:bold}"
	"figure table{font-size:6.5pt}figure td,figure th{padding:0 2px}"
	"svg.small{width:100%;height:auto}tr.mat th,tr.mat td{font-style:italic;color:#8a3d0b}"
	"svg text{font-family:'DejaVu Sans',Arial,sans-serif}"
	"section.page{border-top:2px solid #1f4e79;margin-top:1.5em;padding-top:.3em}"
	"table,figure,svg,.fig{break-inside:avoid}h2,h3{break-after:avoid}"
	"@media print{body{max-width:none;margin:0;padding:0}"
	"section.page{break-before:page;border:0;margin:0;padding:0}}";

/* ---- small helpers ------------------------------------------------------ */

static const char *indicator_name(const struct cat_indicator *ind, const struct words *w)
{
	return w->num == NUMFMT_SV ? ind->name_sv : ind->name_en;
}

/* The legend of the symbols the tables use (legend.h), in the page's language. */
static void legend_text(struct buf *b, const struct words *w)
{
	buf_printf(b, "<p class=\"legend\">%s:", w->legend);
	for (int i = 0; i < LEGEND_COUNT; i++) {
		const struct legend_row *row = legend_row((enum legend_symbol)i);
		buf_htmlf(b, "%s <b>%s</b> %s", i ? " ·" : "", row->symbol,
		          w->num == NUMFMT_SV ? row->sv : row->en);
	}
	buf_puts(b, "</p>\n");
}

/* A table cell of one published, hidden or missing value, and the mark
 * of its agency's flag after a published one. `id` names the cell for
 * readers and tests (e.g. "0581/2024Q3"); it never holds a value. */
static void value_cell(struct buf *b, enum point_status st, long long v, int flag,
                       const char *id, const struct words *w)
{
	char num[NUMFMT_MAX];
	const char *mark = st == POINT_PUBLISHED ? legend_flag_symbol(flag) : NULL;

	buf_puts(b, "<td");
	if (id)
		buf_htmlf(b, " data-cell=\"%s\"", id);
	if (st != POINT_PUBLISHED) {
		buf_printf(b, " class=\"%s\">%s</td>", st == POINT_SUPPRESSED ? "hidden" : "missing",
		           legend_cell_symbol(st, v));
	} else {
		numfmt_int(num, v, false, w->num);
		buf_printf(b, " class=\"n\">%s", legend_cell_symbol(st, v) ? legend_cell_symbol(st, v)
		                                                            : num);
		if (mark)
			buf_printf(b, "<sup class=\"flag\">%s</sup>", mark);
		buf_puts(b, "</td>");
	}
}

/* A cell of a derived number, empty when there is none. */
static void real_cell(struct buf *b, bool has, double v, int decimals, bool plus,
                      const struct words *w)
{
	char num[NUMFMT_MAX] = "";

	if (has)
		numfmt_real(num, v, decimals, plus, w->num);
	buf_printf(b, has ? "<td class=\"n\">%s</td>" : "<td>%s</td>", num);
}

/* "2025-01-15T10:00:00Z" as "2025-01-15 10:00:00 UTC"; other offsets as given. */
static void time_text(struct buf *b, const char *t)
{
	char s[64];
	size_t n = strlen(t);

	snprintf(s, sizeof s, "%s", t);
	char *tee = strchr(s, 'T');
	if (tee)
		*tee = ' ';
	bool utc = n > 0 && n < sizeof s && s[n - 1] == 'Z';
	if (utc)
		s[n - 1] = '\0';
	buf_html(b, s);
	if (utc)
		buf_puts(b, " UTC");
}

/* A date as YYYY-MM-DD in UTC. */
static void date_text(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* ---- the trend sentence ------------------------------------------------ */

/* "ökande, +3,2 per år, p = 0,01" for the municipality's quarterly series. */
static void trend_words(struct buf *b, const struct trend_result *t, const struct words *w)
{
	char slope[NUMFMT_MAX], p[NUMFMT_MAX];

	if (!t->mk.valid) {
		buf_puts(b, w->too_few);
		return;
	}
	buf_puts(b, t->direction == TREND_INCREASING ? w->up
	            : t->direction == TREND_DECREASING ? w->down : w->flat);
	/* t counts quarters: four of them make a year. */
	if (t->sen.valid) {
		numfmt_real(slope, t->sen.slope * 4, 1, true, w->num);
		buf_printf(b, ", %s %s", slope, w->per_year);
	}
	/* A p below 0.001 is written "p < 0,001". */
	bool tiny = t->mk.p < 0.001;
	numfmt_real(p, tiny ? 0.001 : t->mk.p, t->mk.p < 0.01 ? 3 : 2, false, w->num);
	buf_printf(b, tiny ? ", p &lt; %s" : ", p = %s", p);
}

/* ---- the head and the summary ------------------------------------------ */

static void page_head(struct buf *b, const struct review *r, const struct words *w)
{
	const struct cat_area *m = r->municipality;

	buf_htmlf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	          "<meta name=\"viewport\" content=\"width=device-width\"><title>%s %d "
	          EN_DASH " %s", w->lang, w->title, r->year, m->name);
	/* The style sheet and the page rule are CSS: they are not escaped. */
	buf_printf(b, "</title><style>%s@page{size:A4;margin:12mm 12mm 14mm;"
	           "@bottom-center{content:%s;font-size:8pt}}</style></head><body>\n",
	           STYLE, w->page);
	buf_htmlf(b, "<header><h1>%s %d: %s <small>%s</small></h1>\n<p class=\"meta\">%s ",
	          w->title, r->year, m->name, m->code, w->as_of);
	time_text(b, r->as_of[0] ? r->as_of : r->generated);
	buf_printf(b, " · %s ", w->generated);
	time_text(b, r->generated);
	buf_puts(b, "</p>\n");
	legend_text(b, w);
	buf_puts(b, "</header>\n");
}

/* The indicators with a significant trend, most significant first. */
static int by_p(const void *pa, const void *pb)
{
	const struct review_indicator *a = *(const struct review_indicator *const *)pa;
	const struct review_indicator *b = *(const struct review_indicator *const *)pb;
	double x = a->quarters.trend.mk.p, y = b->quarters.trend.mk.p;

	return x < y ? -1 : x > y ? 1 : strcmp(a->indicator->code, b->indicator->code);
}

/* A link to an indicator's section, with its agency: two agencies may
 * have indicators of the same name. */
static void item_link(struct buf *b, const struct review_indicator *it, const struct words *w)
{
	buf_htmlf(b, "<a href=\"#ind-%s\">%s</a> <span class=\"agency\">(%s)</span>",
	          it->indicator->code, indicator_name(it->indicator, w), it->agency->name);
}

static void summary_trends(struct buf *b, const struct review *r, const struct words *w,
                           const struct review_indicator **list)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nitems; i++)
		if (r->items[i].quarters.trend.direction != TREND_NONE)
			list[n++] = &r->items[i];
	qsort(list, n, sizeof *list, by_p);
	buf_printf(b, "<h3>%s %d" EN_DASH "%d</h3>\n", w->trends, r->first_year, r->year);
	if (n == 0) {
		buf_printf(b, "<p>%s</p>\n", w->no_trends);
		return;
	}
	buf_puts(b, "<ul class=\"trends\">\n");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "<li>");
		item_link(b, list[i], w);
		buf_puts(b, ": ");
		trend_words(b, &list[i]->quarters.trend, w);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

/* The last point of the yearly series (the review year) and the one before. */
static const struct derived_point *year_change(const struct review_indicator *it)
{
	const struct series *s = &it->years;

	if (s->n < 2 || !s->derived[s->n - 1].has_percent)
		return NULL;
	return &s->derived[s->n - 1];
}

/* Largest relative change first. */
static int by_change(const void *pa, const void *pb)
{
	const struct review_indicator *a = *(const struct review_indicator *const *)pa;
	const struct review_indicator *b = *(const struct review_indicator *const *)pb;
	double x = fabs(year_change(a)->percent), y = fabs(year_change(b)->percent);

	return x > y ? -1 : x < y ? 1 : strcmp(a->indicator->code, b->indicator->code);
}

static void change_row(struct buf *b, const struct review_indicator *it, const struct words *w)
{
	const struct series *s = &it->years;
	const struct derived_point *d = &s->derived[s->n - 1];

	buf_puts(b, "<tr><td>");
	item_link(b, it, w);
	buf_puts(b, "</td>");
	value_cell(b, s->points[s->n - 2].status, s->points[s->n - 2].value,
	           s->points[s->n - 2].flag, NULL, w);
	value_cell(b, s->points[s->n - 1].status, s->points[s->n - 1].value,
	           s->points[s->n - 1].flag, NULL, w);
	real_cell(b, d->has_change, (double)d->change, 0, true, w);
	real_cell(b, d->has_percent, d->percent, 1, true, w);
	buf_puts(b, "</tr>\n");
}

static void summary_changes(struct buf *b, const struct review *r, const struct words *w,
                            const struct review_indicator **list)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nitems; i++)
		if (year_change(&r->items[i]))
			list[n++] = &r->items[i];
	qsort(list, n, sizeof *list, by_change);
	buf_printf(b, "<h3>%s %d %s %d</h3>\n", w->changes, r->year, w->compared, r->year - 1);
	if (n == 0) {
		buf_printf(b, "<p>%s</p>\n", w->no_changes);
		return;
	}
	buf_printf(b, "<table class=\"changes\"><tr><th>%s</th><th>%d</th><th>%d</th>"
	           "<th>%s</th><th>%s</th></tr>\n", w->indicator, r->year - 1, r->year,
	           w->change, w->percent);
	for (size_t i = 0; i < n && i < TOP_CHANGES; i++)
		change_row(b, list[i], w);
	buf_puts(b, "</table>\n");
}

/* Returns 0, or -1 when the sorting list could not be had. */
static int summary(struct buf *b, const struct review *r, const struct words *w)
{
	const struct review_indicator **list = calloc(r->nitems ? r->nitems : 1, sizeof *list);

	if (!list)
		return -1;
	buf_printf(b, "<section class=\"summary\"><h2>%s</h2>\n", w->summary);
	summary_trends(b, r, w, list);
	summary_changes(b, r, w, list);
	buf_puts(b, "</section>\n");
	free(list);
	return 0;
}

/* ---- completeness ------------------------------------------------------- */

static void report_cell(struct buf *b, const struct review_report *rep, const struct words *w)
{
	char date[16], a[NUMFMT_MAX], e[NUMFMT_MAX];

	switch (rep->state) {
	case REVIEW_NOT_DUE:
		buf_printf(b, "<td>%s</td>", w->not_due);
		return;
	case REVIEW_NOT_REPORTED:
		buf_printf(b, "<td class=\"none\">%s</td>", w->missing);
		return;
	case REVIEW_PARTIAL:
		numfmt_int(a, rep->reported, false, w->num);
		numfmt_int(e, rep->expected, false, w->num);
		buf_printf(b, "<td%s>%s %s %s %s", rep->late ? " class=\"late\"" : "",
		           w->partial, a, w->of, e);
		break;
	case REVIEW_REPORTED:
		buf_printf(b, "<td%s>%s", rep->late ? " class=\"late\"" : "",
		           rep->late ? "" : w->reported);
		break;
	}
	date_text(rep->first, date);
	if (rep->late)
		buf_printf(b, "%s%s %s", rep->state == REVIEW_PARTIAL ? ", " : "", w->late, date);
	buf_puts(b, "</td>");
}

/* "BUP Q1, Q2; Soc Q3": per agency, the quarters whose reports match
 * `late` (or are missing), so that a long list still reads at a glance. */
static void report_list(struct buf *b, const struct review *r, bool late, const struct words *w)
{
	bool any = false;

	for (size_t i = 0; i < r->nagencies; i++) {
		const struct review_report *qs = r->agencies[i].quarters;
		bool first = true;
		for (int q = 0; q < 4; q++) {
			if (late ? !qs[q].late : qs[q].state != REVIEW_NOT_REPORTED)
				continue;
			if (first)
				buf_htmlf(b, "%s%s" NBSP, any ? "; " : "", r->agencies[i].agency->name);
			buf_printf(b, "%sQ%d", first ? "" : ", ", q + 1);
			first = false;
			any = true;
		}
	}
	if (!any)
		buf_puts(b, w->none);
}

static void completeness(struct buf *b, const struct review *r, const struct words *w)
{
	buf_printf(b, "<section class=\"page completeness\"><h2>%s %d</h2>\n<p>%s %d %s</p>\n"
	           "<table class=\"reports\"><tr><th>%s</th>", w->completeness, r->year,
	           w->note_a, r->grace_days, w->note_b, w->agency);
	for (int q = 1; q <= 4; q++)
		buf_printf(b, "<th>%dQ%d</th>", r->year, q);
	buf_puts(b, "</tr>\n");
	for (size_t i = 0; i < r->nagencies; i++) {
		buf_htmlf(b, "<tr><td>%s</td>", r->agencies[i].agency->name);
		for (int q = 0; q < 4; q++)
			report_cell(b, &r->agencies[i].quarters[q], w);
		buf_puts(b, "</tr>\n");
	}
	buf_printf(b, "</table>\n<p class=\"not-reported\"><b>%s:</b> ", w->not_reported_list);
	report_list(b, r, false, w);
	buf_printf(b, "</p>\n<p class=\"late-reports\"><b>%s:</b> ", w->late_list);
	report_list(b, r, true, w);
	buf_puts(b, "</p>\n</section>\n");
}

/* ---- charts -------------------------------------------------------------- */

/* The most quarters a chart shows: the review's years. */
#define CHART_MAX (REVIEW_YEARS * 4)

/* The arrays one chart needs, of at most CHART_MAX points. */
struct chart_data {
	char ticks[CHART_MAX][PERIOD_STRLEN];  /* n period names */
	char groups[CHART_MAX][PERIOD_STRLEN]; /* n year names where a year starts */
	const char *tick_ptrs[CHART_MAX];      /* n pointers into ticks */
	const char *group_ptrs[CHART_MAX];     /* n pointers into groups, or NULL */
	enum svg_mark marks[2][CHART_MAX];     /* the values', then the totals' */
	double values[2][CHART_MAX];           /* likewise */
	size_t hidden;                         /* hidden points of the values */
	size_t missing;                        /* missing points of the values */
};

/* Fills the chart's arrays from a quarterly series; the value of a point
 * that is not published is never read. -1 when the series is longer than
 * a review's (it never is). */
static int chart_data_make(const struct series *s, struct chart_data *d)
{
	memset(d, 0, sizeof *d);
	if (s->n > CHART_MAX)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct series_point *p = &s->points[i];
		series_period_format(s->freq, p->period, d->ticks[i]);
		d->tick_ptrs[i] = d->ticks[i];
		if (period_quarter(p->period) == 1) {
			snprintf(d->groups[i], PERIOD_STRLEN, "%d", period_year(p->period));
			d->group_ptrs[i] = d->groups[i];
		}
		d->marks[0][i] = p->status == POINT_PUBLISHED ? SVG_VALUE
		                 : p->status == POINT_SUPPRESSED ? SVG_HIDDEN : SVG_MISSING;
		d->values[0][i] = p->status == POINT_PUBLISHED ? (double)p->value : 0;
		d->hidden += p->status == POINT_SUPPRESSED;
		d->missing += p->status == POINT_MISSING;
		d->marks[1][i] = s->derived[i].has_total ? SVG_VALUE : SVG_BLANK;
		d->values[1][i] = s->derived[i].has_total ? s->derived[i].total : 0;
	}
	return 0;
}

/* One chart of a quarterly series, with the moving total when `with_total`.
 * Returns 0, or -1 when the series is too long for a chart. */
static int series_chart(struct buf *b, const struct series *s, const struct cat_area *area,
                        bool with_total, bool small, const struct words *w)
{
	struct chart_data d;
	char title[512], desc[256];

	if (chart_data_make(s, &d) != 0)
		return -1;
	const char *mat = s->indicator->kind == KIND_STOCK ? w->mat_stock : w->mat_flow;
	struct svg_line lines[2] = {
		{ area->name, d.marks[0], d.values[0], false, true },
		{ mat, d.marks[1], d.values[1], true, false },
	};
	snprintf(title, sizeof title, "%s, %s, %s", indicator_name(s->indicator, w), area->name,
	         w->by_quarter);
	snprintf(desc, sizeof desc, "%s %zu %s. %s: %zu. %s: %zu.", w->desc_a, s->n, w->desc_b,
	         w->hidden_n, d.hidden, w->missing_n, d.missing);
	struct svg_chart c = {
		.title = title, .desc = desc, .x_label = w->quarter, .y_label = w->count,
		.y2_label = with_total ? mat : NULL,
		.x_ticks = d.tick_ptrs, .x_groups = d.group_ptrs, .n = s->n, .lines = lines,
		.nlines = with_total ? 2 : 1, .width = small ? 180 : 440, .height = small ? 100 : 230,
		.small = small, .lang = w->num,
	};
	svg_line_chart(b, &c);
	return 0;
}

/* ---- one indicator ------------------------------------------------------- */

/* One row of the quarter grid: the values of year y (part 0) or their
 * moving totals (part 1). */
static void quarter_row(struct buf *b, const struct series *s, const struct cat_area *area,
                        int y, int part, const struct words *w)
{
	char id[64], period[PERIOD_STRLEN];

	if (part == 0)
		buf_printf(b, "<tr><th>%d</th>", y);
	else
		buf_printf(b, "<tr class=\"mat\"><th>%s</th>", w->mat_short);
	for (int q = 1; q <= 4; q++) {
		int p = period_make(y, q);
		long i = (long)period_index(p) - (long)period_index(s->points[0].period);
		if (i < 0 || (size_t)i >= s->n) {
			buf_puts(b, "<td></td>");
		} else if (part == 0) {
			period_format(p, period);
			snprintf(id, sizeof id, "%s/%s", area->code, period);
			value_cell(b, s->points[i].status, s->points[i].value, s->points[i].flag, id, w);
		} else {
			const struct derived_point *d = &s->derived[i];
			real_cell(b, d->has_total, d->total, d->total == floor(d->total) ? 0 : 1,
			          false, w);
		}
	}
	buf_puts(b, "</tr>\n");
}

/* The quarter grid of a series: a row per year, Q1..Q4; with `totals` a
 * second row per year holds the moving total. */
static void quarter_grid(struct buf *b, const struct review *r, const struct series *s,
                         const struct cat_area *area, bool totals, const struct words *w)
{
	buf_htmlf(b, "<table class=\"grid\"><tr><th>%s</th><th>Q1</th><th>Q2</th><th>Q3</th><th>Q4</th>"
	          "</tr>\n", w->year);
	for (int y = r->first_year; y <= r->year; y++)
		for (int part = 0; part < (totals ? 2 : 1); part++)
			quarter_row(b, s, area, y, part, w);
	buf_puts(b, "</table>\n");
}

/* Year values with the change on the year before. */
static void year_table(struct buf *b, const struct review_indicator *it, const struct words *w)
{
	const struct series *s = &it->years;
	char id[64];

	buf_htmlf(b, "<table class=\"years\" id=\"years-%s\"><caption>%s</caption>\n<tr><th>%s</th>"
	          "<th>%s</th><th>%s</th><th>%s</th></tr>\n", it->indicator->code, w->year_values,
	          w->year, w->value, w->change, w->percent);
	for (size_t i = 0; i < s->n; i++) {
		const struct derived_point *d = &s->derived[i];
		snprintf(id, sizeof id, "%s/%d", s->area->code, s->points[i].period);
		buf_printf(b, "<tr><th>%d</th>", s->points[i].period);
		value_cell(b, s->points[i].status, s->points[i].value, s->points[i].flag, id, w);
		real_cell(b, d->has_change, (double)d->change, 0, true, w);
		real_cell(b, d->has_percent, d->percent, 1, true, w);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* The review year's protected table, as /v1/table answers it. Returns 0,
 * or -1 when a row's area is not in the catalogue. */
static int cross_table(struct buf *b, const struct review *r, const struct review_indicator *it,
                       const struct words *w)
{
	const struct ptable *t = it->table;
	char id[64];

	buf_htmlf(b, "<table class=\"cross\" id=\"cross-%s\"><caption>%d %s</caption>\n<tr><th>%s</th>"
	          "<th>Q1</th><th>Q2</th><th>Q3</th><th>Q4</th><th>%d</th></tr>\n",
	          it->indicator->code, r->year, w->cross, w->area, r->year);
	for (size_t row = 0; row < t->nrows; row++) {
		const struct cat_area *area = row < t->nleaves
		                              ? catalogue_area_by_id(r->cat, t->leaves[row])
		                              : r->municipality;
		if (!area)
			return -1;
		buf_htmlf(b, row == t->nleaves ? "<tr class=\"total\"><th>%s</th>" : "<tr><th>%s</th>",
		          area->name);
		for (size_t col = 0; col < DC_NCOLS; col++) {
			const struct pcell *c = &t->cells[row * DC_NCOLS + col];
			enum point_status st = point_status_of(c->status);
			if (col == DC_YEAR)
				snprintf(id, sizeof id, "%s/%d", area->code, r->year);
			else
				snprintf(id, sizeof id, "%s/%dQ%zu", area->code, r->year, col + 1);
			value_cell(b, st, st == POINT_PUBLISHED ? c->value : 0,
			           t->flags[row * DC_NCOLS + col], id, w);
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	return 0;
}

/* A small chart per district, each with its quarter grid; 0 or -1 (as
 * series_chart). */
static int multiples(struct buf *b, const struct review *r, const struct review_indicator *it,
                     const struct words *w)
{
	if (it->ndistricts == 0)
		return 0;
	buf_printf(b, "<h3>%s</h3>\n<div class=\"multiples\">\n", w->districts);
	for (size_t d = 0; d < it->ndistricts; d++) {
		const struct cat_area *area = r->layout.leaves[d];
		buf_htmlf(b, "<figure><figcaption>%s</figcaption>", area->name);
		if (series_chart(b, &it->districts[d], area, false, true, w) != 0)
			return -1;
		quarter_grid(b, r, &it->districts[d], area, false, w);
		buf_puts(b, "</figure>\n");
	}
	buf_puts(b, "</div>\n");
	return 0;
}

/* The heading of an indicator's section: its level, agency, name, code,
 * kind and trend. */
static void indicator_head(struct buf *b, const struct review *r,
                           const struct review_indicator *it, const struct words *w)
{
	const struct cat_indicator *ind = it->indicator;

	buf_htmlf(b, "<section class=\"page indicator\" id=\"ind-%s\"><p class=\"code\">%s · %s</p>"
	          "<h2>%s</h2>\n<p class=\"code\">%s · %s · %s %d" EN_DASH "%d: <b>", ind->code,
	          w->levels[ind->level], it->agency->name, indicator_name(ind, w), ind->code,
	          w->kinds[ind->kind], w->trend, r->first_year, r->year);
	trend_words(b, &it->quarters.trend, w);
	buf_puts(b, "</b></p>\n<div class=\"fig\">");
}

/* Returns 0, or -1 when a series is too long for a chart or an area is
 * not in the catalogue. */
static int indicator_section(struct buf *b, const struct review *r,
                             const struct review_indicator *it, const struct words *w)
{
	const struct cat_indicator *ind = it->indicator;

	indicator_head(b, r, it, w);
	if (series_chart(b, &it->quarters, r->municipality, true, false, w) != 0)
		return -1;
	quarter_grid(b, r, &it->quarters, r->municipality, true, w);
	buf_printf(b, "</div>\n<p class=\"code\">%s%s (%s)</p>\n", w->lines_legend,
	           ind->kind == KIND_STOCK ? w->mat_stock : w->mat_flow, w->right_axis);
	buf_puts(b, "<div class=\"pair\"><div>");
	year_table(b, it, w);
	buf_puts(b, "</div><div>");
	if (cross_table(b, r, it, w) != 0)
		return -1;
	buf_puts(b, "</div></div>\n");
	if (multiples(b, r, it, w) != 0)
		return -1;
	buf_puts(b, "</section>\n");
	return 0;
}

/* The k most of the review's indicators have (the smallest on a tie). */
static long long common_k(const struct review *r)
{
	long long best = DC_K_DEFAULT;
	size_t best_n = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		size_t n = 0;
		for (size_t j = 0; j < r->nitems; j++)
			n += r->items[j].table->k == r->items[i].table->k;
		if (n > best_n || (n == best_n && r->items[i].table->k < best))
			best = r->items[i].table->k, best_n = n;
	}
	return best;
}

/* "k = 10 for <name>, …; k = 5 for the others", or "k = 5 for every
 * indicator": each indicator's own k, as its tables were protected. */
static void k_list(struct buf *b, const struct review *r, const struct words *w)
{
	long long common = common_k(r);
	bool others = false;
	for (size_t i = 0; i < r->nitems; i++) {
		const struct review_indicator *it = &r->items[i];
		if (it->table->k == common)
			continue;
		buf_htmlf(b, "%sk = %lld %s%s (%s)", others ? "; " : "", it->table->k,
		          w->num == NUMFMT_SV ? "för " : "for ", indicator_name(it->indicator, w),
		          it->agency->name);
		others = true;
	}
	buf_printf(b, "%sk = %lld %s", others ? "; " : "", common, others ? w->k_other : w->k_all);
}

/* Appends text with @KLIST@, @ALPHA@ and @GRACE@ filled in. */
static void method_text(struct buf *b, const char *text, const struct review *r,
                        const char *alpha, const struct words *w)
{
	char grace[24];
	const char *keys[] = { "@KLIST@", "@ALPHA@", "@GRACE@" };
	const char *vals[] = { NULL, alpha, grace };

	snprintf(grace, sizeof grace, "%d", r->grace_days);
	while (*text) {
		const char *at = strchr(text, '@');
		size_t i = 0;
		if (!at) {
			buf_puts(b, text);
			return;
		}
		buf_append(b, text, (size_t)(at - text));
		while (i < ARRAY_LEN(keys) && strncmp(at, keys[i], strlen(keys[i])) != 0)
			i++;
		if (i == ARRAY_LEN(keys)) {
			buf_puts(b, "@");
			text = at + 1;
			continue;
		}
		if (vals[i])
			buf_puts(b, vals[i]);
		else
			k_list(b, r, w);
		text = at + strlen(keys[i]);
	}
}

static void method(struct buf *b, const struct review *r, const struct words *w)
{
	char alpha[NUMFMT_MAX];

	numfmt_real(alpha, r->alpha, 3, false, w->num);
	/* Trim the zeros of 0,050: the level reads as it was set. */
	for (size_t n = strlen(alpha); n > 3 && alpha[n - 1] == '0'; n--)
		alpha[n - 1] = '\0';
	buf_printf(b, "<section class=\"page method\"><h2>%s</h2>\n", w->method);
	method_text(b, w->method_text, r, alpha, w);
	buf_printf(b, "<p><b>%s</b> ", w->as_of);
	time_text(b, r->as_of[0] ? r->as_of : r->generated);
	buf_printf(b, ". %s ", w->generated);
	time_text(b, r->generated);
	buf_puts(b, ".</p>\n");
	legend_text(b, w);
	buf_puts(b, "</section>\n");
}

int review_html(struct buf *b, const struct review *r, enum review_lang lang)
{
	const struct words *w = lang == REVIEW_EN ? &EN : &SV;

	page_head(b, r, w);
	if (summary(b, r, w) != 0)
		return -1;
	completeness(b, r, w);
	for (size_t i = 0; i < r->nitems; i++)
		if (indicator_section(b, r, &r->items[i], w) != 0)
			return -1;
	method(b, r, w);
	buf_puts(b, "</body></html>\n");
	return buf_failed(b) ? -1 : 0;
}
