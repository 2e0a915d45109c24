/* samlad-push against the real collector. The retry case goes through a
 * small TCP proxy inside the test: on its first connection it forwards the
 * request, lets the collector answer in full (so the batch IS stored), and
 * then hangs up on the client without passing the answer on. The client must
 * retry with the same Idempotency-Key and get the original receipt, and the
 * batch must be stored once. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

/* What the proxy does with its first connection. */
enum proxy_mode {
	PROXY_SWALLOW_FIRST,  /* forward, read the whole answer, hang up without it */
	PROXY_503_FIRST,      /* answer 503 database_unavailable with Retry-After: 1 */
};

/* A one-connection-at-a-time TCP proxy in front of the collector. */
struct proxy {
	int listen_fd;          /* bound to 127.0.0.1:port */
	int port;               /* where clients connect */
	int upstream_port;      /* the collector's port */
	enum proxy_mode mode;   /* what happens to connection 1 */
	pthread_t thread;       /* runs proxy_run */
	int connections;        /* accepted so far; read after the join */
	long swallowed_status;  /* the collector's status on connection 1 (SWALLOW) */
	atomic_int stop;        /* set by the test to end the thread */
};

static int listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The Content-Length of a header block (0 when absent). */
static size_t content_length(const char *head, size_t head_len)
{
	const char *p = head;
	while (p < head + head_len) {
		const char *eol = memchr(p, '\n', (size_t)(head + head_len - p));
		if (!eol)
			break;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			return (size_t)strtoull(p + 15, NULL, 10);
		p = eol + 1;
	}
	return 0;
}

/* Reads one whole HTTP message (head and Content-Length body) into b. */
static int read_message(int fd, struct buf *b)
{
	char chunk[8192];
	for (;;) {
		char *end = b->data ? strstr(b->data, "\r\n\r\n") : NULL;
		if (end) {
			size_t head = (size_t)(end - b->data) + 4;
			if (b->len >= head + content_length(b->data, head))
				return 0;
		}
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf_append(b, chunk, (size_t)n) != 0)
			return -1;
	}
}

/* Connection 1 in SWALLOW mode: the collector answers, the client never hears. */
static void proxy_swallow(struct proxy *p, int client)
{
	struct buf req = BUF_INIT, resp = BUF_INIT;
	int up = connect_loopback(p->upstream_port);

	if (up >= 0 && read_message(client, &req) == 0 && write_all(up, req.data, req.len) == 0 &&
	    read_message(up, &resp) == 0)
		sscanf(resp.data, "HTTP/1.%*d %ld", &p->swallowed_status);
	if (up >= 0)
		close(up);
	buf_free(&req);
	buf_free(&resp);
}

/* Connection 1 in 503 mode: an answer as the collector gives with PostgreSQL down. */
static void proxy_unavailable(int client)
{
	static const char body[] =
		"{\"error\":\"database_unavailable\",\"message\":\"the database cannot be reached\"}";
	char resp[512];
	struct buf req = BUF_INIT;

	if (read_message(client, &req) == 0) {
		int n = snprintf(resp, sizeof resp, "HTTP/1.1 503 Service Unavailable\r\n"
		                 "Content-Type: application/json\r\nRetry-After: 1\r\n"
		                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		                 sizeof body - 1, body);
		if (write_all(client, resp, (size_t)n) != 0)
			diag("proxy: could not write the 503");
	}
	buf_free(&req);
}

/* Later connections: bytes both ways until either side closes. */
static void proxy_pump(struct proxy *p, int client)
{
	char chunk[16384];
	int up = connect_loopback(p->upstream_port);
	struct pollfd fds[2] = { { client, POLLIN, 0 }, { up, POLLIN, 0 } };

	while (up >= 0 && !p->stop) {
		if (poll(fds, 2, 200) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
			if (n <= 0 || write_all(fds[1 - i].fd, chunk, (size_t)n) != 0)
				goto done;
		}
	}
done:
	if (up >= 0)
		close(up);
}

static void *proxy_run(void *arg)
{
	struct proxy *p = arg;
	struct pollfd pfd = { p->listen_fd, POLLIN, 0 };

	while (!p->stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		int client = accept(p->listen_fd, NULL, NULL);
		if (client < 0)
			continue;
		if (++p->connections == 1 && p->mode == PROXY_SWALLOW_FIRST)
			proxy_swallow(p, client);
		else if (p->connections == 1)
			proxy_unavailable(client);
		else
			proxy_pump(p, client);
		close(client);
	}
	return NULL;
}

static int proxy_start(struct proxy *p, int upstream_port, enum proxy_mode mode)
{
	memset(p, 0, sizeof *p);
	p->upstream_port = upstream_port;
	p->mode = mode;
	p->listen_fd = listen_loopback(&p->port);
	if (p->listen_fd < 0)
		return -1;
	return pthread_create(&p->thread, NULL, proxy_run, p) == 0 ? 0 : -1;
}

static void proxy_stop(struct proxy *p)
{
	p->stop = 1;
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
}

static struct harness_db db;
static struct harness_proc collector;
static char *token;
static char token_env[256];
static char dir[] = "/tmp/samlad-push-test.XXXXXX";

/* Writes a file into the test's folder; returns its path (static per slot). */
static const char *write_file(int slot, const char *name, const char *content)
{
	static char paths[11][320];
	snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
	FILE *f = fopen(paths[slot], "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", paths[slot]);
		exit(1);
	}
	return paths[slot];
}

/* Runs samlad-push with argv after the program name; env is SAMLAD_TOKEN
 * unless `env` says otherwise. */
static int push(const char *const *args, const char *const *env, struct buf *out, struct buf *err)
{
	const char *default_env[] = { token_env, NULL };

	return harness_push(args, env ? env : default_env, out, err);
}

static bool contains(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s) != NULL;
}

static long long count(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return harness_sql_int(&db, sql);
}

/* Checks that stdout is exactly one receipt line that matches the stored
 * submission, and returns its uuid in uuid_out. */
static void check_printed_receipt(const char *what, const struct buf *out, long long rows,
                                  long long created, char *uuid_out, size_t size)
{
	char sql[512];
	const char *nl = out->data ? strchr(out->data, '\n') : NULL;
	ok(nl && nl[1] == '\0', "%s: stdout is one line", what);
	cJSON *r = cJSON_Parse(out->data ? out->data : "");
	const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "submission"));
	const cJSON *jrows = cJSON_GetObjectItemCaseSensitive(r, "rows");
	const cJSON *jcreated = cJSON_GetObjectItemCaseSensitive(r, "created");
	ok(harness_is_uuid(uuid), "%s: the receipt names a submission", what);
	is_int(cJSON_IsNumber(jrows) ? jrows->valuedouble : -1, rows, "%s: receipt rows", what);
	is_int(cJSON_IsNumber(jcreated) ? jcreated->valuedouble : -1, created,
	       "%s: receipt created", what);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM submission WHERE uuid = '%s'"
	         " AND rows = %lld AND created = %lld", uuid ? uuid : "00000000-0000-0000-0000-000000000000",
	         rows, created);
	is_int(harness_sql_int(&db, sql), 1, "%s: the printed receipt is the stored submission", what);
	snprintf(uuid_out, size, "%s", uuid ? uuid : "");
	cJSON_Delete(r);
}

static const char retry_csv[] =
	"indicator,area,period,value\n"
	"bup.nya_barn,0581-hageby,2024Q3,12\n"
	"bup.nya_barn,0581-navestad,2024Q3,7\n"
	"bup.nya_barn,0581-marielund,2024Q3,0\n"
	"bup.nya_barn,0182-boo,2024Q3,3\n"
	"bup.nya_barn,0182-alta,2024Q3,21\n";

static void test_swallowed_answer(void)
{
	struct proxy px;
	struct buf out = BUF_INIT, err = BUF_INIT;
	char url[64], uuid[64], sql[256];
	const char *file = write_file(0, "q3.csv", retry_csv);

	if (proxy_start(&px, collector.port, PROXY_SWALLOW_FIRST) != 0) {
		printf("Bail out! the proxy did not start\n");
		exit(1);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d", px.port);
	const char *args[] = { "--url", url, "--backoff", "50", file, NULL };
	int rc = push(args, NULL, &out, &err);
	proxy_stop(&px);
	is_int(rc, 0, "retried push: exit 0");
	is_int(px.swallowed_status, 201, "retried push: the first attempt was stored (201 swallowed)");
	/* An empty reply to http:// might come from an HTTPS collector, so the
	 * client tries a TLS handshake once (push_transport.c) before it
	 * retries: the attempt, that probe, and one retry. */
	is_int(px.connections, 3, "retried push: one TLS probe and exactly one retry");
	check_printed_receipt("retried push", &out, 5, 5, uuid, sizeof uuid);
	is_int(count("submission"), 1, "retried push: one submission stored");
	is_int(count("count_history"), 5, "retried push: every row stored once");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM count_history h JOIN submission s"
	         " ON s.id = h.submission_id WHERE s.uuid = '%s'", uuid);
	is_int(harness_sql_int(&db, sql), 5, "retried push: the rows belong to the printed receipt");
	is_int(count("submission WHERE idempotency_sha256 IS NOT NULL"), 1,
	       "retried push: the submission was sent with an Idempotency-Key");
	ok(contains(&err, "retrying"), "retried push: the retry is logged on stderr");
	ok(contains(&err, "original receipt"),
	   "retried push: the retry got the stored receipt back (200), not a new one");
	ok(!contains(&out, token) && !contains(&err, token), "retried push: the token is never printed");
	if (rc != 0)
		diag("stderr: %s", err.data ? err.data : "");
	buf_free(&out);
	buf_free(&err);
}

static void test_retry_after_503(void)
{
	static const char body[] =
		"{\"counts\":[{\"indicator\":\"bup.aktuella_barn\",\"area\":\"0581-hageby\","
		"\"period\":\"2024Q2\",\"value\":40},{\"indicator\":\"bup.aktuella_barn\","
		"\"area\":\"0581-skarblacka\",\"period\":\"2024Q2\",\"value\":2}]}";
	struct proxy px;
	struct buf out = BUF_INIT, err = BUF_INIT;
	char url[64], uuid[64];
	const char *file = write_file(1, "q2.json", body);
	long long before = count("count_history");

	if (proxy_start(&px, collector.port, PROXY_503_FIRST) != 0) {
		printf("Bail out! the proxy did not start\n");
		exit(1);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d", px.port);
	const char *args[] = { "--url", url, "--backoff", "50", file, NULL };
	int rc = push(args, NULL, &out, &err);
	proxy_stop(&px);
	is_int(rc, 0, "push after a 503: exit 0");
	is_int(px.connections, 2, "push after a 503: retried once");
	check_printed_receipt("push after a 503", &out, 2, 2, uuid, sizeof uuid);
	is_int(count("count_history"), before + 2, "push after a 503: the JSON rows stored once");
	ok(contains(&err, "database_unavailable"), "push after a 503: the 503 is logged");
	buf_free(&out);
	buf_free(&err);
}

static void test_nothing_listening(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char url[64];
	const char *file = write_file(2, "q1.csv",
		"indicator,area,period,value\nbup.nya_barn,0581-hageby,2024Q1,1\n");

	snprintf(url, sizeof url, "http://127.0.0.1:%d", harness_free_port());
	const char *args[] = { "--url", url, "--retries", "2", "--backoff", "10", file, NULL };
	is_int(push(args, NULL, &out, &err), 3, "nothing listening, --retries 2: exit 3");
	ok(contains(&err, "gave up after 3 attempts"), "nothing listening: gave up after 3 attempts");
	is_int(out.len, 0, "nothing listening: nothing on stdout");
	buf_free(&out);
	buf_free(&err);
}

static void test_conflicts(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char url[128];
	long long subs = count("submission"), rows = count("count_history");
	const char *csv = write_file(3, "bad.csv",
		"indicator,area,period,value\n"
		"bup.nya_barn,0581-hageby,2023Q1,1\n"
		"bup.nya_barn,0581-navestad,2023Q1,-3\n"
		"bup.nya_barn,0581-atlantis,2023Q1,4\n");
	const char *json = write_file(4, "bad.json",
		"{\"counts\":[{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
		"\"period\":\"2023Q2\",\"value\":1},{\"indicator\":\"bup.nya_barn\","
		"\"area\":\"0581-navestad\",\"period\":\"2023Q2\",\"value\":-3}]}");

	snprintf(url, sizeof url, "%s", collector.base_url);
	const char *args[] = { "--url", url, csv, NULL };
	is_int(push(args, NULL, &out, &err), 1, "a CSV with bad rows: exit 1");
	ok(contains(&err, "line 3: value: negative_count: "), "CSV: line 3's conflict on stderr");
	ok(contains(&err, "line 4: area: unknown_area: "), "CSV: line 4's conflict on stderr");
	ok(!contains(&err, "line 2:"), "CSV: the good line 2 is not listed");
	is_int(out.len, 0, "CSV: nothing on stdout");
	const char *args_json[] = { "--url", url, json, NULL };
	is_int(push(args_json, NULL, &out, &err), 1, "a JSON file with a bad row: exit 1");
	ok(contains(&err, "row 1: value: negative_count: "), "JSON: row 1's conflict on stderr");
	is_int(count("submission"), subs, "bad files: no submission stored");
	is_int(count("count_history"), rows, "bad files: no counts stored");
	buf_free(&out);
	buf_free(&err);
}

static void test_usage_and_refusals(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char bad_token[256];
	long long subs = count("submission");
	const char *good = write_file(5, "good.csv",
		"indicator,area,period,value\nbup.nya_barn,0182-boo,2022Q4,5\n");
	const char *no_token_env[] = { "SAMLAD_PUSH_UNRELATED=1", NULL };

	const char *args[] = { "--url", collector.base_url, good, NULL };
	is_int(push(args, no_token_env, &out, &err), 2, "SAMLAD_TOKEN missing: exit 2");
	ok(contains(&err, "SAMLAD_TOKEN"), "SAMLAD_TOKEN missing: says so");
	const char *empty_env[] = { "SAMLAD_TOKEN=", NULL };
	is_int(push(args, empty_env, &out, &err), 2, "SAMLAD_TOKEN empty: exit 2");
	const char *no_file[] = { "--url", collector.base_url, NULL };
	is_int(push(no_file, NULL, &out, &err), 2, "no file: exit 2");
	const char *missing[] = { "--url", collector.base_url, good, "/nonexistent/q9.csv", NULL };
	is_int(push(missing, NULL, &out, &err), 2, "an unreadable file: exit 2");
	ok(contains(&err, "/nonexistent/q9.csv"), "an unreadable file: named on stderr");
	const char *bad_opt[] = { "--url", collector.base_url, "--retries", "many", good, NULL };
	is_int(push(bad_opt, NULL, &out, &err), 2, "--retries many: exit 2");
	const char *bad_url[] = { "--url", "ftp://127.0.0.1", good, NULL };
	is_int(push(bad_url, NULL, &out, &err), 2, "an ftp:// URL: exit 2");
	const char *help[] = { "--help", NULL };
	is_int(push(help, NULL, &out, &err), 0, "--help: exit 0");
	ok(contains(&out, "--retries") && contains(&out, "--backoff") && contains(&out, "--timeout") &&
	   contains(&out, "--url"), "--help lists the options");
	is_int(count("submission"), subs, "usage errors: nothing was sent");

	snprintf(bad_token, sizeof bad_token, "SAMLAD_TOKEN=smd_999999_%s",
	         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	const char *bad_env[] = { bad_token, NULL };
	is_int(push(args, bad_env, &out, &err), 1, "an unknown token: exit 1, not retried");
	ok(contains(&err, "401 unauthorized"), "an unknown token: the status and error on stderr");
	ok(!contains(&err, "smd_999999"), "an unknown token: the token is not printed");
	is_int(count("submission"), subs, "refused: nothing stored");
	buf_free(&out);
	buf_free(&err);
}

/* A file over the collector's limit: refused before sending by the
 * client's own --body-limit; sent anyway (a client told a higher limit),
 * the collector's 413 is read and not retried. */
static void test_too_large(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT, csv = BUF_INIT;
	long long subs = count("submission");

	if (buf_puts(&csv, "indicator,area,period,value\n"))
		abort();
	while (csv.len <= 9u << 20)
		if (buf_puts(&csv, "bup.nya_barn,0182-boo,2022Q4,5\n"))
			abort();
	const char *big = write_file(8, "big.csv", csv.data);
	const char *args[] = { "--url", collector.base_url, big, NULL };
	is_int(push(args, NULL, &out, &err), 2, "9 MiB over the default --body-limit 8M: exit 2");
	ok(contains(&err, "more than the collector takes") && contains(&err, "split it"),
	   "  says to split it");
	const char *told_more[] = { "--url", collector.base_url, "--body-limit", "100M",
	                            "--backoff", "0", big, NULL };
	for (int i = 0; i < 3; i++) {
		is_int(push(told_more, NULL, &out, &err), 1, "9 MiB sent anyway (%d): exit 1", i + 1);
		ok(contains(&err, "HTTP 413 body_too_large"), "  the 413 was read");
		ok(!contains(&err, "retrying"), "  and not retried");
	}
	is_int(count("submission"), subs, "too large: nothing stored");
	buf_free(&csv);
	buf_free(&out);
	buf_free(&err);
}

/* An Excel workbook is refused before it is sent, with the collector's
 * sentence: by its bytes (a zip's PK 03 04 under a .csv name) and by its
 * name (.xlsx, .XLS). */
static void test_workbook(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	long long subs = count("submission");
	const char *zip = write_file(9, "saved.csv", "PK\x03\x04 an xlsx");
	const char *named = write_file(10, "q3.xlsx", "indicator,area,period,value\n");
#define WORKBOOK_WANT "samlad-push: %s: the file is an Excel workbook, not CSV; save it in " \
	"Excel as \"CSV UTF-8 (kommaavgr\xC3\xA4nsad) (*.csv)\" and send that file\n"
	char line[600];

	const char *a1[] = { "--url", collector.base_url, zip, NULL };
	is_int(push(a1, NULL, &out, &err), 2, "a workbook's bytes under a .csv name: exit 2");
	snprintf(line, sizeof line, WORKBOOK_WANT, zip);
	is_str(err.data ? err.data : "", line, "  the collector's sentence on stderr");
	const char *a2[] = { "--url", collector.base_url, named, NULL };
	is_int(push(a2, NULL, &out, &err), 2, "a .xlsx name: exit 2");
	snprintf(line, sizeof line, WORKBOOK_WANT, named);
	is_str(err.data ? err.data : "", line, "  the same sentence");
	is_int(count("submission"), subs, "a workbook: nothing sent or stored");
	buf_free(&out);
	buf_free(&err);
}

static void test_two_files(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	long long rows = count("count_history");
	const char *a = write_file(6, "a.csv",
		"indicator,area,period,value\r\nbup.npf_utredningar,0182-boo,2022Q1,5\r\n");
	const char *b = write_file(7, "b.JSON",
		"{\"counts\":[{\"indicator\":\"bup.npf_utredningar\",\"area\":\"0182-boo\","
		"\"period\":\"2022Q1\",\"value\":6}]}");

	const char *args[] = { "--url", collector.base_url, a, b, NULL };
	is_int(push(args, NULL, &out, &err), 0, "two files: exit 0");
	const char *nl = out.data ? strchr(out.data, '\n') : NULL;
	ok(nl && strchr(nl + 1, '\n') && strchr(nl + 1, '\n')[1] == '\0',
	   "two files: two receipt lines");
	ok(nl && strstr(nl + 1, "\"updated\":1"), "two files: the second revised the first's value");
	is_int(count("count_history"), rows + 2, "two files: both stored, in order");
	buf_free(&out);
	buf_free(&err);
}

int main(void)
{
	unsetenv("SAMLAD_TOKEN");
	unsetenv("SAMLAD_URL");
	harness_db_create(&db, "push_retry");
	token = harness_token(&db, "submitter", "bup");
	snprintf(token_env, sizeof token_env, "SAMLAD_TOKEN=%s", token);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_swallowed_answer();
	test_retry_after_503();
	test_nothing_listening();
	test_conflicts();
	test_usage_and_refusals();
	test_two_files();
	test_too_large();
	test_workbook();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	for (int i = 0; i < 11; i++) {
		static const char *const names[] = { "q3.csv", "q2.json", "q1.csv", "bad.csv",
		                                     "bad.json", "good.csv", "a.csv", "b.JSON",
		                                     "big.csv", "saved.csv", "q3.xlsx" };
		char path[320];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(token);
	harness_db_drop(&db);
	return tap_done();
}
