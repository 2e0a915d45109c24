/* UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * above U+10FFFF (what PostgreSQL and JSON parsers also refuse). NUL is
 * valid UTF-8; a caller that cannot store it checks for it itself. */
#ifndef SAMLAD_UTF8_H
#define SAMLAD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1 to 4) of the valid sequence at s, of which `left` bytes
 * may be read (at least 1); 0 when the bytes there are not one. */
size_t utf8_seq(const void *s, size_t left);
/* True when the len bytes at s are valid UTF-8. */
bool utf8_valid(const void *s, size_t len);
/* The characters (code points) of a valid, NUL-terminated UTF-8 string. */
size_t utf8_chars(const char *s);

#endif
