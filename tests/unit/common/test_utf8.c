/* UTF-8: the boundaries of each sequence length, and the ill-formed
 * sequences RFC 3629 excludes (overlong forms, surrogates, values beyond
 * U+10FFFF, stray and missing continuation bytes). */
#include <string.h>
#include "tap.h"
#include "utf8.h"

static void test_valid(void)
{
	static const char *const good[] = {
		"", "plain ascii", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
		"\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"S\xc3\xb6" "dermalm \xe2\x80\x93 \xf0\x9f\x98\x80",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ok(utf8_valid(good[i], strlen(good[i])), "valid %zu", i);
	ok(utf8_valid("a\0b", 3), "NUL is valid UTF-8");
	is_int(utf8_seq("\xe2\x80\x93x", 4), 3, "a three-byte sequence");
	is_int(utf8_seq("\xe2\x80\x93", 2), 0, "cut short by `left`");
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xff", "\xc3", "\xe2\x80", "\xe2\x28\xa1", "\xf0\x9f\x98", "ok\xc3(",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(!utf8_valid(bad[i], strlen(bad[i])), "invalid %zu", i);
}

static void test_chars(void)
{
	is_int(utf8_chars(""), 0, "no characters");
	is_int(utf8_chars("abc"), 3, "three ASCII");
	is_int(utf8_chars("\xc3\xa5\xc3\xa4\xc3\xb6"), 3, "three two-byte");
	is_int(utf8_chars("a\xe2\x80\x93\xf0\x9f\x98\x80"), 3, "one, three and four bytes");
}

int main(void)
{
	test_valid();
	test_invalid();
	test_chars();
	return tap_done();
}
