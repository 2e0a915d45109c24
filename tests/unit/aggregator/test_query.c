/* Unit tests of aggregator/query.c's pure helpers: the RFC 3339 check and
 * canonical form behind as_of, and the echo of a value in a message. The
 * readers that answer HTTP are tested through real requests in
 * tests/integration/aggregator/test_aggregator_params.c. */
#include <string.h>

#include "query.h"
#include "tap.h"

/* Checks that s is accepted and written as want. */
static void accepts(const char *s, const char *want)
{
	char out[QUERY_TIME_MAX] = "";

	is_int(query_rfc3339(s, out, sizeof out), 0, "'%s' is RFC 3339", s);
	is_str(out, want, "'%s' is written '%s'", s, want);
}

static void refuses(const char *s, const char *why)
{
	char out[QUERY_TIME_MAX];

	is_int(query_rfc3339(s, out, sizeof out), -1, "'%s' is refused: %s", s, why);
}

static void test_rfc3339(void)
{
	accepts("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z");
	accepts("2024-05-01t12:00:00z", "2024-05-01T12:00:00Z");
	accepts("2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00+02:00");
	accepts("2024-05-01T12:00:00 02:00", "2024-05-01T12:00:00+02:00");
	accepts("2024-05-01T12:00:00-05:30", "2024-05-01T12:00:00-05:30");
	accepts("2024-05-01T12:00:00.5Z", "2024-05-01T12:00:00.5Z");
	accepts("2024-05-01T12:00:00.123456789+00:00", "2024-05-01T12:00:00.123456789+00:00");
	accepts("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z");
	accepts("2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z");
	accepts("2024-12-31T23:59:59Z", "2024-12-31T23:59:59Z");

	refuses("", "empty");
	refuses("2024-05-01", "a date alone");
	refuses("2024-05-01T12:00:00", "no time zone");
	refuses("2024-05-01 12:00:00Z", "a space for T");
	refuses("2024-05-01T12:00Z", "no seconds");
	refuses("2024-5-01T12:00:00Z", "a one-digit month");
	refuses("2024-13-01T00:00:00Z", "month 13");
	refuses("2024-00-01T00:00:00Z", "month 0");
	refuses("2023-02-29T00:00:00Z", "29 February of a common year");
	refuses("1900-02-29T00:00:00Z", "1900 is not a leap year");
	refuses("2024-04-31T00:00:00Z", "31 April");
	refuses("2024-05-01T24:00:00Z", "hour 24");
	refuses("2024-05-01T23:60:00Z", "minute 60");
	refuses("2024-05-01T23:59:60Z", "second 60");
	refuses("2024-05-01T12:00:00.Z", "a point without digits");
	refuses("2024-05-01T12:00:00.1234567890Z", "more than nine fraction digits");
	refuses("2024-05-01T12:00:00+2:00", "a one-digit offset hour");
	refuses("2024-05-01T12:00:00+02", "an offset without minutes");
	refuses("2024-05-01T12:00:00+02:00x", "text after the offset");
	refuses("2024-05-01T12:00:00ZZ", "two zones");
	refuses("yesterday", "not a time");
	refuses("2024-05-01T12:00:00+24:00", "offset hour 24");
	/* PostgreSQL takes offsets up to 15:59; beyond, it once made a 500. */
	accepts("2024-05-01T12:00:00+15:59", "2024-05-01T12:00:00+15:59");
	accepts("2024-05-01T12:00:00-15:59", "2024-05-01T12:00:00-15:59");
	refuses("2024-05-01T12:00:00+16:00", "offset hour 16");
	refuses("2024-05-01T12:00:00-23:59", "offset -23:59");

	char small[10];
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
