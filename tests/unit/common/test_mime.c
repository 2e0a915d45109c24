/* Mail headers: ASCII as it is, anything else as RFC 2047 "Q" words of at
 * most 75 characters, folded, never splitting a UTF-8 sequence. */
#include <string.h>

#include "mime.h"
#include "tap.h"

static void header_is(const char *value, const char *want, const char *name)
{
	struct buf b = BUF_INIT;

	ok(mime_header(&b, "Subject", value) == 0, "%s: encoded", name);
	is_str(b.data, want, "%s", name);
	buf_free(&b);
}

/* Every line of an encoded header fits, and each word is well formed. */
static void test_long(void)
{
	char value[400] = "";
	struct buf b = BUF_INIT;

	for (int i = 0; i < 60; i++)
		strcat(value, "ö ");
	ok(mime_header(&b, "Subject", value) == 0, "a long value is encoded");
	size_t longest = 0, words = 0;
	for (char *line = b.data; line && *line;) {
		char *end = strstr(line, "\r\n");
		size_t len = (size_t)(end - line);
		longest = len > longest ? len : longest;
		words += strstr(line, "=?UTF-8?Q?") != NULL;
		line = end + 2;
	}
	ok(longest <= MIME_LINE_MAX, "no line is longer than %d characters (%zu)", MIME_LINE_MAX,
	   longest);
	ok(words >= 5, "it is folded into several words (%zu)", words);
	ok(strstr(b.data, "=C3?=") == NULL, "no word ends inside a UTF-8 sequence");
	buf_free(&b);
}

int main(void)
{
	header_is("Hello, world", "Subject: Hello, world\r\n", "ASCII as it is");
	header_is("Påminnelse", "Subject: =?UTF-8?Q?P=C3=A5minnelse?=\r\n", "UTF-8 as a Q word");
	header_is("a_b=c?d (e)", "Subject: a_b=c?d (e)\r\n", "specials of plain ASCII unchanged");
	header_is("å_b=c?", "Subject: =?UTF-8?Q?=C3=A5=5Fb=3Dc=3F?=\r\n",
	          "_ = ? encoded inside a word");
	header_is("x\r\nBcc: y", "Subject: =?UTF-8?Q?x=0D=0ABcc=3A_y?=\r\n",
	          "a line break cannot start a header");
	test_long();
	return tap_done();
}
