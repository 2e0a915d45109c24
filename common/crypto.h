/* The few cryptographic primitives the programs use, all from OpenSSL:
 * SHA-256, random bytes, and random (version 4) UUIDs. */
#ifndef SAMLAD_CRYPTO_H
#define SAMLAD_CRYPTO_H

#include <stddef.h>
#include "compiler.h"

/* Bytes of a SHA-256 digest. */
#define CRYPTO_SHA256_BYTES 32
/* Characters of a UUID's text form, without the NUL. */
#define CRYPTO_UUID_CHARS 36

/* SHA-256 of data, as raw bytes. Aborts if OpenSSL cannot hash (only
 * without memory): a silently failed hash could compare equal to another. */
void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_BYTES]);
/* The same as lower-case hex (65 bytes with the NUL). */
void crypto_sha256_hex(const void *data, size_t len, char out[2 * CRYPTO_SHA256_BYTES + 1]);
/* Random bytes from OpenSSL's generator; returns 0 or -1. */
int crypto_random(void *out, size_t len) WUR;
/* A random version-4 UUID in its 36-character text form (37 bytes with
 * the NUL), lower case; returns 0 or -1. */
int crypto_uuid_v4(char out[CRYPTO_UUID_CHARS + 1]) WUR;

#endif
