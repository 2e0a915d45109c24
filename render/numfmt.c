/* Number formatting for the review; see numfmt.h. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* U+00A0 NO-BREAK SPACE: a group separator that never breaks a line. */
#define NBSP "\xc2\xa0"
/* U+2212 MINUS SIGN. */
#define MINUS "\xe2\x88\x92"

/* Appends the digits of `digits` with a separator every three from the
 * right; returns the new end. */
static char *grouped(char *o, const char *digits, enum numfmt_lang lang)
{
	size_t n = strlen(digits);
	const char *sep = lang == NUMFMT_SV ? NBSP : ",";

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			o = stpcpy(o, sep);
		*o++ = digits[i];
	}
	return o;
}

/* Writes the sign of a value that is negative (or positive with `plus`). */
static char *sign(char *o, bool negative, bool positive, bool plus, enum numfmt_lang lang)
{
	if (negative)
		o = stpcpy(o, lang == NUMFMT_SV ? MINUS : "-");
	else if (plus && positive)
		*o++ = '+';
	return o;
}

void numfmt_int(char *out, long long v, bool plus, enum numfmt_lang lang)
{
	char digits[24];
	unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	snprintf(digits, sizeof digits, "%llu", mag);
	char *o = sign(out, v < 0, v > 0, plus, lang);
	o = grouped(o, digits, lang);
	*o = '\0';
}

void numfmt_real(char *out, double v, int decimals, bool plus, enum numfmt_lang lang)
{
	char text[NUMFMT_MAX];

	decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
	double scale = pow(10.0, decimals);
	double r = round(fabs(v) * scale) / scale;  /* round() takes halves away from zero */
	bool zero = r == 0.0;
	/* Not a number, infinite, or too long to print exactly. */
	if (!(r < 1e18)) {
		snprintf(out, NUMFMT_MAX, "%s", "?");
		return;
	}
	snprintf(text, sizeof text, "%.*f", decimals, r);
	char *dot = strchr(text, '.');
	if (dot)
		*dot = '\0';
	char *o = sign(out, v < 0 && !zero, v > 0 && !zero, plus, lang);
	o = grouped(o, text, lang);
	if (dot) {
		*o++ = lang == NUMFMT_SV ? ',' : '.';
		o = stpcpy(o, dot + 1);
	}
	*o = '\0';
}
