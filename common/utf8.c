/* UTF-8 validation; see utf8.h. */
#include "utf8.h"

/* The ranges follow the table of well-formed sequences in the Unicode
 * standard (3.9, table 3-7): only the second byte's range depends on the
 * first byte, which keeps out overlong forms, surrogates and values beyond
 * U+10FFFF without decoding. */
size_t utf8_seq(const void *s, size_t left)
{
	const unsigned char *p = s;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool utf8_valid(const void *s, size_t len)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;

	/* Every character has exactly one byte that is not a continuation. */
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}
