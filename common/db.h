/* The one place that talks to libpq. Every query goes through db_exec (or
 * db_exec_prepared) with $n parameters given as typed specs (DB_PARAM_INT,
 * DB_PARAM_TEXT, ...), which are turned into their text here, and its rows
 * come back as an opaque struct db_rows read by row and column; failures
 * keep the SQLSTATE and message. A connection that broke is reset on its
 * next use, so callers never reconnect by hand. */
#ifndef SAMLAD_DB_H
#define SAMLAD_DB_H

#include <stdbool.h>
#include <stddef.h>
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

/* What a parameter spec holds; DB_PARAM_* below make them. */
enum db_param_kind {
	DB_PARAM_KIND_TEXT,   /* text, or SQL NULL */
	DB_PARAM_KIND_INT,    /* an integer, sent as its decimal text */
	DB_PARAM_KIND_INTS,   /* an int array, sent as "{1,2,3}" for a $n::int[] */
	DB_PARAM_KIND_BYTES,  /* raw bytes, sent in binary for a bytea */
};

/* One $n parameter of a statement. It borrows what it points to until the
 * call returns. */
struct db_param {
	enum db_param_kind kind;  /* which members below are used */
	const char *text;         /* TEXT: borrowed; NULL is SQL NULL */
	long long i;              /* INT: the value */
	const void *p;            /* INTS: borrowed ints; BYTES: borrowed bytes (NULL: SQL NULL) */
	size_t n;                 /* INTS: how many ints; BYTES: how many bytes */
};

#define DB_PARAM_TEXT(s) ((struct db_param){ .kind = DB_PARAM_KIND_TEXT, .text = (s) })
#define DB_PARAM_NULL DB_PARAM_TEXT(NULL)
#define DB_PARAM_BOOL(b) DB_PARAM_TEXT((b) ? "t" : "f")
#define DB_PARAM_INT(x) ((struct db_param){ .kind = DB_PARAM_KIND_INT, .i = (x) })
#define DB_PARAM_INTS(ints, count) \
	((struct db_param){ .kind = DB_PARAM_KIND_INTS, .p = (ints), .n = (count) })
#define DB_PARAM_BYTES(bytes, len) \
	((struct db_param){ .kind = DB_PARAM_KIND_BYTES, .p = (bytes), .n = (len) })
/* The count and array of a list of parameters, as db_exec takes them:
 * db_exec(db, &rows, SQL, DB_PARAMS(DB_PARAM_INT(id), DB_PARAM_TEXT(code))). */
#define DB_PARAMS(...) \
	(int)(sizeof (struct db_param[]){ __VA_ARGS__ } / sizeof (struct db_param)), \
	(const struct db_param[]){ __VA_ARGS__ }
/* The most parameters of one statement. */
#define DB_MAX_PARAMS 16

/* The rows of a statement's result, read by row and column (both from 0);
 * owned by the caller, who frees them with db_rows_free. */
struct db_rows;

/* Runs one statement with nparams parameters (DB_PARAMS(...), or 0, NULL).
 * On DB_OK, *rows (if rows is not NULL) receives the result; on failure
 * *rows is NULL. */
enum db_status db_exec(struct db *db, struct db_rows **rows, const char *sql,
                       int nparams, const struct db_param *params) WUR;

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
enum db_status db_exec_prepared(struct db *db, struct db_rows **rows,
                                const struct db_statement *stmt, int nparams,
                                const struct db_param *params) WUR;
/* db_exec without parameters or result. */
enum db_status db_command(struct db *db, const char *sql) WUR;

enum db_status db_begin(struct db *db) WUR;
enum db_status db_commit(struct db *db) WUR;
/* db_commit in two halves, so that the caller can work while the server
 * makes the COMMIT durable: db_commit_send sends it, db_commit_wait reads
 * its result (as db_commit's). Every successful send must be followed by a
 * wait (or a db_rollback, which reads the result and discards it) before
 * the connection takes another command. */
enum db_status db_commit_send(struct db *db) WUR;
enum db_status db_commit_wait(struct db *db) WUR;
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
struct metrics;
/* Registers the pool's counters in m (samlad_db_errors_total by kind,
 * samlad_db_reconnects_total; docs/operations.md, "Watch it") and counts
 * into them from now on. Call before the pool is shared. */
void db_pool_metrics(struct db_pool *pool, struct metrics *m);

/* How many rows there are (0 for rows NULL). */
int db_rows_count(const struct db_rows *rows);
/* The text of a cell; NULL when SQL NULL or out of range. It lives as long
 * as rows. */
const char *db_rows_text(const struct db_rows *rows, int row, int col);
/* A cell as an integer; 0 when SQL NULL or out of range. */
long long db_rows_int(const struct db_rows *rows, int row, int col);
/* A boolean cell: true only for true. */
bool db_rows_bool(const struct db_rows *rows, int row, int col);
/* Copies a cell's text into out (size bytes, cut short to fit), "" when
 * SQL NULL or out of range. */
void db_rows_copy(const struct db_rows *rows, int row, int col, char *out, size_t size);
/* An owned copy of a cell's text, "" when SQL NULL; NULL only when memory
 * ran out. */
char *db_rows_dup(const struct db_rows *rows, int row, int col);
/* How many rows an INSERT, UPDATE or DELETE wrote. */
long long db_rows_affected(const struct db_rows *rows);
void db_rows_free(struct db_rows *rows);

#endif
