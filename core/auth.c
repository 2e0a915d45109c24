/* Bearer tokens "smd_<id>_<secret>". The secret is 32 random bytes written
 * in base64url without padding (43 characters); the token table keeps
 * SHA-256 of those 32 bytes. A token is parsed completely before anything is
 * asked of the database, so malformed text never becomes a query. */
#include "auth.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "base64url.h"
#include "hex.h"
#include "log.h"

#define TOKEN_PREFIX "smd_"
/* Characters of the secret's text: 32 bytes in unpadded base64url. */
#define SECRET_CHARS 43
/* The most digits of a positive long long. */
#define ID_MAX_DIGITS 19

bool auth_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, AUTH_HASH_BYTES) == 0;
}

int auth_secret_new(unsigned char hash_out[AUTH_HASH_BYTES], char *secret_out,
                    size_t secret_size)
{
	unsigned char secret[AUTH_SECRET_BYTES];

	if (secret_size < SECRET_CHARS + 1 || crypto_random(secret, sizeof secret) != 0)
		return -1;
	base64url_encode(secret, sizeof secret, secret_out);
	crypto_sha256(secret, sizeof secret, hash_out);
	OPENSSL_cleanse(secret, sizeof secret);
	return 0;
}

int auth_token_format(long long id, const char *secret, char *out, size_t size)
{
	unsigned char bytes[AUTH_SECRET_BYTES];

	/* Refuse to print a token that auth_token_parse would reject. */
	if (id <= 0 || strlen(secret) != SECRET_CHARS ||
	    base64url_decode(secret, SECRET_CHARS, bytes) != 0)
		return -1;
	int n = snprintf(out, size, TOKEN_PREFIX "%lld_%s", id, secret);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

size_t auth_read_number(const char *s, size_t max_digits, long long *out)
{
	long long v = 0;
	size_t n = 0;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		int d = s[n] - '0';
		if (n == max_digits || v > (LLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return n;
}

int auth_token_parse(const char *token, long long *id,
                     unsigned char hash_out[AUTH_HASH_BYTES])
{
	unsigned char secret[AUTH_SECRET_BYTES];
	long long v;

	if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return -1;
	token += strlen(TOKEN_PREFIX);
	size_t n = auth_read_number(token, ID_MAX_DIGITS, &v);
	if (n == 0 || token[n] != '_')
		return -1;
	token += n + 1;
	if (strlen(token) != SECRET_CHARS || base64url_decode(token, SECRET_CHARS, secret) != 0)
		return -1;
	crypto_sha256(secret, sizeof secret, hash_out);
	OPENSSL_cleanse(secret, sizeof secret);
	*id = v;
	return 0;
}

/* RFC 6750 b64token: the characters a bearer credential may hold. */
static bool is_token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~+/", c));
}

const char *auth_bearer(const char *authorization)
{
	static const char scheme[] = "Bearer ";

	if (!authorization || strncasecmp(authorization, scheme, sizeof scheme - 1) != 0)
		return NULL;
	const char *t = authorization + sizeof scheme - 1;
	size_t n = 0;
	while (is_token_char(t[n]))
		n++;
	while (t[n] == '=')
		n++;
	/* Nothing after the credential: junk there means a confused client. */
	return n > 0 && t[n] == '\0' ? t : NULL;
}

static const char *const role_names[] = {
	[ROLE_SUBMITTER] = "submitter",
	[ROLE_ANALYST] = "analyst",
	[ROLE_ADMIN] = "admin",
};

enum auth_role auth_role_parse(const char *name)
{
	for (size_t i = ROLE_SUBMITTER; name && i < ARRAY_LEN(role_names); i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum auth_role)i;
	return ROLE_NONE;
}

const char *auth_role_name(enum auth_role role)
{
	if (role > ROLE_NONE && (size_t)role < ARRAY_LEN(role_names))
		return role_names[role];
	return "none";
}

void auth_token_row_read(const struct db_rows *rows, int col, long long id,
                         struct auth_token_row *out)
{
	*out = (struct auth_token_row){ .found = db_rows_count(rows) == 1, .id = id };
	if (!out->found)
		return;
	db_rows_copy(rows, 0, col, out->hash_hex, sizeof out->hash_hex);
	out->role = auth_role_parse(db_rows_text(rows, 0, col + 1));
	out->agency_id = (int)db_rows_int(rows, 0, col + 2);
	out->revoked = db_rows_bool(rows, 0, col + 3);
}

/* A prepared statement: it runs for every request that has a token. */
static const struct db_statement SQL_TOKEN = {
	"auth_token",
	"SELECT " AUTH_TOKEN_COLUMNS " FROM token t WHERE t.id = $1"
};

enum db_status auth_token_load(struct db *db, long long id, struct auth_token_row *out)
{
	struct db_rows *rows;
	enum db_status st = db_exec_prepared(db, &rows, &SQL_TOKEN, DB_PARAMS(DB_PARAM_INT(id)));

	if (st != DB_OK)
		db_log_failure(db, "the token lookup", st);
	auth_token_row_read(rows, 0, id, out);
	db_rows_free(rows);
	return st;
}

enum auth_result auth_verdict(const struct auth_token_row *row, const unsigned char *hash,
                              struct principal *who)
{
	unsigned char stored[AUTH_HASH_BYTES];

	if (!row || !row->found)
		return AUTH_UNKNOWN;
	if (hash) {
		/* The stored hash must be exactly its 64 hex digits. */
		if (strlen(row->hash_hex) != 2 * AUTH_HASH_BYTES ||
		    hex_decode(row->hash_hex, 2 * AUTH_HASH_BYTES, stored) != 0) {
			log_error("token %lld: stored hash is not 32 bytes", row->id);
			return AUTH_UNKNOWN;
		}
		if (!auth_hash_equal(stored, hash))
			return AUTH_UNKNOWN;
	}
	if (row->revoked)
		return AUTH_REVOKED;
	if (row->role == ROLE_NONE) {
		log_error("token %lld: unknown role", row->id);
		return AUTH_UNKNOWN;
	}
	*who = (struct principal){ .token_id = row->id, .role = row->role,
	                           .agency_id = row->agency_id };
	return AUTH_OK;
}

enum auth_result auth_check(struct db *db, const char *token, struct principal *out)
{
	unsigned char hash[AUTH_HASH_BYTES];
	struct auth_token_row row;
	long long id;

	if (!token || !*token)
		return AUTH_MISSING;
	if (auth_token_parse(token, &id, hash) != 0)
		return AUTH_MALFORMED;
	/* A server error here is a deployment fault (grants, schema), not the
	 * client's; either way the token could not be checked. */
	if (auth_token_load(db, id, &row) != DB_OK)
		return AUTH_UNAVAILABLE;
	return auth_verdict(&row, hash, out);
}

const char *auth_result_message(enum auth_result r)
{
	switch (r) {
	case AUTH_MISSING:
		return "no token: send the header \"Authorization: Bearer <token>\"";
	case AUTH_MALFORMED:
		return "malformed token: expected \"Authorization: Bearer smd_<id>_<secret>\"";
	case AUTH_UNKNOWN:
		return "unknown token: no such token, or its secret does not match";
	case AUTH_REVOKED:
		return "revoked token: ask for a new one";
	default:
		return "the token could not be checked";
	}
}
