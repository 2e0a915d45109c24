/* Form bodies as browsers (or attackers) post them: form_each walks every
 * field and form_field finds one; every decoded name and value must fit
 * the bound the walk was given, and only the walk's own results come
 * back. */
#include <string.h>
#include "form.h"
#include "fuzz.h"

#define FIELD_MAX 64

static int check(void *ctx, const char *name, const char *value)
{
	(void)ctx;
	if (strlen(name) > FIELD_MAX || strlen(value) > FIELD_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[FIELD_MAX + 1];

	int rc = form_each((const char *)data, size, FIELD_MAX, check, NULL);

	/* The callback never stops the walk: only 0 or -1 can come back. */
	if (rc != 0 && rc != -1)
		abort();
	if (form_field((const char *)data, size, "token", out, sizeof out) == 0 &&
	    strlen(out) > FIELD_MAX)
		abort();
	return 0;
}
