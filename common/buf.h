/* A growable byte buffer, always NUL-terminated after its data. */
#ifndef SAMLAD_BUF_H
#define SAMLAD_BUF_H

#include <stddef.h>
#include "compiler.h"

struct buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t cap;   /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* Each returns 0, or -1 when memory ran out (the buffer is unchanged). */
int buf_append(struct buf *b, const void *data, size_t len) WUR;
int buf_puts(struct buf *b, const char *s) WUR;
int buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3) WUR;
/* Empties the buffer but keeps its memory. */
void buf_reset(struct buf *b);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
