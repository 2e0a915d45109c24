/* Hexadecimal text of bytes: written in lower case, read in either case. */
#ifndef SAMLAD_HEX_H
#define SAMLAD_HEX_H

#include <stddef.h>
#include "compiler.h"

/* Writes n bytes as 2n lower-case hex digits and a NUL (2n + 1 bytes). */
void hex_encode(const void *in, size_t n, char *out);
/* The value of one hex digit, 0-9, a-f or A-F; -1 for any other character. */
int hex_digit(char c);
/* Reads exactly len hex digits (len even) into len / 2 bytes at out;
 * returns 0, or -1 for an odd length or a character that is not a digit
 * (out may then hold part of the bytes). */
int hex_decode(const char *in, size_t len, void *out) WUR;

#endif
