/* base64url without padding; see base64url.h. */
#include "base64url.h"

#include <stdint.h>
#include <string.h>

static const char ALPHABET[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Each group of three bytes makes four characters; a last group of one or
 * two bytes makes two or three. */
void base64url_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		size_t take = n - i < 3 ? n - i : 3;
		uint32_t v = (uint32_t)p[i] << 16;
		if (take > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (take > 2)
			v |= p[i + 2];
		for (size_t k = 0; k <= take; k++)
			out[o++] = ALPHABET[(v >> (18 - 6 * k)) & 63];
	}
	out[o] = '\0';
}

/* The 6-bit value of a character, or -1. */
static int digit_value(char c)
{
	const char *p = c ? strchr(ALPHABET, c) : NULL;
	return p ? (int)(p - ALPHABET) : -1;
}

int base64url_decode(const char *in, size_t len, void *out)
{
	unsigned char *p = out;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = digit_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The bits left over must be zero: otherwise two texts would read as
	 * the same bytes. */
	return acc == 0 ? 0 : -1;
}

size_t base64url_span(const char *s)
{
	return strspn(s, ALPHABET);
}
