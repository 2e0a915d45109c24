/* RFC 2047 encoded words for mail headers; see mime.h. */
#include "mime.h"

#include <string.h>

#include "utf8.h"

#define WORD_OPEN "=?UTF-8?Q?"
#define WORD_CLOSE "?="

/* True when every byte is printable ASCII (space included). */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* True when the byte may stand for itself in a "Q" word of a header
 * (RFC 2047 §5 (3)): letters, digits and ! * + - /. */
static bool q_literal(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!*+-/", c) != NULL;
}

/* The encoded length of one byte: 1 for itself or '_' (a space), 3 for =XX. */
static size_t q_len(unsigned char c)
{
	return q_literal(c) || c == ' ' ? 1 : 3;
}

/* Appends one byte "Q"-encoded. */
static void q_byte(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3] = { '=', hex[c >> 4], hex[c & 15] };

	if (q_literal(c))
		buf_append(out, &c, 1);
	else if (c == ' ')
		buf_puts(out, "_");
	else
		buf_append(out, enc, 3);
}

/* The encoded words: each holds whole UTF-8 sequences, and every line
 * stays within MIME_LINE_MAX (the first line begins with `lead`
 * characters, "Subject: "); words after the first go on continuation
 * lines. */
static void q_words(struct buf *out, const char *s, size_t lead)
{
	size_t frame = strlen(WORD_OPEN WORD_CLOSE), len = strlen(s), used = 0;
	size_t room = (lead < MIME_LINE_MAX - MIME_WORD_MAX ? MIME_WORD_MAX : MIME_LINE_MAX - lead)
	              - frame;

	buf_puts(out, WORD_OPEN);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i), need = 0;
		n = n ? n : 1;
		for (size_t k = 0; k < n; k++)
			need += q_len((unsigned char)s[i + k]);
		if (used + need > room) {
			buf_puts(out, WORD_CLOSE "\r\n " WORD_OPEN);
			room = MIME_WORD_MAX - frame;
			used = 0;
		}
		for (size_t k = 0; k < n; k++)
			q_byte(out, (unsigned char)s[i + k]);
		used += need;
		i += n;
	}
	buf_puts(out, WORD_CLOSE);
}

int mime_header(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s: ", name);
	if (plain(value))
		buf_puts(out, value);
	else
		q_words(out, value, strlen(name) + 2);
	buf_puts(out, "\r\n");
	return buf_failed(out) ? -1 : 0;
}
