/* The integration tests' harness; see harness.h. Failures of the harness
 * itself (not of the code under test) print "Bail out!" and exit, so a broken
 * environment never reads as a passing test. */
#include "harness.h"
#include "compiler.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const char *harness_cacert;

__attribute__((noreturn, format(printf, 1, 2)))
static void bail(const char *fmt, ...)
{
	va_list ap;
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

void harness_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *harness_program(const char *relative)
{
	static __thread char path[512];
	const char *build = getenv("SAMLAD_BUILD_DIR");
	snprintf(path, sizeof path, "%s/%s", build ? build : "build", relative);
	return path;
}

/* Connects as the superuser to the maintenance database. */
static PGconn *connect_super(const char *host)
{
	char url[512];
	snprintf(url, sizeof url, "postgresql:///postgres?host=%s&user=postgres", host);
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		bail("cannot connect to the test cluster: %s", PQerrorMessage(c));
	return c;
}

static void exec_or_bail(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		bail("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

void harness_db_create(struct harness_db *db, const char *tag)
{
	const char *host = getenv("SAMLAD_TEST_PGHOST");
	const char *tmpl = getenv("SAMLAD_TEST_TEMPLATE");
	char sql[256];

	if (!host || !tmpl)
	{
		printf("1..0 # SKIP no test cluster (run scripts/test.sh)\n");
		exit(0);
	}
	memset(db, 0, sizeof *db);
	snprintf(db->host, sizeof db->host, "%s", host);
	snprintf(db->name, sizeof db->name, "t_%s_%d", tag, (int)getpid());
	PGconn *super = connect_super(host);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db->name);
	exec_or_bail(super, sql);
	/* CREATE DATABASE ... TEMPLATE fails while another test copies the
	 * template at the same instant; retry briefly. */
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s OWNER samlad_admin",
	         db->name, tmpl);
	for (int i = 0;; i++) {
		PGresult *r = PQexec(super, sql);
		bool done = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (done)
			break;
		if (i == 100)
			bail("%s: %s", sql, PQerrorMessage(super));
		harness_sleep_ms(100);
	}
	PQfinish(super);
	snprintf(db->admin_url, sizeof db->admin_url,
	         "postgresql:///%s?host=%s&user=samlad_admin", db->name, host);
	snprintf(db->collector_url, sizeof db->collector_url,
	         "postgresql:///%s?host=%s&user=samlad_collector", db->name, host);
	snprintf(db->aggregator_url, sizeof db->aggregator_url,
	         "postgresql:///%s?host=%s&user=samlad_aggregator", db->name, host);
	db->admin = PQconnectdb(db->admin_url);
	if (PQstatus(db->admin) != CONNECTION_OK)
		bail("cannot connect as admin: %s", PQerrorMessage(db->admin));
}

void harness_db_drop(struct harness_db *db)
{
	char sql[128];
	if (db->admin)
		PQfinish(db->admin);
	db->admin = NULL;
	PGconn *super = connect_super(db->host);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
	exec_or_bail(super, sql);
	PQfinish(super);
}

int harness_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		bail("cannot find a free port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

/* Forks and execs argv with stderr to log_path; returns the pid. */
static pid_t spawn_logged(const char *const *argv, const char *log_path)
{
	pid_t pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static bool healthy(const char *base_url)
{
	char url[128];
	struct http_result r;
	snprintf(url, sizeof url, "%s/healthz", base_url);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	bool up = r.status == 200;
	http_result_free(&r);
	return up;
}

int harness_start(struct harness_proc *p, const char *program,
                  const char *db_url, const char *const *extra)
{
	const char *argv[32];
	char listen[32];
	size_t n = 0;

	memset(p, 0, sizeof *p);
	p->port = harness_free_port();
	snprintf(listen, sizeof listen, "127.0.0.1:%d", p->port);
	bool tls = false;
	for (size_t i = 0; extra && extra[i]; i++)
		tls |= strcmp(extra[i], "--tls-cert") == 0;
	snprintf(p->base_url, sizeof p->base_url, "%s://%s", tls ? "https" : "http", listen);
	snprintf(p->log_path, sizeof p->log_path, "%s/%s-%d-%d.log",
	         getenv("SAMLAD_BUILD_DIR") ? getenv("SAMLAD_BUILD_DIR") : "/tmp",
	         strrchr(program, '/') ? strrchr(program, '/') + 1 : program,
	         (int)getpid(), p->port);
	argv[n++] = program;
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--database-url";
	argv[n++] = db_url;
	for (size_t i = 0; extra && extra[i] && n < ARRAY_LEN(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	p->pid = spawn_logged(argv, p->log_path);
	for (int i = 0; i < 300; i++) {
		if (healthy(p->base_url))
			return 0;
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = 0;
			return -1;
		}
		harness_sleep_ms(50);
	}
	return -1;
}

int harness_stop(struct harness_proc *p)
{
	int status;
	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		harness_sleep_ms(50);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	p->pid = 0;
	return -1;
}

/* Reads everything from fd into b (b may be NULL: the data is dropped). */
static void drain(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && b && buf_append(b, chunk, (size_t)n) != 0)
			bail("out of memory");
}

/* The child side of harness_run: wires the pipes, adds env, execs. */
__attribute__((noreturn))
static void run_child(const char *const *argv, const char *const *env,
                      int in, int out, int err)
{
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	for (size_t i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int harness_run(const char *const *argv, const char *const *env,
                const char *input, struct buf *out, struct buf *err)
{
	char outpath[] = "/tmp/samlad-run-out.XXXXXX";
	char errpath[] = "/tmp/samlad-run-err.XXXXXX";
	char inpath[] = "/tmp/samlad-run-in.XXXXXX";
	int fo = mkstemp(outpath), fe = mkstemp(errpath), fi = mkstemp(inpath);
	int status = -1;

	if (fo < 0 || fe < 0 || fi < 0)
		bail("mkstemp: %s", strerror(errno));
	unlink(outpath), unlink(errpath), unlink(inpath);
	if (input && write(fi, input, strlen(input)) < 0)
		bail("write: %s", strerror(errno));
	lseek(fi, 0, SEEK_SET);
	pid_t pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0)
		run_child(argv, env, fi, fo, fe);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	lseek(fo, 0, SEEK_SET), lseek(fe, 0, SEEK_SET);
	drain(fo, out);
	drain(fe, err);
	close(fo), close(fe), close(fi);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_push(const char *const *args, const char *const *env, struct buf *out,
                 struct buf *err)
{
	const char *argv[16] = { harness_program("tools/samlad-push") };
	size_t n = 1;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (out)
		buf_reset(out);
	if (err)
		buf_reset(err);
	return harness_run(argv, env, NULL, out, err);
}

char *harness_token(const struct harness_db *db, const char *role, const char *agency)
{
	char url_env[600];
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *argv[] = { harness_program("tools/samlad-admin"), "token", "create",
	                       "--role", role, agency ? "--agency" : NULL, agency, NULL };
	const char *env[] = { url_env, NULL };

	snprintf(url_env, sizeof url_env, "DATABASE_URL=%s", db->admin_url);
	if (harness_run(argv, env, NULL, &out, &err) != 0)
		bail("token create failed: %s", err.data ? err.data : "");
	while (out.len && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == '\r'))
		out.data[--out.len] = '\0';
	char *last = strrchr(out.data, '\n');
	char *token = strdup(last ? last + 1 : out.data);
	buf_free(&out);
	buf_free(&err);
	return token;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	if (buf_append(userdata, ptr, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

/* Builds the header list of a request; the caller frees it. */
static struct curl_slist *request_headers(const char *token, const char *content_type,
                                          const char *const *headers)
{
	struct curl_slist *h = NULL;
	char line[512];

	if (token) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, line);
	}
	if (content_type) {
		snprintf(line, sizeof line, "Content-Type: %s", content_type);
		h = curl_slist_append(h, line);
	}
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	return h;
}

int http_do(const char *method, const char *url, const char *token,
            const char *content_type, const char *body, size_t len,
            const char *const *headers, struct http_result *out)
{
	memset(out, 0, sizeof *out);
	CURL *c = curl_easy_init();
	struct curl_slist *h = request_headers(token, content_type, headers);

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (harness_cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, harness_cacert);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	else
		snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
	if (!out->body.data && buf_append(&out->body, "", 0) != 0)
		bail("out of memory");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void http_result_free(struct http_result *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
}

bool http_result_header(const struct http_result *r, const char *name,
                        char *out, size_t size)
{
	size_t nlen = strlen(name);
	const char *p = r->headers.data;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
		if (linelen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
			const char *v = p + nlen + 1;
			while (*v == ' ')
				v++;
			size_t vlen = (size_t)(p + linelen - v);
			while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
				vlen--;
			snprintf(out, size, "%.*s", (int)vlen, v);
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

static PGresult *query_or_bail(struct harness_db *db, const char *sql)
{
	PGresult *r = PQexec(db->admin, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		bail("%s: %s", sql, PQerrorMessage(db->admin));
	return r;
}

long long harness_sql_int(struct harness_db *db, const char *sql)
{
	PGresult *r = query_or_bail(db, sql);
	if (PQntuples(r) < 1 || PQgetisnull(r, 0, 0))
		bail("%s: no value", sql);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

char *harness_sql_text(struct harness_db *db, const char *sql)
{
	PGresult *r = query_or_bail(db, sql);
	char *v = NULL;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

void harness_sql(struct harness_db *db, const char *sql)
{
	PQclear(query_or_bail(db, sql));
}

void harness_db_open(struct harness_db *db, const char *host, const char *name)
{
	memset(db, 0, sizeof *db);
	snprintf(db->host, sizeof db->host, "%s", host);
	snprintf(db->name, sizeof db->name, "%s", name);
	snprintf(db->admin_url, sizeof db->admin_url,
	         "postgresql:///%s?host=%s&user=samlad_admin", name, host);
	snprintf(db->collector_url, sizeof db->collector_url,
	         "postgresql:///%s?host=%s&user=samlad_collector", name, host);
	snprintf(db->aggregator_url, sizeof db->aggregator_url,
	         "postgresql:///%s?host=%s&user=samlad_aggregator", name, host);
	db->admin = PQconnectdb(db->admin_url);
	if (PQstatus(db->admin) != CONNECTION_OK)
		bail("cannot connect as admin: %s", PQerrorMessage(db->admin));
}

void harness_db_close(struct harness_db *db)
{
	if (db->admin)
		PQfinish(db->admin);
	db->admin = NULL;
}

/* True when s starts with text of the given shape: 'x' stands for a
 * lower-case hex digit, '9' for a digit, any other character for itself. */
static bool shape_is(const char *s, const char *shape)
{
	for (; *shape; s++, shape++) {
		if (*shape == 'x' && !(isdigit((unsigned char)*s) || (*s >= 'a' && *s <= 'f')))
			return false;
		if (*shape == '9' && !isdigit((unsigned char)*s))
			return false;
		if (*shape != 'x' && *shape != '9' && *s != *shape)
			return false;
	}
	return true;
}

bool harness_is_uuid(const char *s)
{
	return s && strlen(s) == 36 && shape_is(s, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
}

bool harness_is_rfc3339(const char *s)
{
	if (!s || strlen(s) < 20 || !shape_is(s, "9999-99-99T99:99:99"))
		return false;
	s += 19;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return false;
		for (s++; isdigit((unsigned char)*s); s++)
			;
	}
	if (strcmp(s, "Z") == 0)
		return true;
	return strlen(s) == 6 && (*s == '+' || *s == '-') && shape_is(s + 1, "99:99");
}

int harness_admin(const char *admin_url, const char *const *args, struct buf *out,
                  struct buf *err)
{
	const char *argv[24] = { harness_program("tools/samlad-admin") };
	char url[600];
	const char *env[] = { url, NULL };
	size_t n = 1;

	while (args[n - 1] && n < ARRAY_LEN(argv) - 1) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	snprintf(url, sizeof url, "DATABASE_URL=%s", admin_url);
	buf_reset(out);
	buf_reset(err);
	return harness_run(argv, env, NULL, out, err);
}

int harness_log_count(const struct harness_proc *p, const char *what)
{
	FILE *f = fopen(p->log_path, "r");
	char line[1024];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

void harness_write_text(const char *dir, const char *name, const char *content)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(content, fp) < 0 || fclose(fp) != 0)
		bail("cannot write %s", path);
}

char *harness_read_text(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			bail("out of memory reading %s", path);
	if (fp)
		fclose(fp);
	if (!b.data && buf_puts(&b, "") != 0)
		bail("out of memory");
	return buf_steal(&b);
}
