/* CORS with --public, through real HTTP: the data endpoints' answers carry
 * Access-Control-Allow-Origin: * and their OPTIONS preflight is answered
 * 204 with exactly the documented headers, never with credentials; the
 * sign-in, the pages and /healthz get none of it; and without --public
 * (a second aggregator on the same database) nothing of CORS appears and
 * OPTIONS is the 405 of any other method. */
#include <stdio.h>
#include <string.h>

#include "agg_support.h"
#include "tap.h"

static struct agg_env env;      /* the aggregator with --public */
static struct harness_proc gated; /* one without, on the same database */

static const char *const data_paths[] = {
	"/v1/catalogue", "/v1/series", "/v1/table", "/v1/data", "/v1/completeness",
};
static const char *const data_reads[] = {
	"/v1/catalogue",
	"/v1/series?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q4",
	"/v1/table?indicator=bup.nya_barn&area=0581&year=2024",
	"/v1/data?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q4",
	"/v1/completeness?area=0581&from=2024Q1&to=2024Q4",
};
static const char *const origin[] = { "Origin: https://analys.example", NULL };
static const char *const preflight_headers[] = {
	"Origin: https://analys.example", "Access-Control-Request-Method: GET",
	"Access-Control-Request-Headers: if-none-match", NULL,
};

/* One request of any method with the given headers. */
static void req(const struct harness_proc *p, const char *method, const char *path,
                const char *const *headers, struct http_result *r)
{
	char url[512];

	snprintf(url, sizeof url, "%s%s", p->base_url, path);
	http_do(method, url, NULL, NULL, NULL, 0, headers, r);
}

/* The header's value, or "" when it is absent. */
static const char *header(const struct http_result *r, const char *name, char *out, size_t n)
{
	if (!http_result_header(r, name, out, n))
		out[0] = '\0';
	return out;
}

static void no_cors(const struct http_result *r, const char *what)
{
	char v[256];

	is_str(header(r, "Access-Control-Allow-Origin", v, sizeof v), "", "%s: no Allow-Origin", what);
	is_str(header(r, "Access-Control-Allow-Methods", v, sizeof v), "", "%s: no Allow-Methods", what);
	is_str(header(r, "Access-Control-Allow-Credentials", v, sizeof v), "",
	       "%s: never Allow-Credentials", what);
}

static void test_public_get(void)
{
	struct http_result r;
	char v[256];

	for (size_t i = 0; i < ARRAY_LEN(data_reads); i++) {
		req(&env.agg, "GET", data_reads[i], origin, &r);
		ok(r.status == 200, "--public GET %s: 200 (%ld)", data_paths[i], r.status);
		is_str(header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*",
		       "--public GET %s: Access-Control-Allow-Origin: *", data_paths[i]);
		is_str(header(&r, "Access-Control-Expose-Headers", v, sizeof v),
		       "ETag, Link, Samlad-Data-Version, Samlad-Catalogue-Version",
		       "--public GET %s: the headers a script may read", data_paths[i]);
		is_str(header(&r, "Access-Control-Allow-Credentials", v, sizeof v), "",
		       "--public GET %s: never Allow-Credentials", data_paths[i]);
		http_result_free(&r);
	}
	/* A refusal of a data endpoint is readable too: a script sees why. */
	req(&env.agg, "GET", "/v1/series?indicator=nope&area=0581", origin, &r);
	ok(r.status == 400, "--public GET /v1/series of an unknown indicator: 400 (%ld)", r.status);
	is_str(header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*",
	       "--public: the 400 carries Access-Control-Allow-Origin: *");
	http_result_free(&r);
}

static void test_public_preflight(void)
{
	struct http_result r;
	char v[256];

	for (size_t i = 0; i < ARRAY_LEN(data_paths); i++) {
		req(&env.agg, "OPTIONS", data_paths[i], preflight_headers, &r);
		ok(r.status == 204, "--public OPTIONS %s: 204 (%ld)", data_paths[i], r.status);
		ok(r.body.len == 0, "--public OPTIONS %s: no body", data_paths[i]);
		is_str(header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*",
		       "OPTIONS %s: Access-Control-Allow-Origin: *", data_paths[i]);
		is_str(header(&r, "Access-Control-Allow-Methods", v, sizeof v), "GET",
		       "OPTIONS %s: Access-Control-Allow-Methods: GET", data_paths[i]);
		is_str(header(&r, "Access-Control-Allow-Headers", v, sizeof v),
		       "Accept, If-None-Match", "OPTIONS %s: Access-Control-Allow-Headers",
		       data_paths[i]);
		is_str(header(&r, "Access-Control-Max-Age", v, sizeof v), "86400",
		       "OPTIONS %s: Access-Control-Max-Age: 86400", data_paths[i]);
		is_str(header(&r, "Allow", v, sizeof v), "GET, OPTIONS",
		       "OPTIONS %s: Allow: GET, OPTIONS", data_paths[i]);
		is_str(header(&r, "Access-Control-Allow-Credentials", v, sizeof v), "",
		       "OPTIONS %s: never Allow-Credentials", data_paths[i]);
		http_result_free(&r);
	}
	/* POST still has no route there, and its Allow is unchanged. */
	req(&env.agg, "POST", "/v1/series", origin, &r);
	agg_check_error("--public POST /v1/series", &r, 405, "method_not_allowed");
	is_str(header(&r, "Allow", v, sizeof v), "GET", "--public POST /v1/series: Allow: GET");
	http_result_free(&r);
}

/* The sign-in, the browser pages and /healthz are never opened to other sites. */
static void test_public_elsewhere(void)
{
	static const char *const paths[] = { "/login", "/", "/review/2024?area=0581",
	                                     "/reporting?area=0581", "/healthz" };
	static const char *const options[] = { "/login", "/logout", "/", "/review/2024",
	                                       "/reporting", "/healthz" };
	struct http_result r;
	char what[96];

	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		req(&env.agg, "GET", paths[i], origin, &r);
		snprintf(what, sizeof what, "--public GET %s (%ld)", paths[i], r.status);
		no_cors(&r, what);
		http_result_free(&r);
	}
	for (size_t i = 0; i < ARRAY_LEN(options); i++) {
		req(&env.agg, "OPTIONS", options[i], preflight_headers, &r);
		ok(r.status == 405, "--public OPTIONS %s: 405 (%ld)", options[i], r.status);
		snprintf(what, sizeof what, "--public OPTIONS %s", options[i]);
		no_cors(&r, what);
		http_result_free(&r);
	}
	req(&env.agg, "POST", "/logout", origin, &r);
	no_cors(&r, "--public POST /logout");
	http_result_free(&r);
}

static void test_gated(void)
{
	struct http_result r;
	char v[256], what[96];

	for (size_t i = 0; i < ARRAY_LEN(data_paths); i++) {
		req(&gated, "OPTIONS", data_paths[i], preflight_headers, &r);
		snprintf(what, sizeof what, "without --public OPTIONS %s", data_paths[i]);
		agg_check_error(what, &r, 405, "method_not_allowed");
		is_str(header(&r, "Allow", v, sizeof v), "GET", "%s: Allow: GET", what);
		no_cors(&r, what);
		http_result_free(&r);

		agg_get(&gated, env.analyst, origin, &r, "%s", data_reads[i]);
		snprintf(what, sizeof what, "without --public GET %s (%ld)", data_paths[i], r.status);
		ok(r.status == 200, "%s: 200 with a token", what);
		no_cors(&r, what);
		is_str(header(&r, "Access-Control-Expose-Headers", v, sizeof v), "",
		       "%s: no Expose-Headers", what);
		http_result_free(&r);
	}
	agg_get(&gated, NULL, origin, &r, "%s", data_reads[0]);
	agg_check_error("without --public GET /v1/catalogue without a token", &r, 401,
	                "unauthorized");
	no_cors(&r, "without --public, the 401");
	http_result_free(&r);
}

int main(void)
{
	static const char *const public_arg[] = { "--public", NULL };

	agg_env_start(&env, "aggcors", public_arg);
	if (harness_start(&gated, "aggregator/samlad-aggregator", env.db.aggregator_url, NULL) != 0) {
		printf("Bail out! the aggregator without --public did not start\n");
		agg_env_stop(&env);
		return 1;
	}
	test_public_get();
	test_public_preflight();
	test_public_elsewhere();
	test_gated();
	harness_stop(&gated);
	agg_env_stop(&env);
	return tap_done();
}
