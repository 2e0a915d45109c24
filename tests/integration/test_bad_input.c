/* Bad input to POST /v1/counts: every case gets its exact status, error code
 * and (for a 422) its exact conflicts, and none of them changes anything in
 * the database. The cases are a table; each row says what it sends and what
 * must come back. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler.h"
#include "harness.h"
#include "period.h"
#include "tap.h"

/* Which credentials a case sends. */
enum token_kind {
	TOK_BUP = 0,    /* a submitter of agency bup (the default) */
	TOK_NONE,       /* no Authorization header */
	TOK_MALFORMED,  /* "Bearer not-a-token" */
	TOK_UNKNOWN,    /* well-formed, but no such token */
	TOK_WRONG,      /* an existing token id with another secret */
	TOK_REVOKED,    /* a bup submitter token, revoked */
	TOK_ANALYST,    /* an analyst token */
	TOK_ADMIN,      /* an admin token */
};

/* One bad request and the answer it must get. */
struct bad_case {
	const char *name;          /* what the case shows */
	const char *method;        /* NULL for POST */
	const char *content_type;  /* the Content-Type sent */
	const char *body;          /* "{FUTURE}" becomes the quarter after the current one */
	enum token_kind token;     /* the credentials */
	const char *headers[3];    /* more request headers, NULL-terminated */
	bool small_limit;          /* sent to the collector started with --body-limit 1K */
	int want_status;           /* the exact HTTP status */
	const char *want_error;    /* the exact "error" */
	/* For a 422: the conflict at position want_which of the list. */
	const char *want_conflict_code;
	const char *want_conflict_field;
	int want_conflict_index;
	int want_which;            /* which conflict the three fields describe */
	int want_line;             /* its CSV line; 0 when not checked */
	int want_nconflicts;       /* how many conflicts exactly; 0 for no list */
	/* Every conflict as "index:field:code" joined by ",", or NULL. */
	const char *want_list;
};

/* A JSON row and a batch, as string literals. */
#define ROW(ind, area, per, val) \
	"{\"indicator\":\"" ind "\",\"area\":\"" area "\",\"period\":\"" per "\",\"value\":" val "}"
#define BATCH(rows) "{\"counts\":[" rows "]}"
/* Good rows whose values differ from the baseline, so a partial store shows. */
#define GOOD ROW("bup.nya_barn", "0581-hageby", "2024Q3", "6")
#define GOOD2 ROW("bup.nya_barn", "0581-navestad", "2024Q3", "8")
#define GOODN(area, per) ROW("bup.aktuella_barn", area, per, "11")
#define JSON "application/json"
#define CSV "text/csv"
#define CSV_HEAD "indicator,area,period,value\n"

/* Ten rows for one period; the eighth (index 7) has a negative count. */
#define TEN_ONE_BAD \
	BATCH(GOODN("0182-boo", "2023Q1") "," GOODN("0182-fisksatra", "2023Q1") "," \
	      GOODN("0182-saltsjobaden", "2023Q1") "," GOODN("0182-sicklaon", "2023Q1") "," \
	      GOODN("0182-alta", "2023Q1") "," GOODN("0581-klockaretorpet", "2023Q1") "," \
	      GOODN("0581-marielund", "2023Q1") "," \
	      ROW("bup.aktuella_barn", "0581-hageby", "2023Q1", "-4") "," \
	      GOODN("0581-navestad", "2023Q1") "," GOODN("0581-skarblacka", "2023Q1"))

/* Ten rows with three bad ones at indexes 2, 5 and 8. */
#define TEN_THREE_BAD \
	BATCH(GOODN("0182-boo", "2023Q2") "," GOODN("0182-fisksatra", "2023Q2") "," \
	      ROW("bup.aktuella_barn", "0182-saltsjobaden", "2023Q2", "-1") "," \
	      GOODN("0182-sicklaon", "2023Q2") "," GOODN("0182-alta", "2023Q2") "," \
	      ROW("bup.aktuella_barn", "0581-atlantis", "2023Q2", "3") "," \
	      GOODN("0581-marielund", "2023Q2") "," GOODN("0581-hageby", "2023Q2") "," \
	      ROW("bup.aktuella_barn", "0581-navestad", "{FUTURE}", "3") "," \
	      GOODN("0581-skarblacka", "2023Q2"))

static const struct bad_case cases[] = {
	/* The body cannot be read: 400. */
	{ .name = "malformed JSON", .content_type = JSON, .body = "{\"counts\":[",
	  .want_status = 400, .want_error = "malformed_json" },
	{ .name = "trailing garbage after the object", .content_type = JSON,
	  .body = BATCH(GOOD) " x", .want_status = 400, .want_error = "malformed_json" },
	{ .name = "empty JSON body", .content_type = JSON, .body = "",
	  .want_status = 400, .want_error = "malformed_json" },
	{ .name = "top-level array", .content_type = JSON, .body = "[" GOOD "]",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "unknown top-level field", .content_type = JSON,
	  .body = "{\"counts\":[" GOOD "],\"agency\":\"soc\"}",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "no counts field", .content_type = JSON, .body = "{}",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "empty counts", .content_type = JSON, .body = "{\"counts\":[]}",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "counts is an object", .content_type = JSON, .body = "{\"counts\":{}}",
	  .want_status = 400, .want_error = "invalid_body" },

	/* Rows that can be read but are wrong: 422 with every conflict. */
	{ .name = "row not an object", .content_type = JSON, .body = BATCH(GOOD ",5"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "not_an_object",
	  .want_conflict_field = "row", .want_conflict_index = 1, .want_nconflicts = 1 },
	{ .name = "unknown row field", .content_type = JSON,
	  .body = BATCH("{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
	                "\"period\":\"2024Q3\",\"value\":6,\"name\":\"Anna Andersson\"}"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "unknown_field",
	  .want_conflict_field = "name", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "a field twice in one row", .content_type = JSON,
	  .body = BATCH("{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
	                "\"period\":\"2024Q3\",\"value\":6,\"value\":7}"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "unknown_field",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "missing value", .content_type = JSON,
	  .body = BATCH("{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\",\"period\":\"2024Q3\"}"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "missing_field",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "missing indicator in the second row", .content_type = JSON,
	  .body = BATCH(GOOD ",{\"area\":\"0581-navestad\",\"period\":\"2024Q3\",\"value\":1}"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "missing_field",
	  .want_conflict_field = "indicator", .want_conflict_index = 1, .want_nconflicts = 1 },
	{ .name = "value as a string", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "\"6\"")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "wrong_type",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value null", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "null")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "wrong_type",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value 12.5", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "12.5")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "fractional_count",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value 1.5", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1.5")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "fractional_count",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value 1e-1", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1e-1")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "fractional_count",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value -1", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "-1")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "negative_count",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value 1000000001", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1000000001")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "count_too_large",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "value 1e400", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1e400")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "count_too_large",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "period as a number", .content_type = JSON,
	  .body = BATCH("{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\","
	                "\"period\":20243,\"value\":6}"),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "wrong_type",
	  .want_conflict_field = "period", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "period 2024Q5", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q5", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "invalid_period",
	  .want_conflict_field = "period", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "period 24Q1", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "24Q1", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "invalid_period",
	  .want_conflict_field = "period", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "period 1999Q4", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "1999Q4", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "period_too_early",
	  .want_conflict_field = "period", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "the quarter after the current one", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-hageby", "{FUTURE}", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "future_period",
	  .want_conflict_field = "period", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "unknown indicator", .content_type = JSON,
	  .body = BATCH(GOOD "," ROW("bup.nonexistent", "0581-hageby", "2024Q3", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "unknown_indicator",
	  .want_conflict_field = "indicator", .want_conflict_index = 1, .want_nconflicts = 1 },
	{ .name = "unknown area", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581-atlantis", "2024Q3", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "unknown_area",
	  .want_conflict_field = "area", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "a municipality (not a leaf area)", .content_type = JSON,
	  .body = BATCH(ROW("bup.nya_barn", "0581", "2024Q3", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "not_a_leaf_area",
	  .want_conflict_field = "area", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "another agency's indicator", .content_type = JSON,
	  .body = BATCH(ROW("soc.placerade", "0581-hageby", "2024Q3", "6")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "not_permitted",
	  .want_conflict_field = "indicator", .want_conflict_index = 0, .want_nconflicts = 1 },
	{ .name = "duplicate key in the batch", .content_type = JSON,
	  .body = BATCH(GOOD "," GOOD2 "," GOOD),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "duplicate_key",
	  .want_conflict_field = "row", .want_conflict_index = 2, .want_nconflicts = 1 },
	{ .name = "duplicate key spelled 2024Q3 and 2024-Q3", .content_type = JSON,
	  .body = BATCH(GOOD "," ROW("bup.nya_barn", "0581-hageby", "2024-Q3", "7")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "duplicate_key",
	  .want_conflict_field = "row", .want_conflict_index = 1, .want_nconflicts = 1 },
	{ .name = "one bad row among ten good ones", .content_type = JSON, .body = TEN_ONE_BAD,
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "negative_count",
	  .want_conflict_field = "value", .want_conflict_index = 7, .want_nconflicts = 1,
	  .want_list = "7:value:negative_count" },
	{ .name = "three bad rows are all listed", .content_type = JSON, .body = TEN_THREE_BAD,
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "future_period",
	  .want_conflict_field = "period", .want_conflict_index = 8, .want_which = 2,
	  .want_nconflicts = 3,
	  .want_list = "2:value:negative_count,5:area:unknown_area,8:period:future_period" },
	{ .name = "two conflicts in one row, in field order", .content_type = JSON,
	  .body = BATCH(GOOD "," ROW("bup.nya_barn", "0581-atlantis", "2024Q3", "-2")),
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "negative_count",
	  .want_conflict_field = "value", .want_conflict_index = 1, .want_which = 1,
	  .want_nconflicts = 2, .want_list = "1:area:unknown_area,1:value:negative_count" },

	/* CSV. */
	{ .name = "CSV header without value", .content_type = CSV,
	  .body = "indicator,area,period\nbup.nya_barn,0581-hageby,2024Q3\n",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "CSV with an unknown column", .content_type = CSV,
	  .body = "indicator,area,period,value,comment\nbup.nya_barn,0581-hageby,2024Q3,6,x\n",
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "CSV header only", .content_type = CSV, .body = CSV_HEAD,
	  .want_status = 400, .want_error = "invalid_body" },
	{ .name = "CSV unterminated quote", .content_type = CSV,
	  .body = CSV_HEAD "bup.nya_barn,\"0581-hageby,2024Q3,6\n",
	  .want_status = 400, .want_error = "malformed_csv" },
	{ .name = "CSV row with too many fields", .content_type = CSV,
	  .body = CSV_HEAD "bup.nya_barn,0581-hageby,2024Q3,6,Anna\n",
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "unknown_field",
	  .want_conflict_field = "row", .want_conflict_index = 0, .want_line = 2,
	  .want_nconflicts = 1 },
	{ .name = "CSV row with too few fields", .content_type = CSV,
	  .body = CSV_HEAD "bup.nya_barn,0581-hageby,2024Q3,6\nbup.nya_barn,0581-navestad,2024Q3\n",
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "missing_field",
	  .want_conflict_field = "value", .want_conflict_index = 1, .want_line = 3,
	  .want_nconflicts = 1 },
	{ .name = "CSV value -3", .content_type = CSV,
	  .body = CSV_HEAD "bup.nya_barn,0581-hageby,2024Q3,6\nbup.nya_barn,0581-navestad,2024Q3,-3\n",
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "negative_count",
	  .want_conflict_field = "value", .want_conflict_index = 1, .want_line = 3,
	  .want_nconflicts = 1 },
	{ .name = "CSV value 12.5", .content_type = CSV,
	  .body = CSV_HEAD "bup.nya_barn,0581-hageby,2024Q3,12.5\n",
	  .want_status = 422, .want_error = "validation_failed", .want_conflict_code = "fractional_count",
	  .want_conflict_field = "value", .want_conflict_index = 0, .want_line = 2,
	  .want_nconflicts = 1 },

	/* The request around the body. */
	{ .name = "wrong content type", .content_type = "text/plain", .body = BATCH(GOOD),
	  .want_status = 415, .want_error = "unsupported_media_type" },
	{ .name = "form content type", .content_type = "application/x-www-form-urlencoded",
	  .body = BATCH(GOOD), .want_status = 415, .want_error = "unsupported_media_type" },
	{ .name = "no token", .content_type = JSON, .body = BATCH(GOOD), .token = TOK_NONE,
	  .want_status = 401, .want_error = "unauthorized" },
	{ .name = "malformed token", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_MALFORMED, .want_status = 401, .want_error = "unauthorized" },
	{ .name = "unknown token", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_UNKNOWN, .want_status = 401, .want_error = "unauthorized" },
	{ .name = "a real token id with a wrong secret", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_WRONG, .want_status = 401, .want_error = "unauthorized" },
	{ .name = "revoked token", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_REVOKED, .want_status = 401, .want_error = "unauthorized" },
	{ .name = "Basic authorization", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_NONE, .headers = { "Authorization: Basic YnVwOnNlY3JldA==", NULL },
	  .want_status = 401, .want_error = "unauthorized" },
	{ .name = "analyst token posting", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_ANALYST, .want_status = 403, .want_error = "forbidden" },
	{ .name = "admin token posting", .content_type = JSON, .body = BATCH(GOOD),
	  .token = TOK_ADMIN, .want_status = 403, .want_error = "forbidden" },
	{ .name = "body over the limit (--body-limit 1K)", .content_type = JSON,
	  .body = BATCH(GOODN("0182-boo", "2022Q1") "," GOODN("0182-fisksatra", "2022Q1") ","
	                GOODN("0182-saltsjobaden", "2022Q1") "," GOODN("0182-sicklaon", "2022Q1") ","
	                GOODN("0182-alta", "2022Q1") "," GOODN("0581-klockaretorpet", "2022Q1") ","
	                GOODN("0581-marielund", "2022Q1") "," GOODN("0581-hageby", "2022Q1") ","
	                GOODN("0581-navestad", "2022Q1") "," GOODN("0581-skarblacka", "2022Q1") ","
	                GOODN("0182-boo", "2022Q2") "," GOODN("0182-fisksatra", "2022Q2") ","
	                GOODN("0182-saltsjobaden", "2022Q2") "," GOODN("0182-sicklaon", "2022Q2")),
	  .small_limit = true, .want_status = 413, .want_error = "body_too_large" },
	{ .name = "body over the default limit (8 MiB + 1)", .content_type = JSON, .body = "{HUGE}",
	  .want_status = 413, .want_error = "body_too_large" },
	{ .name = "Idempotency-Key of 256 characters", .content_type = JSON, .body = BATCH(GOOD),
	  .headers = { "Idempotency-Key: "
	               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL },
	  .want_status = 400, .want_error = "invalid_parameter" },
	{ .name = "Idempotency-Key with a non-ASCII byte", .content_type = JSON, .body = BATCH(GOOD),
	  .headers = { "Idempotency-Key: nyckel-\xc3\xa5\xc3\xa4\xc3\xb6", NULL },
	  .want_status = 400, .want_error = "invalid_parameter" },
	{ .name = "PUT /v1/counts", .method = "PUT", .content_type = JSON, .body = BATCH(GOOD),
	  .want_status = 405, .want_error = "method_not_allowed" },
};

static struct harness_db db;
static struct harness_proc collector, small;
static char *tokens[TOK_ADMIN + 1];
static char future[PERIOD_STRLEN];

/* The default --body-limit of the collector. */
#define DEFAULT_BODY_LIMIT (8u << 20)

/* A JSON body one byte over the default limit: a batch padded with spaces. */
static char *huge_body(void)
{
	char *b = malloc(DEFAULT_BODY_LIMIT + 2);
	const char head[] = "{\"counts\":[" GOOD, tail[] = "]}";
	if (!b)
		abort();
	memset(b, ' ', DEFAULT_BODY_LIMIT + 1);
	memcpy(b, head, sizeof head - 1);
	memcpy(b + DEFAULT_BODY_LIMIT + 1 - (sizeof tail - 1), tail, sizeof tail - 1);
	b[DEFAULT_BODY_LIMIT + 1] = '\0';
	return b;
}

/* Replaces every "{FUTURE}" in body, and a body "{HUGE}" by huge_body();
 * the caller frees the result. */
static char *expand(const char *body)
{
	struct buf b = BUF_INIT;
	const char *p = body, *hit;

	if (strcmp(body, "{HUGE}") == 0)
		return huge_body();
	while ((hit = strstr(p, "{FUTURE}")) != NULL) {
		if (buf_append(&b, p, (size_t)(hit - p)) != 0 || buf_puts(&b, future) != 0)
			abort();
		p = hit + strlen("{FUTURE}");
	}
	if (buf_puts(&b, p) != 0)
		abort();
	return buf_steal(&b);
}

/* What the database holds: a change anywhere changes this text. */
static char *fingerprint(void)
{
	return harness_sql_text(&db,
		"SELECT (SELECT count(*) FROM submission) || '/' ||"
		" (SELECT count(*) FROM count_history) || '/' ||"
		" (SELECT coalesce(sum(value), 0) FROM count_current) || '/' ||"
		" (SELECT coalesce(max(id), 0) FROM submission)");
}

static const char *json_string(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
	return s ? s : "(none)";
}

static long long json_int(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* "index:field:code" of every conflict, joined by ",". */
static void conflict_list(const cJSON *list, char *out, size_t size)
{
	const cJSON *c;
	size_t n = 0;
	out[0] = '\0';
	cJSON_ArrayForEach(c, list) {
		int m = snprintf(out + n, size - n, "%s%lld:%s:%s", n ? "," : "",
		                 json_int(c, "index"), json_string(c, "field"), json_string(c, "code"));
		if (m < 0 || (size_t)m >= size - n)
			break;
		n += (size_t)m;
	}
}

/* The checks of a 422's conflict list. */
static void check_conflicts(const struct bad_case *k, const cJSON *root)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "conflicts");
	const cJSON *c = cJSON_GetArrayItem(list, k->want_which);
	char all[1024];

	is_int(cJSON_GetArraySize(list), k->want_nconflicts, "%s: number of conflicts", k->name);
	is_str(json_string(c, "code"), k->want_conflict_code, "%s: conflict code", k->name);
	if (k->want_conflict_field)
		is_str(json_string(c, "field"), k->want_conflict_field, "%s: conflict field", k->name);
	is_int(json_int(c, "index"), k->want_conflict_index, "%s: conflict index", k->name);
	if (k->want_line)
		is_int(json_int(c, "line"), k->want_line, "%s: conflict line", k->name);
	ok(strcmp(json_string(c, "message"), "(none)") != 0 && json_string(c, "message")[0],
	   "%s: the conflict has a message", k->name);
	if (k->want_list) {
		conflict_list(list, all, sizeof all);
		is_str(all, k->want_list, "%s: every conflict listed, in order", k->name);
	}
}

/* Sends one case and checks its answer and that nothing changed. */
static void run_case(const struct bad_case *k)
{
	struct http_result res;
	char url[160], ctype[128];
	char *body = expand(k->body);
	char *before = fingerprint();

	snprintf(url, sizeof url, "%s/v1/counts",
	         k->small_limit ? small.base_url : collector.base_url);
	http_do(k->method ? k->method : "POST", url, tokens[k->token], k->content_type,
	        body, strlen(body), k->headers, &res);
	is_int(res.status, k->want_status, "%s: status %d", k->name, k->want_status);
	cJSON *root = cJSON_Parse(res.body.data);
	is_str(json_string(root, "error"), k->want_error, "%s: error", k->name);
	ok(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "message")) &&
	   json_string(root, "message")[0] != '\0', "%s: a message", k->name);
	ok(http_result_header(&res, "Content-Type", ctype, sizeof ctype) &&
	   strncmp(ctype, "application/json", 16) == 0, "%s: the error is JSON", k->name);
	if (k->want_status == 405)
		ok(http_result_header(&res, "Allow", ctype, sizeof ctype) && strstr(ctype, "POST"),
		   "%s: Allow names POST", k->name);
	if (k->want_conflict_code)
		check_conflicts(k, root);
	else
		ok(cJSON_GetObjectItemCaseSensitive(root, "conflicts") == NULL,
		   "%s: no conflict list", k->name);
	char *after = fingerprint();
	is_str(after, before, "%s: nothing changed in the database", k->name);
	if (res.status == 0)
		diag("%s: %s", k->name, res.error);
	cJSON_Delete(root);
	http_result_free(&res);
	free(before);
	free(after);
	free(body);
}

/* Revokes a token with samlad-admin (its id is the number after "smd_"). */
static void revoke(const char *token)
{
	char id[32], url_env[600];
	struct buf out = BUF_INIT, err = BUF_INIT;

	snprintf(id, sizeof id, "%lld", strtoll(token + 4, NULL, 10));
	snprintf(url_env, sizeof url_env, "DATABASE_URL=%s", db.admin_url);
	const char *argv[] = { harness_program("tools/samlad-admin"), "token", "revoke", id, NULL };
	const char *env[] = { url_env, NULL };
	is_int(harness_run(argv, env, NULL, &out, &err), 0, "samlad-admin token revoke %s", id);
	buf_free(&out);
	buf_free(&err);
}

/* A token with the id of `real` and a different secret of the same length. */
static char *wrong_secret(const char *real)
{
	char *t = strdup(real);
	size_t n = strlen(t);
	t[n - 1] = t[n - 1] == 'A' ? 'B' : 'A';
	return t;
}

/* Stores a baseline so that "nothing changed" compares against real data.
 * It is sent with the token revoked afterwards: a token that worked a
 * moment ago must stop working once revoked. */
static void baseline(void)
{
	static const char body[] = BATCH(
		ROW("bup.nya_barn", "0581-hageby", "2024Q3", "5") ","
		ROW("bup.nya_barn", "0581-navestad", "2024Q3", "7"));
	struct http_result res;
	char url[160];
	snprintf(url, sizeof url, "%s/v1/counts", collector.base_url);
	http_do("POST", url, tokens[TOK_REVOKED], JSON, body, strlen(body), NULL, &res);
	is_int(res.status, 201, "the baseline batch is stored");
	http_result_free(&res);
}

int main(void)
{
	const char *limit[] = { "--body-limit", "1K", NULL };

	harness_db_create(&db, "bad_input");
	period_format(period_add(period_current(time(NULL)), 1), future);
	tokens[TOK_BUP] = harness_token(&db, "submitter", "bup");
	tokens[TOK_MALFORMED] = strdup("not-a-token");
	tokens[TOK_UNKNOWN] = strdup("smd_999999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	tokens[TOK_WRONG] = wrong_secret(tokens[TOK_BUP]);
	tokens[TOK_REVOKED] = harness_token(&db, "submitter", "bup");
	tokens[TOK_ANALYST] = harness_token(&db, "analyst", NULL);
	tokens[TOK_ADMIN] = harness_token(&db, "admin", NULL);
	if (harness_start(&collector, harness_program("collector/samlad-collector"),
	                  db.collector_url, NULL) != 0 ||
	    harness_start(&small, harness_program("collector/samlad-collector"),
	                  db.collector_url, limit) != 0) {
		printf("Bail out! the collector did not start (see %s)\n", collector.log_path);
		return 1;
	}
	baseline();
	revoke(tokens[TOK_REVOKED]);
	diag("%zu bad-input cases; the future quarter is %s", ARRAY_LEN(cases), future);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);
	is_int(harness_sql_int(&db, "SELECT count(*) FROM submission"), 1,
	       "after every case only the baseline submission exists");
	is_int(harness_stop(&collector), 0, "the collector exits 0 on SIGTERM");
	is_int(harness_stop(&small), 0, "the small-limit collector exits 0 on SIGTERM");
	for (size_t i = 0; i < ARRAY_LEN(tokens); i++)
		free(tokens[i]);
	harness_db_drop(&db);
	return tap_done();
}
