/* Session cookies as browsers (or attackers) send them: session_verify and
 * session_end under a fixed key. A cookie that verifies must stop verifying
 * once it has been ended. */
#include "fuzz.h"
#include "session.h"

#define NOW ((time_t)1731628800)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session_keeper *k;
	static const unsigned char key[SESSION_KEY_BYTES] = { 1, 2, 3 };
	char *s = fuzz_string(data, size);
	long long id;

	if (!k)
		k = session_keeper_with_key(key, 3600, 64);
	if (!s || !k)
		goto done;
	if (session_verify(k, s, NOW, &id) == SESSION_OK) {
		session_end(k, s, NOW);
		if (session_verify(k, s, NOW, &id) != SESSION_ENDED)
			abort();
	}
done:
	free(s);
	return 0;
}
