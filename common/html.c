/* HTML pages; see html.h. */
#include "html.h"

/* Minimal styling, inline so that the page needs nothing else; the
 * Content-Security-Policy allows exactly this and no script. */
static const char STYLE[] =
	"body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
	".error{color:#a00}input[type=password]{width:36em;max-width:100%}";

void html_begin_styled(struct buf *b, const char *lang, const char *title,
                       const char *style)
{
	buf_htmlf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	          "<meta name=\"viewport\" content=\"width=device-width\"><title>%s", lang, title);
	buf_printf(b, "</title><style>%s%s</style></head><body>\n", STYLE, style ? style : "");
}

void html_begin(struct buf *b, const char *lang, const char *title)
{
	html_begin_styled(b, lang, title, NULL);
}

void html_end(struct buf *b)
{
	buf_puts(b, "</body></html>\n");
}

void html_reply(struct http_request *req, unsigned status, struct buf *b, int built)
{
	if (built != 0 || buf_failed(b) || !b->data) {
		buf_free(b);
		http_reply_error(req, 500, "internal_error", "out of memory building the page");
		return;
	}
	http_add_header(req, "Content-Security-Policy",
	                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
	                "frame-ancestors 'none'");
	http_add_header(req, "X-Frame-Options", "DENY");
	http_add_header(req, "Referrer-Policy", "no-referrer");
	size_t len = b->len;
	http_reply_owned(req, status, "text/html; charset=utf-8", buf_steal(b), len);
}
