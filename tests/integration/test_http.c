/* The HTTP layer over real loopback sockets: a server built from
 * common/http.c with fake handlers, and libcurl as the client. No database.
 * The server's log (stderr) is captured in a temporary file and checked at
 * the end, once http_server_stop has joined every connection thread. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "capture.h"
#include "http.h"
#include "log.h"
#include "tap.h"

#define BODY_LIMIT 4096
/* The handlers ignore the app pointer: this server has no state. */
#define UNUSED __attribute__((unused))

/* ---- the fake application --------------------------------------------- */

static void hello_get(struct http_request *req, void *app UNUSED)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "hello", "world");
	http_reply_json(req, 200, o);
}

static void hello_delete(struct http_request *req, void *app UNUSED)
{
	http_reply(req, 204, NULL, NULL, 0);
}

/* Replies with the body as received; the media type goes in a header. */
static void echo_post(struct http_request *req, void *app UNUSED)
{
	size_t len;
	const char *body = http_body(req, &len);
	const char *type = http_content_type(req);
	http_add_header(req, "X-Media-Type", *type ? type : "(none)");
	http_reply(req, 200, "application/octet-stream", body, len);
}

static void item_get(struct http_request *req, void *app UNUSED)
{
	const char *p = http_path_param(req);
	http_reply(req, 200, "text/plain", p, strlen(p));
}

static void list_arg(void *ctx, const char *key, const char *value)
{
	struct buf *b = ctx;
	if (buf_printf(b, "[%s=%s]", key, value) != 0)
		abort();
}

/* Replies "a|b|each" where each lists every argument as [key=value]. */
static void query_get(struct http_request *req, void *app UNUSED)
{
	struct buf b = BUF_INIT;
	const char *a = http_query(req, "a"), *bb = http_query(req, "b");
	if (buf_printf(&b, "%s|%s|", a ? a : "(null)", bb ? bb : "(null)") != 0)
		abort();
	http_query_each(req, list_arg, &b);
	http_set_log_tag(req, "token:7");
	size_t len = b.len;
	http_reply_owned(req, 200, "text/plain", buf_steal(&b), len);
}

static void forget_get(struct http_request *req UNUSED, void *app UNUSED)
{
}

static void twice_get(struct http_request *req, void *app UNUSED)
{
	http_reply(req, 200, "text/plain", "first", 5);
	http_reply(req, 201, "text/plain", "second", 6);
}

static void error_get(struct http_request *req, void *app UNUSED)
{
	http_add_header(req, "Retry-After", "5");
	http_add_header(req, "X-Bad", "a\r\nSet-Cookie: x=1");
	http_reply_error(req, 503, "database_unavailable", "retry in %d seconds", 5);
}

static void cookie_get(struct http_request *req, void *app UNUSED)
{
	const char *c = http_cookie(req, "sid");
	const char *h = http_header(req, "x-custom");
	char out[128];
	snprintf(out, sizeof out, "%s|%s", c ? c : "(null)", h ? h : "(null)");
	http_reply(req, 200, "text/plain", out, strlen(out));
}

static const struct http_route routes[] = {
	{ "GET", "/hello", hello_get },
	{ "DELETE", "/hello", hello_delete },
	{ "POST", "/echo", echo_post },
	{ "GET", "/items/*", item_get },
	{ "GET", "/query", query_get },
	{ "GET", "/forget", forget_get },
	{ "GET", "/twice", twice_get },
	{ "GET", "/error", error_get },
	{ "GET", "/cookie", cookie_get },
};

/* ---- the client -------------------------------------------------------- */

static char base_url[64];
static int responses;  /* responses received; each must have one log line */

struct reply {
	long status;       /* HTTP status, 0 when the transfer failed */
	struct buf body;   /* response body */
	struct buf head;   /* raw response headers */
	long connects;     /* new connections this transfer made */
	curl_off_t sent;   /* body bytes uploaded */
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	return buf_append(ud, p, size * n) == 0 ? size * n : 0;
}

/* The value of response header `name` (first match), copied into out. */
static const char *header_of(const struct reply *r, const char *name, char *out,
                             size_t size)
{
	size_t n = strlen(name);
	const char *p = r->head.data;

	while (p && *p) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* A body libcurl reads piece by piece, so that it goes out chunked. */
struct upload {
	const char *data;  /* what is left to send */
	size_t left;       /* its length */
};

static size_t on_read(char *p, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = size * n < u->left ? size * n : u->left;
	/* Small pieces so that the body arrives as several chunks. */
	if (k > 1000)
		k = 1000;
	memcpy(p, u->data, k);
	u->data += k;
	u->left -= k;
	return k;
}

static void reply_free(struct reply *r)
{
	buf_free(&r->body);
	buf_free(&r->head);
}

/* Sends one request on `h`, which keeps its connection between calls.
 * `len` >= 0 sends `body` with a Content-Length; -2 streams it chunked;
 * -1 (with a NULL body) sends none. */
static void request(CURL *h, const char *method, const char *path,
                    const char *body, long len, struct curl_slist *hdrs,
                    struct reply *r)
{
	char url[512];
	struct upload up = { body, len > 0 ? (size_t)len : 0 };

	memset(r, 0, sizeof *r);
	snprintf(url, sizeof url, "%s%s", base_url, path);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->head);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	if (body && len >= 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, len);
	} else if (body) {
		up.left = strlen(body);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &up);
	}
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		diag("%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->connects);
	curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &r->sent);
	if (r->status != 0)
		responses++;
}

/* Checks status, exact body and the headers every response carries. */
static void expect(CURL *h, const char *method, const char *path,
                   long status, const char *want)
{
	struct reply r;
	char v[256];

	request(h, method, path, NULL, -1, NULL, &r);
	is_int(r.status, status, "%s %s: status %ld", method, path, status);
	is_str(r.body.data ? r.body.data : "", want, "%s %s: body", method, path);
	is_str(header_of(&r, "Cache-Control", v, sizeof v), "no-store",
	       "%s %s: Cache-Control", method, path);
	is_str(header_of(&r, "X-Content-Type-Options", v, sizeof v), "nosniff",
	       "%s %s: X-Content-Type-Options", method, path);
	reply_free(&r);
}

/* ---- the checks --------------------------------------------------------- */

static void test_routes(CURL *h)
{
	expect(h, "GET", "/hello", 200, "{\"hello\":\"world\"}");
	expect(h, "DELETE", "/hello", 204, "");
	expect(h, "GET", "/nowhere", 404,
	       "{\"error\":\"not_found\",\"message\":\"there is nothing at this path\"}");
	expect(h, "GET", "/hello/extra", 404,
	       "{\"error\":\"not_found\",\"message\":\"there is nothing at this path\"}");
	expect(h, "GET", "/items/abc-123", 200, "abc-123");
	expect(h, "GET", "/items/a%20b", 200, "a b");
	expect(h, "GET", "/items/", 404,
	       "{\"error\":\"not_found\",\"message\":\"there is nothing at this path\"}");
	expect(h, "GET", "/items/a/b", 404,
	       "{\"error\":\"not_found\",\"message\":\"there is nothing at this path\"}");
	expect(h, "GET", "/items", 404,
	       "{\"error\":\"not_found\",\"message\":\"there is nothing at this path\"}");
	expect(h, "GET", "/forget", 500,
	       "{\"error\":\"internal_error\",\"message\":\"the server failed to answer\"}");
	expect(h, "GET", "/twice", 200, "first");
}

static void test_405(CURL *h)
{
	struct reply r;
	char v[256];

	request(h, "PUT", "/hello", NULL, -1, NULL, &r);
	is_int(r.status, 405, "PUT /hello: 405");
	is_str(r.body.data, "{\"error\":\"method_not_allowed\",\"message\":"
	       "\"PUT is not allowed on this path; allowed: GET, DELETE\"}",
	       "PUT /hello: error body");
	is_str(header_of(&r, "Allow", v, sizeof v), "GET, DELETE", "PUT /hello: Allow");
	is_str(header_of(&r, "Content-Type", v, sizeof v), "application/json",
	       "PUT /hello: Content-Type");
	reply_free(&r);
	request(h, "POST", "/items/x", "{}", 2, NULL, &r);
	is_int(r.status, 405, "POST /items/x: 405");
	is_str(header_of(&r, "Allow", v, sizeof v), "GET", "POST /items/x: Allow");
	reply_free(&r);
}

static void test_query(CURL *h)
{
	struct reply r;

	request(h, "GET", "/query?a=x%20y&b=%C3%A5+z&flag&c=%2F%26", NULL, -1, NULL, &r);
	is_int(r.status, 200, "query: 200");
	is_str(r.body.data, "x y|\xc3\xa5 z|[a=x y][b=\xc3\xa5 z][flag=][c=/&]",
	       "query: decoded values and every argument");
	reply_free(&r);
	request(h, "GET", "/query", NULL, -1, NULL, &r);
	is_str(r.body.data, "(null)|(null)|", "query: absent arguments are NULL");
	reply_free(&r);
}

static void test_headers(CURL *h)
{
	struct reply r;
	char v[256];
	struct curl_slist *hdrs = curl_slist_append(NULL, "Cookie: a=1; sid=s3; b=2");
	hdrs = curl_slist_append(hdrs, "X-Custom: hi there");

	request(h, "GET", "/cookie", NULL, -1, hdrs, &r);
	is_str(r.body.data, "s3|hi there", "cookie and header (case-insensitive) read");
	reply_free(&r);
	curl_slist_free_all(hdrs);

	request(h, "GET", "/error", NULL, -1, NULL, &r);
	is_int(r.status, 503, "error: status");
	is_str(r.body.data, "{\"error\":\"database_unavailable\",\"message\":\"retry in 5 seconds\"}",
	       "error: body has error and message");
	is_str(header_of(&r, "Content-Type", v, sizeof v), "application/json",
	       "error: Content-Type");
	is_str(header_of(&r, "Retry-After", v, sizeof v), "5", "error: added header kept");
	ok(header_of(&r, "X-Bad", v, sizeof v) == NULL, "error: header with CRLF refused");
	ok(header_of(&r, "Set-Cookie", v, sizeof v) == NULL, "error: no header injected");
	reply_free(&r);
}

static void test_bodies(CURL *h)
{
	static char big[3 * 1024 * 1024];
	struct reply r;
	char v[256];
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: Application/JSON ; charset=utf-8");
	const char *too_large = "{\"error\":\"body_too_large\",\"message\":"
	                        "\"the body is larger than the limit of 4096 bytes\"}";

	memset(big, 'x', sizeof big - 1);
	request(h, "POST", "/echo", big, BODY_LIMIT, hdrs, &r);
	is_int(r.status, 200, "body exactly at the limit: 200");
	is_int(r.body.len, BODY_LIMIT, "body exactly at the limit: echoed whole");
	is_str(header_of(&r, "X-Media-Type", v, sizeof v), "application/json",
	       "content type lower-cased without parameters");
	reply_free(&r);
	curl_slist_free_all(hdrs);

	/* "Content-Type:" with no value stops libcurl sending its default. */
	hdrs = curl_slist_append(NULL, "Content-Type:");
	request(h, "POST", "/echo", "", 0, hdrs, &r);
	curl_slist_free_all(hdrs);
	is_int(r.status, 200, "empty body: 200");
	is_int(r.body.len, 0, "empty body: echoed empty");
	is_str(header_of(&r, "X-Media-Type", v, sizeof v), "(none)", "no Content-Type: \"\"");
	reply_free(&r);

	request(h, "POST", "/echo", big, BODY_LIMIT + 1, NULL, &r);
	is_int(r.status, 413, "Content-Length one over the limit: 413");
	is_str(r.body.data, too_large, "Content-Length over the limit: error body");
	reply_free(&r);

	/* Over 1 MiB libcurl sends Expect: 100-continue and waits: the 413
	 * comes instead of "100 Continue", and the body is never sent. */
	request(h, "POST", "/echo", big, (long)sizeof big - 1, NULL, &r);
	is_int(r.status, 413, "3 MiB with Expect: 100-continue: 413");
	is_str(r.body.data, too_large, "3 MiB: error body");
	is_int(r.sent, 0, "3 MiB: the body was not uploaded");
	reply_free(&r);

	/* Without Expect the body is on its way; the 413 must still arrive. */
	hdrs = curl_slist_append(NULL, "Expect:");
	request(h, "POST", "/echo", big, 500 * 1000, hdrs, &r);
	curl_slist_free_all(hdrs);
	is_int(r.status, 413, "500 kB without Expect: 413");
	is_str(r.body.data, too_large, "500 kB without Expect: error body");
	reply_free(&r);

	big[BODY_LIMIT * 3] = '\0';
	request(h, "POST", "/echo", big, -2, NULL, &r);
	is_int(r.status, 413, "chunked body over the limit: 413");
	is_str(r.body.data, too_large, "chunked body over the limit: error body");
	reply_free(&r);
	big[BODY_LIMIT] = '\0';
	request(h, "POST", "/echo", big, -2, NULL, &r);
	is_int(r.status, 200, "chunked body exactly at the limit: 200");
	is_int(r.body.len, BODY_LIMIT, "chunked body at the limit: echoed whole");
	reply_free(&r);
}

static void test_keep_alive(void)
{
	CURL *h = curl_easy_init();
	struct reply r;

	request(h, "GET", "/hello", NULL, -1, NULL, &r);
	is_int(r.connects, 1, "keep-alive: first request connects");
	reply_free(&r);
	request(h, "GET", "/hello", NULL, -1, NULL, &r);
	is_int(r.status, 200, "keep-alive: second request 200");
	is_int(r.connects, 0, "keep-alive: second request reuses the connection");
	reply_free(&r);
	request(h, "POST", "/echo", "abc", 3, NULL, &r);
	is_int(r.connects, 0, "keep-alive: a POST reuses it too");
	reply_free(&r);
	request(h, "GET", "/nowhere", NULL, -1, NULL, &r);
	is_int(r.connects, 0, "keep-alive: after a POST");
	reply_free(&r);
	request(h, "GET", "/hello", NULL, -1, NULL, &r);
	is_int(r.connects, 0, "keep-alive: after a 404");
	reply_free(&r);
	request(h, "POST", "/nowhere", "{\"a\":1}", 7, NULL, &r);
	is_int(r.status, 404, "keep-alive: POST with a body to no route: 404");
	is_int(r.connects, 0, "keep-alive: POST with a body to no route: same connection");
	reply_free(&r);
	request(h, "POST", "/hello", "{\"a\":1}", 7, NULL, &r);
	is_int(r.status, 405, "keep-alive: POST with a body, wrong method: 405");
	is_int(r.connects, 0, "keep-alive: POST with a body, wrong method: same connection");
	reply_free(&r);
	request(h, "GET", "/hello", NULL, -1, NULL, &r);
	is_int(r.connects, 0, "keep-alive: after refusing a body");
	reply_free(&r);
	curl_easy_cleanup(h);
}

/* ---- the server ----------------------------------------------------------- */

/* A port the kernel just handed out, so very likely still free. */
static unsigned free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		abort();
	close(fd);
	return ntohs(sa.sin_port);
}

static struct http_server *server_start(void)
{
	char listen[32];
	struct http_server_config cfg = { .listen = listen, .connection_limit = 16,
		.client_limit = 16, .body_limit = BODY_LIMIT, .timeout_s = 10,
		.head_timeout_s = 10, .body_timeout_s = 10 };

	for (int tries = 0; tries < 5; tries++) {
		unsigned port = free_port();
		snprintf(listen, sizeof listen, "localhost:%u", port);
		struct http_server *srv = http_server_start(&cfg, routes, ARRAY_LEN(routes), NULL);
		if (srv) {
			snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", port);
			return srv;
		}
	}
	return NULL;
}

static void test_bad_listen(void)
{
	static const char *const bad[] = {
		"nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:-1",
		"127.0.0.1: 80", "example.org:80", "::1:80", "256.0.0.1:80", ":80",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct http_server_config cfg = { .listen = bad[i], .connection_limit = 4,
			.client_limit = 4, .body_limit = 100, .timeout_s = 5,
			.head_timeout_s = 5, .body_timeout_s = 5 };
		struct http_server *srv = http_server_start(&cfg, routes, ARRAY_LEN(routes), NULL);
		ok(srv == NULL, "listen \"%s\" refused", bad[i]);
		http_server_stop(srv);
	}
}

/* Port 0 lets the kernel choose; the server must start. */
static void test_port_zero(void)
{
	struct http_server_config cfg = { .listen = "127.0.0.1:0", .connection_limit = 4,
		.client_limit = 4, .body_limit = 100, .timeout_s = 5,
		.head_timeout_s = 5, .body_timeout_s = 5 };
	struct http_server *srv = http_server_start(&cfg, routes, ARRAY_LEN(routes), NULL);
	ok(srv != NULL, "port 0 accepted");
	http_server_stop(srv);
}

/* ---- the log ------------------------------------------------------------ */

static size_t count_lines(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void check_log(struct capture *log)
{
	struct buf text = BUF_INIT;

	capture_read(log, &text);
	const char *t = text.data;
	is_int(count_lines(t, " info http "), responses,
	       "exactly one access-log line per response");
	ok(strstr(t, " info http GET /query status=200 bytes=") != NULL,
	   "access line: method, path without query, status, bytes");
	ok(strstr(t, " tag=token:7") != NULL, "access line carries the log tag");
	ok(strstr(t, "error=not_found") != NULL, "access line carries the error code");
	ok(strstr(t, "%2F") == NULL && strstr(t, "flag") == NULL, "no query string logged");
	ok(strstr(t, "s3") == NULL && strstr(t, "hi there") == NULL, "no header values logged");
	ok(strstr(t, "xxxx") == NULL, "no body logged");
	ok(strstr(t, "GET /forget: the handler returned without replying") != NULL,
	   "a handler that forgets to reply is logged");
	ok(strstr(t, "a second reply was dropped") != NULL, "a second reply is logged");
	if (tap_failed)
		diag("server log:\n%s", t);
	buf_free(&text);
}

int main(void)
{
	struct capture log;

	capture_start(&log);
	log_init("test_http");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct http_server *srv = server_start();
	if (!ok(srv != NULL, "server started on a free loopback port"))
		return tap_done();
	CURL *h = curl_easy_init();
	test_routes(h);
	test_405(h);
	test_query(h);
	test_headers(h);
	test_bodies(h);
	test_keep_alive();
	curl_easy_cleanup(h);
	http_server_stop(srv);
	test_bad_listen();
	test_port_zero();
	check_log(&log);
	capture_end(&log);
	curl_global_cleanup();
	return tap_done();
}
