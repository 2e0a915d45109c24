/* samlad-admin: the subcommand table and what the subcommands share.
 * Each subcommand lives in its own file and exports one struct
 * admin_command; admin_main.c lists them and dispatches. */
#ifndef SAMLAD_ADMIN_H
#define SAMLAD_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "config.h"
#include "db.h"

/* Exit codes of every subcommand. */
enum admin_exit {
	ADMIN_OK = 0,      /* done */
	ADMIN_FAIL = 1,    /* something went wrong; a message is on stderr */
	ADMIN_USAGE = 2,   /* the command line is wrong; a message is on stderr */
};

struct admin_command {
	const char *name;                     /* first word: "token" */
	const char *verb;                     /* second word: "create", or NULL */
	const char *args;                     /* positional arguments for the synopsis, "" for none */
	int nargs;                            /* how many positional arguments it takes */
	const char *summary;                  /* one line for the program's --help */
	const struct config_option *options;  /* its option table, common options first */
	size_t noptions;                      /* rows in options */
	int (*run)(const struct config *cfg); /* does the work; returns an admin_exit */
};

/* The options every subcommand takes; they start each option table. */
#define ADMIN_COMMON_OPTIONS \
	{ "database-url", CONFIG_STRING, NULL, "DATABASE_URL", 0, 0, \
	  "PostgreSQL connection URL or key=value string of the owning (migrating) role." }, \
	CONFIG_LOG_OPTIONS

extern const struct admin_command admin_migrate;
extern const struct admin_command admin_catalogue_import;
extern const struct admin_command admin_token_create;
extern const struct admin_command admin_token_revoke;
extern const struct admin_command admin_token_list;
extern const struct admin_command admin_demo_data;
extern const struct admin_command admin_demo_load;
extern const struct admin_command admin_report;
extern const struct admin_command admin_lock;
extern const struct admin_command admin_audit;
extern const struct admin_command admin_remind;

/* Prints "samlad-admin: <message>" on stderr. Both return -1, so that a
 * check that fails can say why and fail in one statement:
 * `return admin_error(...)`. */
int admin_error(const char *fmt, ...) PRINTF(1, 2);
/* Prints "samlad-admin: <what>: <the database's message> (SQLSTATE x)". */
int admin_db_error(const struct db *db, const char *what);
/* True when s is 1 to max characters of valid UTF-8 without control
 * characters (U+0000-U+001F, U+007F-U+009F): text an operator gives that
 * is shown back on one line, such as a token's label. */
bool admin_text_valid(const char *s, size_t max);
/* Connects to --database-url. On failure prints why and returns NULL;
 * otherwise the caller frees the connection with db_free. */
struct db *admin_connect(const struct config *cfg);

#endif
