/* Internet mail text (RFC 5322, RFC 2047): a header's value as encoded
 * words, so that UTF-8 text goes into a header that must be ASCII. Plain
 * C: part of the base layer. */
#ifndef SAMLAD_MIME_H
#define SAMLAD_MIME_H

#include "buf.h"
#include "compiler.h"

/* The longest encoded word RFC 2047 §2 allows. */
#define MIME_WORD_MAX 75
/* The longest line of a header that holds encoded words (RFC 2047 §2). */
#define MIME_LINE_MAX 76

/* Appends "Name: value\r\n" to out. A value of printable ASCII only is
 * written as it is; any other is written as "Q"-encoded words
 * (=?UTF-8?Q?...?=) of at most MIME_WORD_MAX characters each, folded onto
 * continuation lines of at most MIME_LINE_MAX characters, never splitting
 * a UTF-8 sequence. The value must be
 * valid UTF-8 without line breaks. 0, or -1 when memory ran out. */
int mime_header(struct buf *out, const char *name, const char *value) WUR;

#endif
