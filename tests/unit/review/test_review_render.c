/* Unit tests of the review's pure renderers: the Swedish and English
 * number formats (render/numfmt.c), the SVG line chart (svg.c: gaps,
 * markers, axes, title and desc, never a hidden value) and the whole page
 * (review_html.c) on a synthetic review whose hidden points carry a
 * planted value that must appear nowhere in the output. */
#include <string.h>

#include "numfmt.h"
#include "review_fixture.h"
#include "review_html.h"
#include "svg.h"
#include "tap.h"

#define NBSP "\xc2\xa0"
#define MINUS "\xe2\x88\x92"

/* Occurrences of needle in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

static void test_numfmt(void)
{
	char s[NUMFMT_MAX];

	numfmt_int(s, 1234567, false, NUMFMT_SV);
	is_str(s, "1" NBSP "234" NBSP "567", "sv: thousands are separated by a no-break space");
	numfmt_int(s, 1234567, false, NUMFMT_EN);
	is_str(s, "1,234,567", "en: thousands are separated by a comma");
	numfmt_int(s, 999, false, NUMFMT_SV);
	is_str(s, "999", "sv: three digits have no separator");
	numfmt_int(s, 1000, false, NUMFMT_SV);
	is_str(s, "1" NBSP "000", "sv: four digits have one");
	numfmt_int(s, -1234, false, NUMFMT_SV);
	is_str(s, MINUS "1" NBSP "234", "sv: a negative number has a true minus sign");
	numfmt_int(s, -1234, false, NUMFMT_EN);
	is_str(s, "-1,234", "en: a negative number has a hyphen-minus");
	numfmt_int(s, 31, true, NUMFMT_SV);
	is_str(s, "+31", "a change is written with its plus sign");
	numfmt_int(s, 0, true, NUMFMT_SV);
	is_str(s, "0", "no change has no sign");
	numfmt_real(s, 1234.5, 1, false, NUMFMT_SV);
	is_str(s, "1" NBSP "234,5", "sv: decimal comma");
	numfmt_real(s, 1234.5, 1, false, NUMFMT_EN);
	is_str(s, "1,234.5", "en: decimal point");
	numfmt_real(s, 3.25, 1, true, NUMFMT_SV);
	is_str(s, "+3,3", "halves are rounded away from zero");
	numfmt_real(s, -6.65, 1, false, NUMFMT_SV);
	is_str(s, MINUS "6,7", "negative halves too (-6.65 is stored as -6.6500000000000004)");
	numfmt_real(s, -0.04, 1, true, NUMFMT_SV);
	is_str(s, "0,0", "a value that rounds to zero has no sign");
	numfmt_real(s, 0.0123, 3, false, NUMFMT_SV);
	is_str(s, "0,012", "three decimals");
	numfmt_real(s, 1e6, 0, false, NUMFMT_SV);
	is_str(s, "1" NBSP "000" NBSP "000", "sv: a million");
}

static void test_axis(void)
{
	double step;

	is_double(svg_axis_top(0, &step), 1, 0, "an empty chart's axis goes to 1");
	is_double(step, 1, 0, "with a step of 1");
	is_double(svg_axis_top(21, &step), 30, 0, "21 gets an axis to 30");
	is_double(step, 10, 0, "in steps of 10");
	is_double(svg_axis_top(107, &step), 150, 0, "107 gets an axis to 150");
	is_double(step, 50, 0, "in steps of 50");
	is_double(svg_axis_top(1000, &step), 1000, 0, "1000 gets an axis to 1000");
	is_double(step, 500, 0, "in steps of 500");
}

/* A chart of six quarters: 10, hidden, 30, missing, 50, 60. The hidden and
 * missing points carry 777 and 888 in the value array, which the chart
 * must never read. */
static void test_chart(void)
{
	const enum svg_mark marks[] = { SVG_VALUE, SVG_HIDDEN, SVG_VALUE, SVG_MISSING, SVG_VALUE,
	                                SVG_VALUE };
	const double values[] = { 10, 777, 30, 888, 50, 60 };
	const char *ticks[] = { "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2" };
	const char *groups[] = { "2024", NULL, NULL, NULL, "2025", NULL };
	struct svg_line line = { "Kommunen", marks, values, false, true };
	struct svg_chart c = { .title = "Antal <barn>", .desc = "Sex kvartal", .x_label = "Kvartal",
	                       .y_label = "Antal", .x_ticks = ticks, .x_groups = groups, .n = 6,
	                       .lines = &line, .nlines = 1, .width = 400, .height = 200,
	                       .lang = NUMFMT_SV };
	struct buf b = BUF_INIT;

	if (!ok(svg_line_chart(&b, &c) == 0, "the chart renders"))
		return;
	const char *s = b.data;
	ok(strncmp(s, "<svg ", 5) == 0 && strstr(s, "</svg>") != NULL, "it is one svg element");
	ok(strstr(s, "<title>Antal &lt;barn&gt;</title>") != NULL, "it has its title, escaped");
	ok(strstr(s, "<desc>Sex kvartal</desc>") != NULL, "it has its desc");
	ok(strstr(s, "role=\"img\"") != NULL, "it is announced as an image");
	ok(strstr(s, ">Kvartal</text>") != NULL && strstr(s, ">Antal</text>") != NULL,
	   "both axes have their caption");
	ok(strstr(s, ">2024</text>") != NULL && strstr(s, ">2025</text>") != NULL,
	   "the x axis labels where each year starts");
	is_int(count_of(s, "d=\"M"), 1, "one path");
	/* 10 | gap | 30 | gap | 50 60: three subpaths, one line segment. */
	is_int(count_of(s, "M"), 3 + 0, "the line breaks at the hidden and the missing point");
	is_int(count_of(s, "L"), 1, "only 50 to 60 is joined");
	is_int(count_of(s, "<circle"), 4, "a dot per published point, none for the gaps");
	is_int(count_of(s, "class=\"mark-hidden\""), 1, "the hidden point has its marker");
	is_int(count_of(s, "class=\"mark-missing\""), 1, "the missing point has its own marker");
	ok(strstr(s, "<title>2024Q2: ..</title>") != NULL, "the hidden marker's tooltip says ..");
	ok(strstr(s, "<title>2024Q4: ..</title>") != NULL,
	   "the missing marker's tooltip says .. (not available), never –, which is zero");
	ok(strstr(s, "<title>Kommunen, 2024Q3: 30</title>") != NULL,
	   "a published point's tooltip has its value");
	ok(strstr(s, "777") == NULL, "the hidden point's value appears nowhere");
	ok(strstr(s, "888") == NULL, "the missing point's value appears nowhere");
	/* The axis is 0..60 over y 22..160: a point drawn as zero would sit on
	 * the x axis at y 160.0. */
	ok(strstr(s, "cy=\"160.0\"") == NULL, "no point is drawn at zero");
	buf_free(&b);
}

static void test_judge(void)
{
	struct review_report r = { .period = 20242, .expected = 5 };
	time_t end = period_end(20242), day = 86400;

	review_report_judge(&r, 5, end + 30 * day, 30, end + 100 * day);
	ok(r.state == REVIEW_REPORTED && !r.late, "a report on the last day of grace is on time");
	review_report_judge(&r, 5, end + 30 * day + 1, 30, end + 100 * day);
	ok(r.state == REVIEW_REPORTED && r.late, "a second later it is late");
	review_report_judge(&r, 3, end + day, 30, end + 100 * day);
	ok(r.state == REVIEW_PARTIAL && !r.late, "3 of 5 counts is partial");
	review_report_judge(&r, 0, 0, 30, end + 100 * day);
	ok(r.state == REVIEW_NOT_REPORTED && !r.late, "no count at all is not reported");
	review_report_judge(&r, 0, 0, 30, end - day);
	ok(r.state == REVIEW_NOT_DUE, "a quarter that has not ended is not due");
	review_report_judge(&r, 0, 0, 30, end + 30 * day);
	ok(r.state == REVIEW_NOT_DUE, "nothing on the last day of grace is not due yet");
	review_report_judge(&r, 0, 0, 30, end + 30 * day + 1);
	ok(r.state == REVIEW_NOT_REPORTED, "a second later it is missing");
}

/* The status words and the rates of /v1/completeness. */
static void test_status(void)
{
	struct review_report r = { .period = 20242, .expected = 5 };
	struct review_rates rt = { 0 };
	time_t end = period_end(20242), day = 86400;

	review_report_judge(&r, 5, end, 30, end + 100 * day);
	r.last = end + 30 * day;
	is_str(review_report_status(&r), "complete", "the last key on the due date: complete");
	review_rates_add(&rt, &r);
	r.last = end + 30 * day + 1;
	is_str(review_report_status(&r), "late", "the first on time, the last after: late");
	review_rates_add(&rt, &r);
	review_report_judge(&r, 2, end, 30, end + 100 * day);
	is_str(review_report_status(&r), "partial", "2 of 5: partial");
	review_rates_add(&rt, &r);
	review_report_judge(&r, 0, 0, 30, end + 100 * day);
	is_str(review_report_status(&r), "missing", "nothing after the due date: missing");
	review_rates_add(&rt, &r);
	review_report_judge(&r, 0, 0, 30, end + day);
	is_str(review_report_status(&r), "not_due", "nothing before the due date: not_due");
	review_rates_add(&rt, &r);
	r.expected = 0;
	is_str(review_report_status(&r), "not_expected", "no key active: not_expected");
	review_rates_add(&rt, &r);
	ok(rt.due == 4 && rt.complete == 2 && rt.on_time == 1,
	   "rates: 4 due, 2 complete, 1 on time (%lld, %lld, %lld)", rt.due, rt.complete,
	   rt.on_time);
}

/* Every way the planted value could be written. */
static void no_leak(const char *page, const char *lang)
{
	ok(strstr(page, "987654") == NULL && strstr(page, "987" NBSP "654") == NULL &&
	   strstr(page, "987,654") == NULL && strstr(page, "987 654") == NULL,
	   "%s: the value behind hidden points appears nowhere in the page", lang);
}

static void test_page(void)
{
	struct fixture *f = fixture_new(3, 4, 2024, 987654);
	struct buf sv = BUF_INIT, en = BUF_INIT;

	free(f->cat.indicators[0].name_sv);
	f->cat.indicators[0].name_sv = strdup("Barn <b>& \"unga\"");
	if (!ok(review_html(&sv, &f->r, REVIEW_SV) == 0 && review_html(&en, &f->r, REVIEW_EN) == 0,
	        "the page renders in both languages")) {
		fixture_free(f);
		return;
	}
	const char *s = sv.data, *e = en.data;
	no_leak(s, "sv");
	no_leak(e, "en");
	ok(strstr(s, "<html lang=\"sv\">") != NULL, "Swedish by default");
	ok(strstr(e, "<html lang=\"en\">") != NULL, "English with lang=en");
	ok(strstr(s, "Barn &lt;b&gt;&amp; &quot;unga&quot;") != NULL && strstr(s, "<b>&") == NULL,
	   "catalogue text is escaped");
	ok(strstr(e, "Indicator number 1") != NULL && strstr(e, "Indicator number 2") != NULL,
	   "English indicator names in English");
	ok(strstr(s, "<script") == NULL && strstr(s, "<link") == NULL && strstr(s, " src=") == NULL,
	   "no script and no external asset");
	ok(strstr(s, "size:A4") != NULL && strstr(s, "break-inside:avoid") != NULL,
	   "print CSS: A4, nothing split");
	ok(strstr(s, "\"Sida \" counter(page) \" av \" counter(pages)") != NULL,
	   "page numbers in Swedish");
	ok(strstr(e, "\"Page \" counter(page) \" of \" counter(pages)") != NULL,
	   "page numbers in English");
	is_int(count_of(s, "<section class=\"page"), 2 + 3,
	       "a page each for the completeness, the three indicators and the method");
	is_int(count_of(s, "<svg "), 3 * (1 + 4), "a chart per indicator and per district");
	/* The page's own <title>, one per chart, one per marker, one per dot
	 * of the municipality's charts (the small multiples' dots have none). */
	is_int(count_of(s, "<title>"), 1 + count_of(s, "<desc>") + count_of(s, "class=\"mark-") +
	       count_of(s, "\"></circle>") * 0 + count_of(s, "</title></circle>"),
	       "every chart has a title and a desc, every marker a tooltip");
	is_int(count_of(s, "<desc>"), count_of(s, "<svg "), "a desc per chart");
	ok(strstr(s, "<p class=\"legend\">Teckenförklaring: <b>\xe2\x80\x93</b> noll · <b>..</b> "
	          "uppgift inte tillgänglig eller för osäker för att anges (här: dold för att "
	          "skydda enskildas integritet, eller inte rapporterad) · <b>*</b> preliminär "
	          "uppgift · <b>|</b> brott i serien</p>") != NULL, "the legend, SCB's symbols");
	ok(strstr(e, "<p class=\"legend\">Legend: <b>\xe2\x80\x93</b> magnitude zero · "
	          "<b>..</b> data not available") != NULL, "the legend in English");
	ok(strstr(s, "Uppgifterna avser läget 2025-02-01 08:00:00 UTC") != NULL,
	   "the as-of time is stated");
	ok(count_of(s, "<a href=\"#ind-") > 0 &&
	   count_of(s, "</a> <span class=\"agency\">(Verksamhet ") == count_of(s, "<a href=\"#ind-"),
	   "the summary names every indicator with its agency (%zu links)",
	   count_of(s, "<a href=\"#ind-"));
	/* Cell 0 of indicator 0's table is published 2000; cell 1 is hidden. */
	ok(strstr(s, "data-cell=\"9999-d00/2024Q1\" class=\"n\">2" NBSP "000</td>") != NULL,
	   "sv: a table cell in Swedish format");
	ok(strstr(e, "data-cell=\"9999-d00/2024Q1\" class=\"n\">2,000</td>") != NULL,
	   "en: the same cell in English format");
	ok(strstr(s, "data-cell=\"9999-d00/2024Q2\" class=\"hidden\">..</td>") != NULL,
	   "a hidden cell shows ..");
	ok(strstr(s, "class=\"missing\">..</td>") != NULL, "a missing cell shows .. (SCB: not available)");
	ok(strstr(s, "<b>\xe2\x80\x93</b> noll") != NULL, "the legend: – is zero, as in Swedish official statistics");
	ok(strstr(s, "class=\"missing\">\xe2\x80\x93</td>") == NULL, "no cell shows – for a value not reported");
	ok(strstr(s, "delvis 7 av 10") != NULL, "a partial report");
	ok(strstr(s, "sent 2024-09-04") != NULL, "a late report with the day it came");
	ok(strstr(s, "<b>Ej rapporterat:</b> Verksamhet 2" NBSP "Q3</p>") != NULL,
	   "the list of missing reports");
	ok(strstr(s, "<b>Sena rapporter:</b> Verksamhet 1" NBSP "Q2, Q4</p>") != NULL,
	   "the list of late reports, grouped per agency");
	ok(strstr(s, "Röjandekontroll") != NULL &&
	   strstr(s, "gäller per indikator: k = 10 för Indikator nummer 1 (Verksamhet 1); "
	             "k = 5 för de övriga.") != NULL,
	   "the method appendix names each indicator's own k");
	ok(strstr(e, "is set per indicator: k = 10 for Indicator number 1 (Verksamhet 1); "
	             "k = 5 for the others.") != NULL, "en: likewise");
	buf_free(&sv);
	buf_free(&en);
	fixture_free(f);
}

int main(void)
{
	test_numfmt();
	test_axis();
	test_chart();
	test_judge();
	test_status();
	test_page();
	return tap_done();
}
