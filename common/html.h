/* The few HTML pages of the programs (the aggregator's sign-in form, index,
 * review and reporting; the collector's sign-in and submission form): a
 * common page frame, and the reply with headers that keep the pages inert
 * (no script may run, no other site may frame them, forms post only to
 * the page's own site). Every text that comes
 * from the catalogue or a request goes through buf_html (common/buf). */
#ifndef SAMLAD_HTML_H
#define SAMLAD_HTML_H

#include "buf.h"
#include "compiler.h"
#include "http.h"

/* Appends the doctype (with the page's language, "sv" or "en"), the head with
 * `title` (escaped) and the opening body. */
void html_begin(struct buf *b, const char *lang, const char *title);
/* The same with the page's own CSS rules after the common ones (NULL for
 * none); `style` is the program's text, not escaped. */
void html_begin_styled(struct buf *b, const char *lang, const char *title,
                       const char *style);
/* Closes the body and the document. */
void html_end(struct buf *b);
/* Replies with the page in b (emptied), text/html, and the security
 * headers; a failed build (built != 0, or the buffer failed) answers 500
 * instead. */
void html_reply(struct http_request *req, unsigned status, struct buf *b, int built);

#endif
