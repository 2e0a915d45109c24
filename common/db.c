/* The only caller of libpq.
 *
 * A connection is opened on first use. When it breaks, the failing call
 * answers DB_UNAVAILABLE and the next call opens a fresh one, so a restarted
 * server is picked up without the program restarting. A connection that
 * broke inside a transaction is not replaced until db_rollback: running the
 * rest of a transaction's statements on a new connection would commit them
 * one by one.
 *
 * A connection remembers which prepared statements it holds, and a new
 * connection starts with none, so statements are prepared again after a
 * reconnect without the caller hearing of it.
 *
 * A struct db_rows * is a PGresult * under another name: the struct is
 * never defined, so callers cannot look inside, and nothing is allocated
 * to wrap a result. */
#include "db.h"

#include <errno.h> /* program_invocation_short_name */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "vec.h"

/* Seconds to wait for a connection, unless the conninfo says otherwise. */
#define DB_CONNECT_TIMEOUT "5"
/* The SQLSTATE reported for a connection that cannot be used. */
#define SQLSTATE_UNAVAILABLE "08006"
/* invalid_sql_statement_name: the server has no prepared statement of the name. */
#define SQLSTATE_NO_STATEMENT "26000"
/* feature_not_supported, which a prepared statement answers when a table
 * it reads changed the type of a result column ("cached plan must not
 * change result type"). */
#define SQLSTATE_RESULT_CHANGED "0A000"

/* A pool's counters, which its connections count into; NULL series (no
 * registry, or a connection of no pool) count nothing. */
struct db_meters {
	struct metric *errors;      /* statements the server refused */
	struct metric *unavailable; /* failures for want of a usable connection */
	struct metric *reconnects;  /* connections opened again after one was lost */
};

struct db {
	char *conninfo;      /* owned copy of the URL or key=value string */
	const struct db_meters *meters; /* borrowed from the pool, or NULL */
	bool opened;         /* a connection was open once: the next open is a reconnect */
	PGconn *conn;        /* NULL until the first use or after a failed connect */
	bool in_tx;          /* a transaction was open after the last statement */
	bool in_copy;        /* a COPY FROM STDIN is in progress */
	bool in_commit;      /* a COMMIT was sent and its result not yet read */
	char sqlstate[6];    /* SQLSTATE of the last failure, "" after a success */
	char error[256];     /* message of the last failure, one line */
	const struct db_statement **prepared; /* owned array of borrowed pointers: the
	                                        statements prepared on conn */
	size_t nprepared;    /* entries in prepared in use */
	size_t prepared_cap; /* entries allocated in prepared */
};

struct db *db_new(const char *conninfo)
{
	struct db *db = calloc(1, sizeof *db);

	if (!db)
		return NULL;
	db->conninfo = strdup(conninfo ? conninfo : "");
	if (!db->conninfo) {
		free(db);
		return NULL;
	}
	return db;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->prepared);
	free(db->conninfo);
	free(db);
}

/* True for a SQLSTATE that means the connection is lost or going: class
 * 08 (connection exception), 57P (the server shutting down or ending the
 * session). */
static bool lost(const char *sqlstate)
{
	return strncmp(sqlstate, "57P", 3) == 0 || strncmp(sqlstate, "08", 2) == 0;
}

/* Keeps the first line of msg as the last failure, and counts it. */
static void set_error(struct db *db, const char *sqlstate, const char *msg)
{
	size_t n = msg ? strcspn(msg, "\r\n") : 0;

	if (n >= sizeof db->error)
		n = sizeof db->error - 1;
	memcpy(db->error, msg ? msg : "", n);
	db->error[n] = '\0';
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
	if (db->meters)
		metric_inc(lost(db->sqlstate) ? db->meters->unavailable : db->meters->errors);
}

static void clear_error(struct db *db)
{
	db->sqlstate[0] = '\0';
	db->error[0] = '\0';
}

/* Records a failure that is no broken connection and answers DB_ERROR. */
static enum db_status refused(struct db *db, const char *sqlstate, const char *msg)
{
	set_error(db, sqlstate, msg);
	return DB_ERROR;
}

/* Records a broken connection and answers DB_UNAVAILABLE. */
static enum db_status unavailable(struct db *db, const char *msg)
{
	set_error(db, SQLSTATE_UNAVAILABLE, msg);
	return DB_UNAVAILABLE;
}

/* Server notices go to the debug log rather than libpq's default of
 * printing them on stderr, where they would escape the log format. */
static void notice_to_log(void *arg, const char *message)
{
	(void)arg;
	log_debug("postgres: %.*s", (int)strcspn(message, "\r\n"), message);
}

/* Opens a new connection. connect_timeout comes before dbname so that a
 * value in the conninfo (expanded from dbname) overrides it; the fallback
 * application name applies only when the conninfo names none. */
static enum db_status db_open(struct db *db)
{
	const char *const keys[] = { "connect_timeout", "fallback_application_name",
	                             "dbname", NULL };
	const char *const values[] = { DB_CONNECT_TIMEOUT, program_invocation_short_name,
	                               db->conninfo, NULL };

	db->nprepared = 0; /* a new connection has prepared nothing */
	db->conn = PQconnectdbParams(keys, values, 1);
	if (!db->conn)
		return unavailable(db, "out of memory");
	if (PQstatus(db->conn) != CONNECTION_OK) {
		enum db_status st = unavailable(db, PQerrorMessage(db->conn));
		log_warn("database connection failed: %s", db->error);
		PQfinish(db->conn);
		db->conn = NULL;
		return st;
	}
	PQsetNoticeProcessor(db->conn, notice_to_log, NULL);
	if (db->opened && db->meters)
		metric_inc(db->meters->reconnects);
	db->opened = true;
	return DB_OK;
}

/* Reads whatever the server sent to an idle connection. A server that shut
 * down sends a FATAL message and closes the socket; reading both marks the
 * connection bad now, instead of failing the next statement. */
static void db_poll_idle(struct db *db)
{
	struct pollfd pfd = { .fd = PQsocket(db->conn), .events = POLLIN };

	for (int i = 0; i < 4 && pfd.fd >= 0; i++) {
		if (poll(&pfd, 1, 0) != 1 || !PQconsumeInput(db->conn))
			return;
		(void)PQisBusy(db->conn); /* parses the input; routes FATAL to the notice log */
	}
}

/* Makes sure there is a usable connection before a statement. */
enum db_status db_connect(struct db *db)
{
	clear_error(db);
	if (db->conn && !db->in_tx && PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		db_poll_idle(db);
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return DB_OK;
	if (db->in_tx)
		return unavailable(db, "connection lost inside a transaction");
	if (db->conn) {
		log_info("database connection lost; reconnecting");
		PQfinish(db->conn);
		db->conn = NULL;
	}
	return db_open(db);
}

/* Remembers whether a transaction is open, for db_connect and db_rollback.
 * A broken connection keeps the last known state: its transaction is gone
 * on the server, but the caller has yet to hear of it through db_rollback. */
static void note_tx(struct db *db)
{
	if (PQstatus(db->conn) != CONNECTION_OK)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(db->conn);
	db->in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

/* Classifies a failed result (or none at all, when libpq ran out of memory
 * or lost the connection). */
static enum db_status result_failure(struct db *db, PGresult *res)
{
	if (PQstatus(db->conn) != CONNECTION_OK)
		return unavailable(db, PQerrorMessage(db->conn));
	if (!res)
		return refused(db, "", PQerrorMessage(db->conn));
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	set_error(db, state, primary ? primary : PQresultErrorMessage(res));
	/* A server shutting down or ending this session (57P01 and the rest of
	 * 57P, class 08) says so before the socket closes: the connection is
	 * as good as lost, and the caller's answer is the same 503. */
	if (state && lost(state))
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

/* Takes a statement's result: hands it to *rows on success (or clears it),
 * records the failure otherwise. */
static enum db_status take_result(struct db *db, PGresult *r, struct db_rows **rows)
{
	ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum db_status st = DB_OK;

	if (es == PGRES_COPY_IN) {
		/* A COPY sent here would leave the connection waiting for data. */
		db->in_copy = true;
		st = refused(db, "", "COPY FROM STDIN needs db_copy_begin");
	} else if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
		st = result_failure(db, r);
	}
	note_tx(db);
	if (st == DB_OK && rows)
		*rows = (struct db_rows *)r;
	else
		PQclear(r);
	return st;
}

/* What libpq is sent for a statement's parameters, made from their specs. */
struct param_text {
	const char *values[DB_MAX_PARAMS];  /* text or bytes of each; NULL for SQL NULL */
	int lengths[DB_MAX_PARAMS];         /* bytes of a binary value (ignored for text) */
	int formats[DB_MAX_PARAMS];         /* 1 for a binary value, 0 for text */
	char numbers[DB_MAX_PARAMS][24];    /* the decimal text of integers */
	struct buf arrays[DB_MAX_PARAMS];   /* owned: the "{1,2,3}" text of int arrays */
};

/* Appends n ints as one PostgreSQL array literal, "{1,2,3}". */
static int int_array(struct buf *b, const int *ids, size_t n)
{
	buf_puts(b, "{");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%d", i ? "," : "", ids[i]);
	buf_puts(b, "}");
	return buf_failed(b) ? -1 : 0;
}

/* Fills t from the specs (t is for params_free afterwards, also after a
 * failure). */
static enum db_status params_text(struct db *db, struct param_text *t, int n,
                                  const struct db_param *params)
{
	const char *why = n > DB_MAX_PARAMS ? "too many parameters" : NULL;

	memset(t->arrays, 0, sizeof t->arrays);
	for (int i = 0; i < n && !why; i++) {
		const struct db_param *p = &params[i];
		t->values[i] = p->kind == DB_PARAM_KIND_TEXT ? p->text : p->p;
		t->lengths[i] = (int)p->n;
		t->formats[i] = p->kind == DB_PARAM_KIND_BYTES;
		if (p->kind == DB_PARAM_KIND_BYTES && p->n > INT_MAX) {
			why = "a parameter is too long";
		} else if (p->kind == DB_PARAM_KIND_INT) {
			snprintf(t->numbers[i], sizeof t->numbers[i], "%lld", p->i);
			t->values[i] = t->numbers[i];
		} else if (p->kind == DB_PARAM_KIND_INTS) {
			if (int_array(&t->arrays[i], p->p, p->n) != 0)
				why = "out of memory";
			t->values[i] = t->arrays[i].data;
		}
	}
	return why ? refused(db, "", why) : DB_OK;
}

static void params_free(struct param_text *t)
{
	for (size_t i = 0; i < DB_MAX_PARAMS; i++)
		buf_free(&t->arrays[i]);
}

/* What every run of a statement does first: empties *rows, turns the
 * parameters into libpq's text (t, for params_free afterwards) and makes
 * sure the connection is up. */
static enum db_status call_begin(struct db *db, struct db_rows **rows, struct param_text *t,
                                 int nparams, const struct db_param *params)
{
	enum db_status st;

	if (rows)
		*rows = NULL;
	st = params_text(db, t, nparams, params);
	return st == DB_OK ? db_connect(db) : st;
}

enum db_status db_exec(struct db *db, struct db_rows **rows, const char *sql,
                       int nparams, const struct db_param *params)
{
	struct param_text t;
	enum db_status st = call_begin(db, rows, &t, nparams, params);

	if (st == DB_OK)
		st = take_result(db, PQexecParams(db->conn, sql, nparams, NULL, t.values,
		                                  t.lengths, t.formats, 0), rows);
	params_free(&t);
	return st;
}

/* Where stmt is in db->prepared, or -1 when this connection has not
 * prepared it. A program has a handful of statements, so a scan is fast. */
static long prepared_index(const struct db *db, const struct db_statement *stmt)
{
	for (size_t i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == stmt)
			return (long)i;
	return -1;
}

/* Prepares stmt on the connection and remembers it. */
static enum db_status prepare(struct db *db, const struct db_statement *stmt)
{
	/* Room is made before it is prepared, so that the server never holds
	 * a statement the connection does not know of. */
	if (vec_reserve(&db->prepared, &db->prepared_cap, db->nprepared + 1,
	                sizeof *db->prepared) != 0)
		return refused(db, "", "out of memory");
	/* No parameter types: the server infers them, as for db_exec. */
	PGresult *r = PQprepare(db->conn, stmt->name, stmt->sql, 0, NULL);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		enum db_status st = result_failure(db, r);
		PQclear(r);
		note_tx(db);
		return st;
	}
	PQclear(r);
	db->prepared[db->nprepared++] = stmt;
	return DB_OK;
}

/* Forgets stmt on this connection, and on the server when it still holds
 * it. A DEALLOCATE that fails leaves the statement there; preparing it
 * again then fails with 42P05, which is reported. */
static void unprepare(struct db *db, const struct db_statement *stmt, bool on_server)
{
	long i = prepared_index(db, stmt);

	if (i >= 0)
		db->prepared[i] = db->prepared[--db->nprepared];
	if (!on_server)
		return;
	char *name = PQescapeIdentifier(db->conn, stmt->name, strlen(stmt->name));
	char sql[128];
	if (name && snprintf(sql, sizeof sql, "DEALLOCATE %s", name) < (int)sizeof sql)
		PQclear(PQexec(db->conn, sql));
	PQfreemem(name);
}

/* Runs stmt, preparing it first if this connection has not. */
static enum db_status run_prepared(struct db *db, struct db_rows **rows,
                                   const struct db_statement *stmt, int nparams,
                                   const struct param_text *t)
{
	if (prepared_index(db, stmt) < 0) {
		enum db_status st = prepare(db, stmt);
		if (st != DB_OK)
			return st;
	}
	return take_result(db, PQexecPrepared(db->conn, stmt->name, nparams, t->values,
	                                      t->lengths, t->formats, 0), rows);
}

/* After a failed run of stmt: forgets it when the server no longer holds
 * it (26000) or a table it reads changed its result columns (0A000), and
 * says whether to run it once more. Only outside a transaction: inside one
 * the failure has already aborted the transaction, and a forgotten
 * statement is prepared on the next call, after the caller's rollback. */
static bool prepare_again(struct db *db, const struct db_statement *stmt)
{
	bool forgotten = strcmp(db->sqlstate, SQLSTATE_NO_STATEMENT) == 0;
	bool changed = strcmp(db->sqlstate, SQLSTATE_RESULT_CHANGED) == 0;

	if (forgotten)
		unprepare(db, stmt, false);
	if (db->in_tx || (!forgotten && !changed))
		return false;
	if (changed)
		unprepare(db, stmt, true);
	log_info("prepared statement %s: %s; preparing it again", stmt->name, db->error);
	clear_error(db);
	return true;
}

enum db_status db_exec_prepared(struct db *db, struct db_rows **rows,
                                const struct db_statement *stmt, int nparams,
                                const struct db_param *params)
{
	struct param_text t;
	enum db_status st = call_begin(db, rows, &t, nparams, params);

	if (st == DB_OK)
		st = run_prepared(db, rows, stmt, nparams, &t);
	/* Outside a transaction the failed statement changed nothing, so it
	 * may be run again once on a fresh preparation. */
	if (st == DB_ERROR && prepare_again(db, stmt))
		st = run_prepared(db, rows, stmt, nparams, &t);
	params_free(&t);
	return st;
}

/* The simple protocol, unlike PQexecParams, accepts several statements in
 * one string, which a migration file needs. It is only ever given SQL
 * written in the program, never text from a request. */
enum db_status db_command(struct db *db, const char *sql)
{
	enum db_status st = db_connect(db);

	if (st != DB_OK)
		return st;
	return take_result(db, PQexec(db->conn, sql), NULL);
}

enum db_status db_begin(struct db *db)
{
	return db_command(db, "BEGIN");
}

/* A COMMIT's result (NULL when none came). COMMIT of a failed transaction
 * "succeeds" with the tag ROLLBACK; reporting DB_OK would acknowledge data
 * that was thrown away. */
static enum db_status commit_result(struct db *db, PGresult *r)
{
	struct db_rows *rows;
	enum db_status st = take_result(db, r, &rows);

	if (st != DB_OK)
		return st;
	bool rolled_back = strcmp(PQcmdStatus((PGresult *)rows), "ROLLBACK") == 0;
	db_rows_free(rows);
	return rolled_back ? refused(db, "25P02", "the transaction had failed and was rolled back")
	                   : DB_OK;
}

enum db_status db_commit_send(struct db *db)
{
	enum db_status st = db_connect(db);

	if (st != DB_OK)
		return st;
	if (!PQsendQuery(db->conn, "COMMIT"))
		return result_failure(db, NULL);
	db->in_commit = true;
	return DB_OK;
}

/* Reads every result of what was sent; returns the last, which the caller
 * clears (NULL when none came). */
static PGresult *last_result(struct db *db)
{
	PGresult *r, *last = NULL;

	while ((r = PQgetResult(db->conn)) != NULL) {
		PQclear(last);
		last = r;
	}
	return last;
}

enum db_status db_commit_wait(struct db *db)
{
	if (!db->in_commit || !db->conn)
		return refused(db, "", "no COMMIT was sent");
	db->in_commit = false;
	return commit_result(db, last_result(db));
}

enum db_status db_commit(struct db *db)
{
	enum db_status st = db_commit_send(db);

	return st == DB_OK ? db_commit_wait(db) : st;
}

/* Ends a COPY that will not be finished: tells the server to fail it and
 * reads every result so the connection can take commands again. */
static void copy_abort(struct db *db)
{
	PGresult *r;

	db->in_copy = false;
	if (PQstatus(db->conn) != CONNECTION_OK)
		return;
	if (PQputCopyEnd(db->conn, "aborted by the client") != 1)
		return;
	while ((r = PQgetResult(db->conn)) != NULL)
		PQclear(r);
}

void db_rollback(struct db *db)
{
	if (!db->conn) {
		db->in_tx = false;
		return;
	}
	if (db->in_copy)
		copy_abort(db);
	if (db->in_commit) {
		/* The caller gave up on a COMMIT's result; the connection must
		 * still read it before it takes a command. */
		db->in_commit = false;
		PQclear(last_result(db));
	}
	PGTransactionStatusType ts = PQtransactionStatus(db->conn);
	if (PQstatus(db->conn) == CONNECTION_OK &&
	    (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
		/* The caller wants the first failure's SQLSTATE, not this one's. */
		PQclear(PQexec(db->conn, "ROLLBACK"));
	}
	db->in_tx = false;
}

enum db_status db_copy_begin(struct db *db, const char *sql)
{
	enum db_status st = db_connect(db);

	if (st != DB_OK)
		return st;
	PGresult *r = PQexec(db->conn, sql);
	if (r && PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		db->in_copy = true;
		return DB_OK;
	}
	st = result_failure(db, r);
	PQclear(r);
	note_tx(db);
	return st;
}

enum db_status db_copy_put(struct db *db, const char *data, size_t len)
{
	if (!db->in_copy || !db->conn)
		return refused(db, "", "no COPY in progress");
	/* PQputCopyData takes an int length; larger data goes in pieces. */
	while (len > 0) {
		int n = len > (1u << 30) ? 1 << 30 : (int)len;
		if (PQputCopyData(db->conn, data, n) != 1)
			return unavailable(db, PQerrorMessage(db->conn));
		data += n;
		len -= (size_t)n;
	}
	return DB_OK;
}

enum db_status db_copy_end(struct db *db)
{
	enum db_status st = DB_OK;
	PGresult *r;

	if (!db->in_copy || !db->conn)
		return refused(db, "", "no COPY in progress");
	db->in_copy = false;
	if (PQputCopyEnd(db->conn, NULL) != 1)
		return unavailable(db, PQerrorMessage(db->conn));
	/* Every result must be read before the connection takes a command;
	 * the first failure is the one reported. */
	while ((r = PQgetResult(db->conn)) != NULL) {
		if (st == DB_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			st = result_failure(db, r);
		PQclear(r);
	}
	if (st == DB_OK && PQstatus(db->conn) != CONNECTION_OK)
		st = unavailable(db, PQerrorMessage(db->conn));
	note_tx(db);
	return st;
}

const char *db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

const char *db_error(const struct db *db)
{
	return db->error;
}

int db_rows_count(const struct db_rows *rows)
{
	return PQntuples((const PGresult *)rows);
}

const char *db_rows_text(const struct db_rows *rows, int row, int col)
{
	const PGresult *res = (const PGresult *)rows;

	if (row < 0 || row >= PQntuples(res) || col < 0 || col >= PQnfields(res))
		return NULL;
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

long long db_rows_int(const struct db_rows *rows, int row, int col)
{
	const char *v = db_rows_text(rows, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

bool db_rows_bool(const struct db_rows *rows, int row, int col)
{
	const char *v = db_rows_text(rows, row, col);
	return v && v[0] == 't';
}

void db_rows_copy(const struct db_rows *rows, int row, int col, char *out, size_t size)
{
	const char *v = db_rows_text(rows, row, col);
	snprintf(out, size, "%s", v ? v : "");
}

char *db_rows_dup(const struct db_rows *rows, int row, int col)
{
	const char *v = db_rows_text(rows, row, col);
	return strdup(v ? v : "");
}

long long db_rows_affected(const struct db_rows *rows)
{
	return strtoll(PQcmdTuples((PGresult *)rows), NULL, 10);
}

void db_rows_free(struct db_rows *rows)
{
	PQclear((PGresult *)rows);
}

/* A borrower waiting in db_pool_get: put hands a connection straight to
 * the longest-waiting one, so a borrower that arrives later can never
 * take it first (with one condition variable and a signal, any thread
 * that got to the lock first could, and under load a waiter was passed
 * over again and again, for seconds). */
struct pool_waiter {
	pthread_cond_t handed;       /* signalled once db is set */
	struct db *db;               /* the connection handed over, NULL until then */
	struct pool_waiter *next;    /* the next in line */
};

/* The pool: every connection is either lent out, on the free stack, or
 * being handed to a waiter. */
struct db_pool {
	pthread_mutex_t lock;          /* guards everything below */
	unsigned size;                 /* connections owned */
	unsigned nfree;                /* entries in free_list */
	struct db **all;               /* owned: every connection, for db_pool_free */
	struct db **free_list;         /* the connections not lent out */
	struct pool_waiter *first;     /* the longest waiting borrower, or NULL */
	struct pool_waiter *last;      /* the newest waiting borrower */
	unsigned nwaiting;             /* borrowers in the queue */
	struct db_meters meters;       /* what every connection counts into */
};

struct db_pool *db_pool_new(const char *conninfo, unsigned size)
{
	struct db_pool *pool = calloc(1, sizeof *pool);

	if (!pool)
		return NULL;
	pthread_mutex_init(&pool->lock, NULL);
	if (size == 0)
		goto fail;
	pool->all = calloc(size, sizeof *pool->all);
	pool->free_list = calloc(size, sizeof *pool->free_list);
	if (!pool->all || !pool->free_list)
		goto fail;
	for (; pool->size < size; pool->size++) {
		pool->all[pool->size] = db_new(conninfo);
		if (!pool->all[pool->size])
			goto fail;
		pool->free_list[pool->nfree++] = pool->all[pool->size];
		pool->all[pool->size]->meters = &pool->meters;
	}
	return pool;
fail:
	db_pool_free(pool);
	return NULL;
}

void db_pool_free(struct db_pool *pool)
{
	if (!pool)
		return;
	for (unsigned i = 0; i < pool->size; i++)
		db_free(pool->all[i]);
	free(pool->all);
	free(pool->free_list);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

struct db *db_pool_get(struct db_pool *pool)
{
	struct db *db;

	pthread_mutex_lock(&pool->lock);
	/* A free connection goes to a newcomer only when nobody waits; while
	 * someone does, put hands connections over and none is free. */
	if (pool->nfree > 0 && !pool->first) {
		db = pool->free_list[--pool->nfree];
		pthread_mutex_unlock(&pool->lock);
		return db;
	}
	struct pool_waiter w = { .db = NULL, .next = NULL };
	pthread_cond_init(&w.handed, NULL);
	if (pool->last)
		pool->last->next = &w;
	else
		pool->first = &w;
	pool->last = &w;
	pool->nwaiting++;
	while (!w.db)
		pthread_cond_wait(&w.handed, &pool->lock);
	db = w.db;
	pthread_mutex_unlock(&pool->lock);
	pthread_cond_destroy(&w.handed);
	return db;
}

void db_pool_put(struct db_pool *pool, struct db *db)
{
	/* A caller that left early inside a transaction must not hand its
	 * locks and half-done work to the next borrower. */
	if (db->in_tx || db->in_copy || db->in_commit) {
		log_warn("connection returned inside a transaction; rolling back");
		db_rollback(db);
	}
	pthread_mutex_lock(&pool->lock);
	struct pool_waiter *w = pool->first;
	if (w) {
		pool->first = w->next;
		if (!pool->first)
			pool->last = NULL;
		pool->nwaiting--;
		w->db = db;
		/* Under the lock: w lives on the waiter's stack until it has seen db. */
		pthread_cond_signal(&w->handed);
	} else {
		pool->free_list[pool->nfree++] = db;
	}
	pthread_mutex_unlock(&pool->lock);
}

void db_pool_metrics(struct db_pool *pool, struct metrics *m)
{
	static const char *const kind[] = { "kind", NULL };
	static const struct metric_spec errors = {
		.type = METRIC_COUNTER, .name = "samlad_db_errors_total",
		.help = "Failed database statements and connections: kind=\"error\" the server "
		        "refused a statement, kind=\"unavailable\" no usable connection.",
		.labels = kind,
	};
	struct metric_family *f = metrics_family(m, &errors);

	pool->meters.errors = metric_series(f, (const char *[]){ "error" });
	pool->meters.unavailable = metric_series(f, (const char *[]){ "unavailable" });
	pool->meters.reconnects = metrics_single(m, METRIC_COUNTER, "samlad_db_reconnects_total",
	                                         "Database connections opened again after one "
	                                         "was lost.");
}

unsigned db_pool_waiting(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	unsigned n = pool->nwaiting;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void db_log_failure(const struct db *db, const char *what, enum db_status st)
{
	log_msg(st == DB_ERROR ? LOG_ERROR : LOG_WARN, "%s failed: %s %s", what,
	        db_sqlstate(db), db_error(db));
}

int db_parse_int_array(const char *text, long long *out, size_t max, size_t *n)
{
	const char *p = text;

	*n = 0;
	if (!p || *p++ != '{')
		return -1;
	if (*p == '}')
		return p[1] == '\0' ? 0 : -1;
	for (;;) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || errno != 0 || *n >= max)
			return -1;
		out[(*n)++] = v;
		p = end;
		if (*p == '}')
			return p[1] == '\0' ? 0 : -1;
		if (*p++ != ',')
			return -1;
	}
}
