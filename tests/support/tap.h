/* A small TAP producer for the C tests. Each check prints "ok N - name" or
 * "not ok N - name" with the expected and actual values; tap_done prints the
 * plan and returns the exit status. Header-only so each test is one file. */
#ifndef SAMLAD_TAP_H
#define SAMLAD_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;   /* checks run so far */
static int tap_failed;  /* checks that failed */

__attribute__((format(printf, 2, 3), unused))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __VA_ARGS__)
__attribute__((format(printf, 3, 4), unused))
static bool tap_is_int(long long got, long long want, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	bool r = ok(got == want, "%s", name);
	if (!r)
		printf("#   got: %lld\n#  want: %lld\n", got, want);
	return r;
}

__attribute__((format(printf, 3, 4), unused))
static bool is_str(const char *got, const char *want, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	bool same = (got == NULL && want == NULL) ||
	            (got != NULL && want != NULL && strcmp(got, want) == 0);
	bool r = ok(same, "%s", name);
	if (!r)
		printf("#   got: %s\n#  want: %s\n", got ? got : "(null)", want ? want : "(null)");
	return r;
}

__attribute__((format(printf, 4, 5), unused))
static bool is_double(double got, double want, double tol, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	double d = got - want;
	bool r = ok(d <= tol && d >= -tol, "%s", name);
	if (!r)
		printf("#   got: %.12g\n#  want: %.12g (tolerance %g)\n", got, want, tol);
	return r;
}

/* Prints a diagnostic line. */
__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Skips the whole test file (prints a plan of 0 with a reason). */
__attribute__((unused, noreturn))
static void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

/* Ends the test: prints the plan, returns the process exit status. */
__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
