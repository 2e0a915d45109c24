/* RFC 3339 date-times; see rfc3339.h. */
#include "rfc3339.h"

#include <stdbool.h>
#include <string.h>

/* Reads n digits into *v; false when one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* "YYYY-MM-DD" with a real date. */
static bool date_ok(const char *s)
{
	int y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* "HH:MM:SS" or, with seconds false, "HH:MM". */
static bool time_ok(const char *s, bool seconds)
{
	int h, m, sec = 0;

	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m))
		return false;
	if (seconds && (s[5] != ':' || !digits(s + 6, 2, &sec)))
		return false;
	return h <= 23 && m <= 59 && sec <= 59;
}

/* An offset "HH:MM" no further from UTC than PostgreSQL takes (15:59);
 * RFC 3339 allows up to 23:59, but no zone on Earth is beyond 14:00. */
static bool offset_ok(const char *s)
{
	int h;

	return time_ok(s, false) && digits(s, 2, &h) && h <= 15;
}

/* After the seconds: an optional fraction, then Z or an offset. Returns the
 * length of the fraction, or -1. */
static int zone_at(const char *s)
{
	int n = 0;

	if (s[0] == '.') {
		for (n = 1; s[n] >= '0' && s[n] <= '9' && n <= 9; n++)
			;
		if (n == 1 || (s[n] >= '0' && s[n] <= '9'))
			return -1;
	}
	const char *z = s + n;
	if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0')
		return n;
	if ((z[0] == '+' || z[0] == '-') && offset_ok(z + 1) && z[6] == '\0')
		return n;
	return -1;
}

int rfc3339_canonical(const char *s, char *out, size_t size)
{
	if (!s)
		return -1;
	size_t len = strlen(s);
	if (len < 20 || len >= size || !date_ok(s) || (s[10] != 'T' && s[10] != 't') ||
	    !time_ok(s + 11, true))
		return -1;
	int frac = zone_at(s + 19);
	if (frac < 0)
		return -1;
	memmove(out, s, len + 1);
	out[10] = 'T';
	if (out[19 + frac] == 'z')
		out[19 + frac] = 'Z';
	return 0;
}
