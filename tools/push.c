/* The agency client's HTTP side; see push.h.
 *
 * One file is one batch and gets one Idempotency-Key, generated before the
 * first attempt and sent with every retry: when an attempt was stored but its
 * answer was lost, the retry gets the stored receipt back (200) instead of
 * storing the batch a second time. */
#include "push.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "log.h"
#include "push_transport.h"

/* The most of a response the client keeps: a 422 for a large batch lists
 * every row, but nothing the collector says needs more than this. */
#define PUSH_RESPONSE_MAX (64u << 20)

/* What one attempt got back. */
struct attempt {
	long status;                   /* HTTP status; 0 when no response arrived */
	long retry_after_s;            /* Retry-After in seconds; 0 when absent */
	CURLcode code;                 /* libcurl's result of the transfer */
	bool final;                    /* a transport failure no retry can mend */
	struct buf body;               /* the response body; owned */
	char error[CURL_ERROR_SIZE];   /* libcurl's reason when status is 0 */
};

/* True for a workbook by its first bytes (a zip: .xlsx; OLE: .xls) or its
 * name, which the collector would refuse (415): the same check as its
 * ingest_is_spreadsheet, which tools/ may not include. */
static bool is_workbook(const struct push_file *f)
{
	static const char zip[4] = { 'P', 'K', '\x03', '\x04' };
	static const char ole[4] = { '\xD0', '\xCF', '\x11', '\xE0' };
	size_t n = strlen(f->path);

	if (f->body.len >= 4 && (memcmp(f->body.data, zip, 4) == 0 ||
	                         memcmp(f->body.data, ole, 4) == 0))
		return true;
	return (n >= 5 && strcasecmp(f->path + n - 5, ".xlsx") == 0) ||
	       (n >= 4 && strcasecmp(f->path + n - 4, ".xls") == 0);
}

enum push_result push_file_read(struct push_file *f, const char *path, size_t body_limit,
                                FILE *err)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->content_type = push_content_type(path);
	/* An empty file still has a body to send (the collector says why it is bad). */
	int why = buf_read_file(&f->body, path, SIZE_MAX);
	if (why)
		fprintf(err, "samlad-push: %s: %s\n", path, strerror(why));
	else if (is_workbook(f))
		fprintf(err, "samlad-push: %s: %s\n", path, PUSH_WORKBOOK_MESSAGE);
	else if (f->body.len > body_limit)
		fprintf(err, "samlad-push: %s: %zu bytes, more than the collector takes "
		        "(--body-limit %zu bytes); split it into smaller files\n", path,
		        f->body.len, body_limit);
	else
		return PUSH_OK;
	push_file_free(f);
	return PUSH_USAGE;
}

void push_file_free(struct push_file *f)
{
	buf_free(&f->body);
}

const char *push_content_type(const char *path)
{
	size_t n = strlen(path);
	if (n >= 5 && strcasecmp(path + n - 5, ".json") == 0)
		return "application/json";
	return "text/csv";
}

long push_backoff_delay(long backoff_ms, int attempt, unsigned random)
{
	long d = backoff_ms < 0 ? 0 : backoff_ms;
	for (int i = 1; i < attempt && d < PUSH_BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > PUSH_BACKOFF_CAP_MS)
		d = PUSH_BACKOFF_CAP_MS;
	/* "Equal jitter": never less than half the step, so the backoff still grows. */
	long half = d / 2;
	return half + (long)(random % (unsigned long)(d - half + 1));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > PUSH_RESPONSE_MAX || buf_append(b, ptr, n) != 0)
		return 0;   /* libcurl fails the transfer with CURLE_WRITE_ERROR */
	return n;
}

/* The headers of every attempt; NULL when memory ran out. The token is not
 * among them: libcurl sends it from CURLOPT_XOAUTH2_BEARER. */
static struct curl_slist *request_headers(const struct push_file *f, const char *key)
{
	char type[96], idem[96];
	struct curl_slist *h = NULL, *next;
	/* "Expect:" drops libcurl's Expect: 100-continue, a wasted round trip. */
	const char *lines[] = { type, idem, "Expect:" };

	snprintf(type, sizeof type, "Content-Type: %s", f->content_type);
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
	for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
		next = curl_slist_append(h, lines[i]);
		if (!next) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = next;
	}
	return h;
}

/* Sets the options of one POST of f to url. */
static void attempt_setup(CURL *c, const struct push_config *cfg, const char *url,
                          const struct push_file *f, struct curl_slist *h,
                          struct attempt *a)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, f->body.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)f->body.len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
	curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, cfg->token);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "samlad-push/" "0.1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->error);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Redirects are not followed: the token would travel to wherever they point. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (cfg->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->cacert);
}

/* One POST; fills *a (which the caller frees with attempt_free). Returns 0
 * when the attempt could be made at all, -1 when memory ran out. */
static int attempt_once(const struct push_config *cfg, const char *url,
                        const struct push_file *f, const char *key, struct attempt *a)
{
	curl_off_t retry_after = 0;
	struct curl_slist *h = request_headers(f, key);
	CURL *c = curl_easy_init();
	int rc = -1;

	memset(a, 0, sizeof *a);
	if (!c || !h)
		goto done;
	attempt_setup(c, cfg, url, f, h, a);
	CURLcode cc = curl_easy_perform(c);
	a->code = cc;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
		curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after);
		a->retry_after_s = retry_after > PUSH_RETRY_AFTER_CAP_S
		                   ? PUSH_RETRY_AFTER_CAP_S : (long)retry_after;
	} else {
		if (!a->error[0])
			snprintf(a->error, sizeof a->error, "%s", curl_easy_strerror(cc));
		a->final = push_transport_explain(cfg, url, cc, a->error, sizeof a->error);
	}
	rc = buf_append(&a->body, "", 0);
done:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

static void attempt_free(struct attempt *a)
{
	buf_free(&a->body);
}

/* Worth another try: nothing came back, the server failed, or it asked us to slow down. */
static bool attempt_retryable(const struct attempt *a)
{
	return (a->status == 0 && !a->final) || a->status == 429 || a->status >= 500;
}

/* Copies s into out as one line of printable text: a message from the
 * server must not be able to forge further lines of our output. */
static void clean_copy(char *out, size_t size, const char *s)
{
	size_t i = 0;
	for (; s && *s && i + 1 < size; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s;
	out[i] = '\0';
}

/* A string member of obj, or "" when absent or not a string. */
static const char *json_str(const cJSON *obj, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
	return s ? s : "";
}

/* "503 database_unavailable: message", or the transport error. */
static void attempt_describe(const struct attempt *a, char *out, size_t size)
{
	char error[64], message[512];

	if (a->status == 0) {
		clean_copy(message, sizeof message, a->error);
		snprintf(out, size, "%s", message);
		return;
	}
	cJSON *root = cJSON_Parse(a->body.data);
	clean_copy(error, sizeof error, json_str(root, "error"));
	clean_copy(message, sizeof message, json_str(root, "message"));
	cJSON_Delete(root);
	if (!error[0])
		snprintf(out, size, "HTTP %ld (no error body)", a->status);
	else
		snprintf(out, size, "HTTP %ld %s: %s", a->status, error, message);
}

/* Prints one conflict: "line 7: value: negative_count: message". */
static void print_conflict(FILE *err, const cJSON *c)
{
	char field[64], code[64], message[512];
	const cJSON *line = cJSON_GetObjectItemCaseSensitive(c, "line");
	const cJSON *index = cJSON_GetObjectItemCaseSensitive(c, "index");

	clean_copy(field, sizeof field, json_str(c, "field"));
	clean_copy(code, sizeof code, json_str(c, "code"));
	clean_copy(message, sizeof message, json_str(c, "message"));
	if (cJSON_IsNumber(line))
		fprintf(err, "line %.0f: ", line->valuedouble);
	else if (cJSON_IsNumber(index))
		fprintf(err, "row %.0f: ", index->valuedouble);
	else
		fprintf(err, "batch: ");
	fprintf(err, "%s: %s: %s\n", field[0] ? field : "-", code, message);
}

/* A 422's conflicts, each on a line of its own. */
static void print_conflicts(FILE *err, const struct attempt *a)
{
	cJSON *root = cJSON_Parse(a->body.data);
	const cJSON *c, *list = cJSON_GetObjectItemCaseSensitive(root, "conflicts");

	cJSON_ArrayForEach(c, list)
		print_conflict(err, c);
	cJSON_Delete(root);
}

/* A 2xx: the receipt, re-printed as one line. */
static enum push_result print_receipt(FILE *out, FILE *err, const struct push_file *f,
                                      const struct attempt *a)
{
	cJSON *root = cJSON_Parse(a->body.data);
	char *line = cJSON_IsObject(root) ? cJSON_PrintUnformatted(root) : NULL;
	enum push_result r = PUSH_FAILED;

	if (line) {
		fprintf(out, "%s\n", line);
		fflush(out);
		if (a->status == 200)
			log_info("%s: stored before (an earlier attempt got through); "
			         "this is its original receipt", f->path);
		r = PUSH_OK;
	} else {
		fprintf(err, "samlad-push: %s: HTTP %ld but the receipt could not be read\n",
		        f->path, a->status);
	}
	cJSON_free(line);
	cJSON_Delete(root);
	return r;
}

/* The outcome of a final (non-retried) attempt. */
static enum push_result attempt_finish(FILE *out, FILE *err, const struct push_file *f,
                                       const struct attempt *a)
{
	char what[640];

	if (a->status == 200 || a->status == 201)
		return print_receipt(out, err, f, a);
	attempt_describe(a, what, sizeof what);
	fprintf(err, "samlad-push: %s: %s\n", f->path, what);
	if (a->status == 422)
		print_conflicts(err, a);
	return PUSH_FAILED;
}

/* The wait before retry `attempt`: the server's Retry-After when it sent
 * one, else the jittered exponential backoff. */
static long retry_wait_ms(const struct push_config *cfg, const struct attempt *a, int attempt)
{
	unsigned random = 0;
	if (a->retry_after_s > 0)
		return a->retry_after_s * 1000L;
	if (crypto_random(&random, sizeof random) != 0)
		random = 0;   /* no jitter this time; the wait is still bounded */
	return push_backoff_delay(cfg->backoff_ms, attempt, random);
}

/* <base>/v1/counts without doubled slashes; NULL when memory ran out. */
static char *counts_url(const char *base)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(&b, base, n);
	buf_puts(&b, "/v1/counts");
	return buf_steal(&b);
}

enum push_result push_send(const struct push_config *cfg, const struct push_file *f,
                           FILE *out, FILE *err)
{
	char key[37], last[640];
	struct attempt a = { 0 };
	enum push_result r = PUSH_FAILED;
	char *url = counts_url(cfg->url);

	if (!url || crypto_uuid_v4(key) != 0) {
		fprintf(err, "samlad-push: %s: out of memory or randomness\n", f->path);
		goto done;
	}
	for (int attempt = 0;; attempt++) {
		if (attempt_once(cfg, url, f, key, &a) != 0) {
			fprintf(err, "samlad-push: %s: out of memory\n", f->path);
			goto done;
		}
		if (!attempt_retryable(&a)) {
			r = attempt_finish(out, err, f, &a);
			goto done;
		}
		attempt_describe(&a, last, sizeof last);
		if (attempt >= cfg->retries)
			break;
		long wait = retry_wait_ms(cfg, &a, attempt + 1);
		log_warn("%s: attempt %d of %d failed: %s; retrying in %ld ms", f->path,
		         attempt + 1, cfg->retries + 1, last, wait);
		attempt_free(&a);
		sleep_ms(wait);
	}
	fprintf(err, "samlad-push: %s: gave up after %d attempts: %s\n", f->path,
	        cfg->retries + 1, last);
	r = PUSH_GAVE_UP;
done:
	attempt_free(&a);
	free(url);
	return r;
}
