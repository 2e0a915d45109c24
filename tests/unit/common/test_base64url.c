/* base64url: the RFC 4648 test vectors (without padding), every length of
 * a last group, and every text decoding refuses. */
#include <string.h>
#include "base64url.h"
#include "tap.h"

static void test_vectors(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	char text[16];
	unsigned char back[16];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].in);
		base64url_encode(v[i].in, n, text);
		is_str(text, v[i].out, "encode \"%s\"", v[i].in);
		is_int(strlen(text), BASE64URL_CHARS(n), "its length");
		is_int(BASE64URL_BYTES(strlen(text)), n, "and back");
		ok(base64url_decode(text, strlen(text), back) == 0 && memcmp(back, v[i].in, n) == 0,
		   "decode \"%s\"", text);
	}
	const unsigned char hi[] = { 0xfb, 0xff, 0xbf };
	base64url_encode(hi, sizeof hi, text);
	is_str(text, "-_-_", "the URL alphabet's two digits");
}

static void test_refused(void)
{
	unsigned char out[16];

	is_int(base64url_decode("Zg==", 4, out), -1, "padding");
	is_int(base64url_decode("Zm9v+A", 6, out), -1, "'+' of plain base64");
	is_int(base64url_decode("Zm9v/A", 6, out), -1, "'/' of plain base64");
	is_int(base64url_decode("Zm9vY", 5, out), -1, "a length no bytes have");
	is_int(base64url_decode("Zh", 2, out), -1, "unused bits set (one byte)");
	is_int(base64url_decode("Zm9", 3, out), -1, "unused bits set (two bytes)");
	is_int(base64url_decode("Zm 9", 4, out), -1, "a space");
	is_int(base64url_decode("Z\0", 2, out), -1, "a NUL within the length");
}

static void test_secret_size(void)
{
	unsigned char in[32], back[32];
	char text[BASE64URL_CHARS(32) + 1];

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(255 - i);
	base64url_encode(in, sizeof in, text);
	is_int(strlen(text), 43, "32 bytes are 43 characters");
	ok(base64url_decode(text, 43, back) == 0 && memcmp(in, back, sizeof in) == 0,
	   "and decode to the same bytes");
}

static void test_span(void)
{
	is_int(base64url_span("Zm9v-_09.rest"), 8, "the alphabet's run ends at '.'");
	is_int(base64url_span("+Zm9v"), 0, "'+' is not of it");
	is_int(base64url_span(""), 0, "an empty text");
}

int main(void)
{
	test_vectors();
	test_span();
	test_refused();
	test_secret_size();
	return tap_done();
}
