/* Bearer tokens as clients send them: auth_bearer on the Authorization
 * header's value, then auth_token_parse on what it finds (or on the whole
 * input). */
#include "auth.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned char hash[AUTH_HASH_BYTES];
	long long id;

	if (!s)
		return 0;
	const char *token = auth_bearer(s);
	int rc = auth_token_parse(token ? token : s, &id, hash);
	(void)rc; /* any answer is fine; only how it is reached matters */
	free(s);
	return 0;
}
