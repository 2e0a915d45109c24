/* db.c against a real PostgreSQL (skipped without the test cluster):
 * parameters, SQLSTATE capture, transactions, COPY, connections killed
 * while idle and inside a transaction, prepared statements, connection
 * options, notices and the pool. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "db.h"
#include "harness.h"
#include "log.h"
#include "tap.h"

static struct harness_db hdb;

/* Runs a query expected to succeed and returns its first cell as an
 * integer, or -1. */
static long long query_int(struct db *db, const char *sql)
{
	struct db_rows *rows;
	if (db_exec(db, &rows, sql, 0, NULL) != DB_OK)
		return -1;
	long long v = db_rows_count(rows) > 0 ? db_rows_int(rows, 0, 0) : -1;
	db_rows_free(rows);
	return v;
}

/* The backend serving db, ended from the admin connection; returns its pid. */
static long long kill_backend(struct db *db)
{
	char sql[128];
	long long pid = query_int(db, "SELECT pg_backend_pid()");

	/* The timeout makes the call wait until the backend has exited. */
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld, 10000)", pid);
	harness_sql(&hdb, sql);
	return pid;
}

static void test_exec(struct db *db)
{
	static const char evil[] = "x'); DROP TABLE t; --";
	struct db_rows *rows = NULL;
	char small[4], *dup;

	is_int(db_connect(db), DB_OK, "connect");
	is_str(db_sqlstate(db), "", "no failure yet");
	is_int(db_exec(db, &rows, "SELECT $1::int + 1, $2::text, $3::text, $4::bool, $5::bool",
	               DB_PARAMS(DB_PARAM_INT(41), DB_PARAM_NULL, DB_PARAM_TEXT(evil),
	                         DB_PARAM_BOOL(true), DB_PARAM_BOOL(false))), DB_OK,
	       "exec with parameters");
	is_int(db_rows_count(rows), 1, "one row");
	is_str(db_rows_text(rows, 0, 0), "42", "text of an integer");
	is_int(db_rows_int(rows, 0, 0), 42, "db_rows_int");
	ok(db_rows_text(rows, 0, 1) == NULL, "SQL NULL is NULL");
	is_int(db_rows_int(rows, 0, 1), 0, "db_rows_int of NULL is 0");
	is_str(db_rows_text(rows, 0, 2), evil, "a parameter is data, never SQL");
	ok(db_rows_bool(rows, 0, 3) && !db_rows_bool(rows, 0, 4), "booleans both ways");
	ok(!db_rows_bool(rows, 0, 1), "a NULL boolean is false");
	ok(db_rows_text(rows, 1, 0) == NULL, "row out of range is NULL");
	ok(db_rows_text(rows, 0, 5) == NULL, "column out of range is NULL");
	ok(db_rows_text(rows, -1, 0) == NULL, "negative row is NULL");
	db_rows_copy(rows, 0, 2, small, sizeof small);
	is_str(small, "x')", "a copy is cut short to fit");
	db_rows_copy(rows, 0, 1, small, sizeof small);
	is_str(small, "", "a copy of NULL is empty");
	dup = db_rows_dup(rows, 0, 2);
	is_str(dup, evil, "an owned copy");
	free(dup);
	dup = db_rows_dup(rows, 0, 1);
	is_str(dup, "", "an owned copy of NULL is empty");
	free(dup);
	db_rows_free(rows);
	is_int(db_exec(db, NULL, "SELECT 1", 0, NULL), DB_OK, "exec without a result");
	ok(db_rows_count(NULL) == 0 && !db_rows_text(NULL, 0, 0), "no rows read as none");
	db_rows_free(NULL);
}

static void test_errors(struct db *db)
{
	struct db_rows *rows = (struct db_rows *)&rows;

	is_int(db_exec(db, &rows, "SELECT * FROM nope", 0, NULL), DB_ERROR, "missing table");
	ok(rows == NULL, "no result on failure");
	is_str(db_sqlstate(db), "42P01", "undefined_table");
	is_str(db_error(db), "relation \"nope\" does not exist", "primary message");
	is_int(db_exec(db, NULL, "SELECT 1/0", 0, NULL), DB_ERROR, "division by zero");
	is_str(db_sqlstate(db), "22012", "division_by_zero");
	is_str(db_error(db), "division by zero", "its message");
	is_int(db_command(db, "SELEC 1"), DB_ERROR, "syntax error");
	is_str(db_sqlstate(db), "42601", "syntax_error");
	ok(strchr(db_error(db), '\n') == NULL, "one line: %s", db_error(db));
	is_int(db_exec(db, NULL, "SELECT $1::int", DB_PARAMS(DB_PARAM_TEXT("x"))), DB_ERROR,
	       "bad parameter");
	is_str(db_sqlstate(db), "22P02", "invalid_text_representation");
	struct db_param many[DB_MAX_PARAMS + 1];
	for (size_t i = 0; i < ARRAY_LEN(many); i++)
		many[i] = DB_PARAM_INT((long long)i);
	is_int(db_exec(db, NULL, "SELECT 1", (int)ARRAY_LEN(many), many), DB_ERROR,
	       "too many parameters");
	is_str(db_error(db), "too many parameters", "says so");
	is_int(db_exec(db, NULL, "SELECT 1; SELECT 2", 0, NULL), DB_ERROR,
	       "db_exec refuses two statements");
	is_str(db_sqlstate(db), "42601", "as a syntax error");
	is_int(db_exec(db, NULL, "SELECT 1", 0, NULL), DB_OK, "the connection still works");
	is_str(db_sqlstate(db), "", "a success clears the SQLSTATE");
	is_str(db_error(db), "", "and the message");
}

static void test_transactions(struct db *db)
{
	is_int(db_command(db, "CREATE TABLE t (k int PRIMARY KEY, v text);"
	                      "INSERT INTO t VALUES (1, 'a')"), DB_OK,
	       "db_command runs several statements");
	is_int(query_int(db, "SELECT count(*) FROM t"), 1, "one row");
	is_int(db_begin(db), DB_OK, "begin");
	is_int(db_command(db, "INSERT INTO t VALUES (2, 'b')"), DB_OK, "insert 2");
	is_int(db_commit(db), DB_OK, "commit");
	is_int(query_int(db, "SELECT count(*) FROM t"), 2, "committed row is there");

	is_int(db_begin(db), DB_OK, "begin again");
	is_int(db_command(db, "INSERT INTO t VALUES (3, 'c')"), DB_OK, "insert 3");
	db_rollback(db);
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k = 3"), 0, "rolled back row is gone");

	is_int(db_begin(db), DB_OK, "begin a failing transaction");
	is_int(db_command(db, "INSERT INTO t VALUES (4, 'd')"), DB_OK, "insert 4");
	is_int(db_command(db, "INSERT INTO t VALUES (1, 'dup')"), DB_ERROR, "duplicate key");
	is_str(db_sqlstate(db), "23505", "unique_violation");
	is_int(db_command(db, "SELECT 1"), DB_ERROR, "statements fail after an error");
	is_str(db_sqlstate(db), "25P02", "in_failed_sql_transaction");
	is_int(db_commit(db), DB_ERROR, "COMMIT of a failed transaction is a failure");
	is_str(db_sqlstate(db), "25P02", "reported as in_failed_sql_transaction");
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k = 4"), 0, "nothing was committed");
	db_rollback(db);
	db_rollback(db);
	is_int(query_int(db, "SELECT count(*) FROM t"), 2, "rollback outside a transaction is harmless");

	is_int(db_begin(db), DB_OK, "begin before a failure");
	is_int(db_command(db, "SELECT 1/0"), DB_ERROR, "fail inside");
	db_rollback(db);
	is_str(db_sqlstate(db), "22012", "db_rollback keeps the first failure's SQLSTATE");
	is_int(db_command(db, "SELECT 1"), DB_OK, "usable after rollback");
}

static void test_copy(struct db *db)
{
	is_int(db_copy_begin(db, "COPY t (k, v) FROM STDIN"), DB_OK, "copy begins");
	is_int(db_copy_put(db, "10\tx\n11\t", 7), DB_OK, "first chunk ends mid-row");
	is_int(db_copy_put(db, "\tyy\n12\t\\N\n", 10), DB_OK, "second chunk");
	is_int(db_copy_end(db), DB_OK, "copy ends");
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k >= 10"), 3, "three rows copied");
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k = 12 AND v IS NULL"), 1,
	       "\\N is NULL");

	is_int(db_copy_begin(db, "COPY t (k, v) FROM STDIN"), DB_OK, "bad copy begins");
	is_int(db_copy_put(db, "13\tz\nabc\tz\n", 11), DB_OK, "bad data is sent");
	is_int(db_copy_end(db), DB_ERROR, "bad data fails at the end");
	is_str(db_sqlstate(db), "22P02", "invalid_text_representation");
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k = 13"), 0, "a failed COPY stores nothing");

	is_int(db_copy_begin(db, "COPY nope FROM STDIN"), DB_ERROR, "copy into a missing table");
	is_str(db_sqlstate(db), "42P01", "its SQLSTATE");
	is_int(db_copy_put(db, "1\n", 2), DB_ERROR, "put without a COPY");
	is_int(db_copy_end(db), DB_ERROR, "end without a COPY");

	is_int(db_begin(db), DB_OK, "begin before an abandoned COPY");
	is_int(db_copy_begin(db, "COPY t (k, v) FROM STDIN"), DB_OK, "copy in a transaction");
	is_int(db_copy_put(db, "20\tq\n", 5), DB_OK, "a row is sent");
	db_rollback(db);
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k = 20"), 0,
	       "rollback in the middle of COPY stores nothing");

	struct db_rows *rows;
	is_int(db_exec(db, &rows, "UPDATE t SET v = v WHERE k >= $1", DB_PARAMS(DB_PARAM_INT(10))),
	       DB_OK, "an update");
	is_int(db_rows_affected(rows), 3, "wrote its three rows");
	db_rows_free(rows);
	is_int(db_exec(db, NULL, "COPY t FROM STDIN", 0, NULL), DB_ERROR,
	       "COPY through db_exec is refused");
	db_rollback(db);
	is_int(query_int(db, "SELECT 7"), 7, "the connection recovers after rollback");
}

static void test_broken(struct db *db)
{
	long long pid = kill_backend(db);
	is_int(db_exec(db, NULL, "SELECT 1", 0, NULL), DB_OK,
	       "a connection killed while idle is replaced before the next statement");
	ok(query_int(db, "SELECT pg_backend_pid()") != pid, "by a new backend");

	is_int(db_begin(db), DB_OK, "begin");
	is_int(db_command(db, "INSERT INTO t VALUES (30, 'lost')"), DB_OK, "insert 30");
	kill_backend(db);
	is_int(db_command(db, "INSERT INTO t VALUES (31, 'lost')"), DB_UNAVAILABLE,
	       "a statement on a connection killed inside a transaction");
	is_str(db_sqlstate(db), "08006", "connection_failure");
	ok(strchr(db_error(db), '\n') == NULL && db_error(db)[0], "one line: %s", db_error(db));
	is_int(db_command(db, "INSERT INTO t VALUES (32, 'lost')"), DB_UNAVAILABLE,
	       "no silent reconnect inside the transaction");
	is_str(db_error(db), "connection lost inside a transaction", "says why");
	is_int(db_commit(db), DB_UNAVAILABLE, "commit fails too");
	db_rollback(db);
	is_int(db_command(db, "SELECT 1"), DB_OK, "after rollback the next call reconnects");
	is_int(query_int(db, "SELECT count(*) FROM t WHERE k >= 30"), 0,
	       "nothing of the broken transaction was stored");

	/* The server ending the session answers 57P01 before the socket
	 * closes: unavailable, not an error of the statement. */
	is_int(db_command(db, "SELECT pg_terminate_backend(pg_backend_pid())"), DB_UNAVAILABLE,
	       "a session the server terminates is unavailable");
	ok(strcmp(db_sqlstate(db), "57P01") == 0 || strcmp(db_sqlstate(db), "08006") == 0,
	   "with its SQLSTATE: %s", db_sqlstate(db));
	is_int(db_command(db, "SELECT 1"), DB_OK, "and the next call reconnects");
}

/* Prepared statements of the tests; their addresses tell them apart. */
static const struct db_statement STMT_ADD = { "test_add", "SELECT $1::int + 1, $2::text" };
static const struct db_statement STMT_ROW = {
	"test_row", "SELECT v, pg_typeof(v)::text FROM t WHERE k = $1"
};
static const struct db_statement STMT_LATER = { "test_later", "SELECT count(*) FROM later" };
static const struct db_statement STMT_TWIN = { "test_add", "SELECT 2" };

/* How often this backend ran the named prepared statement, -1 when it
 * holds none of that name. */
static long long runs_of(struct db *db, const char *name)
{
	struct db_rows *rows;
	long long n = -2;

	if (db_exec(db, &rows, "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
	                       " WHERE name = $1", DB_PARAMS(DB_PARAM_TEXT(name))) == DB_OK)
		n = db_rows_count(rows) == 1 ? db_rows_int(rows, 0, 0) : -1;
	db_rows_free(rows);
	return n;
}

/* Runs STMT_ADD on x and returns the first cell as an integer, or -1. */
static long long add_one(struct db *db, long long x)
{
	struct db_rows *rows;

	if (db_exec_prepared(db, &rows, &STMT_ADD,
	                     DB_PARAMS(DB_PARAM_INT(x), DB_PARAM_TEXT("p"))) != DB_OK)
		return -1;
	long long v = db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	return v;
}

/* Prepared on first use, then reused; failures as db_exec's. */
static void test_prepared(struct db *db)
{
	struct db_rows *rows = (struct db_rows *)&rows;
	const struct db_param params[] = { DB_PARAM_INT(41), DB_PARAM_NULL };

	is_int(runs_of(db, "test_add"), -1, "nothing prepared before the first use");
	is_int(db_exec_prepared(db, &rows, &STMT_ADD, 2, params), DB_OK, "first run");
	is_str(db_rows_text(rows, 0, 0), "42", "its result");
	ok(rows && db_rows_text(rows, 0, 1) == NULL, "a NULL parameter is SQL NULL");
	db_rows_free(rows);
	is_int(runs_of(db, "test_add"), 1, "prepared on first use and run once");
	is_int(add_one(db, 7), 8, "second run, other parameters");
	is_int(add_one(db, -1), 0, "third run");
	is_int(runs_of(db, "test_add"), 3, "the one preparation is reused");
	is_int(db_exec_prepared(db, NULL, &STMT_ADD, 2, params), DB_OK, "run without a result");

	rows = (struct db_rows *)&rows;
	is_int(db_exec_prepared(db, &rows, &STMT_ADD, DB_PARAMS(DB_PARAM_TEXT("x"), DB_PARAM_NULL)),
	       DB_ERROR, "bad parameter");
	ok(rows == NULL, "no result on failure");
	is_str(db_sqlstate(db), "22P02", "invalid_text_representation");
	is_str(db_error(db), "invalid input syntax for type integer: \"x\"", "its message");
	is_int(add_one(db, 1), 2, "the statement still runs after a failed run");
	is_str(db_sqlstate(db), "", "a success clears the SQLSTATE");

	rows = (struct db_rows *)&rows;
	is_int(db_exec_prepared(db, &rows, &STMT_LATER, 0, NULL), DB_ERROR,
	       "a statement that does not prepare");
	ok(rows == NULL, "no result");
	is_str(db_sqlstate(db), "42P01", "undefined_table");
	is_str(db_error(db), "relation \"later\" does not exist", "primary message");
	is_int(runs_of(db, "test_later"), -1, "the server holds nothing of it");
	is_int(db_command(db, "CREATE TABLE later (x int); INSERT INTO later VALUES (1), (2)"),
	       DB_OK, "its table is created");
	is_int(db_exec_prepared(db, &rows, &STMT_LATER, 0, NULL), DB_OK,
	       "a failed preparation is tried again");
	is_int(db_rows_int(rows, 0, 0), 2, "and gives the result");
	db_rows_free(rows);

	is_int(db_exec_prepared(db, NULL, &STMT_TWIN, 0, NULL), DB_ERROR,
	       "another statement of a name in use");
	is_str(db_sqlstate(db), "42P05", "duplicate_prepared_statement");
	is_int(add_one(db, 2), 3, "the first of the name is untouched");
}

/* Prepared again when the server forgot the statement or a table changed
 * under it, once and only outside a transaction. */
static void test_prepared_stale(struct db *db)
{
	struct db_rows *rows;
	const struct db_param params[] = { DB_PARAM_INT(1) };

	is_int(db_command(db, "DEALLOCATE ALL"), DB_OK, "the server forgets every statement");
	is_int(add_one(db, 4), 5, "a forgotten statement is prepared again");
	is_str(db_sqlstate(db), "", "without a failure");
	is_int(runs_of(db, "test_add"), 1, "a new preparation run once");

	is_int(db_begin(db), DB_OK, "begin");
	is_int(db_command(db, "DEALLOCATE test_add"), DB_OK, "forgotten inside a transaction");
	is_int(add_one(db, 4), -1, "not prepared again inside the transaction");
	is_str(db_sqlstate(db), "26000", "invalid_sql_statement_name");
	db_rollback(db);
	is_int(db_begin(db), DB_OK, "begin after the rollback");
	is_int(add_one(db, 5), 6, "the forgotten statement is prepared again");
	is_int(db_commit(db), DB_OK, "commit");

	is_int(db_exec_prepared(db, &rows, &STMT_ROW, 1, params), DB_OK, "a statement on t");
	is_str(db_rows_text(rows, 0, 0), "a", "its row");
	db_rows_free(rows);
	is_int(db_command(db, "ALTER TABLE t ALTER v TYPE varchar(20)"), DB_OK,
	       "the type of its result column changes");
	is_int(db_exec_prepared(db, &rows, &STMT_ROW, 1, params), DB_OK,
	       "the statement is prepared again for the new type");
	is_str(db_rows_text(rows, 0, 0), "a", "the same row");
	is_str(db_rows_text(rows, 0, 1), "character varying", "now of the new type");
	db_rows_free(rows);
	is_int(runs_of(db, "test_row"), 1, "a new preparation run once");

	is_int(db_begin(db), DB_OK, "begin");
	is_int(db_command(db, "ALTER TABLE t ALTER v TYPE text"), DB_OK, "the type changes back");
	is_int(db_exec_prepared(db, &rows, &STMT_ROW, 1, params), DB_ERROR,
	       "inside a transaction the change is reported");
	is_str(db_sqlstate(db), "0A000", "feature_not_supported");
	db_rollback(db);
	is_int(query_int(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't'"
	                     " AND column_name = 'v' AND data_type = 'character varying'"), 1,
	       "the rollback left t as it was");
}

/* A new connection has no statements: they are prepared again on it. */
static void test_prepared_reconnect(struct db *db)
{
	is_int(add_one(db, 9), 10, "a prepared statement runs");
	long long pid = kill_backend(db);
	/* Inside a transaction a statement the connection wrongly took for
	 * prepared would fail rather than be prepared again. */
	is_int(db_begin(db), DB_OK, "begin after the server closed the connection");
	is_int(add_one(db, 10), 11, "the statement runs inside the transaction");
	is_int(db_commit(db), DB_OK, "commit");
	ok(query_int(db, "SELECT pg_backend_pid()") != pid, "on a new backend");
	is_int(runs_of(db, "test_add"), 1, "prepared there once");
	is_int(add_one(db, 11), 12, "reused there");
	is_int(runs_of(db, "test_add"), 2, "run twice there");

	is_int(db_begin(db), DB_OK, "begin");
	kill_backend(db);
	is_int(add_one(db, 12), -1, "killed inside a transaction");
	is_str(db_sqlstate(db), "08006", "connection_failure");
	db_rollback(db);
	is_int(add_one(db, 12), 13, "prepared again on the next connection");
	is_int(runs_of(db, "test_add"), 1, "once");

	struct db *other = db_new(hdb.admin_url);
	is_int(runs_of(other, "test_add"), -1, "another connection has its own statements");
	is_int(add_one(other, 13), 14, "and prepares its own");
	is_int(add_one(db, 14), 15, "beside the first one's");
	db_free(other);

	struct db *bad = db_new("host=/nonexistent/samlad port=1");
	is_int(db_exec_prepared(bad, NULL, &STMT_ADD, 0, NULL), DB_UNAVAILABLE,
	       "unreachable server");
	is_str(db_sqlstate(bad), "08006", "is 08006");
	db_free(bad);
}

static void test_connect_options(void)
{
	struct db *bad = db_new("host=/nonexistent/samlad port=1");
	is_int(db_connect(bad), DB_UNAVAILABLE, "unreachable server");
	is_str(db_sqlstate(bad), "08006", "unreachable is 08006");
	ok(strncmp(db_error(bad), "connection to server on socket", 30) == 0 &&
	   !strchr(db_error(bad), '\n'), "libpq's first line: %s", db_error(bad));
	is_int(db_exec(bad, NULL, "SELECT 1", 0, NULL), DB_UNAVAILABLE, "exec too");
	db_rollback(bad);
	db_free(bad);

	char url[700];
	struct db *db = db_new(hdb.admin_url);
	struct db_rows *rows;
	is_int(db_exec(db, &rows, "SELECT current_setting('application_name')", 0, NULL), DB_OK,
	       "application name query");
	is_str(db_rows_text(rows, 0, 0), "test-db", "the program's name is the default");
	db_rows_free(rows);
	db_free(db);

	snprintf(url, sizeof url, "%s&application_name=custom", hdb.admin_url);
	db = db_new(url);
	is_int(db_exec(db, &rows, "SELECT current_setting('application_name')", 0, NULL), DB_OK,
	       "application name from the URL");
	is_str(db_rows_text(rows, 0, 0), "custom", "the URL's name wins");
	db_rows_free(rows);
	db_free(db);

	/* An invalid connect_timeout in the URL is only noticed if the URL's
	 * value overrides the default rather than the other way round. */
	snprintf(url, sizeof url, "%s&connect_timeout=abc", hdb.admin_url);
	db = db_new(url);
	is_int(db_connect(db), DB_UNAVAILABLE, "the URL's connect_timeout is used");
	ok(strstr(db_error(db), "connect_timeout") != NULL, "named in the error: %s", db_error(db));
	db_free(db);

	snprintf(url, sizeof url, "dbname=%s host=%s user=samlad_admin connect_timeout=x",
	         hdb.name, hdb.host);
	db = db_new(url);
	is_int(db_connect(db), DB_UNAVAILABLE, "key=value connect_timeout is used");
	db_free(db);
	snprintf(url, sizeof url, "dbname=%s host=%s user=samlad_admin", hdb.name, hdb.host);
	db = db_new(url);
	is_int(db_connect(db), DB_OK, "key=value conninfo connects");
	db_free(db);
}

/* Notices go to the log at debug level, never raw to stderr. */
static void test_notices(void)
{
	struct db *db = db_new(hdb.admin_url);
	FILE *err = tmpfile();
	int saved = dup(2);
	char text[2048];

	dup2(fileno(err), 2);
	log_set_level(LOG_INFO);
	enum db_status st1 = db_command(db, "DO $$BEGIN RAISE NOTICE 'quiet notice'; END$$");
	log_set_level(LOG_DEBUG);
	enum db_status st2 = db_command(db, "DO $$BEGIN RAISE NOTICE 'loud notice'; END$$");
	log_set_level(LOG_INFO);
	dup2(saved, 2);
	close(saved);
	rewind(err);
	size_t n = fread(text, 1, sizeof text - 1, err);
	text[n] = '\0';
	fclose(err);
	is_int(st1, DB_OK, "notice at info level");
	is_int(st2, DB_OK, "notice at debug level");
	ok(strstr(text, "quiet notice") == NULL, "no notice on stderr above debug");
	ok(strstr(text, " debug postgres: NOTICE:  loud notice\n") != NULL,
	   "a debug log line at debug level");
	db_free(db);
}

struct waiter {
	struct db_pool *pool;  /* the pool to borrow from */
	struct db *got;        /* what db_pool_get returned */
	volatile int done;     /* set once db_pool_get returned */
};

static void *wait_for_db(void *arg)
{
	struct waiter *w = arg;
	w->got = db_pool_get(w->pool);
	w->done = 1;
	return NULL;
}

static void test_pool(void)
{
	ok(db_pool_new(hdb.admin_url, 0) == NULL, "a pool of zero is refused");
	struct db_pool *pool = db_pool_new(hdb.admin_url, 2);
	ok(pool != NULL, "pool of two");
	struct db *a = db_pool_get(pool), *b = db_pool_get(pool);
	ok(a && b && a != b, "two different connections");

	struct waiter w = { .pool = pool };
	pthread_t th;
	pthread_create(&th, NULL, wait_for_db, &w);
	usleep(100 * 1000);
	is_int(w.done, 0, "a third borrower waits");
	is_int(db_begin(a), DB_OK, "begin on a");
	is_int(db_command(a, "INSERT INTO t VALUES (40, 'left open')"), DB_OK, "insert 40");
	db_pool_put(pool, a);
	pthread_join(th, NULL);
	ok(w.got == a, "the waiter gets the returned connection");
	is_int(query_int(a, "SELECT count(*) FROM t WHERE k = 40"), 0,
	       "a transaction left open is rolled back on return");
	is_int(db_command(a, "SAVEPOINT s"), DB_ERROR, "SAVEPOINT fails outside a transaction");
	is_str(db_sqlstate(a), "25P01", "no_active_sql_transaction: the connection is clean");
	db_pool_put(pool, a);
	db_pool_put(pool, b);
	db_pool_free(pool);
}

/* Borrowers served in the order they came, and the order they got it. */
struct queue_run {
	struct db_pool *pool;   /* the pool of one connection */
	pthread_mutex_t lock;   /* guards order and n */
	int order[3];           /* borrower ids in the order db_pool_get returned */
	int n;                  /* entries in order */
};

struct borrower {
	struct queue_run *run;  /* shared */
	int id;                 /* 1, 2, 3: the order it started waiting in */
};

/* Borrows, notes its turn, and gives the connection back at once. */
static void *borrow_once(void *arg)
{
	struct borrower *b = arg;
	struct db *db = db_pool_get(b->run->pool);
	pthread_mutex_lock(&b->run->lock);
	b->run->order[b->run->n++] = b->id;
	pthread_mutex_unlock(&b->run->lock);
	db_pool_put(b->run->pool, db);
	return NULL;
}

/* Waits (without a time limit) until n borrowers wait in the pool. */
static void await_waiting(struct db_pool *pool, unsigned n)
{
	while (db_pool_waiting(pool) < n)
		usleep(1000);
}

/* A returned connection goes to the longest-waiting borrower, and a
 * borrower that comes while others wait queues behind them, even when a
 * connection was just returned. */
static void test_pool_fair(void)
{
	struct queue_run run = { .pool = db_pool_new(hdb.admin_url, 1), .n = 0 };
	struct borrower b[3] = { { &run, 1 }, { &run, 2 }, { &run, 3 } };
	pthread_t th[2];

	pthread_mutex_init(&run.lock, NULL);
	struct db *held = db_pool_get(run.pool);
	is_int(db_pool_waiting(run.pool), 0, "nobody waits yet");
	for (int i = 0; i < 2; i++) {
		pthread_create(&th[i], NULL, borrow_once, &b[i]);
		await_waiting(run.pool, (unsigned)i + 1);
	}
	is_int(db_pool_waiting(run.pool), 2, "two borrowers wait");
	/* Returned and at once asked for again, by this thread that holds
	 * the CPU: it must not jump the queue. */
	db_pool_put(run.pool, held);
	borrow_once(&b[2]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	is_int(run.n, 3, "every borrower was served");
	is_int(run.order[0], 1, "the first waiter first");
	is_int(run.order[1], 2, "the second next");
	is_int(run.order[2], 3, "the latecomer last");
	is_int(db_pool_waiting(run.pool), 0, "nobody waits at the end");
	struct db *again = db_pool_get(run.pool);
	ok(again == held, "the one connection is free again");
	db_pool_put(run.pool, again);
	pthread_mutex_destroy(&run.lock);
	db_pool_free(run.pool);
}

/* The COMMIT sent and read in two halves, as db_commit's. */
static void test_commit_halves(struct db *db)
{
	is_int(db_command(db, "CREATE TABLE c (k int PRIMARY KEY)"), DB_OK, "table c");
	is_int(db_commit_wait(db), DB_ERROR, "waiting for a COMMIT never sent is a failure");
	is_str(db_error(db), "no COMMIT was sent", "and says so");

	is_int(db_begin(db), DB_OK, "begin");
	is_int(db_command(db, "INSERT INTO c VALUES (1)"), DB_OK, "insert 1");
	is_int(db_commit_send(db), DB_OK, "the COMMIT is sent");
	is_int(db_commit_wait(db), DB_OK, "and its result read");
	is_int(query_int(db, "SELECT count(*) FROM c"), 1, "the row is committed");

	is_int(db_begin(db), DB_OK, "begin a failing transaction");
	is_int(db_command(db, "INSERT INTO c VALUES (1)"), DB_ERROR, "a duplicate key");
	is_int(db_commit_send(db), DB_OK, "its COMMIT is sent");
	is_int(db_commit_wait(db), DB_ERROR, "and answers a failure, not its ROLLBACK tag");
	is_str(db_sqlstate(db), "25P02", "in_failed_sql_transaction");

	is_int(db_begin(db), DB_OK, "begin one whose result nobody reads");
	is_int(db_command(db, "INSERT INTO c VALUES (2)"), DB_OK, "insert 2");
	is_int(db_commit_send(db), DB_OK, "its COMMIT is sent");
	db_rollback(db);
	is_int(db_command(db, "SELECT 1"), DB_OK, "after db_rollback the connection takes commands");
	is_int(query_int(db, "SELECT count(*) FROM c"), 2, "the COMMIT had gone through all the same");
	is_int(db_command(db, "DROP TABLE c"), DB_OK, "drop c");
}

/* Integers, int arrays and bytes reach PostgreSQL as what they are. */
static void test_param_kinds(struct db *db)
{
	const int ids[] = { 3, -1, 20241 };
	const unsigned char bytes[] = { 0x00, 0xff, 0x27, 0x5c };
	struct db_rows *rows;

	is_int(db_exec(db, &rows, "SELECT array_length($1::int[], 1), ($1::int[])[3],"
	                          " cardinality($2::int[]), $3::bigint, encode($4::bytea, 'hex'),"
	                          " $5::bytea IS NULL, length($6::bytea)",
	               DB_PARAMS(DB_PARAM_INTS(ids, 3), DB_PARAM_INTS(ids, 0),
	                         DB_PARAM_INT(LLONG_MIN), DB_PARAM_BYTES(bytes, sizeof bytes),
	                         DB_PARAM_BYTES(NULL, 4), DB_PARAM_BYTES(bytes, 0))), DB_OK,
	       "ints, arrays and bytes");
	is_int(db_rows_int(rows, 0, 0), 3, "three elements");
	is_int(db_rows_int(rows, 0, 1), 20241, "the third is 20241");
	is_int(db_rows_int(rows, 0, 2), 0, "the empty one has none");
	ok(db_rows_int(rows, 0, 3) == LLONG_MIN, "the smallest bigint");
	is_str(db_rows_text(rows, 0, 4), "00ff275c", "bytes as they are, a zero included");
	ok(db_rows_bool(rows, 0, 5), "no bytes are SQL NULL");
	is_int(db_rows_int(rows, 0, 6), 0, "zero bytes are an empty bytea");
	db_rows_free(rows);
}

int main(void)
{
	harness_db_create(&hdb, "db");
	log_init("test-db");
	struct db *db = db_new(hdb.admin_url);
	test_exec(db);
	test_errors(db);
	test_transactions(db);
	test_copy(db);
	test_broken(db);
	test_prepared(db);
	test_prepared_stale(db);
	test_prepared_reconnect(db);
	test_param_kinds(db);
	test_commit_halves(db);
	db_free(db);
	test_connect_options();
	test_notices();
	test_pool();
	test_pool_fair();
	harness_db_drop(&hdb);
	return tap_done();
}
