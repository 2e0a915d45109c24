/* crypto: SHA-256 against published vectors, random bytes, and the shape
 * of version-4 UUIDs. */
#include <stdbool.h>
#include <string.h>
#include "crypto.h"
#include "tap.h"

static void test_sha256(void)
{
	char hex[2 * CRYPTO_SHA256_BYTES + 1];

	crypto_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "SHA-256 of \"abc\"");
	crypto_sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "SHA-256 of the empty string");
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	crypto_sha256_hex(two_blocks, strlen(two_blocks), hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "SHA-256 of the 448-bit FIPS vector");
	static char million[1000000];
	memset(million, 'a', sizeof million);
	crypto_sha256_hex(million, sizeof million, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "SHA-256 of a million 'a'");

	unsigned char raw[CRYPTO_SHA256_BYTES];
	crypto_sha256("abc", 3, raw);
	is_int(raw[0], 0xba, "raw hash first byte");
	is_int(raw[31], 0xad, "raw hash last byte");
}

static bool uuid_shape(const char *u)
{
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
			return false;
	}
	return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static void test_uuid(void)
{
	char a[37], b[37];

	is_int(crypto_uuid_v4(a), 0, "uuid made");
	is_int(strlen(a), 36, "uuid length");
	ok(uuid_shape(a), "uuid is lower-case v4 with RFC 4122 variant: %s", a);
	is_int(crypto_uuid_v4(b), 0, "second uuid made");
	ok(strcmp(a, b) != 0, "two uuids differ");
	int shape_ok = 1;
	for (int i = 0; i < 500; i++)
		shape_ok &= crypto_uuid_v4(a) == 0 && uuid_shape(a);
	ok(shape_ok, "500 uuids have the v4 shape");

	unsigned char r1[32], r2[32];
	is_int(crypto_random(r1, sizeof r1), 0, "random bytes");
	is_int(crypto_random(r2, sizeof r2), 0, "more random bytes");
	ok(memcmp(r1, r2, sizeof r1) != 0, "random bytes differ");
	is_int(crypto_random(r1, 0), 0, "zero random bytes is fine");
}

int main(void)
{
	test_sha256();
	test_uuid();
	return tap_done();
}
