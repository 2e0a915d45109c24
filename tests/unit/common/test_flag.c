/* core/flag: the fixed list of flags, their names both ways, and the
 * precedence a sum of flagged values takes. */
#include <string.h>
#include "flag.h"
#include "tap.h"

static void test_names(void)
{
	is_str(flag_name(FLAG_BREAK), "break", "break's name");
	is_str(flag_name(FLAG_PROVISIONAL), "provisional", "provisional's name");
	ok(flag_name(FLAG_NONE) == NULL, "no flag has no name");
	ok(flag_name((enum flag)3) == NULL && flag_name((enum flag)-1) == NULL,
	   "a code out of range has no name");
	is_int(flag_parse("break", 5), FLAG_BREAK, "break parses");
	is_int(flag_parse("provisional", 11), FLAG_PROVISIONAL, "provisional parses");
	is_int(flag_parse("", 0), -1, "the empty text is no flag");
	is_int(flag_parse("Break", 5), -1, "case counts");
	is_int(flag_parse("breaks", 6), -1, "a longer word is not break");
	is_int(flag_parse("brea", 4), -1, "a prefix is not break");
	is_int(flag_parse("break\0", 6), -1, "a NUL after the name is not the name");
	is_int(flag_parse("provisional", 5), -1, "only the given length is read");
}

/* A sum is flagged with the flag of highest precedence among its values:
 * break over provisional over none, in any order. */
static void test_combine(void)
{
	static const enum flag all[] = { FLAG_NONE, FLAG_PROVISIONAL, FLAG_BREAK };
	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 3; b++)
			is_int(flag_combine(all[a], all[b]), all[a > b ? a : b], "combine %zu and %zu",
			       a, b);
	enum flag f = FLAG_NONE;
	const enum flag quarters[] = { FLAG_PROVISIONAL, FLAG_NONE, FLAG_BREAK, FLAG_PROVISIONAL };
	for (size_t q = 0; q < 4; q++)
		f = flag_combine(f, quarters[q]);
	is_int(f, FLAG_BREAK, "a year with a break and provisional quarters is a break");
}

int main(void)
{
	test_names();
	test_combine();
	return tap_done();
}
