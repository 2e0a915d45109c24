/* The reminder mail (samlad-admin remind): what an agency whose quarter is
 * missing or partial after its due date is told, in Swedish, and the
 * whole message with its headers (RFC 5322, MIME, RFC 2047). Pure: the
 * quarter is judged by review_matrix_build and its missing keys found by
 * review_missing_keys; the tool reads, sends and records. */
#ifndef SAMLAD_REMINDER_H
#define SAMLAD_REMINDER_H

#include <stddef.h>
#include "buf.h"
#include "catalogue.h"
#include "compiler.h"
#include "review.h"

/* The longest line of a mail's text, in characters, before it wraps. */
#define REMINDER_WIDTH 72

/* What one reminder says. */
struct reminder {
	const struct cat_agency *agency;        /* borrowed; who is reminded */
	const struct cat_area *municipality;    /* borrowed; whose quarter */
	const struct review_report *report;     /* borrowed; the quarter, judged */
	const struct review_key *missing;       /* borrowed; the keys that have no count */
	size_t nmissing;                        /* entries in missing */
	const char *form_url;                   /* borrowed; the collector's form, e.g.
	                                         * http://collector/submit */
};

/* Who sends it to whom, when: the headers that are not its text. */
struct reminder_envelope {
	const char *from;        /* borrowed; the sender's address */
	const char *to;          /* borrowed; the agency's contact */
	const char *date;        /* borrowed; RFC 5322 date, "Fri, 04 Dec 2026 12:00:00 +0000" */
	const char *message_id;  /* borrowed; "<unique@host>" */
};

/* The form's address for the quarter: form_url with quarter=2025Q3 added
 * to its query. 0, or -1 when memory ran out. */
int reminder_form_link(struct buf *out, const char *form_url, int period) WUR;
/* The subject line, UTF-8. 0, or -1 when memory ran out. */
int reminder_subject(struct buf *out, const struct reminder *r) WUR;
/* The text, UTF-8, lines ended by CRLF and wrapped at REMINDER_WIDTH:
 * which indicators and districts are missing, and where to report them.
 * 0, or -1 when memory ran out. */
int reminder_body(struct buf *out, const struct reminder *r) WUR;
/* The whole message: From, To, Subject (RFC 2047), Date, Message-ID,
 * MIME-Version, Content-Type text/plain; charset=utf-8,
 * Content-Transfer-Encoding 8bit, a blank line and the text. 0, or -1
 * when memory ran out. */
int reminder_message(struct buf *out, const struct reminder *r,
                     const struct reminder_envelope *env) WUR;

#endif
