/* The HTTP layer at its edge, as an attacker or a careless client meets
 * it: raw sockets on loopback speak exactly the bytes each check needs
 * (libcurl would tidy them up). Ambiguous framing, bodies over the limit
 * from clients that send them without waiting, %00 and too many
 * parameters, slow clients against the deadlines and the per-address
 * connection limit, and a bind error that names its port. No database. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "capture.h"
#include "http.h"
#include "log.h"
#include "tap.h"

#define BODY_LIMIT 4096
#define HEAD_TIMEOUT_S 2
#define BODY_TIMEOUT_S 2
#define CLIENT_LIMIT 8
#define UNUSED __attribute__((unused))

static unsigned port;
static int echo_calls;  /* bodies the echo handler was handed */

static void hello_get(struct http_request *req, void *app UNUSED)
{
	http_reply(req, 200, "text/plain", "hi", 2);
}

static void echo_post(struct http_request *req, void *app UNUSED)
{
	size_t len;
	const char *body = http_body(req, &len);

	__atomic_add_fetch(&echo_calls, 1, __ATOMIC_SEQ_CST);
	http_reply(req, 200, "text/plain", body, len);
}

static void item_get(struct http_request *req, void *app UNUSED)
{
	const char *p = http_path_param(req);
	http_reply(req, 200, "text/plain", p, strlen(p));
}

static const struct http_route routes[] = {
	{ "GET", "/hello", hello_get },
	{ "POST", "/echo", echo_post },
	{ "GET", "/items/*", item_get },
};

/* ---- raw connections ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connection to the server from the loopback address `from`
 * ("127.0.0.2" plays another client than "127.0.0.1"); -1 on failure. */
static int dial(const char *from)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, from, &src.sin_addr);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Sends everything; false when the server closed or reset meanwhile. */
static bool send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads until the server closes or `wait_s` passes; true when it closed. */
static bool read_all(int fd, struct buf *out, double wait_s)
{
	double until = now_s() + wait_s;
	char chunk[4096];

	for (;;) {
		int ms = (int)((until - now_s()) * 1000);
		struct pollfd p = { fd, POLLIN, 0 };
		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			return false;
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);
		if (n <= 0)
			return n == 0 || errno == ECONNRESET;
		if (buf_append(out, chunk, (size_t)n) != 0)
			abort();
	}
}

/* One exchange: sends `req` (len bytes) whole, as Python's urllib does,
 * then reads what comes back within wait_s. */
struct exchange {
	struct buf got;   /* every byte the server sent */
	bool closed;      /* the server closed the connection */
	int answers;      /* status lines in got */
	double seconds;   /* how long until closed or given up */
};

static void exchange(const char *req, size_t len, double wait_s, struct exchange *x)
{
	int fd = dial("127.0.0.1");
	double t0 = now_s();

	memset(x, 0, sizeof *x);
	if (fd < 0 || !send_all(fd, req, len))
		diag("send failed: %s", strerror(errno));
	if (fd >= 0)
		x->closed = read_all(fd, &x->got, wait_s);
	x->seconds = now_s() - t0;
	if (buf_append(&x->got, "", 0) != 0)
		abort();
	for (const char *p = x->got.data; (p = strstr(p, "HTTP/1.1 ")); p++)
		x->answers++;
	if (fd >= 0)
		close(fd);
}

/* The body of the answer in x (after the blank line), or "". */
static const char *body_of(const struct exchange *x)
{
	const char *p = strstr(x->got.data, "\r\n\r\n");
	return p ? p + 4 : "";
}

static bool starts(const struct exchange *x, const char *status_line)
{
	return strncmp(x->got.data, status_line, strlen(status_line)) == 0;
}

/* ---- framing ---------------------------------------------------------------- */

/* Checks one request that must be refused and closed, with exactly one
 * answer and none of its smuggled content served. */
static void refused(const char *name, const char *req, const char *status_line,
                    const char *body)
{
	struct exchange x;

	exchange(req, strlen(req), 10, &x);
	ok(starts(&x, status_line), "%s: %s", name, status_line);
	is_str(body_of(&x), body, "%s: error body", name);
	is_int(x.answers, 1, "%s: exactly one answer", name);
	ok(x.closed && x.seconds < 5, "%s: connection closed at once (%.1f s)", name, x.seconds);
	buf_free(&x.got);
}

static void test_framing(void)
{
	int before = echo_calls;

	refused("Content-Length and chunked, a request smuggled behind",
	        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
	        "HTTP/1.1 400 ", "{\"error\":\"malformed_request\",\"message\":\"the request "
	        "has both Content-Length and Transfer-Encoding; send one of them\"}");
	refused("two different Content-Length",
	        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n"
	        "\r\nabcde", "HTTP/1.1 400 ", "{\"error\":\"malformed_request\",\"message\":"
	        "\"the request has Content-Length headers that differ\"}");
	static const char *const codings[] = { "identity", "gzip, chunked", "chunked " };
	for (size_t i = 0; i < ARRAY_LEN(codings); i++) {
		char req[256], name[64];
		snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
		         "%s\r\n\r\n3\r\nabc\r\n0\r\n\r\n", codings[i]);
		snprintf(name, sizeof name, "Transfer-Encoding '%s'", codings[i]);
		refused(name, req, "HTTP/1.1 501 ", "{\"error\":\"not_implemented\",\"message\":"
		        "\"the only Transfer-Encoding understood is chunked\"}");
	}
	is_int(echo_calls, before, "no refused body reached the handler");

	struct exchange x;
	static const char same[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	                           "Content-Length: 3\r\nConnection: close\r\n\r\nabc";
	exchange(same, sizeof same - 1, 10, &x);
	ok(starts(&x, "HTTP/1.1 200 ") && strcmp(body_of(&x), "abc") == 0,
	   "two equal Content-Length: 200, the body read once");
	buf_free(&x.got);

	/* libmicrohttpd answers these itself, before any code of ours runs
	 * (docs/operations.md): what matters is 400, the handler never called,
	 * and the connection closed. */
	static const char *const lengths[] = { "-1", "+95", "0x10" };
	for (size_t i = 0; i < ARRAY_LEN(lengths); i++) {
		char req[160];
		int n = snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\nHost: x\r\n"
		                 "Content-Length: %s\r\n\r\nabc", lengths[i]);
		exchange(req, (size_t)n, 10, &x);
		ok(starts(&x, "HTTP/1.1 400 ") && x.closed,
		   "Content-Length '%s': 400 and closed", lengths[i]);
		buf_free(&x.got);
	}
	is_int(echo_calls, before + 1, "only the well-framed body reached the handler");
}

/* ---- bodies over the limit ------------------------------------------------ */

static const char too_large[] = "{\"error\":\"body_too_large\",\"message\":"
                                "\"the body is larger than the limit of 4096 bytes\"}";

/* A POST to path with a chunked body of 100 KiB, into req. */
static void chunked_100k(struct buf *req, const char *path)
{
	buf_reset(req);
	if (buf_printf(req, "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
	               path) != 0)
		abort();
	for (int i = 0; i < 100; i++)
		if (buf_printf(req, "400\r\n%01024d\r\n", 0) != 0)
			abort();
	if (buf_puts(req, "0\r\n\r\n"))
		abort();
}

/* A client that sends a large body whole before it reads (no Expect)
 * must still read the 413: it is sent first, the rest is read and dropped. */
static void test_too_large(void)
{
	size_t body_len = 1000 * 1000;
	struct buf req = BUF_INIT;
	int seen = 0;

	if (buf_printf(&req, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
	               body_len) != 0)
		abort();
	char *body = malloc(body_len);
	if (!body)
		abort();
	memset(body, 'x', body_len);
	if (buf_append(&req, body, body_len) != 0)
		abort();
	free(body);
	for (int i = 0; i < 20; i++) {
		struct exchange x;
		exchange(req.data, req.len, 10, &x);
		seen += starts(&x, "HTTP/1.1 413 ") && strcmp(body_of(&x), too_large) == 0;
		buf_free(&x.got);
	}
	is_int(seen, 20, "1 MB sent whole without Expect: 20 of 20 clients read the 413");

	/* Chunked, growing past the limit while it arrives. */
	chunked_100k(&req, "/echo");
	struct exchange x;
	exchange(req.data, req.len, 10, &x);
	ok(starts(&x, "HTTP/1.1 413 ") && strcmp(body_of(&x), too_large) == 0,
	   "100 KiB chunked without Expect: 413 read");
	ok(x.closed, "  and the connection closed");
	buf_free(&x.got);

	/* No route reads no more than the limit either. */
	chunked_100k(&req, "/nowhere");
	exchange(req.data, req.len, 10, &x);
	ok(starts(&x, "HTTP/1.1 413 "), "100 KiB chunked to a path with no route: 413, not "
	   "read to the end");
	buf_free(&x.got);
	buf_free(&req);
}

/* ---- targets ---------------------------------------------------------------- */

static void get(const char *target, struct exchange *x)
{
	char req[16384];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	                 target);
	exchange(req, (size_t)n, 10, x);
}

/* "/hello?p0=1&p1=1..." with n parameters, into t. */
static void params_target(struct buf *t, int n)
{
	buf_reset(t);
	if (buf_puts(t, "/hello?"))
		abort();
	for (int i = 0; i < n; i++)
		if (buf_printf(t, "%sp%d=1", i ? "&" : "", i) != 0)
			abort();
}

static void test_targets(void)
{
	struct exchange x;
	static const char nul[] = "{\"error\":\"malformed_request\",\"message\":\"the request "
	                          "target holds %00, a NUL byte, which no path or parameter accepts\"}";

	get("/items/a%00b", &x);
	ok(starts(&x, "HTTP/1.1 400 "), "%%00 in the path: 400");
	is_str(body_of(&x), nul, "%%00 in the path: error body");
	buf_free(&x.got);
	get("/hello?a=x%00y", &x);
	ok(starts(&x, "HTTP/1.1 400 ") && strcmp(body_of(&x), nul) == 0, "%%00 in a parameter: 400");
	buf_free(&x.got);
	get("/items/a%2500b", &x);
	is_str(body_of(&x), "a%00b", "%%2500 is the text %%00, not a NUL: served");
	buf_free(&x.got);

	struct buf t = BUF_INIT;
	params_target(&t, 500);
	get(t.data, &x);
	ok(starts(&x, "HTTP/1.1 400 "), "500 query parameters: 400");
	is_str(body_of(&x), "{\"error\":\"invalid_parameter\",\"message\":\"the request has "
	       "more query parameters than the 64 accepted\"}", "500 parameters: JSON error");
	buf_free(&x.got);
	params_target(&t, 64);
	get(t.data, &x);
	ok(starts(&x, "HTTP/1.1 200 "), "64 query parameters: served");
	buf_free(&x.got);
	buf_free(&t);
}

/* ---- slow clients ------------------------------------------------------------ */

static size_t discard(char *p UNUSED, size_t size, size_t n, void *ud UNUSED)
{
	return size * n;
}

/* 200 from /hello over libcurl within 2 s, from 127.0.0.1. */
static bool probe_ok(void)
{
	char url[64];
	long status = 0;
	CURL *h = curl_easy_init();

	snprintf(url, sizeof url, "http://127.0.0.1:%u/hello", port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	return status == 200;
}

/* True when the server has closed fd (end of input or reset). */
static bool peer_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* The old attack: 64 connections from one address, each sending a header
 * line now and then and never finishing its head. Other clients are served
 * throughout, the attacker holds at most its per-address share, and every
 * attacking connection is closed once the head deadline has passed. */
static void test_slow_head(void)
{
	enum { ATTACKERS = 64 };
	int fds[ATTACKERS], probes = 0, served = 0;

	for (int i = 0; i < ATTACKERS; i++) {
		fds[i] = dial("127.0.0.2");
		if (fds[i] >= 0)
			send_all(fds[i], "GET /hello HTTP/1.1\r\n", 21);
	}
	double t0 = now_s();
	while (now_s() - t0 < HEAD_TIMEOUT_S + 2.0) {
		for (int i = 0; i < ATTACKERS; i++)
			if (fds[i] >= 0)
				send_all(fds[i], "X-Slow: 1\r\n", 11);
		probes++;
		served += probe_ok();
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	is_int(served, probes, "slow-header attack from 127.0.0.2: %d of %d probes from "
	       "127.0.0.1 answered", served, probes);
	int open_left = 0;
	for (int i = 0; i < ATTACKERS; i++) {
		if (fds[i] >= 0 && !peer_closed(fds[i]))
			open_left++;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	is_int(open_left, 0, "every attacking connection closed after the %d s head deadline",
	       HEAD_TIMEOUT_S);
}

/* The per-address limit: the ninth connection from one address is closed
 * at once while eight are open. */
static void test_client_limit(void)
{
	int fds[CLIENT_LIMIT + 1];

	for (int i = 0; i <= CLIENT_LIMIT; i++)
		fds[i] = dial("127.0.0.3");
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	int closed = 0;
	for (int i = 0; i <= CLIENT_LIMIT; i++)
		closed += fds[i] < 0 || peer_closed(fds[i]);
	is_int(closed, 1, "%d connections from one address: exactly one refused", CLIENT_LIMIT + 1);
	for (int i = 0; i <= CLIENT_LIMIT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* A body trickled a byte at a time is cut at the body deadline, and an
 * idle kept-alive connection at the head deadline. */
static void test_slow_body_and_idle(void)
{
	int fd = dial("127.0.0.4");
	static const char head[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";
	double t0 = now_s();

	send_all(fd, head, sizeof head - 1);
	while (!peer_closed(fd) && now_s() - t0 < BODY_TIMEOUT_S + 5) {
		send_all(fd, "x", 1);
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	double took = now_s() - t0;
	ok(took >= BODY_TIMEOUT_S - 0.5 && took < BODY_TIMEOUT_S + 2,
	   "a trickled body is cut at the %d s body deadline (%.1f s)", BODY_TIMEOUT_S, took);
	close(fd);

	struct buf got = BUF_INIT;
	fd = dial("127.0.0.4");
	t0 = now_s();
	send_all(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 33);
	bool closed = read_all(fd, &got, HEAD_TIMEOUT_S + 5);
	took = now_s() - t0;
	ok(closed && got.data && strncmp(got.data, "HTTP/1.1 200 ", 13) == 0 &&
	   took >= HEAD_TIMEOUT_S - 0.5 && took < HEAD_TIMEOUT_S + 2,
	   "an idle kept-alive connection is closed at the head deadline (%.1f s)", took);
	buf_free(&got);
	close(fd);
}

/* ---- the server ------------------------------------------------------------ */

static struct http_server_config config(const char *listen)
{
	return (struct http_server_config){ .listen = listen, .connection_limit = 256,
		.client_limit = CLIENT_LIMIT, .body_limit = BODY_LIMIT, .timeout_s = 30,
		.head_timeout_s = HEAD_TIMEOUT_S, .body_timeout_s = BODY_TIMEOUT_S };
}

/* A second server on a port in use fails, and the log names that port. */
static void test_bind_error(struct capture *log)
{
	char listen[32], want[48];
	struct buf text = BUF_INIT;

	snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
	struct http_server_config cfg = config(listen);
	struct http_server *second = http_server_start(&cfg, routes, ARRAY_LEN(routes), NULL);
	ok(second == NULL, "a second server on port %u does not start", port);
	http_server_stop(second);
	capture_read(log, &text);
	snprintf(want, sizeof want, "port %u", port);
	ok(strstr(text.data, want) != NULL, "the bind error names port %u", port);
	ok(strstr(text.data, "port 0") == NULL, "no message speaks of port 0");
	buf_free(&text);
}

/* On a port the kernel chooses. */
static struct http_server *server_start(void)
{
	struct http_server_config cfg = config("127.0.0.1:0");
	struct http_server *srv = http_server_start(&cfg, routes, ARRAY_LEN(routes), NULL);

	if (srv)
		port = http_server_port(srv);
	return srv;
}

int main(void)
{
	struct capture log;

	capture_start(&log);
	log_init("test_http_edge");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct http_server *srv = server_start();
	if (!ok(srv != NULL, "server started on a free loopback port"))
		return tap_done();
	test_framing();
	test_too_large();
	test_targets();
	test_client_limit();
	test_slow_head();
	test_slow_body_and_idle();
	test_bind_error(&log);
	http_server_stop(srv);
	capture_end(&log);
	curl_global_cleanup();
	return tap_done();
}
