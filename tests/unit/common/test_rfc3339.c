/* RFC 3339 date-times: every field checked (real dates, leap years, the
 * ranges of hours, minutes, seconds and offsets), fractions, and the
 * canonical text. */
#include <string.h>

#include "rfc3339.h"
#include "tap.h"

/* Checks that s is accepted and written as want. */
static void accepts(const char *s, const char *want)
{
	char out[RFC3339_MAX] = "";

	is_int(rfc3339_canonical(s, out, sizeof out), 0, "'%s' is RFC 3339", s);
	is_str(out, want, "'%s' is written '%s'", s, want);
}

static void refuses(const char *s, const char *why)
{
	char out[RFC3339_MAX];

	is_int(rfc3339_canonical(s, out, sizeof out), -1, "'%s' is refused: %s", s, why);
}

static void test_rfc3339(void)
{
	accepts("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z");
	accepts("2024-05-01t12:00:00z", "2024-05-01T12:00:00Z");
	accepts("2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00+02:00");
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
	refuses("2024-05-01T12:00:00 02:00", "a space for the offset's sign");

	char small[10];
	is_int(rfc3339_canonical("2024-05-01T12:00:00Z", small, sizeof small), -1,
	       "a buffer too small is refused, not overrun");
	is_int(rfc3339_canonical(NULL, small, sizeof small), -1, "NULL is refused");

	char in_place[RFC3339_MAX] = "2024-05-01t12:00:00z";
	is_int(rfc3339_canonical(in_place, in_place, sizeof in_place), 0, "in place");
	is_str(in_place, "2024-05-01T12:00:00Z", "written over itself");
}

int main(void)
{
	test_rfc3339();
	return tap_done();
}
