/* base64url (RFC 4648 §5) without padding, as tokens and cookies carry it:
 * "-" and "_" for the last two digits, no "=". Decoding accepts only the
 * one canonical text of each byte string (the unused low bits of the last
 * character must be zero), so that equal bytes always have equal text. */
#ifndef SAMLAD_BASE64URL_H
#define SAMLAD_BASE64URL_H

#include <stddef.h>
#include "compiler.h"

/* Characters of n bytes' text (without the NUL): 32 bytes are 43. */
#define BASE64URL_CHARS(n) (((n) * 4 + 2) / 3)
/* Bytes of a text of len characters. */
#define BASE64URL_BYTES(len) ((len) * 3 / 4)

/* Writes n bytes as BASE64URL_CHARS(n) characters and a NUL. */
void base64url_encode(const void *in, size_t n, char *out);
/* How many characters at the start of s are of the alphabet (strspn). */
size_t base64url_span(const char *s);
/* Reads len characters into BASE64URL_BYTES(len) bytes at out; returns 0,
 * or -1 for a character outside the alphabet (padding included), a length
 * no byte string has (len % 4 == 1) or a text that is not canonical. */
int base64url_decode(const char *in, size_t len, void *out) WUR;

#endif
