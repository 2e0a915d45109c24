/* Quarters: parse, format, compare and step.
 * A period is stored as the integer yyyyq (2024Q3 is 20243) so that integer
 * order is time order and SQL stays readable. */
#ifndef SAMLAD_PERIOD_H
#define SAMLAD_PERIOD_H

#include <stdbool.h>
#include <time.h>
#include "compiler.h"

#define PERIOD_MIN_YEAR 2000
#define PERIOD_MAX_YEAR 9999
/* Long enough for "2024Q3" and its NUL. */
#define PERIOD_STRLEN 8

enum period_error {
	PERIOD_OK = 0,
	PERIOD_SYNTAX,      /* not YYYYQn, YYYY-Qn, YYYYKn or YYYY-Kn */
	PERIOD_TOO_EARLY,   /* before 2000Q1 */
	PERIOD_FUTURE,      /* after the current quarter */
};

/* Parses "2024Q3" or "2024-Q3", or the Swedish "2024K3" or "2024-K3" (the
 * quarter 1-4; Q and K upper case only) into *out without the range checks;
 * returns PERIOD_OK or PERIOD_SYNTAX. */
enum period_error period_parse(const char *s, int *out) WUR;
/* Parses and checks 2000Q1 <= p <= the quarter containing `now`. */
enum period_error period_parse_checked(const char *s, time_t now, int *out) WUR;
/* Parses a year "2024" into *out; returns 0 or -1. */
int period_parse_year(const char *s, int *out) WUR;
/* The canonical form "2024Q3" into buf (PERIOD_STRLEN bytes). */
void period_format(int period, char *buf);
/* The quarter containing `now`, in UTC. */
int period_current(time_t now);
/* The last quarter that has ended before `now`. */
int period_last_finished(time_t now);
int period_year(int period);
int period_quarter(int period);
int period_make(int year, int quarter);
/* Quarters since 2000Q1; consecutive quarters differ by one. */
int period_index(int period);
int period_from_index(int index);
/* The period n quarters after p (n may be negative). */
int period_add(int period, int n);
/* The first instant after the quarter, as a Unix time in UTC. */
time_t period_end(int period);
/* A short English message for an error code. */
const char *period_error_message(enum period_error e);

#endif
