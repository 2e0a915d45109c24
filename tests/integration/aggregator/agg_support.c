/* Shared helpers of the aggregator's integration tests; see agg_support.h.
 * Failures of the helpers themselves (not of the code under test) print
 * "Bail out!" and exit, so a broken set-up never reads as a passing test. */
#include "agg_support.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


__attribute__((noreturn, format(printf, 1, 2)))
static void bail(const char *fmt, ...)
{
	va_list ap;
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

long long agg_token_id(const char *token)
{
	return strncmp(token, "smd_", 4) == 0 ? strtoll(token + 4, NULL, 10) : -1;
}

void agg_env_start(struct agg_env *e, const char *tag, const char *const *extra)
{
	memset(e, 0, sizeof *e);
	harness_db_create(&e->db, tag);
	e->analyst = harness_token(&e->db, "analyst", NULL);
	e->admin = harness_token(&e->db, "admin", NULL);
	e->submitter = harness_token(&e->db, "submitter", "bup");
	e->submitter_id = agg_token_id(e->submitter);
	if (harness_start(&e->agg, harness_program("aggregator/samlad-aggregator"),
	                  e->db.aggregator_url, extra) != 0)
		bail("samlad-aggregator did not start (log: %s)", e->agg.log_path);
}

void agg_env_stop(struct agg_env *e)
{
	harness_stop(&e->agg);
	harness_db_drop(&e->db);
	free(e->analyst);
	free(e->admin);
	free(e->submitter);
}

long long agg_submission(struct agg_env *e, const char *agency, const char *received_at)
{
	char sql[1024];

	harness_sql(&e->db, "BEGIN");
	snprintf(sql, sizeof sql,
	         "INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
	         " rows, created, updated, unchanged)"
	         " SELECT gen_random_uuid(), a.id, %lld, '%s'::timestamptz,"
	         " sha256(convert_to(random()::text, 'UTF8')), 0, 0, 0, 0"
	         " FROM agency a WHERE a.code = '%s' RETURNING id",
	         e->submitter_id, received_at, agency);
	return harness_sql_int(&e->db, sql);
}

void agg_plant(struct agg_env *e, long long submission, const struct agg_count *c, size_t n)
{
	char sql[1024];

	for (size_t i = 0; i < n; i++) {
		snprintf(sql, sizeof sql,
		         "WITH x AS (INSERT INTO count_history"
		         " (indicator_id, area_id, period, submission_id, value)"
		         " SELECT i.id, a.id, %d, %lld, %lld FROM indicator i, area a"
		         " WHERE i.code = '%s' AND a.code = '%s' RETURNING 1)"
		         " SELECT count(*) FROM x",
		         c[i].period, submission, c[i].value, c[i].indicator, c[i].area);
		if (harness_sql_int(&e->db, sql) != 1)
			bail("planting %s %s %d: no such indicator or area", c[i].indicator,
			     c[i].area, c[i].period);
	}
}

int agg_import(struct agg_env *e, const char *dir, const char *const *extra)
{
	char url[600], demo[4096];
	const char *argv[8] = { harness_program("tools/samlad-admin"), "catalogue", "import", demo };
	const char *env_vars[] = { url, NULL };
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	size_t n = 4;

	snprintf(demo, sizeof demo, "%s", dir ? dir : "");
	if (!dir)
		snprintf(demo, sizeof demo, "%s/tests/fixtures/catalogue", src ? src : ".");
	snprintf(url, sizeof url, "DATABASE_URL=%s", e->db.admin_url);
	while (extra && *extra && n < sizeof argv / sizeof *argv - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;
	return harness_run(argv, env_vars, NULL, NULL, NULL);
}

cJSON *agg_xlsx(const struct http_result *r)
{
	char script[1024], path[512];
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cJSON *o = NULL;

	snprintf(script, sizeof script, "%s/tests/integration/aggregator/xlsx_dump.py",
	         src ? src : ".");
	snprintf(path, sizeof path, "%s/book-%d.xlsx",
	         getenv("SAMLAD_BUILD_DIR") ? getenv("SAMLAD_BUILD_DIR") : "/tmp", (int)getpid());
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(r->body.data ? r->body.data : "", 1, r->body.len, fp) != r->body.len ||
	    fclose(fp) != 0)
		bail("cannot write %s", path);
	const char *argv[] = { "/usr/bin/python3", script, path, NULL };
	if (harness_run(argv, NULL, NULL, &out, &err) == 0)
		o = cJSON_Parse(out.data ? out.data : "");
	else
		diag("xlsx_dump.py: %s", err.data ? err.data : "");
	unlink(path);
	buf_free(&out);
	buf_free(&err);
	return o;
}

/* The whole of a file of the test catalogue; bails out when unreadable. */
static char *demo_file(const char *name)
{
	char path[4096], chunk[4096];
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	struct buf b = BUF_INIT;
	size_t n;

	snprintf(path, sizeof path, "%s/tests/fixtures/catalogue/%s", src ? src : ".", name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		bail("cannot read %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			bail("out of memory");
	fclose(fp);
	return buf_steal(&b);
}

void agg_catalogue_copy(const char *dir, const char *extra_areas)
{
	static const char *const same[] = { "agencies.csv", "indicators.csv", "permissions.csv" };
	char path[4096];
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		char *text = demo_file(same[i]);
		snprintf(path, sizeof path, "%s/%s", dir, same[i]);
		agg_write_file(path, text);
		free(text);
	}
	char *areas = demo_file("areas.csv");
	for (char *line = strtok(areas, "\n"); line; line = strtok(NULL, "\n"))
		if (buf_printf(&b, "%s%s\n", line, strcmp(line, "code,name,parent") == 0
		               ? ",first_period,last_period" : ",,") != 0)
			bail("out of memory");
	if (buf_puts(&b, extra_areas) != 0)
		bail("out of memory");
	snprintf(path, sizeof path, "%s/areas.csv", dir);
	agg_write_file(path, b.data);
	buf_free(&b);
	free(areas);
}

void agg_commit(struct agg_env *e)
{
	harness_sql(&e->db, "COMMIT");
}

void agg_get(const struct harness_proc *p, const char *token, const char *const *headers,
             struct http_result *out, const char *fmt, ...)
{
	char url[2048];
	va_list ap;
	int n = snprintf(url, sizeof url, "%s", p->base_url);

	va_start(ap, fmt);
	vsnprintf(url + n, sizeof url - (size_t)n, fmt, ap);
	va_end(ap);
	http_do("GET", url, token, NULL, NULL, 0, headers, out);
}

cJSON *agg_json(const struct http_result *r)
{
	return r->body.data ? cJSON_Parse(r->body.data) : NULL;
}

const cJSON *agg_at(const cJSON *o, const char *path)
{
	char name[128];

	while (o && *path) {
		size_t len = strcspn(path, ".");
		if (len >= sizeof name)
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		if (cJSON_IsArray(o) && isdigit((unsigned char)name[0]))
			o = cJSON_GetArrayItem(o, atoi(name));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, name);
		path += len + (path[len] == '.');
	}
	return o;
}

double agg_num(const cJSON *o, const char *path)
{
	const cJSON *v = agg_at(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *agg_str(const cJSON *o, const char *path)
{
	const char *s = cJSON_GetStringValue(agg_at(o, path));
	return s ? s : "";
}

bool agg_is_null(const cJSON *o, const char *path)
{
	return cJSON_IsNull(agg_at(o, path));
}

const cJSON *agg_point(const cJSON *list, const char *period)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, list)
		if (strcmp(agg_str(item, "period"), period) == 0)
			return item;
	return NULL;
}

/* A character that may stand beside a number in JSON or CSV. */
static bool number_edge_before(const char *text, const char *p)
{
	return p == text || strchr(":,[\n ", p[-1]) != NULL;
}

static bool number_edge_after(char c)
{
	return c == '\0' || strchr(",}]\r\n ", c) != NULL;
}

bool agg_has_number(const char *text, long long v)
{
	char want[32];

	snprintf(want, sizeof want, "%lld", v);
	for (const char *p = text; p && *p;) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t len = strspn(p, "0123456789.");
		if (number_edge_before(text, p) && number_edge_after(p[len]) &&
		    len == strlen(want) && memcmp(p, want, len) == 0)
			return true;
		p += len;
	}
	return false;
}

void agg_write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) < 0 || fclose(f) != 0)
		bail("cannot write %s", path);
}

int agg_schema_run(const struct http_result *r, const char *schema, struct buf *out)
{
	char script[1024], spec[1024], path[512];
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	const char *build = getenv("SAMLAD_BUILD_DIR");

	snprintf(script, sizeof script, "%s/tests/integration/aggregator/sdmx_validate.py",
	         src ? src : ".");
	snprintf(spec, sizeof spec, "%s/../shared/specs/%s", src ? src : ".", schema);
	if (access(spec, R_OK) != 0)
		return 77;
	snprintf(path, sizeof path, "%s/schema-check-%d.json", build ? build : "/tmp",
	         (int)getpid());
	agg_write_file(path, r->body.data ? r->body.data : "");
	const char *argv[] = { "/usr/bin/python3", script, spec, path, NULL };
	int rc = harness_run(argv, NULL, NULL, out, out);
	unlink(path);
	return rc;
}
