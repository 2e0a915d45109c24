/* Shared by the integration and end-to-end tests: a fresh database per test
 * (copied from the migrated template that scripts/test.sh prepares), the
 * real programs started on free loopback ports, the command-line tools run
 * as child processes, and HTTP through libcurl. */
#ifndef SAMLAD_HARNESS_H
#define SAMLAD_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <libpq-fe.h>
#include "buf.h"

/* A database of its own for one test. */
struct harness_db {
	char name[64];             /* database name, unique to the test process */
	char host[256];            /* the cluster's socket folder */
	char admin_url[512];       /* connects as samlad_admin (the schema owner) */
	char collector_url[512];   /* connects as samlad_collector */
	char aggregator_url[512];  /* connects as samlad_aggregator */
	PGconn *admin;             /* open admin connection for checks; owned */
};

/* A program started by the test. */
struct harness_proc {
	pid_t pid;               /* 0 when not running */
	int port;                /* the loopback port it listens on */
	char base_url[96];       /* "http://127.0.0.1:PORT" */
	char log_path[256];      /* its stderr goes here */
};

/* The response of one HTTP request. */
struct http_result {
	long status;             /* HTTP status, 0 when the request failed */
	struct buf body;         /* response body */
	struct buf headers;      /* raw response headers */
	char error[256];         /* libcurl's error when status is 0 */
};

/* Skips the whole test (TAP "1..0 # SKIP") when scripts/test.sh did not
 * provide a cluster; otherwise creates the database. Exits on failure. */
void harness_db_create(struct harness_db *db, const char *tag);
void harness_db_drop(struct harness_db *db);

/* Path of a built program, e.g. "collector/samlad-collector". */
const char *harness_program(const char *relative);

/* Starts a server program with --listen on a free port and --database-url,
 * plus extra arguments (NULL-terminated, may be NULL), and waits until its
 * /healthz answers (up to 15 s). With --tls-cert among the extra arguments
 * base_url is https:// (set harness_cacert first). Returns 0 or -1. */
int harness_start(struct harness_proc *p, const char *program,
                  const char *db_url, const char *const *extra);
/* Sends SIGTERM, waits; returns the exit status (or -1). */
int harness_stop(struct harness_proc *p);

/* Writes content to dir/name; bails out when it cannot. */
void harness_write_text(const char *dir, const char *name, const char *content);

/* The whole file, malloc'd; "" when it cannot be read. */
char *harness_read_text(const char *path);

/* Lines of the program's log that hold `what`, or -1 when the log cannot
 * be read. */
int harness_log_count(const struct harness_proc *p, const char *what);

/* Runs a program to completion with extra environment entries ("K=V",
 * NULL-terminated), capturing stdout and stderr (either may be NULL) and
 * feeding `input` (may be NULL) on stdin. Returns the exit status, or -1. */
int harness_run(const char *const *argv, const char *const *env,
                const char *input, struct buf *out, struct buf *err);

/* Runs samlad-push with args after the program name (NULL-terminated, at
 * most 14) and env as harness_run's; returns its exit status. */
int harness_push(const char *const *args, const char *const *env, struct buf *out,
                 struct buf *err);

/* Runs samlad-admin with args after the program name (NULL-terminated, at
 * most 22) against the database of admin_url, its output in out and err
 * (emptied first); returns its exit status. */
int harness_admin(const char *admin_url, const char *const *args, struct buf *out,
                  struct buf *err);

/* Creates a token with samlad-admin; returns it (malloc'd) or exits. */
char *harness_token(const struct harness_db *db, const char *role, const char *agency);

/* A PEM file of CAs that http_do trusts for https:// URLs, or NULL for
 * the system's; set by a test that makes its own CA. */
extern const char *harness_cacert;

/* One HTTP request. `headers` is NULL-terminated ("Name: value"), may be NULL;
 * `token` adds "Authorization: Bearer"; `body` NULL means no body. */
int http_do(const char *method, const char *url, const char *token,
            const char *content_type, const char *body, size_t len,
            const char *const *headers, struct http_result *out);
void http_result_free(struct http_result *r);
/* A response header's value (case-insensitive name), copied into out. */
bool http_result_header(const struct http_result *r, const char *name,
                        char *out, size_t size);

/* Runs SQL as the admin and returns the first cell as an integer (exits on
 * error); for checks such as "SELECT count(*) FROM count_history". */
long long harness_sql_int(struct harness_db *db, const char *sql);
/* The first cell as text (malloc'd; NULL for SQL NULL). */
char *harness_sql_text(struct harness_db *db, const char *sql);
/* Runs a statement as the admin; exits on error. */
void harness_sql(struct harness_db *db, const char *sql);

/* A free TCP port on 127.0.0.1. */
int harness_free_port(void);
/* Sleeps for ms milliseconds. */
void harness_sleep_ms(int ms);

/* Fills db for an existing database `name` on the cluster whose socket
 * folder is `host` (the same URLs as harness_db_create) and opens the admin
 * connection; nothing is created, and harness_db_drop must not be called.
 * For a test that runs a cluster of its own. Exits on failure. */
void harness_db_open(struct harness_db *db, const char *host, const char *name);
/* Closes the admin connection of harness_db_open (the database stays). */
void harness_db_close(struct harness_db *db);

/* True when s is a UUID in its 36-character lower-case text form. */
bool harness_is_uuid(const char *s);
/* True when s is an RFC 3339 date-time ("2024-05-01T12:00:00Z", with an
 * optional fraction, and "Z" or a "+02:00" offset). */
bool harness_is_rfc3339(const char *s);

#endif
