/* auth_verdict, the one decision on a token for every way it comes (the
 * collector's and the sign-in's auth_check, the aggregator's bearer token
 * and session cookie): a table of rows and presented secrets against the
 * result and the principal. */
#include <string.h>
#include "auth.h"
#include "tap.h"

/* Bytes 0..31 in base64url, and SHA-256 of those 32 bytes. */
#define SEQ_SECRET "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define SEQ_HASH "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
/* SHA-256 of 32 bytes of 0xff: another token's secret. */
#define FF_HASH "af9613760f72635fbdb44a5a0a63c39f12af30f950a6ee5c971be188e89c4051"

/* How the secret is presented in a case. */
enum presented { RIGHT, WRONG, COOKIE };

/* One case: a row (or none), a secret, and what the verdict must be. */
struct verdict_case {
	const char *name;          /* what the case is */
	bool found;                /* the token has a row */
	const char *stored;        /* the row's hash, hex */
	enum auth_role role;       /* the row's role */
	bool revoked;              /* the row is revoked */
	enum presented secret;     /* how the secret is presented */
	enum auth_result want;     /* the verdict */
};

static const struct verdict_case cases[] = {
	{ "not found", false, SEQ_HASH, ROLE_ANALYST, false, RIGHT, AUTH_UNKNOWN },
	{ "wrong secret", true, FF_HASH, ROLE_ANALYST, false, RIGHT, AUTH_UNKNOWN },
	{ "revoked, right secret", true, SEQ_HASH, ROLE_ANALYST, true, RIGHT, AUTH_REVOKED },
	{ "revoked, wrong secret looks unknown", true, SEQ_HASH, ROLE_ANALYST, true, WRONG,
	  AUTH_UNKNOWN },
	{ "valid", true, SEQ_HASH, ROLE_SUBMITTER, false, RIGHT, AUTH_OK },
	{ "stored hash not 32 bytes", true, "630dcd", ROLE_ANALYST, false, RIGHT, AUTH_UNKNOWN },
	{ "stored hash not hex", true, "zz0dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", ROLE_ANALYST, false, RIGHT, AUTH_UNKNOWN },
	{ "unknown role", true, SEQ_HASH, ROLE_NONE, false, RIGHT, AUTH_UNKNOWN },
	{ "cookie: not found", false, "", ROLE_ANALYST, false, COOKIE, AUTH_UNKNOWN },
	{ "cookie: revoked", true, "", ROLE_ANALYST, true, COOKIE, AUTH_REVOKED },
	{ "cookie: valid", true, "", ROLE_ADMIN, false, COOKIE, AUTH_OK },
};

static void test_table(void)
{
	unsigned char right[AUTH_HASH_BYTES], wrong[AUTH_HASH_BYTES];
	long long id;

	if (auth_token_parse("smd_7_" SEQ_SECRET, &id, right) != 0)
		ok(false, "the test token parses");
	memcpy(wrong, right, sizeof wrong);
	wrong[AUTH_HASH_BYTES - 1] ^= 1;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct verdict_case *c = &cases[i];
		struct auth_token_row row = { .found = c->found, .id = 7, .role = c->role,
		                              .agency_id = 3, .revoked = c->revoked };
		struct principal who = { -1, ROLE_NONE, -1 };
		snprintf(row.hash_hex, sizeof row.hash_hex, "%s", c->stored);
		const unsigned char *hash = c->secret == RIGHT ? right
		                            : c->secret == WRONG ? wrong : NULL;
		enum auth_result r = auth_verdict(&row, hash, &who);
		is_int(r, c->want, "%s", c->name);
		if (r == AUTH_OK)
			ok(who.token_id == 7 && who.role == c->role && who.agency_id == 3,
			   "%s: the principal is the row's", c->name);
		else
			ok(who.token_id == -1 && who.agency_id == -1,
			   "%s: the principal is left alone", c->name);
	}
}

/* No row at all reads as no such token. */
static void test_no_row(void)
{
	struct principal who = { -1, ROLE_NONE, -1 };

	is_int(auth_verdict(NULL, NULL, &who), AUTH_UNKNOWN, "no row: unknown");
	ok(who.token_id == -1, "no row: the principal is left alone");
}

int main(void)
{
	test_table();
	test_no_row();
	return tap_done();
}
