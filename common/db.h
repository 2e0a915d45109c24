/* The one place that talks to libpq. Every query goes through db_exec (or
 * db_exec_prepared) with $n parameters; failures keep the SQLSTATE and
 * message. A connection that broke is reset on its next use, so callers
 * never reconnect by hand. */
#ifndef SAMLAD_DB_H
#define SAMLAD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>
#include "buf.h"
#include "compiler.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE,   /* the server cannot be reached or the connection broke */
	DB_ERROR,         /* the server answered with an error; see db_sqlstate */
};

struct db;

/* Owns one connection described by `conninfo` (a URL or key=value string;
 * the string is copied). Connects lazily; never returns NULL unless out of
 * memory. */
struct db *db_new(const char *conninfo);
void db_free(struct db *db);

/* Connects now (or checks the connection); returns DB_OK or DB_UNAVAILABLE. */
enum db_status db_connect(struct db *db) WUR;

/* Runs one statement with text parameters (NULL entries are SQL NULL).
 * On DB_OK, *res (if res is not NULL) receives the result, which the caller
 * frees with PQclear. On failure *res is NULL. */
enum db_status db_exec(struct db *db, PGresult **res, const char *sql,
                       int nparams, const char *const *params) WUR;

/* A statement that a connection prepares once and then runs by name, so
 * that the server parses and plans it once per connection rather than on
 * every call. Define one as a static const beside its query. After its
 * first five runs the server may keep one plan made without the
 * parameters' values, so it suits statements whose best plan does not
 * depend on them (a key lookup, no parameters); db_exec is the better
 * choice otherwise. */
struct db_statement {
	const char *name;  /* its name on the server: a plain identifier, unique in the program */
	const char *sql;   /* one statement with $n parameters */
};

/* db_exec of a prepared statement: prepares `stmt` on this connection on
 * its first use there (a new connection after a reconnect has none), then
 * runs it. Results and failures as db_exec's; a statement that does not
 * prepare fails with the server's SQLSTATE and is tried again next time.
 * If the server no longer has it (26000, e.g. after DISCARD ALL) or a
 * table it reads changed its result columns (0A000), it is prepared again
 * once, outside a transaction; inside one the failure has already aborted
 * the transaction and is reported. A connection tells statements apart by
 * their address: two definitions of one name fail with 42P05. */
enum db_status db_exec_prepared(struct db *db, PGresult **res, const struct db_statement *stmt,
                                int nparams, const char *const *params) WUR;
/* db_exec without parameters or result. */
enum db_status db_command(struct db *db, const char *sql) WUR;

enum db_status db_begin(struct db *db) WUR;
enum db_status db_commit(struct db *db) WUR;
/* Rolls back if a transaction is open; safe to call after any failure. */
void db_rollback(struct db *db);

/* COPY ... FROM STDIN: start, send data (any chunking), finish. */
enum db_status db_copy_begin(struct db *db, const char *sql) WUR;
enum db_status db_copy_put(struct db *db, const char *data, size_t len) WUR;
enum db_status db_copy_end(struct db *db) WUR;

/* The SQLSTATE of the last failure ("" when none, "08006" when unavailable). */
const char *db_sqlstate(const struct db *db);
/* The server's or libpq's message of the last failure, one line. */
const char *db_error(const struct db *db);
/* Logs a failed query once: "<what> failed: SQLSTATE message", as an
 * error when the server refused it (a deployment fault: grants, schema)
 * and as a warning when the database was unavailable. */
void db_log_failure(const struct db *db, const char *what, enum db_status st);

/* Appends ids as one PostgreSQL array literal, "{1,2,3}", for a text
 * parameter cast to int[]. Returns 0, or -1 when memory ran out. */
int db_int_array(struct buf *b, const int *ids, size_t n) WUR;
/* Reads an integer array's text ("{1,-2,3}", as PostgreSQL writes int[])
 * into out (room for max) and sets *n; 0, or -1 when it is malformed or
 * longer than max. */
int db_parse_int_array(const char *text, long long *out, size_t max, size_t *n) WUR;

/* Fixed-size set of connections shared by threads. */
struct db_pool;
struct db_pool *db_pool_new(const char *conninfo, unsigned size);
void db_pool_free(struct db_pool *pool);
/* Blocks until a connection is free; borrowers are served first come,
 * first served. Give it back with db_pool_put. */
struct db *db_pool_get(struct db_pool *pool);
void db_pool_put(struct db_pool *pool, struct db *db);
/* How many borrowers wait in db_pool_get now (for tests and diagnostics). */
unsigned db_pool_waiting(struct db_pool *pool);

/* Result helpers: the text of a cell; NULL when SQL NULL. */
const char *db_value(PGresult *res, int row, int col);
long long db_int(PGresult *res, int row, int col);

#endif
