/* Bearer tokens. A token reads "smd_<id>_<secret>": the id finds the row,
 * the secret is 32 random bytes from OpenSSL in base64url. Only SHA-256 of
 * the secret is stored, and it is compared in constant time. */
#ifndef SAMLAD_AUTH_H
#define SAMLAD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "crypto.h"
#include "db.h"

#define AUTH_SECRET_BYTES 32
#define AUTH_HASH_BYTES CRYPTO_SHA256_BYTES
/* "smd_" + up to 19 digits + "_" + 43 base64url characters + NUL. */
#define AUTH_TOKEN_MAX 80

enum auth_role { ROLE_NONE = 0, ROLE_SUBMITTER, ROLE_ANALYST, ROLE_ADMIN };

/* Who a request speaks for, once its token checked out. */
struct principal {
	long long token_id;   /* token.id */
	enum auth_role role;  /* what the token may do */
	int agency_id;        /* the submitter's agency (catalogue id); 0 otherwise */
};

/* A token's row as the token table holds it: what a verdict is made of. */
struct auth_token_row {
	bool found;                              /* the token exists; the rest is set only then */
	long long id;                            /* token.id */
	char hash_hex[2 * AUTH_HASH_BYTES + 1];  /* SHA-256 of its secret, lower-case hex */
	enum auth_role role;                     /* its role (ROLE_NONE when unknown) */
	int agency_id;                           /* its agency (catalogue id), 0 for none */
	bool revoked;                            /* revoked_at is set */
};

enum auth_result {
	AUTH_OK = 0,
	AUTH_MISSING,       /* no Authorization header / cookie */
	AUTH_MALFORMED,     /* not "Bearer smd_..." */
	AUTH_UNKNOWN,       /* no such token, or the secret does not match */
	AUTH_REVOKED,       /* the token was revoked */
	AUTH_UNAVAILABLE,   /* the database could not be asked */
};

/* Makes a new secret; writes its hash to hash_out and the secret's text
 * (base64url, NUL-terminated) to secret_out (at least 44 bytes). */
int auth_secret_new(unsigned char hash_out[AUTH_HASH_BYTES], char *secret_out,
                    size_t secret_size) WUR;
/* Formats the token text from its id and secret text. */
int auth_token_format(long long id, const char *secret, char *out, size_t size) WUR;
/* Splits a token into its id and the hash of its secret; returns 0 or -1. */
int auth_token_parse(const char *token, long long *id,
                     unsigned char hash_out[AUTH_HASH_BYTES]) WUR;
/* Extracts the token from "Bearer <token>"; NULL when not of that form. */
const char *auth_bearer(const char *authorization);
/* Constant-time equality of two hashes. */
bool auth_hash_equal(const unsigned char *a, const unsigned char *b);

/* Says in one sentence which check failed, so that the caller can fix it
 * (for a 401 message; AUTH_MISSING says how to send a bearer token). */
const char *auth_result_message(enum auth_result r);

/* Reads a positive decimal number at s: 1 to max_digits digits, no
 * leading zero, at most LLONG_MAX (a token's id, a cookie's fields).
 * Returns the number of characters read, or 0 when there is no such number;
 * the caller checks what follows it. */
size_t auth_read_number(const char *s, size_t max_digits, long long *out);

/* The columns of a token's row, of the token table named t, as
 * auth_token_row_read reads them: for a statement that reads more with it.
 * encode(…, 'hex') rather than the bytea's own text, which depends on the
 * server's bytea_output setting. */
#define AUTH_TOKEN_COLUMNS \
	"encode(t.secret_sha256, 'hex'), t.role, t.agency_id, t.revoked_at IS NOT NULL"
/* Reads AUTH_TOKEN_COLUMNS of token `id` from the first row, from column
 * col on; found is false when there is no row. */
void auth_token_row_read(const struct db_rows *rows, int col, long long id,
                         struct auth_token_row *out);
/* The row of token `id`; a failure is logged. */
enum db_status auth_token_load(struct db *db, long long id, struct auth_token_row *out) WUR;
/* The one verdict on a token, whichever way it came. `row` is its row, NULL
 * when there is no such token; `hash` is SHA-256 of the secret presented,
 * or NULL for a session cookie, whose signature already proved that its
 * holder had the secret. The secret is compared in constant time before
 * the revocation is looked at, so that without the secret a revoked token
 * and an unknown one look the same. Pure: it asks nothing of a database.
 * On AUTH_OK *who is the token's principal. */
enum auth_result auth_verdict(const struct auth_token_row *row, const unsigned char *hash,
                              struct principal *who) WUR;

/* Checks `token` against the token table. */
enum auth_result auth_check(struct db *db, const char *token, struct principal *out) WUR;
/* "submitter", "analyst", "admin"; ROLE_NONE for anything else. */
enum auth_role auth_role_parse(const char *name);
const char *auth_role_name(enum auth_role role);

#endif
