/* Numbers as a reader of the review sees them: Swedish with a decimal
 * comma, a no-break space between thousands and a true minus sign
 * (U+2212), or English with a decimal point and a comma between
 * thousands. Pure: no locale is consulted, so the output is the same on
 * every machine. */
#ifndef SAMLAD_NUMFMT_H
#define SAMLAD_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

/* The languages of the review. */
enum numfmt_lang {
	NUMFMT_SV,  /* Swedish: 12 345,6 */
	NUMFMT_EN,  /* English: 12,345.6 */
};

/* Longest text of one number: sign, 19 digits, 6 separators of 2 bytes,
 * a decimal mark and decimals, with room to spare. */
#define NUMFMT_MAX 64

/* Writes v rounded to `decimals` (0..6) digits, halves away from zero;
 * with `plus` a positive value gets a "+" (and zero none). out holds at
 * least NUMFMT_MAX bytes. */
void numfmt_real(char *out, double v, int decimals, bool plus, enum numfmt_lang lang);
/* The same for an integer, exactly. */
void numfmt_int(char *out, long long v, bool plus, enum numfmt_lang lang);

#endif
