/* as_of= values: query_rfc3339, and its canonical text must read again as
 * itself. */
#include "fuzz.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), out[QUERY_TIME_MAX], again[QUERY_TIME_MAX];

	if (!s)
		return 0;
	if (query_rfc3339(s, out, sizeof out) == 0 &&
	    (query_rfc3339(out, again, sizeof again) != 0 || strcmp(out, again) != 0))
		abort();
	free(s);
	return 0;
}
