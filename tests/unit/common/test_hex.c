/* hex: encoding in lower case, decoding in either case, and every input
 * decoding refuses. */
#include <string.h>
#include "hex.h"
#include "tap.h"

static void test_encode(void)
{
	const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof bytes + 1];

	hex_encode(bytes, sizeof bytes, out);
	is_str(out, "00017f80abff", "six bytes in lower case");
	hex_encode(bytes, 0, out);
	is_str(out, "", "no bytes is the empty string");
}

static void test_decode(void)
{
	unsigned char out[8];

	is_int(hex_decode("00017f80abff", 12, out), 0, "lower case");
	ok(out[0] == 0x00 && out[2] == 0x7f && out[4] == 0xab && out[5] == 0xff, "its bytes");
	is_int(hex_decode("ABff9C", 6, out), 0, "upper and mixed case");
	ok(out[0] == 0xab && out[1] == 0xff && out[2] == 0x9c, "their bytes");
	is_int(hex_decode("", 0, out), 0, "nothing to decode");
	is_int(hex_decode("abc", 3, out), -1, "an odd length");
	is_int(hex_decode("0g", 2, out), -1, "a letter beyond f");
	is_int(hex_decode(" 0", 2, out), -1, "a space");
	is_int(hex_decode("0\0", 2, out), -1, "a NUL within the length");
	is_int(hex_digit('9'), 9, "digit 9");
	is_int(hex_digit('F'), 15, "digit F");
	is_int(hex_digit('G'), -1, "no digit G");
}

static void test_round_trip(void)
{
	unsigned char in[256], back[256];
	char text[513];

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)i;
	hex_encode(in, sizeof in, text);
	is_int(strlen(text), 512, "every byte value in 512 digits");
	is_int(hex_decode(text, strlen(text), back), 0, "decodes");
	ok(memcmp(in, back, sizeof in) == 0, "to the same bytes");
}

int main(void)
{
	test_encode();
	test_decode();
	test_round_trip();
	return tap_done();
}
