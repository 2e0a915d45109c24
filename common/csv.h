/* RFC 4180 CSV: a reader over a buffer in memory and a field writer.
 * Fields may be quoted ("a ""b"""), records end in LF or CRLF, a UTF-8 BOM at
 * the start is skipped. The separator is ',' or, as Swedish Excel writes
 * it, ';' (csv_detect_sep). */
#ifndef SAMLAD_CSV_H
#define SAMLAD_CSV_H

#include <stddef.h>
#include "buf.h"
#include "compiler.h"

#define CSV_MAX_FIELDS 32

struct csv_reader {
	const char *p;      /* next byte to read */
	const char *end;    /* one past the last byte */
	size_t line;        /* line number where the current record starts (1-based) */
	size_t next_line;   /* line number of the byte at p */
	char sep;           /* the field separator: ',' (the default) or ';' */
	struct buf field;   /* scratch: the fields of the last record, NUL-separated */
	char error[128];    /* why the last call returned -1 */
};

struct csv_record {
	size_t nfields;                     /* fields in this record */
	const char *fields[CSV_MAX_FIELDS]; /* point into the reader; valid until the next read */
	size_t lens[CSV_MAX_FIELDS];        /* each field's length (fields may hold NUL) */
};

void csv_reader_init(struct csv_reader *r, const char *data, size_t len);
void csv_reader_free(struct csv_reader *r);
/* Sets r->sep from the first line that is not blank, as Excel's dialects
 * differ: ';' when it has a ';' outside quotes, else ','. A line with both
 * is refused (-1, r->error says so; r->line is 1), since either guess could
 * read a count into the wrong column. Call it before the first csv_read. */
int csv_detect_sep(struct csv_reader *r) WUR;
/* Reads the next record: returns 1 with *rec filled, 0 at the end of input,
 * -1 on malformed input (r->error says why, r->line says where). A blank
 * line is skipped. */
int csv_read(struct csv_reader *r, struct csv_record *rec) WUR;

/* The writers append to a buffer whose failure is sticky (see buf.h): each
 * returns 0, or -1 when the buffer has failed, now or before, and a caller
 * may as well write on and ask buf_failed() at the end. */
/* Appends one field, quoted when it holds a comma, quote, CR or LF. */
int csv_write_field(struct buf *out, const char *field);
/* Appends the line end (CRLF, as RFC 4180 says). */
int csv_write_eol(struct buf *out);
/* Appends a record of n fields and its line end, from the start of a line. */
int csv_write_record(struct buf *out, const char *const *fields, size_t n);
/* The same with `sep` (',' or ';') between the fields, a field quoted
 * when it holds sep, a quote, CR or LF (and an empty first field, so that
 * a record of one empty field is not a blank line). It does not look at
 * what the buffer already holds, so it may follow a byte order mark. */
int csv_write_record_sep(struct buf *out, const char *const *fields, size_t n, char sep);

#endif
