/* Quarters: parsing both spellings, every rejected spelling, the range
 * checks against a fixed clock, formatting, stepping and quarter ends. */
#include <stdlib.h>
#include <time.h>
#include "period.h"
#include "tap.h"

/* Fixed instants (UTC), so that no check depends on today's date. */
#define T_2024_03_01 ((time_t)1709251200)
#define T_2024_04_01 ((time_t)1711929600)
#define T_2024_07_01 ((time_t)1719792000)
#define T_2024_10_01 ((time_t)1727740800)
#define T_2025_01_01 ((time_t)1735689600)
#define T_2000_01_01 ((time_t)946684800)
#define T_2000_04_01 ((time_t)954547200)

static void test_parse_good(void)
{
	static const struct { const char *in; int want; } cases[] = {
		{ "2024Q3", 20243 }, { "2024-Q3", 20243 }, { "2000Q1", 20001 },
		{ "1999Q4", 19994 }, { "9999Q4", 99994 }, { "2024Q1", 20241 },
		{ "2024-Q4", 20244 }, { "0000Q1", 1 },
		/* The Swedish K (kvartal) reads as Q. */
		{ "2024K3", 20243 }, { "2024-K3", 20243 }, { "2000K1", 20001 },
		{ "2024-K4", 20244 }, { "9999K4", 99994 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int p = -1;
		is_int(period_parse(cases[i].in, &p), PERIOD_OK, "parse %s ok", cases[i].in);
		is_int(p, cases[i].want, "parse %s value", cases[i].in);
	}
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
		"", "2024", "2024Q", "2024Q0", "2024Q5", "2024Q9", "2024q3", "2024-q3",
		"24Q3", "202Q3", "20245Q3", "2024Q3 ", " 2024Q3", "2024Q33", "2024--Q3",
		"2024_Q3", "2024 Q3", "2024-3", "+202Q3", "-2024Q3",
		"2024k3", "2024-k3", "2024K0", "2024K5", "2024K", "2024--K3", "2024KQ3",
		"2024K3 ", "2024k", "K32024", "2024-K", "2024X3",
		"Q32024", "2024-", "abcdQ1", "2024Q-1", "2024Q１", "2024Q3x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int p = 12345;
		is_int(period_parse(bad[i], &p), PERIOD_SYNTAX, "reject \"%s\"", bad[i]);
		is_int(p, 12345, "\"%s\" leaves the output alone", bad[i]);
	}
	int p;
	is_int(period_parse(NULL, &p), PERIOD_SYNTAX, "reject NULL");
	is_int(period_parse("2024Q3\n", &p), PERIOD_SYNTAX, "reject a trailing newline");
}

static void test_parse_checked(void)
{
	int p = 0;
	is_int(period_parse_checked("2024Q3", T_2024_07_01, &p), PERIOD_OK,
	       "2024Q3 is current on 2024-07-01");
	is_int(p, 20243, "checked value");
	is_int(period_parse_checked("2024Q4", T_2024_07_01, &p), PERIOD_FUTURE,
	       "2024Q4 is future on 2024-07-01");
	is_int(period_parse_checked("2025Q1", T_2024_07_01, &p), PERIOD_FUTURE,
	       "2025Q1 is future on 2024-07-01");
	is_int(period_parse_checked("2024Q3", T_2024_07_01 - 1, &p), PERIOD_FUTURE,
	       "2024Q3 is future one second before it starts");
	is_int(period_parse_checked("2024-Q2", T_2024_07_01 - 1, &p), PERIOD_OK,
	       "2024-Q2 is current on 2024-06-30T23:59:59Z");
	is_int(p, 20242, "checked value of 2024-Q2");
	is_int(period_parse_checked("2000Q1", T_2024_07_01, &p), PERIOD_OK, "2000Q1 accepted");
	is_int(period_parse_checked("2024-K3", T_2024_07_01, &p), PERIOD_OK,
	       "2024-K3 is current on 2024-07-01");
	is_int(p, 20243, "checked value of 2024-K3");
	is_int(period_parse_checked("2024K4", T_2024_07_01, &p), PERIOD_FUTURE,
	       "2024K4 is future on 2024-07-01");
	is_int(period_parse_checked("1999K4", T_2024_07_01, &p), PERIOD_TOO_EARLY,
	       "1999K4 is too early");
	is_int(period_parse_checked("1999Q4", T_2024_07_01, &p), PERIOD_TOO_EARLY,
	       "1999Q4 is too early");
	is_int(period_parse_checked("0001Q1", T_2024_07_01, &p), PERIOD_TOO_EARLY,
	       "0001Q1 is too early");
	is_int(period_parse_checked("2024Q5", T_2024_07_01, &p), PERIOD_SYNTAX,
	       "syntax is checked before range");
	p = 7;
	is_int(period_parse_checked("2030Q1", T_2024_07_01, &p), PERIOD_FUTURE, "2030Q1 future");
	is_int(p, 7, "a rejected period leaves the output alone");
}

static void test_parse_year(void)
{
	int y = 0;
	is_int(period_parse_year("2024", &y), 0, "year 2024 ok");
	is_int(y, 2024, "year 2024 value");
	is_int(period_parse_year("2000", &y), 0, "year 2000 ok");
	is_int(y, 2000, "year 2000 value");
	static const char *const bad[] = { "", "202", "20245", "2024Q3", " 2024",
	                                   "2024 ", "+2024", "-202", "20x4" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		is_int(period_parse_year(bad[i], &y), -1, "reject year \"%s\"", bad[i]);
	is_int(period_parse_year(NULL, &y), -1, "reject NULL year");
}

static void test_format(void)
{
	char buf[PERIOD_STRLEN];
	period_format(20243, buf);
	is_str(buf, "2024Q3", "format 20243");
	period_format(20001, buf);
	is_str(buf, "2000Q1", "format 20001");
	period_format(99994, buf);
	is_str(buf, "9999Q4", "format 99994");
	int p = 0;
	is_int(period_parse("2019-Q2", &p), PERIOD_OK, "parse 2019-Q2");
	period_format(p, buf);
	is_str(buf, "2019Q2", "2019-Q2 formats canonically");
	is_int(period_parse("2019-K2", &p), PERIOD_OK, "parse 2019-K2");
	period_format(p, buf);
	is_str(buf, "2019Q2", "2019-K2 formats canonically, with Q");
}

static void test_parts_and_steps(void)
{
	is_int(period_year(20243), 2024, "year of 20243");
	is_int(period_quarter(20243), 3, "quarter of 20243");
	is_int(period_make(2024, 3), 20243, "make 2024 3");
	is_int(period_index(20001), 0, "index of 2000Q1");
	is_int(period_index(20004), 3, "index of 2000Q4");
	is_int(period_index(20011), 4, "index of 2001Q1");
	is_int(period_index(20243), 98, "index of 2024Q3");
	is_int(period_index(19994), -1, "index of 1999Q4");
	is_int(period_index(19991), -4, "index of 1999Q1");
	is_int(period_index(19984), -5, "index of 1998Q4");
	is_int(period_from_index(0), 20001, "from index 0");
	is_int(period_from_index(98), 20243, "from index 98");
	is_int(period_from_index(-1), 19994, "from index -1");
	is_int(period_from_index(-4), 19991, "from index -4");
	is_int(period_from_index(-5), 19984, "from index -5");
	int roundtrip_ok = 1;
	for (int i = -50; i <= 500; i++)
		if (period_index(period_from_index(i)) != i)
			roundtrip_ok = 0;
	ok(roundtrip_ok, "index round trip from -50 to 500");
	is_int(period_add(20244, 1), 20251, "2024Q4 + 1");
	is_int(period_add(20241, -1), 20234, "2024Q1 - 1");
	is_int(period_add(20243, 0), 20243, "2024Q3 + 0");
	is_int(period_add(20243, 8), 20263, "2024Q3 + 8");
	is_int(period_add(20243, -99), 19994, "2024Q3 - 99");
	is_int(period_add(20243, -100), 19993, "2024Q3 - 100");
	is_int(period_add(20001, -1), 19994, "2000Q1 - 1");
}

static void test_clock(void)
{
	is_int(period_current(T_2024_07_01), 20243, "current on 2024-07-01");
	is_int(period_current(T_2024_07_01 - 1), 20242, "current on 2024-06-30 23:59:59");
	is_int(period_current(T_2024_03_01), 20241, "current on 2024-03-01");
	is_int(period_current(T_2024_04_01), 20242, "current on 2024-04-01");
	is_int(period_current(T_2024_10_01), 20244, "current on 2024-10-01");
	is_int(period_current(T_2025_01_01 - 1), 20244, "current on 2024-12-31 23:59:59");
	is_int(period_current(T_2025_01_01), 20251, "current on 2025-01-01");
	is_int(period_last_finished(T_2024_07_01), 20242, "last finished on 2024-07-01");
	is_int(period_last_finished(T_2025_01_01), 20244, "last finished on 2025-01-01");
	is_int(period_last_finished(T_2025_01_01 - 1), 20243, "last finished on 2024-12-31");
	is_int(period_end(20242), T_2024_07_01, "end of 2024Q2");
	is_int(period_end(20243), T_2024_10_01, "end of 2024Q3");
	is_int(period_end(20244), T_2025_01_01, "end of 2024Q4 crosses the year");
	is_int(period_end(20241), T_2024_04_01, "end of 2024Q1 (leap year)");
	is_int(period_end(19994), T_2000_01_01, "end of 1999Q4");
	is_int(period_end(20001), T_2000_04_01, "end of 2000Q1");
}

static void test_clock_ignores_tz(void)
{
	/* The quarter is UTC whatever TZ says: midnight in Stockholm is still
	 * the previous day in UTC. */
	setenv("TZ", "Europe/Stockholm", 1);
	tzset();
	is_int(period_current(T_2024_07_01 - 1), 20242, "TZ does not move the quarter");
	is_int(period_end(20242), T_2024_07_01, "TZ does not move the quarter end");
	unsetenv("TZ");
	tzset();
}

static void test_messages(void)
{
	is_str(period_error_message(PERIOD_SYNTAX),
	       "period must be a quarter written YYYYQn, YYYY-Qn, YYYYKn or YYYY-Kn, n from 1 to 4",
	       "syntax message");
	is_str(period_error_message(PERIOD_TOO_EARLY), "period is before 2000Q1",
	       "too early message");
	is_str(period_error_message(PERIOD_FUTURE), "period is after the current quarter",
	       "future message");
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_parse_checked();
	test_parse_year();
	test_format();
	test_parts_and_steps();
	test_clock();
	test_clock_ignores_tz();
	test_messages();
	return tap_done();
}
