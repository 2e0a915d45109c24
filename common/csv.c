/* RFC 4180 CSV. The reader is strict: anything RFC 4180 does not allow is an
 * error with a line number, never a guess, because a guessed field could
 * store a count under the wrong key.
 *
 * The writer manages the separators itself: csv_write_field puts a comma
 * before every field except the first of a line (the buffer is empty or ends
 * in LF), and csv_write_eol ends the line. */
#include "csv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char utf8_bom[3] = { '\xEF', '\xBB', '\xBF' };

void csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
	*r = (struct csv_reader){ .p = data, .end = data + len, .line = 1,
	                          .next_line = 1, .sep = ',', .field = BUF_INIT };
	if (len >= sizeof utf8_bom && memcmp(data, utf8_bom, sizeof utf8_bom) == 0)
		r->p += sizeof utf8_bom;
}

void csv_reader_free(struct csv_reader *r)
{
	buf_free(&r->field);
}

/* Records why reading failed; returns -1 for the caller to pass on. */
PRINTF(2, 3)
static int csv_fail(struct csv_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	/* A failed reader stays failed: later calls must not resume mid-record. */
	r->p = r->end;
	return -1;
}

/* The length of the line end at p: 2 for CRLF, 1 for LF, 0 otherwise. */
static size_t eol_len(const struct csv_reader *r, const char *p)
{
	if (p < r->end && *p == '\n')
		return 1;
	if (p + 1 < r->end && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

/* Skips empty lines so that a trailing blank line is not a record. */
static void skip_blank_lines(struct csv_reader *r)
{
	size_t n;

	while ((n = eol_len(r, r->p)) > 0) {
		r->p += n;
		r->next_line++;
	}
}

int csv_detect_sep(struct csv_reader *r)
{
	const char *p = r->p;
	bool quoted = false, comma = false, semicolon = false;

	/* Blank lines before the header are skipped as csv_read skips them. */
	while (p < r->end && (*p == '\n' || *p == '\r'))
		p++;
	/* Up to the first line end outside quotes; "" inside quotes toggles
	 * twice, which is right. */
	for (; p < r->end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			comma = true;
		else if (!quoted && *p == ';')
			semicolon = true;
	}
	if (comma && semicolon)
		return csv_fail(r, "the header line has both ',' and ';'; separate the columns "
		                "with one of them only");
	r->sep = semicolon ? ';' : ',';
	return 0;
}

static int field_byte(struct csv_reader *r, char c)
{
	if (buf_append(&r->field, &c, 1) != 0)
		return csv_fail(r, "out of memory");
	return 0;
}

/* Reads a quoted field; r->p is just past the opening quote. Stops after the
 * closing quote. */
static int read_quoted(struct csv_reader *r)
{
	for (;;) {
		if (r->p == r->end)
			return csv_fail(r, "unterminated quoted field");
		char c = *r->p++;
		if (c == '\0')
			return csv_fail(r, "NUL byte in field");
		if (c == '"') {
			if (r->p == r->end || *r->p != '"')
				break;
			r->p++; /* "" is one quote */
		} else if (c == '\n') {
			r->next_line++;
		}
		if (field_byte(r, c) != 0)
			return -1;
	}
	if (r->p < r->end && *r->p != r->sep && eol_len(r, r->p) == 0)
		return csv_fail(r, "unexpected character after a closing quote");
	return 0;
}

/* Reads an unquoted field up to the separator, line end or end of input. */
static int read_plain(struct csv_reader *r)
{
	while (r->p < r->end && *r->p != r->sep && eol_len(r, r->p) == 0) {
		char c = *r->p++;
		if (c == '"')
			return csv_fail(r, "quote inside an unquoted field");
		if (c == '\0')
			return csv_fail(r, "NUL byte in field");
		/* A lone CR is neither data nor a line end in RFC 4180. */
		if (c == '\r')
			return csv_fail(r, "carriage return without a line feed");
		if (field_byte(r, c) != 0)
			return -1;
	}
	return 0;
}

/* Reads one field and its terminating NUL into r->field; *offset gets where
 * it starts and *len its length. */
static int read_field(struct csv_reader *r, size_t *offset, size_t *len)
{
	bool quoted = r->p < r->end && *r->p == '"';

	*offset = r->field.len;
	r->p += quoted;
	if ((quoted ? read_quoted(r) : read_plain(r)) != 0)
		return -1;
	*len = r->field.len - *offset;
	return field_byte(r, '\0');
}

int csv_read(struct csv_reader *r, struct csv_record *rec)
{
	size_t offsets[CSV_MAX_FIELDS];

	if (r->error[0])
		return -1;
	skip_blank_lines(r);
	if (r->p == r->end)
		return 0;
	r->line = r->next_line;
	buf_reset(&r->field);
	rec->nfields = 0;
	/* A field followed by a separator is followed by another; the step skips it. */
	for (bool more = true; more; r->p += more) {
		if (rec->nfields == CSV_MAX_FIELDS)
			return csv_fail(r, "more than %d fields", CSV_MAX_FIELDS);
		size_t i = rec->nfields++;
		if (read_field(r, &offsets[i], &rec->lens[i]) != 0)
			return -1;
		more = r->p < r->end && *r->p == r->sep;
	}
	size_t n = eol_len(r, r->p);
	r->p += n;
	r->next_line += n > 0;
	/* The fields are pointed at only now that r->field will not move. */
	for (size_t i = 0; i < rec->nfields; i++)
		rec->fields[i] = r->field.data + offsets[i];
	return 1;
}

static void write_quoted(struct buf *out, const char *field)
{
	buf_puts(out, "\"");
	/* Each quote is written twice: the run up to it, then one more. */
	for (const char *q; (q = strchr(field, '"')) != NULL; field = q + 1) {
		buf_append(out, field, (size_t)(q - field + 1));
		buf_puts(out, "\"");
	}
	buf_puts(out, field);
	buf_puts(out, "\"");
}

int csv_write_field(struct buf *out, const char *field)
{
	bool first = out->len == 0 || out->data[out->len - 1] == '\n';

	if (!first)
		buf_puts(out, ",");
	/* A comma, quote, CR or LF survives a round trip only quoted. An empty
	 * first field is written "" so that a one-field record of an empty
	 * string is not a blank line, which readers skip. */
	if (strpbrk(field, ",\"\r\n") || (first && field[0] == '\0'))
		write_quoted(out, field);
	else
		buf_puts(out, field);
	return buf_failed(out) ? -1 : 0;
}

int csv_write_eol(struct buf *out)
{
	return buf_puts(out, "\r\n");
}

int csv_write_record(struct buf *out, const char *const *fields, size_t n)
{
	return csv_write_record_sep(out, fields, n, ',');
}

int csv_write_record_sep(struct buf *out, const char *const *fields, size_t n, char sep)
{
	char special[] = { sep, '"', '\r', '\n', '\0' };
	char sep_text[2] = { sep, '\0' };

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(out, sep_text);
		/* An empty first field is written "", as csv_write_field writes it. */
		if (strpbrk(fields[i], special) || (i == 0 && fields[i][0] == '\0'))
			write_quoted(out, fields[i]);
		else
			buf_puts(out, fields[i]);
	}
	return csv_write_eol(out);
}
