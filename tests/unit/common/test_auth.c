/* Tokens: the secret's text, the token format and every way a token can be
 * malformed, bearer headers, roles, and auth_check's answers when no
 * database can be reached. SHA-256 and UUIDs are tested in test_crypto. */
#include <stdint.h>
#include <string.h>
#include "auth.h"
#include "tap.h"

/* Bytes 0..31 in base64url, and SHA-256 of those 32 bytes (from Python's
 * base64 and hashlib). */
#define SEQ_SECRET "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define SEQ_HASH "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
/* 32 bytes of 0xff. */
#define FF_SECRET "__________________________________________8"
#define FF_HASH "af9613760f72635fbdb44a5a0a63c39f12af30f950a6ee5c971be188e89c4051"

static void to_hex(const unsigned char *h, char *out)
{
	for (int i = 0; i < AUTH_HASH_BYTES; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

static void test_hash_equal(void)
{
	unsigned char a[AUTH_HASH_BYTES], b[AUTH_HASH_BYTES];

	crypto_sha256("abc", 3, a);
	crypto_sha256("abc", 3, b);
	ok(auth_hash_equal(a, b), "equal hashes compare equal");
	b[31] ^= 1;
	ok(!auth_hash_equal(a, b), "last byte differs");
	b[31] ^= 1;
	b[0] ^= 0x80;
	ok(!auth_hash_equal(a, b), "first byte differs");
	crypto_sha256("abd", 3, b);
	ok(!auth_hash_equal(a, b), "different inputs differ");
}

static bool all_b64url(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
	       == strlen(s);
}

static void test_secret_new(void)
{
	unsigned char h1[AUTH_HASH_BYTES], h2[AUTH_HASH_BYTES], parsed[AUTH_HASH_BYTES];
	char s1[64], s2[64], token[AUTH_TOKEN_MAX];
	long long id = 0;

	is_int(auth_secret_new(h1, s1, sizeof s1), 0, "secret made");
	is_int(strlen(s1), 43, "secret text is 43 characters");
	ok(all_b64url(s1), "secret text is base64url without padding");
	is_int(auth_secret_new(h2, s2, sizeof s2), 0, "second secret made");
	ok(strcmp(s1, s2) != 0, "two secrets differ");
	ok(!auth_hash_equal(h1, h2), "two hashes differ");
	char small[43];
	is_int(auth_secret_new(h1, small, sizeof small), -1, "43 bytes is too small for the text");

	is_int(auth_token_format(42, s1, token, sizeof token), 0, "token formatted");
	is_int(auth_token_parse(token, &id, parsed), 0, "new token parses");
	is_int(id, 42, "id survives the round trip");
	ok(auth_hash_equal(parsed, h1), "parse gives the hash auth_secret_new stored");
	ok(strncmp(token, "smd_42_", 7) == 0 && strcmp(token + 7, s1) == 0,
	   "token text is smd_<id>_<secret>");

	int charset_ok = 1, length_ok = 1, roundtrip_ok = 1;
	for (int i = 0; i < 200; i++) {
		char s[44];
		long long back;
		if (auth_secret_new(h1, s, sizeof s) != 0 ||
		    auth_token_format(1000 + i, s, token, sizeof token) != 0 ||
		    auth_token_parse(token, &back, h2) != 0 || back != 1000 + i ||
		    !auth_hash_equal(h1, h2))
			roundtrip_ok = 0;
		charset_ok &= all_b64url(s);
		length_ok &= strlen(s) == 43;
	}
	ok(roundtrip_ok, "200 new tokens round trip");
	ok(charset_ok, "200 secrets use only base64url characters");
	ok(length_ok, "200 secrets are 43 characters");
}

static void test_known_secret(void)
{
	unsigned char h[AUTH_HASH_BYTES];
	char hex[2 * AUTH_HASH_BYTES + 1], token[AUTH_TOKEN_MAX];
	long long id = 0;

	is_int(auth_token_parse("smd_1_" SEQ_SECRET, &id, h), 0, "known token parses");
	is_int(id, 1, "known token id");
	to_hex(h, hex);
	is_str(hex, SEQ_HASH, "hash is SHA-256 of the 32 decoded bytes");
	is_int(auth_token_parse("smd_9223372036854775807_" FF_SECRET, &id, h), 0,
	       "largest id parses");
	is_int(id, 9223372036854775807LL, "largest id value");
	to_hex(h, hex);
	is_str(hex, FF_HASH, "hash of 32 bytes of 0xff");

	is_int(auth_token_format(7, SEQ_SECRET, token, sizeof token), 0, "format known");
	is_str(token, "smd_7_" SEQ_SECRET, "known token text");
	is_int(auth_token_format(9223372036854775807LL, FF_SECRET, token, AUTH_TOKEN_MAX), 0,
	       "the longest token fits AUTH_TOKEN_MAX");
	is_int(strlen(token), 4 + 19 + 1 + 43, "the longest token's length");
	is_int(auth_token_format(7, SEQ_SECRET, token, 49), -1, "a short buffer is refused");
	is_int(auth_token_format(7, SEQ_SECRET, token, 50), 0, "exactly enough room");
	is_int(auth_token_format(0, SEQ_SECRET, token, sizeof token), -1, "id 0 refused");
	is_int(auth_token_format(-3, SEQ_SECRET, token, sizeof token), -1, "negative id refused");
	is_int(auth_token_format(7, "short", token, sizeof token), -1, "short secret refused");
	is_int(auth_token_format(7, SEQ_SECRET "A", token, sizeof token), -1,
	       "long secret refused");
}

static void test_parse_rejects(void)
{
	static const char *const bad[] = {
		"",
		"smd_",
		"smd_1",
		"smd_1_",
		"SMD_1_" SEQ_SECRET,                  /* prefix is case-sensitive */
		"smx_1_" SEQ_SECRET,                  /* wrong prefix */
		"sm_1_" SEQ_SECRET,
		"smd1_" SEQ_SECRET,
		" smd_1_" SEQ_SECRET,                 /* leading space */
		"smd_1_" SEQ_SECRET " ",              /* trailing space */
		"smd_1_" SEQ_SECRET "\n",
		"smd__" SEQ_SECRET,                   /* empty id */
		"smd_x_" SEQ_SECRET,                  /* non-digit id */
		"smd_1a_" SEQ_SECRET,
		"smd_-1_" SEQ_SECRET,                 /* signed id */
		"smd_+1_" SEQ_SECRET,
		"smd_0_" SEQ_SECRET,                  /* id 0 */
		"smd_01_" SEQ_SECRET,                 /* leading zero */
		"smd_9223372036854775808_" SEQ_SECRET, /* LLONG_MAX + 1 */
		"smd_99999999999999999999_" SEQ_SECRET, /* 20 digits */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh",    /* 42 chars */
		"smd_1_" SEQ_SECRET "A",                                  /* 44 chars */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  /* padding */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+",   /* '+' is base64 */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH/8",   /* '/' is base64 */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk.GxwdHh8",   /* '.' */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk GxwdHh8",   /* space */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9",   /* spare bits set */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh_",   /* spare bits set */
		"smd_1_" "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh\xc3\xa5", /* UTF-8 */
		"Bearer smd_1_" SEQ_SECRET,
	};
	unsigned char h[AUTH_HASH_BYTES];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		long long id = -77;
		is_int(auth_token_parse(bad[i], &id, h), -1, "parse rejects case %zu", i);
		is_int(id, -77, "case %zu leaves the id alone", i);
	}
	long long id;
	is_int(auth_token_parse(NULL, &id, h), -1, "parse rejects NULL");
	char with_nul[] = "smd_1_" SEQ_SECRET;
	with_nul[20] = '\0';
	is_int(auth_token_parse(with_nul, &id, h), -1, "parse rejects a token cut by NUL");
	/* An underscore may appear in the secret: only the first one after the
	 * id separates. */
	is_int(auth_token_parse("smd_5_" FF_SECRET, &id, h), 0, "underscores in the secret");
	is_int(id, 5, "id before underscores in the secret");
}

static void test_bearer(void)
{
	const char *t = "smd_1_" SEQ_SECRET;
	const char *h = "Bearer smd_1_" SEQ_SECRET;

	is_str(auth_bearer(h), t, "Bearer token");
	ok(auth_bearer(h) == h + 7, "the token points into the header");
	is_str(auth_bearer("bearer abc"), "abc", "lower-case scheme");
	is_str(auth_bearer("BEARER abc"), "abc", "upper-case scheme");
	is_str(auth_bearer("bEaReR abc"), "abc", "mixed-case scheme");
	is_str(auth_bearer("Bearer a-b.c_d~e+f/g=="), "a-b.c_d~e+f/g==", "all b64token characters");
	is_str(auth_bearer("Bearer x"), "x", "one character");
	static const char *const bad[] = {
		"", "Bearer", "Bearer ", "Bearer  abc", "Bearer\tabc", "Bearerabc",
		"Basic YWxhZGRpbjpvcGVuc2VzYW1l", " Bearer abc", "Bearer abc ",
		"Bearer abc def", "Bearer abc\r\n", "Bearer abc,def", "Bearer a=b",
		"Bearer =abc", "Bearer abc\"", "Bearer \xc3\xa5", "Token abc", "Bearer: abc",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(auth_bearer(bad[i]) == NULL, "bearer rejects case %zu", i);
	ok(auth_bearer(NULL) == NULL, "bearer rejects NULL");
}

static void test_roles(void)
{
	is_int(auth_role_parse("submitter"), ROLE_SUBMITTER, "parse submitter");
	is_int(auth_role_parse("analyst"), ROLE_ANALYST, "parse analyst");
	is_int(auth_role_parse("admin"), ROLE_ADMIN, "parse admin");
	is_int(auth_role_parse("Admin"), ROLE_NONE, "roles are case-sensitive");
	is_int(auth_role_parse(""), ROLE_NONE, "empty role");
	is_int(auth_role_parse("none"), ROLE_NONE, "none is not a role");
	is_int(auth_role_parse("admins"), ROLE_NONE, "no prefix match");
	is_int(auth_role_parse(NULL), ROLE_NONE, "NULL role");
	is_str(auth_role_name(ROLE_SUBMITTER), "submitter", "name of submitter");
	is_str(auth_role_name(ROLE_ANALYST), "analyst", "name of analyst");
	is_str(auth_role_name(ROLE_ADMIN), "admin", "name of admin");
	is_str(auth_role_name(ROLE_NONE), "none", "name of none");
	is_str(auth_role_name((enum auth_role)99), "none", "name of an out-of-range role");
}

/* With a database that cannot be reached, auth_check tells apart what it
 * decided alone (missing, malformed) from what needed the database. */
static void test_check_offline(void)
{
	struct db *db = db_new("host=/nonexistent/samlad-test port=1");
	struct principal who = { .token_id = -1, .role = ROLE_ADMIN, .agency_id = -1 };

	ok(db != NULL, "db made");
	is_int(auth_check(db, NULL, &who), AUTH_MISSING, "no token is missing");
	is_int(auth_check(db, "", &who), AUTH_MISSING, "empty token is missing");
	is_int(auth_check(db, "smd_1_short", &who), AUTH_MALFORMED, "bad token is malformed");
	is_int(auth_check(db, "smd_0_" SEQ_SECRET, &who), AUTH_MALFORMED, "id 0 is malformed");
	is_int(auth_check(db, "smd_1_" SEQ_SECRET "'; DROP TABLE token;--", &who),
	       AUTH_MALFORMED, "injection text is malformed");
	is_str(db_sqlstate(db), "", "no malformed token reached the database");
	is_int(auth_check(db, "smd_1_" SEQ_SECRET, &who), AUTH_UNAVAILABLE,
	       "a well-formed token needs the database");
	is_str(db_sqlstate(db), "08006", "the database was asked and unreachable");
	is_int(who.token_id, -1, "principal untouched on failure");
	is_int(who.role, ROLE_ADMIN, "principal role untouched on failure");
	db_free(db);
}

/* The digits of a token's id or a cookie's field. */
static void test_read_number(void)
{
	long long v = -1;

	is_int(auth_read_number("123_x", 19, &v), 3, "three digits before a stop");
	is_int(v, 123, "their value");
	is_int(auth_read_number("9223372036854775807.", 19, &v), 19, "LLONG_MAX");
	ok(v == 9223372036854775807LL, "its value");
	v = -1;
	is_int(auth_read_number("9223372036854775808", 19, &v), 0, "one more overflows");
	is_int(auth_read_number("12345678901234567890", 20, &v), 0, "overflow at 20 digits");
	is_int(auth_read_number("123", 2, &v), 0, "more digits than allowed");
	is_int(auth_read_number("0", 19, &v), 0, "zero is not an id");
	is_int(auth_read_number("012", 19, &v), 0, "a leading zero");
	is_int(auth_read_number("", 19, &v), 0, "nothing");
	is_int(auth_read_number("-5", 19, &v), 0, "a sign");
	is_int(v, -1, "a refused number leaves the output alone");
}

/* The 401 texts: each failure says what went wrong, in its own words. */
static void test_result_messages(void)
{
	is_str(auth_result_message(AUTH_MISSING),
	       "no token: send the header \"Authorization: Bearer <token>\"",
	       "missing: says how to send a token");
	is_str(auth_result_message(AUTH_MALFORMED),
	       "malformed token: expected \"Authorization: Bearer smd_<id>_<secret>\"",
	       "malformed: shows the token's form");
	is_str(auth_result_message(AUTH_UNKNOWN),
	       "unknown token: no such token, or its secret does not match", "unknown");
	is_str(auth_result_message(AUTH_REVOKED), "revoked token: ask for a new one", "revoked");
	is_str(auth_result_message(AUTH_UNAVAILABLE), "the token could not be checked",
	       "unavailable");
}

int main(void)
{
	test_hash_equal();
	test_secret_new();
	test_known_secret();
	test_parse_rejects();
	test_bearer();
	test_roles();
	test_check_offline();
	test_result_messages();
	test_read_number();
	return tap_done();
}
