/* Both services over HTTPS: a throwaway certificate authority made with the
 * openssl command, the collector and the aggregator started with
 * --tls-cert and --tls-key, samlad-push posting with --cacert, and each of
 * the setup mistakes samlad-push must explain instead of retrying: no
 * --cacert, http:// to an HTTPS collector, https:// to a plain one. The
 * aggregator's session cookie is Secure over HTTPS only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

static struct harness_db db;
static char dir[] = "/tmp/samlad-tls-test.XXXXXX";
static char ca[320], cert[320], key[320], csv[320], token_env[256];

/* Runs openssl with the arguments; bails out when it fails. */
static void openssl(const char *const *args)
{
	const char *argv[24] = { "/usr/bin/openssl" };
	struct buf err = BUF_INIT;
	size_t n = 1;

	for (size_t i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (harness_run(argv, NULL, NULL, NULL, &err) != 0) {
		printf("Bail out! openssl %s failed: %s\n", args[0], err.data ? err.data : "");
		exit(1);
	}
	buf_free(&err);
}

/* A CA, and a certificate it signs for 127.0.0.1 and localhost. */
static void make_ca(void)
{
	char ca_key[320], csr[320], ext[320];

	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	snprintf(ca_key, sizeof ca_key, "%s/ca.key", dir);
	snprintf(cert, sizeof cert, "%s/server.pem", dir);
	snprintf(key, sizeof key, "%s/server.key", dir);
	snprintf(csr, sizeof csr, "%s/server.csr", dir);
	snprintf(ext, sizeof ext, "%s/ext.cnf", dir);
	FILE *f = fopen(ext, "w");
	if (!f || fputs("subjectAltName=IP:127.0.0.1,DNS:localhost\n", f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", ext);
		exit(1);
	}
	const char *ca_args[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
		"-subj", "/CN=Samlad test CA", NULL };
	const char *csr_args[] = { "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1", NULL };
	const char *sign_args[] = { "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
		"-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext, NULL };
	openssl(ca_args);
	openssl(csr_args);
	openssl(sign_args);
}

static bool contains(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s) != NULL;
}

/* Runs samlad-push with the arguments after the program name. */
static int push(const char *const *args, struct buf *out, struct buf *err)
{
	const char *env[] = { token_env, NULL };

	return harness_push(args, env, out, err);
}

static long long count(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return harness_sql_int(&db, sql);
}

static void test_collector(void)
{
	struct harness_proc tls, plain;
	struct http_result r;
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
	char url[160], http_url[96];

	if (!ok(harness_start(&tls, harness_program("collector/samlad-collector"),
	                      db.collector_url, extra) == 0, "the collector starts with TLS"))
		return;
	ok(strncmp(tls.base_url, "https://", 8) == 0, "it is reached at %s", tls.base_url);
	snprintf(url, sizeof url, "%s/healthz", tls.base_url);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	is_int(r.status, 200, "GET /healthz over HTTPS, the test CA trusted: 200");
	http_result_free(&r);
	snprintf(http_url, sizeof http_url, "http://127.0.0.1:%d", tls.port);
	snprintf(url, sizeof url, "%s/healthz", http_url);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	is_int(r.status, 0, "plain HTTP to the HTTPS port gets no answer (%s)", r.error);
	http_result_free(&r);

	long long subs = count("submission");
	const char *good[] = { "--url", tls.base_url, "--cacert", ca, csv, NULL };
	is_int(push(good, &out, &err), 0, "samlad-push --cacert over HTTPS: exit 0");
	ok(contains(&out, "\"created\":1"), "  the receipt");
	is_int(count("submission"), subs + 1, "  one submission stored");

	const char *untrusted[] = { "--url", tls.base_url, "--backoff", "0", csv, NULL };
	is_int(push(untrusted, &out, &err), 1, "without --cacert: exit 1, not 3");
	ok(contains(&err, "certificate could not be verified") && contains(&err, "--cacert"),
	   "  says the certificate was not verified and names --cacert");
	ok(!contains(&err, "retrying"), "  not retried");

	const char *wrong_scheme[] = { "--url", http_url, "--backoff", "0", csv, NULL };
	is_int(push(wrong_scheme, &out, &err), 1, "http:// to the HTTPS collector: exit 1");
	ok(contains(&err, "the collector speaks HTTPS: write the URL with https://"),
	   "  says to write https://");
	ok(!contains(&err, "retrying"), "  not retried");
	is_int(harness_stop(&tls), 0, "the TLS collector exits 0");

	if (!ok(harness_start(&plain, harness_program("collector/samlad-collector"),
	                      db.collector_url, NULL) == 0, "a plain collector starts"))
		return;
	snprintf(url, sizeof url, "https://127.0.0.1:%d", plain.port);
	const char *not_tls[] = { "--url", url, "--cacert", ca, "--backoff", "0", csv, NULL };
	is_int(push(not_tls, &out, &err), 1, "https:// to a plain collector: exit 1");
	ok(contains(&err, "seems to speak plain HTTP"), "  says it speaks plain HTTP");
	ok(!contains(&err, "retrying"), "  not retried");
	is_int(count("submission"), subs + 1, "no failed setup stored anything");
	harness_stop(&plain);
	buf_free(&out);
	buf_free(&err);
}

/* Signs in; copies the Set-Cookie header into set. */
static long sign_in(const struct harness_proc *p, const char *token, char *set, size_t size)
{
	struct http_result r;
	char url[160], body[256];

	snprintf(url, sizeof url, "%s/login", p->base_url);
	snprintf(body, sizeof body, "token=%s", token);
	http_do("POST", url, NULL, "application/x-www-form-urlencoded", body, strlen(body), NULL, &r);
	set[0] = '\0';
	http_result_header(&r, "Set-Cookie", set, size);
	long status = r.status;
	http_result_free(&r);
	return status;
}

static void test_aggregator(void)
{
	struct harness_proc tls, plain;
	const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
	char *analyst = harness_token(&db, "analyst", NULL);
	char set[512];

	if (ok(harness_start(&tls, harness_program("aggregator/samlad-aggregator"),
	                     db.aggregator_url, extra) == 0, "the aggregator starts with TLS")) {
		is_int(sign_in(&tls, analyst, set, sizeof set), 303, "sign-in over HTTPS: 303");
		ok(strstr(set, "; Secure") != NULL && strstr(set, "HttpOnly") != NULL,
		   "  the cookie is Secure and HttpOnly (%s)", strchr(set, ';') ? strchr(set, ';') : "");
		harness_stop(&tls);
	}
	if (ok(harness_start(&plain, harness_program("aggregator/samlad-aggregator"),
	                     db.aggregator_url, NULL) == 0, "a plain aggregator starts")) {
		is_int(sign_in(&plain, analyst, set, sizeof set), 303, "sign-in over HTTP: 303");
		ok(set[0] && strstr(set, "Secure") == NULL,
		   "  the cookie is not Secure, which a browser would drop on http://");
		harness_stop(&plain);
	}
	free(analyst);
}

/* A key without its certificate, or files that are not PEM, stop the
 * program at start with a message, before it listens. */
static void test_bad_files(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *half[] = { harness_program("collector/samlad-collector"), "--database-url",
	                       db.collector_url, "--tls-cert", cert, NULL };
	is_int(harness_run(half, NULL, NULL, &out, &err), 2, "--tls-cert without --tls-key: exit 2");
	ok(contains(&err, "go together"), "  says they go together");
	const char *swapped[] = { harness_program("collector/samlad-collector"), "--listen",
	                          "127.0.0.1:0", "--database-url", db.collector_url,
	                          "--tls-cert", csv, "--tls-key", key, NULL };
	buf_reset(&err);
	is_int(harness_run(swapped, NULL, NULL, &out, &err), 1, "a CSV file as certificate: exit 1");
	ok(contains(&err, "not a readable PEM file"), "  says the file is not PEM");
	buf_free(&out);
	buf_free(&err);
}

int main(void)
{
	unsetenv("SAMLAD_TOKEN");
	unsetenv("SAMLAD_URL");
	unsetenv("SAMLAD_CACERT");
	harness_db_create(&db, "tls");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	make_ca();
	harness_cacert = ca;
	snprintf(csv, sizeof csv, "%s/q.csv", dir);
	FILE *f = fopen(csv, "w");
	if (!f || fputs("indicator,area,period,value\nbup.nya_barn,0182-boo,2022Q4,5\n", f) < 0 ||
	    fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", csv);
		return 1;
	}
	char *token = harness_token(&db, "submitter", "bup");
	snprintf(token_env, sizeof token_env, "SAMLAD_TOKEN=%s", token);
	free(token);
	test_collector();
	test_aggregator();
	test_bad_files();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	harness_db_drop(&db);
	return tap_done();
}
