/* A growable byte buffer, always NUL-terminated after its data.
 *
 * Its failure is sticky, as libpq's PQExpBuffer's is: when an append runs
 * out of memory the buffer remembers it, and every later append is a
 * no-op. A writer can therefore append freely and ask buf_failed() once at
 * the end, instead of checking every call. */
#ifndef SAMLAD_BUF_H
#define SAMLAD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

struct buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t cap;   /* bytes allocated */
	bool failed;  /* an append ran out of memory: the data is incomplete, and
	               * appends do nothing until buf_reset or buf_free */
};

#define BUF_INIT { NULL, 0, 0, false }

/* Each returns 0, or -1 when memory ran out now or earlier (the buffer is
 * then marked failed). The result may be ignored: buf_failed() tells. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
/* Appends s (NULL is empty) with & < > " ' written as HTML entities, so
 * that it is safe as text and inside a quoted attribute. */
int buf_html(struct buf *b, const char *s);
/* As buf_printf, but every %s argument is appended as buf_html appends it;
 * the numbers (%d, %lld, and %f, %e, %g of a double) are printed as they
 * are. Any other conversion, a %s with flags or a width, and * fail the
 * buffer. */
int buf_htmlf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
/* True when an append failed since the buffer was made or last reset. */
bool buf_failed(const struct buf *b);
/* Empties the buffer but keeps its memory; clears the failure. */
void buf_reset(struct buf *b);
/* Hands the data to the caller (who frees it) and empties the buffer;
 * NULL when the buffer failed (the data is then freed) or memory ran out. */
char *buf_steal(struct buf *b);
/* Appends the whole file at path (its data is then never NULL, even for an
 * empty file). Returns 0, or an errno value: fopen's or read's, EFBIG when
 * the buffer would pass max bytes, ENOMEM. */
int buf_read_file(struct buf *b, const char *path, size_t max) WUR;
void buf_free(struct buf *b);

#endif
