/* The review page (issue 4), pure: a struct review in, one self-contained
 * HTML document out, with inline CSS and inline SVG, no script and no
 * external asset, so that the same bytes can be served, saved to a file
 * by samlad-admin report, projected and printed.
 *
 * Every number on the page comes from the review, which holds only values
 * that passed disclosure control; a cell that is not published is written
 * ".." (hidden) or "–" (not reported) and its value is never read. The
 * print layout is A4: the summary, the completeness table, each indicator
 * and the method appendix each start a page, no chart or table is split
 * across pages, and every page carries its number (see docs/review.md). */
#ifndef SAMLAD_REVIEW_HTML_H
#define SAMLAD_REVIEW_HTML_H

#include "buf.h"
#include "compiler.h"
#include "numfmt.h"
#include "review.h"

/* The languages of the page; the default is Swedish. */
enum review_lang {
	REVIEW_SV,  /* Swedish, the default */
	REVIEW_EN,  /* English, with lang=en */
};

/* Pages the print layout has before the first indicator (the summary and
 * the completeness table) and after the last one (the method appendix):
 * a review of n indicators prints on REVIEW_PAGES_FIXED + n pages. */
#define REVIEW_PAGES_FIXED 3

/* Appends the page; 0, or -1 when memory ran out (the buffer may then
 * hold part of a page, or be failed: see buf_failed). */
int review_html(struct buf *b, const struct review *r, enum review_lang lang) WUR;

#endif
