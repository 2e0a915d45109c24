/* Who may read the aggregator, through real HTTP: bearer tokens of every
 * role and state, the sign-in form and its HttpOnly SameSite=Strict
 * cookie, signing out, a restart ending every session, --public, and
 * /healthz with and without a database. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg_support.h"
#include "tap.h"

static struct agg_env env;

#define SERIES "/v1/series?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q4"
#define TABLE "/v1/table?indicator=bup.nya_barn&area=0581&year=2024"
#define FORM "application/x-www-form-urlencoded"

static const char *const reads[] = { "/v1/catalogue", SERIES, TABLE };

/* Runs samlad-admin token revoke for a token; returns its exit status. */
static int revoke_token(const char *token)
{
	char id[32], url[600];
	const char *env_vars[] = { url, NULL };

	snprintf(id, sizeof id, "%lld", agg_token_id(token));
	snprintf(url, sizeof url, "DATABASE_URL=%s", env.db.admin_url);
	const char *argv[] = { harness_program("tools/samlad-admin"), "token", "revoke", id, NULL };
	return harness_run(argv, env_vars, NULL, NULL, NULL);
}

static long status_of(const struct harness_proc *p, const char *token,
                      const char *const *headers, const char *path)
{
	struct http_result r;

	agg_get(p, token, headers, &r, "%s", path);
	long st = r.status;
	http_result_free(&r);
	return st;
}

/* ---- bearer tokens ---------------------------------------------------------- */

static void test_bearer(void)
{
	struct http_result r;
	char value[128] = "", bad_secret[256];
	char *revoked = harness_token(&env.db, "analyst", NULL);

	for (size_t i = 0; i < ARRAY_LEN(reads); i++) {
		agg_get(&env.agg, NULL, NULL, &r, "%s", reads[i]);
		agg_check_error(reads[i], &r, 401, "unauthorized");
		ok(http_result_header(&r, "WWW-Authenticate", value, sizeof value) &&
		   strcmp(value, "Bearer") == 0, "%s without a token: WWW-Authenticate: Bearer",
		   reads[i]);
		http_result_free(&r);
		is_int(status_of(&env.agg, env.analyst, NULL, reads[i]), 200, "%s: analyst 200",
		       reads[i]);
		is_int(status_of(&env.agg, env.admin, NULL, reads[i]), 200, "%s: admin 200", reads[i]);
		agg_get(&env.agg, env.submitter, NULL, &r, "%s", reads[i]);
		agg_check_error("submitter token", &r, 403, "forbidden");
		http_result_free(&r);
	}

	agg_get(&env.agg, "smd_999999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &r, SERIES);
	agg_check_error("unknown token id", &r, 401, "unauthorized");
	http_result_free(&r);
	/* The analyst's id with another secret. */
	snprintf(bad_secret, sizeof bad_secret, "%.*sB", (int)strlen(env.analyst) - 1, env.analyst);
	if (env.analyst[strlen(env.analyst) - 1] == 'B')
		bad_secret[strlen(bad_secret) - 1] = 'C';
	agg_get(&env.agg, bad_secret, NULL, &r, SERIES);
	agg_check_error("a known id with a wrong secret", &r, 401, "unauthorized");
	http_result_free(&r);
	agg_get(&env.agg, "not-a-token", NULL, &r, SERIES);
	agg_check_error("malformed token", &r, 401, "unauthorized");
	http_result_free(&r);
	const char *basic[] = { "Authorization: Basic YTpi", NULL };
	agg_get(&env.agg, NULL, basic, &r, SERIES);
	agg_check_error("Basic instead of Bearer", &r, 401, "unauthorized");
	http_result_free(&r);

	is_int(status_of(&env.agg, revoked, NULL, SERIES), 200, "a fresh analyst token reads");
	is_int(revoke_token(revoked), 0, "samlad-admin token revoke");
	agg_get(&env.agg, revoked, NULL, &r, SERIES);
	agg_check_error("revoked token", &r, 401, "unauthorized");
	cJSON *o = agg_json(&r);
	ok(strstr(agg_str(o, "message"), "revoked") != NULL, "revoked token: the message says "
	   "revoked (%s)", agg_str(o, "message"));
	cJSON_Delete(o);
	http_result_free(&r);
	free(revoked);

	agg_get(&env.agg, NULL, NULL, &r, "/healthz");
	is_int(r.status, 200, "/healthz needs no token");
	is_str(r.body.data, "{\"status\":\"ok\"}", "/healthz body");
	http_result_free(&r);
}

/* ---- the sign-in form ------------------------------------------------------ */

/* POSTs the form body to /login; returns the response. */
static void login(const struct harness_proc *p, const char *body, const char *type,
                  struct http_result *r)
{
	char url[160];

	snprintf(url, sizeof url, "%s/login", p->base_url);
	http_do("POST", url, NULL, type, body, strlen(body), NULL, r);
}

/* Signs in with a token; writes "samlad_session=..." into cookie. */
static void sign_in(const struct harness_proc *p, const char *token, char *cookie,
                    size_t size, char *set_cookie, size_t set_size)
{
	struct http_result r;
	char body[256];

	snprintf(body, sizeof body, "token=%s", token);
	login(p, body, FORM, &r);
	cookie[0] = '\0';
	if (http_result_header(&r, "Set-Cookie", set_cookie, set_size))
		snprintf(cookie, size, "%.*s", (int)strcspn(set_cookie, ";"), set_cookie);
	is_int(r.status, 303, "POST /login with a reader's token: 303");
	http_result_free(&r);
}

static long with_cookie(const struct harness_proc *p, const char *cookie, const char *path,
                        struct http_result *r)
{
	char header[256];
	const char *headers[] = { header, NULL };

	snprintf(header, sizeof header, "Cookie: %s", cookie);
	agg_get(p, NULL, headers, r, "%s", path);
	return r->status;
}

static void test_login(void)
{
	struct http_result r, bearer;
	char type[128] = "", cookie[256], set[512], location[128] = "", header[256];

	agg_get(&env.agg, NULL, NULL, &r, "/login");
	is_int(r.status, 200, "GET /login: 200");
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "text/html; charset=utf-8") == 0, "GET /login: HTML (%s)", type);
	ok(strstr(r.body.data, "<form method=\"post\" action=\"/login\">") &&
	   strstr(r.body.data, "type=\"password\" id=\"token\" name=\"token\""),
	   "GET /login: a form posting a password field named token");
	http_result_free(&r);

	sign_in(&env.agg, env.analyst, cookie, sizeof cookie, set, sizeof set);
	ok(strncmp(cookie, "samlad_session=", 15) == 0 && strlen(cookie) > 30,
	   "the session cookie is set (%.20s...)", cookie);
	ok(strstr(set, "; HttpOnly") && strstr(set, "; SameSite=Strict") && strstr(set, "; Path=/") &&
	   strstr(set, "; Max-Age=43200"), "the cookie is HttpOnly, SameSite=Strict, Path=/, "
	   "Max-Age 12 h (%s)", set + strcspn(set, ";"));
	ok(strstr(set, env.analyst + 4) == NULL, "the cookie does not hold the token");

	is_int(with_cookie(&env.agg, cookie, SERIES, &r), 200, "the cookie reads /v1/series");
	agg_get(&env.agg, env.analyst, NULL, &bearer, SERIES);
	is_str(r.body.data, bearer.body.data, "the cookie reads the same series as the token");
	http_result_free(&r);
	http_result_free(&bearer);
	is_int(with_cookie(&env.agg, cookie, TABLE, &r), 200, "the cookie reads /v1/table");
	http_result_free(&r);

	/* Forged: the same cookie with its last character changed. */
	char forged[256];
	snprintf(forged, sizeof forged, "%s", cookie);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
	with_cookie(&env.agg, forged, SERIES, &r);
	agg_check_error("a forged cookie", &r, 401, "unauthorized");
	http_result_free(&r);
	with_cookie(&env.agg, "samlad_session=1.2.3", SERIES, &r);
	agg_check_error("a malformed cookie", &r, 401, "unauthorized");
	http_result_free(&r);

	/* Signing out ends the session, also for a copy of the cookie. */
	char url[160];
	snprintf(url, sizeof url, "%s/logout", env.agg.base_url);
	snprintf(header, sizeof header, "Cookie: %s", cookie);
	const char *headers[] = { header, NULL };
	http_do("POST", url, NULL, NULL, "", 0, headers, &r);
	is_int(r.status, 303, "POST /logout: 303");
	ok(http_result_header(&r, "Set-Cookie", set, sizeof set) &&
	   strncmp(set, "samlad_session=;", 16) == 0 && strstr(set, "Max-Age=0"),
	   "POST /logout clears the cookie (%s)", set);
	ok(http_result_header(&r, "Location", location, sizeof location) &&
	   strcmp(location, "/login") == 0, "POST /logout sends to /login");
	http_result_free(&r);
	with_cookie(&env.agg, cookie, SERIES, &r);
	agg_check_error("the cookie after sign-out", &r, 401, "unauthorized");
	cJSON *o = agg_json(&r);
	ok(strstr(agg_str(o, "message"), "signed out") != NULL, "after sign-out: the message "
	   "says so (%s)", agg_str(o, "message"));
	cJSON_Delete(o);
	http_result_free(&r);

	/* An admin's session works; a session of a token revoked since does not. */
	char *later = harness_token(&env.db, "admin", NULL);
	sign_in(&env.agg, later, cookie, sizeof cookie, set, sizeof set);
	is_int(with_cookie(&env.agg, cookie, "/v1/catalogue", &r), 200, "an admin's session reads");
	http_result_free(&r);
	is_int(revoke_token(later), 0, "the admin token is revoked");
	with_cookie(&env.agg, cookie, "/v1/catalogue", &r);
	agg_check_error("a session of a revoked token", &r, 401, "unauthorized");
	http_result_free(&r);
	free(later);

	/* Refused sign-ins: an error page and no cookie. */
	static const struct {
		const char *what, *body, *type;
		long status;
	} refused[] = {
		{ "a wrong token", "token=smd_1_wrongwrongwrong", FORM, 401 },
		{ "not a token", "token=hello", FORM, 401 },
		{ "no token", "token=", FORM, 400 },
		{ "no field", "name=x", FORM, 400 },
		{ "a broken escape", "token=%zz", FORM, 401 },
		{ "JSON instead of a form", "{\"token\":\"x\"}", "application/json", 415 },
	};
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		login(&env.agg, refused[i].body, refused[i].type, &r);
		is_int(r.status, refused[i].status, "POST /login, %s: %ld", refused[i].what,
		       refused[i].status);
		ok(!http_result_header(&r, "Set-Cookie", set, sizeof set), "POST /login, %s: no cookie",
		   refused[i].what);
		ok(strstr(r.body.data, "class=\"error\"") != NULL, "POST /login, %s: the page shows "
		   "an error", refused[i].what);
		http_result_free(&r);
	}
	char body[256];
	snprintf(body, sizeof body, "token=%s", env.submitter);
	login(&env.agg, body, FORM, &r);
	is_int(r.status, 403, "POST /login with a submitter's token: 403");
	ok(!http_result_header(&r, "Set-Cookie", set, sizeof set), "submitter: no cookie");
	http_result_free(&r);
}

/* A form posted from another site, as a browser says (Sec-Fetch-Site,
 * else Origin), is refused: no sign-in into someone else's account (login
 * CSRF), no forced sign-out. Clients that send neither (curl) pass. */
static void test_cross_site(void)
{
	char url[160], body[256], same[160], cookie[256], set[512], header[320];
	struct http_result r;
	static const char *const foreign[] = {
		"Origin: http://evil.example", "Origin: null", "Origin: http://127.0.0.1:1",
		"Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site",
	};

	snprintf(url, sizeof url, "%s/login", env.agg.base_url);
	snprintf(body, sizeof body, "token=%s", env.analyst);
	for (size_t i = 0; i < ARRAY_LEN(foreign); i++) {
		const char *headers[] = { foreign[i], NULL };
		http_do("POST", url, NULL, FORM, body, strlen(body), headers, &r);
		is_int(r.status, 403, "POST /login with %s: 403", foreign[i]);
		ok(!http_result_header(&r, "Set-Cookie", set, sizeof set), "  no cookie");
		ok(strstr(r.body.data, "från en annan webbplats") != NULL, "  the page says why");
		http_result_free(&r);
	}
	snprintf(same, sizeof same, "Origin: %s", env.agg.base_url);
	const char *allowed[][3] = { { same, NULL, NULL },
	                             { "Sec-Fetch-Site: same-origin", same, NULL },
	                             { "Sec-Fetch-Site: none", NULL, NULL } };
	for (size_t i = 0; i < ARRAY_LEN(allowed); i++) {
		http_do("POST", url, NULL, FORM, body, strlen(body), allowed[i], &r);
		is_int(r.status, 303, "POST /login with %s: 303", allowed[i][0]);
		http_result_free(&r);
	}

	sign_in(&env.agg, env.analyst, cookie, sizeof cookie, set, sizeof set);
	snprintf(url, sizeof url, "%s/logout", env.agg.base_url);
	snprintf(header, sizeof header, "Cookie: %s", cookie);
	const char *forced[] = { header, "Sec-Fetch-Site: cross-site", NULL };
	http_do("POST", url, NULL, NULL, "", 0, forced, &r);
	is_int(r.status, 403, "POST /logout from another site: 403");
	http_result_free(&r);
	is_int(with_cookie(&env.agg, cookie, SERIES, &r), 200, "  and the session still reads");
	http_result_free(&r);
}

/* Every session ends when the program restarts: the key was never stored. */
static void test_restart_ends_sessions(void)
{
	char cookie[256], set[512];
	struct http_result r;

	sign_in(&env.agg, env.analyst, cookie, sizeof cookie, set, sizeof set);
	is_int(with_cookie(&env.agg, cookie, SERIES, &r), 200, "before the restart the cookie reads");
	http_result_free(&r);
	is_int(harness_stop(&env.agg), 0, "the aggregator stops with 0");
	if (harness_start(&env.agg, harness_program("aggregator/samlad-aggregator"),
	                  env.db.aggregator_url, NULL) != 0) {
		ok(false, "the aggregator restarts");
		return;
	}
	with_cookie(&env.agg, cookie, SERIES, &r);
	agg_check_error("a cookie from before the restart", &r, 401, "unauthorized");
	http_result_free(&r);
}

/* ---- --public -------------------------------------------------------------- */

static void test_public(void)
{
	struct harness_proc pub;
	const char *extra[] = { "--public", NULL };
	struct http_result r;

	if (harness_start(&pub, harness_program("aggregator/samlad-aggregator"),
	                  env.db.aggregator_url, extra) != 0) {
		ok(false, "--public: the aggregator starts");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(reads); i++)
		is_int(status_of(&pub, NULL, NULL, reads[i]), 200, "--public: %s without a token",
		       reads[i]);
	agg_get(&pub, NULL, NULL, &r, SERIES);
	struct http_result same;
	agg_get(&env.agg, env.analyst, NULL, &same, SERIES);
	is_str(r.body.data, same.body.data, "--public: the same protected series");
	http_result_free(&r);
	http_result_free(&same);
	agg_get(&pub, NULL, NULL, &r, "/v1/series?indicator=nope&area=0581");
	agg_check_error("--public, a bad parameter", &r, 400, "invalid_parameter");
	http_result_free(&r);
	harness_stop(&pub);
}

/* ---- without a database ---------------------------------------------------- */

/* Starts the aggregator on a database URL that points nowhere and waits
 * until it answers HTTP (harness_start waits for /healthz 200, which never
 * comes here). Returns 0 or -1. */
static int start_without_db(struct harness_proc *p, const char *const *extra)
{
	char listen[32], url[256];
	const char *argv[16];
	size_t n = 0;

	memset(p, 0, sizeof *p);
	p->port = harness_free_port();
	snprintf(listen, sizeof listen, "127.0.0.1:%d", p->port);
	snprintf(p->base_url, sizeof p->base_url, "http://%s", listen);
	snprintf(url, sizeof url, "postgresql:///nowhere?host=/tmp/samlad-no-such-dir-%d&user=x",
	         (int)getpid());
	snprintf(p->log_path, sizeof p->log_path, "%s/aggregator-nodb-%d.log",
	         getenv("SAMLAD_BUILD_DIR") ? getenv("SAMLAD_BUILD_DIR") : "/tmp", (int)getpid());
	argv[n++] = harness_program("aggregator/samlad-aggregator");
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--database-url";
	argv[n++] = url;
	for (size_t i = 0; extra && extra[i] && n < ARRAY_LEN(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	p->pid = fork();
	if (p->pid == 0) {
		int fd = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200 && p->pid > 0; i++) {
		struct http_result r;
		agg_get(p, NULL, NULL, &r, "/healthz");
		long st = r.status;
		http_result_free(&r);
		if (st != 0)
			return 0;
		harness_sleep_ms(25);
	}
	return -1;
}

static void test_no_database(void)
{
	struct harness_proc p;
	const char *pub[] = { "--public", "--retry-after", "7", NULL };
	struct http_result r;
	char value[32] = "";

	if (start_without_db(&p, NULL) != 0) {
		ok(false, "the aggregator starts without its database");
		harness_stop(&p);
		return;
	}
	agg_get(&p, NULL, NULL, &r, "/healthz");
	agg_check_error("/healthz without the database", &r, 503, "database_unavailable");
	ok(http_result_header(&r, "Retry-After", value, sizeof value) && strcmp(value, "5") == 0,
	   "/healthz 503: Retry-After 5 (%s)", value);
	http_result_free(&r);
	agg_get(&p, env.analyst, NULL, &r, SERIES);
	agg_check_error("a read without the database", &r, 503, "database_unavailable");
	http_result_free(&r);
	is_int(harness_stop(&p), 0, "without the database: stops with 0");

	if (start_without_db(&p, pub) != 0) {
		ok(false, "--public: starts without its database");
		harness_stop(&p);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(reads); i++) {
		agg_get(&p, NULL, NULL, &r, "%s", reads[i]);
		agg_check_error(reads[i], &r, 503, "database_unavailable");
		ok(http_result_header(&r, "Retry-After", value, sizeof value) && strcmp(value, "7") == 0,
		   "%s: Retry-After 7 from --retry-after (%s)", reads[i], value);
		http_result_free(&r);
	}
	harness_stop(&p);
}

int main(void)
{
	agg_env_start(&env, "aggauth", NULL);
	test_bearer();
	test_login();
	test_cross_site();
	test_restart_ends_sessions();
	test_public();
	test_no_database();
	agg_env_stop(&env);
	return tap_done();
}
