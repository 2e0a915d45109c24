/* Quarters and years as clients write them: period_parse,
 * period_parse_checked and period_parse_year; a parsed quarter must format
 * back to text that parses to the same quarter. */
#include "fuzz.h"
#include "period.h"

#define NOW ((time_t)1731628800) /* 2024-11-15: the current quarter is 2024Q4 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), text[16];
	int p, again, year;

	if (!s)
		return 0;
	if (period_parse(s, &p) == PERIOD_OK) {
		period_format(p, text);
		if (period_parse(text, &again) != PERIOD_OK || again != p)
			abort();
	}
	/* A quarter that passes the range checks parses without them too. */
	if (period_parse_checked(s, NOW, &p) == PERIOD_OK &&
	    (period_parse(s, &again) != PERIOD_OK || again != p))
		abort();
	int rc = period_parse_year(s, &year);
	(void)rc; /* any answer is fine; only how it is reached matters */
	free(s);
	return 0;
}
