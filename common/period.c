/* Quarters as the integer yyyyq. Everything is computed in UTC so that the
 * collector and the aggregator agree on "the current quarter" whatever the
 * machine's time zone. */
#include "period.h"

#include <stdio.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly four ASCII digits; strtol would also take signs and spaces. */
static bool read_year(const char *s, int *year)
{
	int y = 0;

	for (int i = 0; i < 4; i++) {
		if (!is_digit(s[i]))
			return false;
		y = y * 10 + (s[i] - '0');
	}
	*year = y;
	return true;
}

enum period_error period_parse(const char *s, int *out)
{
	int year;

	if (!s || !read_year(s, &year))
		return PERIOD_SYNTAX;
	s += 4;
	if (*s == '-')
		s++;
	/* Q, or K as quarters are written in Swedish ("kvartal"). Only upper
	 * case: "2024q3" and "2024k3" are rejected so that input has few
	 * spellings. */
	if ((s[0] != 'Q' && s[0] != 'K') || s[1] < '1' || s[1] > '4' || s[2] != '\0')
		return PERIOD_SYNTAX;
	*out = period_make(year, s[1] - '0');
	return PERIOD_OK;
}

enum period_error period_parse_checked(const char *s, time_t now, int *out)
{
	int p;
	enum period_error e = period_parse(s, &p);

	if (e != PERIOD_OK)
		return e;
	if (period_year(p) < PERIOD_MIN_YEAR)
		return PERIOD_TOO_EARLY;
	if (p > period_current(now))
		return PERIOD_FUTURE;
	*out = p;
	return PERIOD_OK;
}

int period_parse_year(const char *s, int *out)
{
	int year;

	if (!s || !read_year(s, &year) || s[4] != '\0')
		return -1;
	*out = year;
	return 0;
}

void period_format(int period, char *buf)
{
	/* Valid periods lie in 0000Q1..9999Q4; the modulo only keeps a bad
	 * value's text inside the buffer (and lets the compiler see that). */
	unsigned year = (unsigned)period_year(period) % 10000;
	unsigned quarter = (unsigned)period_quarter(period) % 10;
	snprintf(buf, PERIOD_STRLEN, "%04uQ%u", year, quarter);
}

int period_current(time_t now)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	return period_make(tm.tm_year + 1900, tm.tm_mon / 3 + 1);
}

int period_last_finished(time_t now)
{
	return period_add(period_current(now), -1);
}

int period_year(int period)
{
	return period / 10;
}

int period_quarter(int period)
{
	return period % 10;
}

int period_make(int year, int quarter)
{
	return year * 10 + quarter;
}

int period_index(int period)
{
	return (period_year(period) - 2000) * 4 + period_quarter(period) - 1;
}

int period_from_index(int index)
{
	/* Floor division, so that indexes before 2000Q1 map to earlier years. */
	int years = index >= 0 ? index / 4 : -((-index + 3) / 4);
	int q = index - years * 4 + 1;
	return period_make(2000 + years, q);
}

int period_add(int period, int n)
{
	return period_from_index(period_index(period) + n);
}

time_t period_end(int period)
{
	int next = period_add(period, 1);
	struct tm tm = {
		.tm_year = period_year(next) - 1900,
		.tm_mon = (period_quarter(next) - 1) * 3,
		.tm_mday = 1,
	};
	return timegm(&tm);
}

const char *period_error_message(enum period_error e)
{
	switch (e) {
	case PERIOD_OK:
		return "valid period";
	case PERIOD_SYNTAX:
		return "period must be a quarter written YYYYQn, YYYY-Qn, YYYYKn or YYYY-Kn, "
		       "n from 1 to 4";
	case PERIOD_TOO_EARLY:
		return "period is before 2000Q1";
	case PERIOD_FUTURE:
		return "period is after the current quarter";
	}
	return "unknown period error";
}
