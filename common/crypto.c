/* SHA-256, random bytes and UUIDs from OpenSSL; see crypto.h. */
#include "crypto.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "hex.h"
#include "log.h"

int crypto_random(void *out, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_BYTES])
{
	unsigned int n = 0;

	/* A hash that silently failed could compare equal to another failure;
	 * stopping is the only safe answer, and it happens only without memory. */
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != CRYPTO_SHA256_BYTES) {
		log_error("SHA-256 failed");
		abort();
	}
}

void crypto_sha256_hex(const void *data, size_t len, char out[2 * CRYPTO_SHA256_BYTES + 1])
{
	unsigned char h[CRYPTO_SHA256_BYTES];

	crypto_sha256(data, len, h);
	hex_encode(h, sizeof h, out);
}

int crypto_uuid_v4(char out[CRYPTO_UUID_CHARS + 1])
{
	unsigned char b[16];
	char hex[33];

	if (crypto_random(b, sizeof b) != 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	hex_encode(b, sizeof b, hex);
	snprintf(out, CRYPTO_UUID_CHARS + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	         hex + 12, hex + 16, hex + 20);
	return 0;
}
