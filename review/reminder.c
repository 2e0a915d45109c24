/* The reminder mail's text and headers; see reminder.h. */
#include "reminder.h"

#include <string.h>
#include <time.h>

#include "mime.h"
#include "period.h"

#define NL "\r\n"

int reminder_form_link(struct buf *out, const char *form_url, int period)
{
	char q[PERIOD_STRLEN];

	period_format(period, q);
	buf_printf(out, "%s%cquarter=%s", form_url, strchr(form_url, '?') ? '&' : '?', q);
	return buf_failed(out) ? -1 : 0;
}

int reminder_subject(struct buf *out, const struct reminder *r)
{
	char q[PERIOD_STRLEN];

	period_format(r->report->period, q);
	buf_printf(out, "Påminnelse: rapporten för %s till Samlad (%s)", q,
	           r->municipality->name);
	return buf_failed(out) ? -1 : 0;
}

/* Characters in s[0..len) of valid UTF-8: the bytes that start one. */
static size_t chars_in(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Appends text wrapped at REMINDER_WIDTH characters, every line indented
 * by `indent` spaces, and a line break. Words are split at spaces only; a
 * word longer than a line stands alone on one. */
static void wrap(struct buf *out, const char *text, size_t indent)
{
	size_t col = indent;

	buf_printf(out, "%*s", (int)indent, "");
	for (const char *w = text + strspn(text, " "); *w; w += strspn(w, " ")) {
		size_t len = strcspn(w, " "), chars = chars_in(w, len);
		if (col > indent && col + 1 + chars > REMINDER_WIDTH) {
			buf_printf(out, NL "%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			buf_puts(out, " ");
			col++;
		}
		buf_append(out, w, len);
		col += chars;
		w += len;
	}
	buf_puts(out, NL);
}

/* The first paragraph: whose report of which quarter, and its due date
 * (the last day before the deadline). 0, or -1 when memory ran out. */
static int opening(struct buf *out, const struct reminder *r)
{
	struct buf p = BUF_INIT;
	char q[PERIOD_STRLEN], day[16];
	time_t last = r->report->deadline - 1;
	struct tm tm;

	period_format(r->report->period, q);
	gmtime_r(&last, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	if (r->report->state == REVIEW_PARTIAL)
		buf_printf(&p, "Samlad har fått en del av rapporten från %s för %s i %s, men inte "
		           "allt.", r->agency->name, q, r->municipality->name);
	else
		buf_printf(&p, "Samlad har inte fått någon rapport från %s för %s i %s.",
		           r->agency->name, q, r->municipality->name);
	buf_printf(&p, " Rapporten skulle ha kommit senast %s.", day);
	int rc = buf_failed(&p) ? -1 : 0;
	if (rc == 0)
		wrap(out, p.data, 0);
	buf_free(&p);
	return rc;
}

/* One indicator's missing districts, keys[0..n) (all of one indicator):
 * "- name (code):" and the districts on wrapped lines below. 0, or -1
 * when memory ran out. */
static int indicator_lines(struct buf *out, const struct reminder *r,
                            const struct review_key *keys, size_t n)
{
	struct buf areas = BUF_INIT;

	buf_printf(out, "- %s (%s):" NL, keys[0].indicator->name_sv, keys[0].indicator->code);
	for (size_t i = 0; i < n; i++)
		buf_printf(&areas, "%s%s%s", keys[i].area == r->municipality ? "hela " : "",
		           keys[i].area->name, i + 1 < n ? ", " : "");
	int rc = buf_failed(&areas) ? -1 : 0;
	if (rc == 0)
		wrap(out, areas.data, 2);
	buf_free(&areas);
	return rc;
}

/* The missing keys, grouped by indicator (they come sorted by it). 0, or
 * -1 when memory ran out. */
static int missing_list(struct buf *out, const struct reminder *r)
{
	buf_printf(out, NL "Det här saknas (%zu av %lld värden):" NL NL, r->nmissing,
	           r->report->expected);
	for (size_t i = 0; i < r->nmissing;) {
		size_t n = 1;
		while (i + n < r->nmissing && r->missing[i + n].indicator == r->missing[i].indicator)
			n++;
		if (indicator_lines(out, r, r->missing + i, n) != 0)
			return -1;
		i += n;
	}
	return 0;
}

int reminder_body(struct buf *out, const struct reminder *r)
{
	buf_puts(out, "Hej!" NL NL);
	if (opening(out, r) != 0 || missing_list(out, r) != 0)
		return -1;
	buf_puts(out, NL "Rapportera i formuläret:" NL);
	if (reminder_form_link(out, r->form_url, r->report->period) != 0)
		return -1;
	buf_puts(out, NL NL);
	wrap(out, "Har ni redan rapporterat kan ni bortse från det här meddelandet. Det "
	     "skickades automatiskt av Samlad; svara inte på det.", 0);
	return buf_failed(out) ? -1 : 0;
}

int reminder_message(struct buf *out, const struct reminder *r,
                     const struct reminder_envelope *env)
{
	struct buf subject = BUF_INIT;
	int rc = reminder_subject(&subject, r);

	rc = rc || mime_header(out, "From", env->from) || mime_header(out, "To", env->to) ||
	     mime_header(out, "Subject", subject.data) || mime_header(out, "Date", env->date) ||
	     mime_header(out, "Message-ID", env->message_id) ||
	     mime_header(out, "MIME-Version", "1.0") ||
	     mime_header(out, "Content-Type", "text/plain; charset=utf-8") ||
	     mime_header(out, "Content-Transfer-Encoding", "8bit");
	buf_puts(out, NL);
	rc = rc || reminder_body(out, r);
	buf_free(&subject);
	return rc || buf_failed(out) ? -1 : 0;
}
