/* samlad-admin token create|revoke|list. A token's text is printed once,
 * when it is created, as the last line of stdout; the database keeps only
 * the SHA-256 of its secret, and `list` never shows even that. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "auth.h"

static const struct config_option create_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "role", CONFIG_STRING, NULL, NULL, 0, 0,
	  "What the token may do: submitter, analyst or admin (required)." },
	{ "agency", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The agency code a submitter token speaks for (submitters only, required for them)." },
	{ "label", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Whose token it is and what for, shown by token list and audit: 1 to 200 characters "
	  "of UTF-8, no control characters." },
};

static const struct config_option plain_options[] = { ADMIN_COMMON_OPTIONS };

/* Times are shown in UTC, to the second. */
#define SQL_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char sql_agency_id[] =
	"SELECT id FROM agency WHERE code = $1";

static const char sql_insert[] =
	"INSERT INTO token (secret_sha256, role, agency_id, label)"
	" VALUES ($1, $2, $3::integer, $4) RETURNING id";

static const char sql_revoke[] =
	"UPDATE token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"
	" RETURNING id";

static const char sql_revoked_at[] =
	"SELECT " SQL_UTC("revoked_at") " FROM token WHERE id = $1";

static const char sql_list[] =
	"SELECT t.id, t.role, coalesce(a.code, '-'), " SQL_UTC("t.created_at") ","
	"       coalesce(" SQL_UTC("t.revoked_at") ", '-'), coalesce(t.label, '-')"
	"  FROM token t LEFT JOIN agency a ON a.id = t.agency_id"
	" ORDER BY t.id";

/* The longest label, in characters (schema/006_token_labels.sql). */
#define TOKEN_LABEL_MAX 200

/* Checks that --agency is given exactly when the role needs one, and that
 * a --label is one line of text. */
static int check_role(const struct config *cfg, enum auth_role *role)
{
	const char *name = config_str(cfg, "role");
	const char *agency = config_str(cfg, "agency");
	const char *label = config_str(cfg, "label");

	*role = name ? auth_role_parse(name) : ROLE_NONE;
	if (*role == ROLE_NONE)
		return admin_error("token create: --role must be submitter, analyst or admin");
	if (*role == ROLE_SUBMITTER && (!agency || !agency[0]))
		return admin_error("token create: a submitter token needs --agency CODE");
	if (*role != ROLE_SUBMITTER && agency)
		return admin_error("token create: --agency is only for submitter tokens, not %s",
		                   name);
	if (label && !admin_text_valid(label, TOKEN_LABEL_MAX))
		return admin_error("token create: --label must be 1 to %d characters of UTF-8 "
		                   "text without control characters", TOKEN_LABEL_MAX);
	return 0;
}

/* The id of the agency with this code. */
static int agency_id(struct db *db, const char *code, long long *id)
{
	struct db_rows *rows;

	if (db_exec(db, &rows, sql_agency_id, DB_PARAMS(DB_PARAM_TEXT(code))) != DB_OK)
		return admin_db_error(db, "cannot look up the agency");
	bool found = db_rows_count(rows) == 1;
	*id = db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	if (!found)
		admin_error("token create: unknown agency \"%s\"", code);
	return found ? 0 : -1;
}

/* Stores a new token's hash (with the agency's id, 0 for none); writes
 * the token's text to `token`. */
static int insert_token(struct db *db, enum auth_role role, long long agency,
                        const char *label, char token[AUTH_TOKEN_MAX], long long *id)
{
	unsigned char hash[AUTH_HASH_BYTES];
	char secret[64];
	struct db_rows *rows = NULL;
	int rc = -1;

	if (auth_secret_new(hash, secret, sizeof secret) != 0) {
		admin_error("cannot make a random secret");
		goto done;
	}
	if (db_exec(db, &rows, sql_insert,
	            DB_PARAMS(DB_PARAM_BYTES(hash, sizeof hash),
	                      DB_PARAM_TEXT(auth_role_name(role)),
	                      agency ? DB_PARAM_INT(agency) : DB_PARAM_NULL,
	                      DB_PARAM_TEXT(label))) != DB_OK) {
		admin_db_error(db, "cannot store the token");
		goto done;
	}
	*id = db_rows_int(rows, 0, 0);
	if (auth_token_format(*id, secret, token, AUTH_TOKEN_MAX) != 0) {
		admin_error("cannot format the token");
		goto done;
	}
	rc = 0;
done:
	db_rows_free(rows);
	explicit_bzero(secret, sizeof secret);
	return rc;
}

static int create_run(const struct config *cfg)
{
	const char *agency = config_str(cfg, "agency");
	char token[AUTH_TOKEN_MAX];
	enum auth_role role;
	long long id = 0, agency_num = 0;
	struct db *db = NULL;
	int code = ADMIN_FAIL;

	if (check_role(cfg, &role) != 0)
		return ADMIN_USAGE;
	if (!(db = admin_connect(cfg)) ||
	    (agency && agency_id(db, agency, &agency_num) != 0) ||
	    insert_token(db, role, agency_num, config_str(cfg, "label"), token, &id) != 0)
		goto done;
	fprintf(stderr, "created %s token %lld%s%s; it is shown only this once\n",
	        auth_role_name(role), id, agency ? " for agency " : "", agency ? agency : "");
	printf("%s\n", token);
	explicit_bzero(token, sizeof token);
	code = ADMIN_OK;
done:
	db_free(db);
	return code;
}

/* Parses a token id: a positive decimal integer. */
static int parse_id(const char *s, long long *id)
{
	char *end;
	errno = 0;
	*id = strtoll(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 && *id > 0 ? 0 : -1;
}

/* Explains why a revoke changed nothing: no such token, or revoked before. */
static void explain_not_revoked(struct db *db, const char *id)
{
	struct db_rows *rows;

	if (db_exec(db, &rows, sql_revoked_at, DB_PARAMS(DB_PARAM_TEXT(id))) != DB_OK)
		admin_db_error(db, "cannot look up the token");
	else if (db_rows_count(rows) == 0)
		admin_error("token revoke: no token %s", id);
	else
		admin_error("token revoke: token %s was already revoked at %s", id,
		            db_rows_text(rows, 0, 0));
	db_rows_free(rows);
}

static int revoke_run(const struct config *cfg)
{
	const char *id_text = config_arg(cfg, 0);
	struct db_rows *rows = NULL;
	struct db *db = NULL;
	long long id;
	int code = ADMIN_FAIL;

	if (parse_id(id_text, &id) != 0) {
		admin_error("token revoke: ID must be a positive integer, not \"%s\"", id_text);
		return ADMIN_USAGE;
	}
	if (!(db = admin_connect(cfg)))
		goto done;
	if (db_exec(db, &rows, sql_revoke, DB_PARAMS(DB_PARAM_INT(id))) != DB_OK) {
		admin_db_error(db, "cannot revoke the token");
		goto done;
	}
	if (db_rows_count(rows) == 0) {
		explain_not_revoked(db, id_text);
		goto done;
	}
	printf("revoked token %lld\n", id);
	code = ADMIN_OK;
done:
	db_rows_free(rows);
	db_free(db);
	return code;
}

static int list_run(const struct config *cfg)
{
	struct db *db = admin_connect(cfg);
	struct db_rows *rows;

	if (!db)
		return ADMIN_FAIL;
	if (db_exec(db, &rows, sql_list, 0, NULL) != DB_OK) {
		admin_db_error(db, "cannot list the tokens");
		db_free(db);
		return ADMIN_FAIL;
	}
	printf("%-6s %-9s %-20s %-20s %-20s %s\n", "id", "role", "agency", "created_at",
	       "revoked_at", "label");
	for (int i = 0; i < db_rows_count(rows); i++)
		printf("%-6s %-9s %-20s %-20s %-20s %s\n", db_rows_text(rows, i, 0),
		       db_rows_text(rows, i, 1), db_rows_text(rows, i, 2), db_rows_text(rows, i, 3),
		       db_rows_text(rows, i, 4), db_rows_text(rows, i, 5));
	db_rows_free(rows);
	db_free(db);
	return ADMIN_OK;
}

const struct admin_command admin_token_create = {
	.name = "token",
	.verb = "create",
	.args = "",
	.nargs = 0,
	.summary = "make a token; prints it once, as the last line of stdout",
	.options = create_options,
	.noptions = ARRAY_LEN(create_options),
	.run = create_run,
};

const struct admin_command admin_token_revoke = {
	.name = "token",
	.verb = "revoke",
	.args = "ID",
	.nargs = 1,
	.summary = "revoke the token with this id",
	.options = plain_options,
	.noptions = ARRAY_LEN(plain_options),
	.run = revoke_run,
};

const struct admin_command admin_token_list = {
	.name = "token",
	.verb = "list",
	.args = "",
	.nargs = 0,
	.summary = "list tokens: id, role, agency, created_at, revoked_at, label (never a hash)",
	.options = plain_options,
	.noptions = ARRAY_LEN(plain_options),
	.run = list_run,
};
