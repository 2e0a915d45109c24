/* The collector's form for agencies without a system (/login, /submit),
 * through real HTTP against the real collector and PostgreSQL: sign-in
 * with a submitter's token only (an analyst's gets 403, a bad one 401),
 * the cookie's attributes, redirects without a session, the quarter
 * picker, the grid's exact cells and their states, check (the dry run)
 * and submit through the same path as POST /v1/counts, every error beside
 * its cell, a locked period, cross-site posts refused, the body limit,
 * escaping, English, and signing out. Mini-Maria reports one indicator
 * (minimaria.arenden) for the ten districts of Nacka and Norrköping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "period.h"
#include "tap.h"

#define FORM "application/x-www-form-urlencoded"
#define IND "minimaria.arenden"
#define CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
            "frame-ancestors 'none'"

static struct harness_db db;
static struct harness_proc collector;
static char *tok_sub, *tok_analyst;
static char cookie[256];

static const char *text(const struct http_result *r)
{
	return r->body.data ? r->body.data : "";
}

/* One request with the session cookie (when cookie[0]) and extra headers
 * (up to three, NULL-terminated). */
static long req(const char *method, const char *path, const char *type, const char *body,
                const char *h1, struct http_result *r)
{
	char url[256], header[300];
	const char *headers[3] = { NULL, NULL, NULL };
	int n = 0;

	snprintf(url, sizeof url, "%s%s", collector.base_url, path);
	if (cookie[0]) {
		snprintf(header, sizeof header, "Cookie: %s", cookie);
		headers[n++] = header;
	}
	headers[n] = h1;
	if (http_do(method, url, NULL, type, body, body ? strlen(body) : 0, headers, r) != 0)
		return 0;
	return r->status;
}

static bool has(const struct http_result *r, const char *s)
{
	return strstr(text(r), s) != NULL;
}

static void header_is(const struct http_result *r, const char *name, const char *want,
                      const char *what)
{
	char got[512] = "";

	http_result_header(r, name, got, sizeof got);
	is_str(got, want, "%s: %s", what, name);
}

/* Posts a token to /login (no cookie sent). */
static long login(const char *body, const char *type, const char *h1, struct http_result *r)
{
	char saved[sizeof cookie];

	memcpy(saved, cookie, sizeof cookie);
	cookie[0] = '\0';
	long st = req("POST", "/login", type, body, h1, r);
	memcpy(cookie, saved, sizeof cookie);
	return st;
}

static void test_login_page(void)
{
	struct http_result r;

	is_int(req("GET", "/login", NULL, NULL, NULL, &r), 200, "GET /login: 200");
	header_is(&r, "Content-Type", "text/html; charset=utf-8", "GET /login");
	header_is(&r, "Content-Security-Policy", CSP, "GET /login");
	header_is(&r, "X-Frame-Options", "DENY", "GET /login");
	header_is(&r, "Referrer-Policy", "no-referrer", "GET /login");
	ok(has(&r, "<html lang=\"sv\">") && has(&r, "<form method=\"post\" action=\"/login\">") &&
	   has(&r, "<input type=\"password\" id=\"token\" name=\"token\""),
	   "GET /login: a Swedish page with the token field");
	ok(has(&r, "gäller i 12 timmar."), "GET /login: the session's hours");
	ok(!has(&r, "<script"), "GET /login: no script");
	http_result_free(&r);
	is_int(req("GET", "/login?lang=en", NULL, NULL, NULL, &r), 200, "GET /login?lang=en");
	ok(has(&r, "<html lang=\"en\">") && has(&r, "<button type=\"submit\">Sign in</button>") &&
	   has(&r, "name=\"lang\" value=\"en\""), "GET /login?lang=en: English");
	http_result_free(&r);
}

static void test_login_refused(void)
{
	struct http_result r;
	char body[256], set[64];

	snprintf(body, sizeof body, "token=%s", tok_analyst);
	is_int(login(body, FORM, NULL, &r), 403, "an analyst's token: 403");
	ok(has(&r, "Den här nyckeln får inte lämna uppgifter"), "the page says why");
	ok(!http_result_header(&r, "Set-Cookie", set, sizeof set), "no cookie for an analyst");
	http_result_free(&r);
	snprintf(body, sizeof body, "lang=en&token=%s", tok_analyst);
	is_int(login(body, FORM, NULL, &r), 403, "an analyst's token, English: 403");
	ok(has(&r, "This token may not report counts"), "in English");
	http_result_free(&r);
	is_int(login("token=smd_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", FORM, NULL, &r),
	       401, "an unknown token: 401");
	ok(has(&r, "Nyckeln gäller inte."), "the page says it is not valid");
	http_result_free(&r);
	is_int(login("token=", FORM, NULL, &r), 400, "no token: 400");
	ok(has(&r, "Skriv in en nyckel."), "the page asks for one");
	http_result_free(&r);
	is_int(login("token=%zz", FORM, NULL, &r), 401, "a broken escape: 401");
	http_result_free(&r);
	snprintf(body, sizeof body, "{\"token\":\"%s\"}", tok_sub);
	is_int(login(body, "application/json", NULL, &r), 415, "JSON: 415");
	http_result_free(&r);
	snprintf(body, sizeof body, "token=%s", tok_sub);
	is_int(login(body, FORM, "Origin: http://evil.example", &r), 403,
	       "a sign-in posted from another origin: 403");
	ok(has(&r, "från en annan webbplats") && !http_result_header(&r, "Set-Cookie", set,
	   sizeof set), "no cookie, and the page says why");
	http_result_free(&r);
	is_int(login(body, FORM, "Sec-Fetch-Site: cross-site", &r), 403,
	       "Sec-Fetch-Site: cross-site: 403");
	http_result_free(&r);
}

static void sign_in(void)
{
	struct http_result r;
	char body[256], set[512] = "";

	snprintf(body, sizeof body, "token=%s", tok_sub);
	is_int(login(body, FORM, "Sec-Fetch-Site: same-origin", &r), 303,
	       "a submitter's token: 303");
	header_is(&r, "Location", "/submit", "sign-in");
	http_result_header(&r, "Set-Cookie", set, sizeof set);
	snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(set, ";"), set);
	ok(strncmp(cookie, "samlad_session=", 15) == 0 && strlen(cookie) > 60,
	   "the session cookie is set");
	ok(strcmp(set + strlen(cookie), "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200") == 0,
	   "HttpOnly, SameSite=Strict, Path=/, Max-Age (%s)", set + strlen(cookie));
	ok(strstr(set, tok_sub + 4) == NULL, "the cookie does not hold the token");
	http_result_free(&r);
}

static void test_no_session(void)
{
	struct http_result r;

	is_int(req("GET", "/submit?quarter=2025Q3", NULL, NULL, NULL, &r), 303,
	       "GET /submit without a session: 303");
	header_is(&r, "Location", "/login", "without a session");
	http_result_free(&r);
	is_int(req("POST", "/submit", FORM, "quarter=2025Q3&v:" IND ":0581-hageby=1", NULL, &r),
	       303, "POST /submit without a session: 303");
	http_result_free(&r);
	strcpy(cookie, "samlad_session=1.9999999999.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	       "AAAAAAAAAAAAAA");
	is_int(req("GET", "/submit", NULL, NULL, NULL, &r), 303, "a forged cookie: 303");
	http_result_free(&r);
	cookie[0] = '\0';
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 0, "nothing stored");
}

static void test_picker(void)
{
	struct http_result r;
	char want[400], q[PERIOD_STRLEN], chosen[PERIOD_STRLEN];
	int p = period_current(time(NULL));

	is_int(req("GET", "/submit", NULL, NULL, NULL, &r), 200, "the picker: 200");
	header_is(&r, "Content-Security-Policy", CSP, "the picker");
	ok(has(&r, "Inloggad för <strong>Mini-Maria</strong>"), "the agency's name");
	ok(has(&r, "<form method=\"get\" action=\"/submit\">") &&
	   has(&r, "<select id=\"quarter\" name=\"quarter\">"), "a form with a select");
	period_format(period_last_finished(time(NULL)), chosen);
	for (int i = 0; i < 8; i++, p = period_add(p, -1)) {
		period_format(p, q);
		snprintf(want, sizeof want, "<option value=\"%s\"%s>%s</option>\n", q,
		         strcmp(q, chosen) == 0 ? " selected" : "", q);
		const char *at = strstr(text(&r), want);
		ok(at != NULL, "option %d is %s", i, q);
		if (i == 0)
			ok(at && at == strstr(text(&r), "<option"), "the current quarter comes first");
	}
	http_result_free(&r);
	is_int(req("GET", "/submit?quarter=2099Q1", NULL, NULL, NULL, &r), 400,
	       "a future quarter: 400");
	ok(has(&r, "Kvartalet kan inte rapporteras: &#39;2099Q1&#39;") ||
	   has(&r, "Kvartalet kan inte rapporteras: &#x27;2099Q1&#x27;") ||
	   has(&r, "Kvartalet kan inte rapporteras: '2099Q1'"), "the picker says why");
	ok(has(&r, "<select id=\"quarter\""), "and offers the picker again");
	http_result_free(&r);
	is_int(req("GET", "/submit?quarter=%3Cb%3E", NULL, NULL, NULL, &r), 400,
	       "a quarter of markup: 400");
	ok(has(&r, "&lt;b&gt;") && !has(&r, "<b>"), "escaped");
	http_result_free(&r);
}

/* The exact HTML of one cell of minimaria.arenden. */
static void cell_is(const struct http_result *r, const char *area, const char *name,
                    const char *cls, const char *value, const char *word, const char *error,
                    const char *what)
{
	char want[1024];

	snprintf(want, sizeof want, "<td class=\"%s\"><input type=\"number\" min=\"0\" step=\"1\" "
	         "name=\"v:" IND ":%s\" value=\"%s\" aria-label=\"Antal ärenden, %s\">"
	         "<span class=\"state\">%s</span>%s%s%s</td>", cls, area, value, name, word,
	         error ? "<span class=\"error\">" : "", error ? error : "", error ? "</span>" : "");
	if (!ok(strstr(text(r), want) != NULL, "%s: the cell %s is %s (%s)", what, area, cls,
	        word))
		diag("want: %s", want);
}

/* Counts how often s occurs in the body. */
static int occurs(const struct http_result *r, const char *s)
{
	int n = 0;

	for (const char *p = text(r); (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* GET /v1/counts?period=2025Q3 with the bearer token. */
static void api_counts(struct http_result *r)
{
	char url[256];

	snprintf(url, sizeof url, "%s/v1/counts?period=2025Q3", collector.base_url);
	if (http_do("GET", url, tok_sub, NULL, NULL, 0, NULL, r) != 0)
		r->status = 0;
}

static void test_grid(void)
{
	struct http_result r;
	char url[256];
	const char *body = "{\"counts\":[{\"indicator\":\"" IND "\",\"area\":\"0581-hageby\","
	                   "\"period\":\"2025Q3\",\"value\":5}]}";

	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	http_do("POST", url, tok_sub, "application/json", body, strlen(body), NULL, &r);
	is_int(r.status, 201, "a value stored through the API");
	http_result_free(&r);
	is_int(req("GET", "/submit?quarter=2025Q3", NULL, NULL, NULL, &r), 200, "the grid: 200");
	is_int(occurs(&r, "<input type=\"number\""), 10, "ten cells: one indicator, ten districts");
	ok(has(&r, "<tr><th scope=\"row\">Antal ärenden<br><code>" IND "</code></th>"),
	   "the row names the indicator");
	ok(has(&r, "<th scope=\"col\">Hageby<br><code>0581-hageby</code></th>"), "a column");
	cell_is(&r, "0581-hageby", "Hageby", "stored", "5", "lagrad", NULL, "GET");
	cell_is(&r, "0182-boo", "Boo", "new", "", "ny", NULL, "GET");
	ok(has(&r, "name=\"action\" value=\"check\">Kontrollera</button>") &&
	   has(&r, "name=\"action\" value=\"submit\">Skicka</button>"), "the two buttons");
	ok(has(&r, "<a href=\"/submit/template.xlsx?quarter=2025Q3&amp;lang=sv\">"),
	   "the template's link");
	ok(!has(&r, "<script"), "no script");
	http_result_free(&r);
	is_int(req("GET", "/submit?quarter=2025K3&lang=en", NULL, NULL, NULL, &r), 200,
	       "2025K3 in English: 200");
	ok(has(&r, "<span class=\"state\">stored</span>") && has(&r, "Check</button>") &&
	   has(&r, "aria-label=\"Mini-Maria cases, Hageby\""), "English words");
	http_result_free(&r);
}

#define CELLS "quarter=2025Q3&lang=sv&v:" IND ":0182-boo=3&v:" IND ":0182-alta=" \
              "&v:" IND ":0581-hageby=7"

static void test_check_and_submit(void)
{
	struct http_result r;

	is_int(req("POST", "/submit", FORM, CELLS "&action=check", NULL, &r), 200, "check: 200");
	ok(has(&r, "Kontrollerat: <span class=\"created\">1</span> nya, <span class=\"updated\">1"
	       "</span> ändrade, <span class=\"unchanged\">0</span> oförändrade."),
	   "check: what a submission would do");
	cell_is(&r, "0581-hageby", "Hageby", "changed", "7", "ändrad", NULL, "check");
	cell_is(&r, "0182-boo", "Boo", "new", "3", "ny", NULL, "check");
	cell_is(&r, "0182-alta", "Älta", "new", "", "ny", NULL, "check");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 1, "check stored nothing");

	is_int(req("POST", "/submit", FORM, CELLS "&action=submit", NULL, &r), 200, "submit: 200");
	ok(has(&r, "Sparat: <span class=\"created\">1</span> nya, <span class=\"updated\">1"
	       "</span> ändrade, <span class=\"unchanged\">0</span> oförändrade."),
	   "submit: the receipt");
	char *uuid = harness_sql_text(&db, "SELECT uuid::text FROM submission ORDER BY id DESC "
	                                   "LIMIT 1");
	char want[128];
	snprintf(want, sizeof want, "Inlämning <code class=\"submission\">%s</code>", uuid);
	ok(has(&r, want), "the receipt names the submission %s", uuid);
	cell_is(&r, "0581-hageby", "Hageby", "stored", "7", "lagrad", NULL, "submit");
	cell_is(&r, "0182-boo", "Boo", "stored", "3", "lagrad", NULL, "submit");
	http_result_free(&r);
	api_counts(&r);
	snprintf(want, sizeof want, "{\"period\":\"2025Q3\",\"counts\":[{\"indicator\":\"" IND
	         "\",\"area\":\"0182-boo\",\"period\":\"2025Q3\",\"value\":3,\"submission\":\"%s\"},",
	         uuid);
	ok(strncmp(text(&r), want, strlen(want)) == 0, "GET /v1/counts has boo = 3 (%s)", text(&r));
	ok(has(&r, "\"area\":\"0581-hageby\",\"period\":\"2025Q3\",\"value\":7,"), "and hageby = 7");
	http_result_free(&r);
	free(uuid);

	is_int(req("POST", "/submit", FORM, "quarter=2025Q3&action=submit&v:" IND ":0182-boo=",
	           NULL, &r), 400, "every cell empty: 400");
	ok(has(&r, "Fyll i minst ett värde."), "the page asks for a value");
	http_result_free(&r);
}

static void test_errors(void)
{
	struct http_result r;
	long long before = harness_sql_int(&db, "SELECT count(*) FROM count_history");

	is_int(req("POST", "/submit", FORM, "quarter=2025Q3&action=submit&v:" IND ":0182-boo=-1"
	           "&v:" IND ":0182-alta=1.5&v:" IND ":0581-hageby=%3Cb%3E&v:" IND
	           ":0581-marielund=2&v:bup.nya_barn:0182-boo=4", NULL, &r),
	       422, "bad values: 422");
	cell_is(&r, "0182-boo", "Boo", "changed", "-1", "ändrad",
	        "Ett antal kan inte vara negativt; skriv 0 eller mer.\n", "negative");
	cell_is(&r, "0182-alta", "Älta", "new", "1.5", "ny",
	        "Ett antal är ett heltal, utan decimaler.\n", "fractional");
	cell_is(&r, "0581-hageby", "Hageby", "changed", "&lt;b&gt;", "ändrad",
	        "Skriv antalet med siffror.\n", "markup");
	cell_is(&r, "0581-marielund", "Marielund", "new", "2", "ny", NULL, "a good cell");
	ok(has(&r, "<p class=\"error\" role=\"alert\">Inget sparades. Rätta felen:</p>"),
	   "the page says nothing was stored");
	ok(has(&r, "<p class=\"error rows\" role=\"alert\">bup.nya_barn, 0182-boo: "),
	   "a row of no cell is listed above the grid");
	ok(!has(&r, "<b>"), "what was typed is escaped");
	ok(!has(&r, "minus sign"), "no English sentence on the Swedish page");
	http_result_free(&r);
	is_int(req("POST", "/submit", FORM, "lang=en&quarter=2025Q3&action=submit&v:" IND
	           ":0182-boo=-1", NULL, &r), 422, "lang=en, a negative value: 422");
	ok(has(&r, "value -1 has a minus sign; a count is 0 or more\n"),
	   "the English page says the API's sentence");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), before,
	       "nothing stored");
}

static void test_locked(void)
{
	struct http_result r;
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *const lock[] = { "lock", "--area", "0581", "--year", "2025", NULL };
	long long before = harness_sql_int(&db, "SELECT count(*) FROM count_history");

	is_int(harness_admin(db.admin_url, lock, &out, &err), 0, "2025 locked for Norrköping");
	is_int(req("POST", "/submit", FORM, "quarter=2025Q3&action=submit&v:" IND
	           ":0581-hageby=8&v:" IND ":0182-boo=3", NULL, &r), 409, "a locked period: 409");
	cell_is(&r, "0581-hageby", "Hageby", "changed", "8", "ändrad",
	        "the batch would change locked period 2025Q3; nothing was stored\n", "locked");
	cell_is(&r, "0182-boo", "Boo", "stored", "3", "lagrad", NULL, "unchanged beside it");
	http_result_free(&r);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM count_history"), before,
	       "nothing stored");
	is_int(req("POST", "/submit", FORM, "quarter=2025Q3&action=submit&v:" IND
	           ":0581-hageby=7", NULL, &r), 200, "the same value again: 200");
	ok(has(&r, "<span class=\"unchanged\">1</span>"), "unchanged");
	http_result_free(&r);
	buf_free(&out);
	buf_free(&err);
}

static void test_refused_posts(void)
{
	struct http_result r;
	long long before = harness_sql_int(&db, "SELECT count(*) FROM submission");

	is_int(req("POST", "/submit", FORM, CELLS "&action=submit", "Origin: http://evil.example",
	           &r), 403, "a cross-site post: 403");
	ok(has(&r, "från en annan webbplats"), "the page says why");
	http_result_free(&r);
	is_int(req("POST", "/submit", FORM, CELLS "&action=submit", "Sec-Fetch-Site: same-site",
	           &r), 403, "Sec-Fetch-Site: same-site: 403");
	http_result_free(&r);
	is_int(req("POST", "/submit", "text/csv", "indicator,area,period,value\n", NULL, &r), 415,
	       "CSV to /submit: 415");
	http_result_free(&r);
	is_int(req("POST", "/submit", FORM, "quarter=1999Q4&v:" IND ":0182-boo=1", NULL, &r), 400,
	       "a quarter before 2000: 400");
	http_result_free(&r);
	size_t n = 5000;
	char *big = malloc(n + 1);
	memset(big, '1', n);
	memcpy(big, "quarter=2025Q3&v:" IND ":0182-boo=", 35);
	big[n] = '\0';
	is_int(req("POST", "/submit", FORM, big, NULL, &r), 413, "a body over --body-limit: 413");
	ok(has(&r, "\"error\":\"body_too_large\""), "answered like the API: body_too_large");
	http_result_free(&r);
	free(big);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), before, "nothing stored");
}

#define BOUNDARY "----samladtest7MA4YWxkTrZu0gW"
#define MULTIPART "multipart/form-data; boundary=" BOUNDARY

/* A multipart body of quarter, lang and a file part holding csv (NULL: an
 * empty file input, as a browser sends it). */
static char *multipart_lang(const char *csv, const char *lang)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"quarter\"\r\n"
	           "\r\n2025Q3\r\n--" BOUNDARY "\r\nContent-Disposition: form-data; "
	           "name=\"lang\"\r\n\r\n%s\r\n--" BOUNDARY "\r\nContent-Disposition: "
	           "form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: text/csv\r\n"
	           "\r\n%s\r\n--" BOUNDARY "--\r\n", lang, csv ? "counts.csv" : "",
	           csv ? csv : "");
	return buf_steal(&b);
}

static char *multipart(const char *csv)
{
	return multipart_lang(csv, "sv");
}

/* A file as Swedish Excel saves it (';', a BOM, CRLF, no last line end) is
 * read as the comma CSV is; an Excel workbook gets the page's sentence
 * (415), in Swedish or English, and nothing is stored. */
static void test_upload_excel(void)
{
	struct http_result r;
	char *body = multipart("\xEF\xBB\xBF" "indicator;area;period;value\r\n"
	                       IND ";0182-boo;2025Q3;6\r\n" IND ";\"0182-alta\";2025Q3;2");

	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 200,
	       "a semicolon file with a BOM: 200");
	ok(has(&r, "Sparat: <span class=\"created\">0</span> nya, <span class=\"updated\">1"
	       "</span> ändrade, <span class=\"unchanged\">1</span> oförändrade."), "the receipt");
	cell_is(&r, "0182-boo", "Boo", "stored", "6", "lagrad", NULL, "semicolon upload");
	http_result_free(&r);
	free(body);
	long long before = harness_sql_int(&db, "SELECT count(*) FROM submission");
	body = multipart("PK\x03\x04 an xlsx");
	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 415, "an xlsx: 415");
	ok(has(&r, "<p class=\"error\" role=\"alert\">Filen är en Excel-arbetsbok, inte CSV. "
	       "Spara den i Excel som &quot;CSV UTF-8 (kommaavgränsad) (*.csv)&quot; och ladda "
	       "upp den filen.</p>"), "the Swedish sentence on the page");
	http_result_free(&r);
	free(body);
	body = multipart_lang("\xD0\xCF\x11\xE0 an xls", "en");
	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 415, "an xls: 415");
	ok(has(&r, "<p class=\"error\" role=\"alert\">The file is an Excel workbook, not CSV. "
	       "Save it in Excel as &quot;CSV UTF-8 (kommaavgränsad) (*.csv)&quot; and upload "
	       "that file.</p>"), "the English sentence on the English page");
	http_result_free(&r);
	free(body);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), before, "nothing stored");
}

static void test_upload(void)
{
	struct http_result r;
	long long before = harness_sql_int(&db, "SELECT count(*) FROM submission");
	char *body = multipart("indicator,area,period,value\r\n" IND ",0182-boo,2025Q3,-1\r\n"
	                       IND ",0182-alta,2025Q3,2\r\n" IND ",0182-fisksatra,2025Q3,x\r\n");

	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 422,
	       "a file with bad rows: 422");
	ok(has(&r, "<p class=\"error rows\" role=\"alert\">rad 2, värde: Ett antal kan inte vara "
	       "negativt; skriv 0 eller mer.\nrad 4, värde: Skriv antalet med siffror.\n</p>"),
	   "every conflict with its line, in Swedish");
	http_result_free(&r);
	free(body);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), before, "nothing stored");

	body = multipart("indicator,area,period,value\r\n" IND ",0182-boo,2025Q3,4\r\n"
	                 IND ",0182-alta,2025Q3,2\r\n");
	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 200, "a good file: 200");
	ok(has(&r, "Sparat: <span class=\"created\">1</span> nya, <span class=\"updated\">1"
	       "</span> ändrade, <span class=\"unchanged\">0</span> oförändrade."), "the receipt");
	cell_is(&r, "0182-alta", "Älta", "stored", "2", "lagrad", NULL, "upload");
	cell_is(&r, "0182-boo", "Boo", "stored", "4", "lagrad", NULL, "upload");
	http_result_free(&r);
	free(body);
	api_counts(&r);
	ok(has(&r, "\"area\":\"0182-alta\",\"period\":\"2025Q3\",\"value\":2,") &&
	   has(&r, "\"area\":\"0182-boo\",\"period\":\"2025Q3\",\"value\":4,"),
	   "GET /v1/counts has what the file held");
	http_result_free(&r);

	body = multipart(NULL);
	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 400, "no file: 400");
	ok(has(&r, "Välj en fil att ladda upp."), "the page asks for a file");
	http_result_free(&r);
	is_int(req("POST", "/submit/upload", MULTIPART, body, "Origin: http://evil.example", &r),
	       403, "an upload from another site: 403");
	http_result_free(&r);
	free(body);
	is_int(req("POST", "/submit/upload", FORM, "quarter=2025Q3", NULL, &r), 415,
	       "an upload that is no multipart form: 415");
	http_result_free(&r);
	is_int(req("POST", "/submit/upload", MULTIPART, "--" BOUNDARY "\r\nContent-Dispo", NULL,
	           &r), 400, "a multipart body cut short: 400");
	ok(has(&r, "the form could not be read"), "the page says the form could not be read");
	http_result_free(&r);
	body = multipart("indicator,area,period,value\r\n" IND ",0182-boo,2025Q3,5\r\n");
	char saved[sizeof cookie];
	memcpy(saved, cookie, sizeof cookie);
	cookie[0] = '\0';
	is_int(req("POST", "/submit/upload", MULTIPART, body, NULL, &r), 303,
	       "an upload without a session: 303");
	memcpy(cookie, saved, sizeof cookie);
	http_result_free(&r);
	free(body);
}

static void test_sign_out(void)
{
	struct http_result r;
	char old[sizeof cookie];

	is_int(req("POST", "/logout", FORM, "lang=sv", "Origin: http://evil.example", &r), 403,
	       "a cross-site sign-out: 403");
	http_result_free(&r);
	is_int(req("POST", "/logout", FORM, "lang=en", NULL, &r), 303, "sign-out: 303");
	header_is(&r, "Location", "/login?lang=en", "sign-out");
	header_is(&r, "Set-Cookie", "samlad_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
	          "sign-out");
	http_result_free(&r);
	memcpy(old, cookie, sizeof cookie);
	is_int(req("GET", "/submit", NULL, NULL, NULL, &r), 303, "the old cookie: 303 to /login");
	http_result_free(&r);
}

int main(void)
{
	const char *const extra[] = { "--body-limit", "4096", NULL };

	harness_db_create(&db, "form");
	tok_sub = harness_token(&db, "submitter", "minimaria");
	tok_analyst = harness_token(&db, "analyst", NULL);
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, extra) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	test_login_page();
	test_login_refused();
	test_no_session();
	sign_in();
	test_picker();
	test_grid();
	test_check_and_submit();
	test_errors();
	test_locked();
	test_refused_posts();
	test_upload();
	test_upload_excel();
	test_sign_out();
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	free(tok_sub);
	free(tok_analyst);
	harness_db_drop(&db);
	return tap_done();
}
