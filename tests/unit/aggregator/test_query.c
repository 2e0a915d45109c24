/* Unit tests of aggregator/query.c's pure helpers: as_of's reading of a
 * query's RFC 3339 time, and the echo of a value in a message. The
 * readers that answer HTTP are tested through real requests in
 * tests/integration/aggregator/test_aggregator_params.c. */
#include <string.h>

#include "query.h"
#include "tap.h"

/* The query's own rule: a space where the offset's '+' was (the RFC 3339
 * cases themselves are in tests/unit/common/test_rfc3339.c). */
static void test_rfc3339(void)
{
	char out[QUERY_TIME_MAX] = "", small[10];

	is_int(query_rfc3339("2024-05-01T12:00:00 02:00", out, sizeof out), 0,
	       "a space for the offset's '+'");
	is_str(out, "2024-05-01T12:00:00+02:00", "the '+' restored");
	is_int(query_rfc3339("2024-05-01t12:00:00.5z", out, sizeof out), 0, "lower case");
	is_str(out, "2024-05-01T12:00:00.5Z", "written canonically");
	is_int(query_rfc3339("2024-05-01 12:00:00Z", out, sizeof out), -1,
	       "a space for T is still refused");
	is_int(query_rfc3339("2024-05-01T12:00:00+02:00 ", out, sizeof out), -1,
	       "a space after the offset too");
	is_int(query_rfc3339("2024-05-01T12:00:00Z", small, sizeof small), -1,
	       "a buffer too small is refused, not overrun");
	is_int(query_rfc3339(NULL, small, sizeof small), -1, "NULL is refused");
}

static void test_echo(void)
{
	char out[64];

	query_echo(out, sizeof out, "bup.nya_barn");
	is_str(out, "bup.nya_barn", "echo: a short value as it is");
	query_echo(out, sizeof out, "a\x01" "b\x7f" "c\xc3\xa4");
	is_str(out, "a?b?c??", "echo: control characters, DEL and UTF-8 bytes become '?'");
	query_echo(out, sizeof out, "0123456789012345678901234567890123456789");
	is_str(out, "0123456789012345678901234567890123456789", "echo: exactly 40 characters");
	query_echo(out, sizeof out, "01234567890123456789012345678901234567890");
	is_str(out, "0123456789012345678901234567890123456789...", "echo: 41 are cut to 40 and '...'");
	query_echo(out, sizeof out, NULL);
	is_str(out, "", "echo: NULL is empty");
	query_echo(out, 5, "abcdefgh");
	is_str(out, "abcd", "echo: never past the buffer");
}

int main(void)
{
	test_rfc3339();
	test_echo();
	return tap_done();
}
