/* What the aggregator's integration tests share: a database with tokens of
 * every role, the aggregator started on it, counts planted by SQL under
 * submissions whose arrival time the test chooses, GET requests, JSON
 * lookups and the checks every test makes of an error body. */
#ifndef SAMLAD_AGG_SUPPORT_H
#define SAMLAD_AGG_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "compiler.h"
#include "harness.h"
#include "tap.h"

/* One test's world. */
struct agg_env {
	struct harness_db db;      /* the test's own database */
	struct harness_proc agg;   /* samlad-aggregator on it */
	char *analyst;             /* malloc'd analyst token */
	char *admin;               /* malloc'd admin token */
	char *submitter;           /* malloc'd submitter token of agency bup */
	long long submitter_id;    /* its id (the token_id of planted submissions) */
};

/* One planted count. */
struct agg_count {
	const char *indicator;  /* catalogue code */
	const char *area;       /* a leaf area's code */
	int period;             /* yyyyq */
	long long value;        /* the count */
};

/* Creates the database and the tokens, and starts the aggregator with the
 * extra arguments (NULL-terminated, may be NULL). Bails out on failure. */
void agg_env_start(struct agg_env *e, const char *tag, const char *const *extra);
/* Stops the aggregator, drops the database, frees the tokens. */
void agg_env_stop(struct agg_env *e);

/* A token's id (the number after "smd_"). */
long long agg_token_id(const char *token);

/* Begins a transaction and inserts a submission of agency `agency`
 * received at `received_at` (an SQL timestamptz literal); returns its id.
 * Planting as the schema's owner lets a test choose the arrival time, which
 * as_of reads. */
long long agg_submission(struct agg_env *e, const char *agency, const char *received_at);
/* Inserts counts under the submission; bails out when a code is unknown. */
void agg_plant(struct agg_env *e, long long submission, const struct agg_count *c, size_t n);
/* Commits the submission with its counts, as the collector does: the
 * recorder must never see a submission whose counts are still coming. */
void agg_commit(struct agg_env *e);

/* samlad-admin catalogue import of `dir` (NULL: the test catalogue) with
 * extra arguments (NULL-terminated, may be NULL) on the test's database;
 * its exit status. */
int agg_import(struct agg_env *e, const char *dir, const char *const *extra);
/* Writes the test catalogue into `dir` with `extra_areas` (lines of
 * code,name,parent,first_period,last_period) added to areas.csv, which
 * gets the two period columns. */
void agg_catalogue_copy(const char *dir, const char *extra_areas);

/* GET base_url + the formatted path, with a bearer token (may be NULL) and
 * extra headers (NULL-terminated, may be NULL). */
void agg_get(const struct harness_proc *p, const char *token, const char *const *headers,
             struct http_result *out, const char *fmt, ...) PRINTF(5, 6);

/* The body parsed as JSON, or NULL. The caller deletes it. */
cJSON *agg_json(const struct http_result *r);
/* A member by a dotted path of names and indexes ("trend.mann_kendall.s",
 * "points.3.value"), or NULL. */
const cJSON *agg_at(const cJSON *o, const char *path);
/* The number at path, or NAN when it is absent or not a number. */
double agg_num(const cJSON *o, const char *path);
/* The string at path, or "" when absent. */
const char *agg_str(const cJSON *o, const char *path);
/* True when the member at path is JSON null. */
bool agg_is_null(const cJSON *o, const char *path);

/* The element of a "points"/"cells" array whose "period" is `period`. */
const cJSON *agg_point(const cJSON *list, const char *period);


/* True when the text holds the number v as a token of its own: a run of
 * digits (with an optional fraction) that neither letters, digits, '.',
 * '-' nor quotes touch. Finds 4 in ":4," or ",4\r\n" but not in "2024Q4",
 * "14" or "\"4\"". */
bool agg_has_number(const char *text, long long v);

/* Writes s to path; bails out on failure. */
void agg_write_file(const char *path, const char *s);

/* Runs sdmx_validate.py (beside this file; a validator of any JSON schema)
 * on r's body against ../shared/specs/<schema>, its words in out; returns
 * its exit status, or 77 when ../shared/specs is not at hand. */
int agg_schema_run(const struct http_result *r, const char *schema, struct buf *out);

/* One TAP line: r's body valid against ../shared/specs/<schema>, named
 * "<what>: valid against the official <against>", the validator's words
 * beside a failure; a skip when ../shared/specs is not at hand. Inline, so
 * that the line is counted by the calling test's tap.h. */
static inline void agg_check_schema(const struct http_result *r, const char *schema,
                                    const char *what, const char *against)
{
	struct buf out = BUF_INIT;
	int rc = agg_schema_run(r, schema, &out);

	if (rc == 77)
		ok(true, "%s: # SKIP no ../shared/specs", what);
	else if (!is_int(rc, 0, "%s: valid against the official %s", what, against))
		diag("%s", out.data ? out.data : "");
	buf_free(&out);
}

/* The workbook in r's body as xlsx_dump.py (beside this file) prints it
 * with python3-openpyxl: {"sheets", "rows": {sheet: [[cell...]]},
 * "value_formats"}. NULL (with a diagnostic) when the body is no
 * workbook. Delete it. */
cJSON *agg_xlsx(const struct http_result *r);

/* Checks an error answer: the status, JSON content type, and a body of
 * exactly {"error": code, "message": non-empty}. Defined here, not in
 * agg_support.c, because tap.h keeps its counters per file: the checks
 * must count in the test's own file. */
__attribute__((unused))
static void agg_check_error(const char *what, const struct http_result *r, long status,
                            const char *code)
{
	char type[128] = "";
	cJSON *o = agg_json(r);

	is_int(r->status, status, "%s: status %ld", what, status);
	ok(http_result_header(r, "Content-Type", type, sizeof type) &&
	   strncmp(type, "application/json", 16) == 0, "%s: the error is JSON (%s)", what, type);
	is_str(agg_str(o, "error"), code, "%s: error is %s", what, code);
	ok(strlen(agg_str(o, "message")) > 0 && cJSON_GetArraySize(o) == 2,
	   "%s: exactly error and a message (%s)", what, agg_str(o, "message"));
	cJSON_Delete(o);
}

#endif
