/* samlad-admin against a real PostgreSQL (a copy of the migrated template
 * with the test catalogue, as scripts/test.sh prepares it): migrate is
 * idempotent, catalogue_load expands permissions to leaf areas, a bad
 * catalogue changes nothing, a re-import updates in place, tokens are
 * created, checked, revoked and listed, and demo-data is deterministic. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "catalogue.h"
#include "catalogue_db.h"
#include "db.h"
#include "harness.h"
#include "period.h"
#include "tap.h"

static struct harness_db hdb;
static struct buf out = BUF_INIT, err = BUF_INIT;

/* Runs samlad-admin with these arguments against the test database;
 * stdout and stderr land in `out` and `err`. Returns the exit status. */
#define ADMIN(...) harness_admin(hdb.admin_url, (const char *const[]){ __VA_ARGS__, NULL }, \
                                 &out, &err)

static const char *text(const struct buf *b)
{
	return b->data ? b->data : "";
}

static char *source_path(const char *relative)
{
	static char path[4096];
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	snprintf(path, sizeof path, "%s/%s", src ? src : ".", relative);
	return path;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/samlad-admin-test.XXXXXX");
	if (!dir || !mkdtemp(dir))
		abort();
	return dir;
}

static long long sql_int(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return harness_sql_int(&hdb, sql);
}

static void test_migrate(void)
{
	long long applied = sql_int("SELECT count(*) FROM schema_migration");
	char want[128];

	snprintf(want, sizeof want, "schema up to date (%lld migrations)\n", applied);
	is_int(ADMIN("migrate"), 0, "migrate on a migrated database exits 0");
	is_str(text(&out), want, "migrate says the schema is up to date");
	is_int(sql_int("SELECT count(*) FROM schema_migration"), applied,
	       "migrate added no schema_migration rows");
	is_int(ADMIN("migrate", "--schema-dir", "/nonexistent-samlad"), 1,
	       "migrate with a missing schema folder exits 1");
	is_str(text(&err), "samlad-admin: cannot open the schema folder /nonexistent-samlad: "
	       "No such file or directory\n", "and says why");
	is_int(ADMIN("migrate", "surplus"), 2, "migrate with an argument is a usage error");
}

/* Loads the catalogue as the collector would. */
static struct catalogue *load(void)
{
	struct db *db = db_new(hdb.admin_url);
	struct catalogue *cat = NULL;
	if (!db || catalogue_load(db, &cat) != DB_OK) {
		printf("Bail out! catalogue_load failed: %s\n", db ? db_error(db) : "");
		exit(1);
	}
	db_free(db);
	return cat;
}

static bool permitted(const struct catalogue *cat, const char *agency,
                      const char *indicator, const char *area)
{
	const struct cat_agency *a = catalogue_agency(cat, agency);
	const struct cat_indicator *i = catalogue_indicator(cat, indicator);
	const struct cat_area *r = catalogue_area(cat, area);
	return a && i && r && catalogue_permitted(cat, a->id, i->id, r->id);
}

static void test_load_areas(const struct catalogue *cat)
{
	const struct cat_area *hageby = catalogue_area(cat, "0581-hageby");
	const struct cat_area *nkpg = catalogue_area(cat, "0581");

	is_int(cat->nareas, 12, "load: 12 areas");
	is_str(cat->areas[0].code, "0182", "load: areas sorted by code");
	ok(hageby && nkpg, "load: 0581-hageby and 0581 found by code");
	if (!hageby || !nkpg)
		return;
	is_str(hageby->name, "Hageby", "load: area name");
	ok(catalogue_area_parent(cat, hageby) == nkpg, "load: Hageby's parent is Norrköping");
	ok(catalogue_area_parent(cat, nkpg) == NULL, "load: a municipality has no parent");
	ok(catalogue_area_is_leaf(hageby), "load: a district is a leaf");
	ok(!catalogue_area_is_leaf(nkpg), "load: a municipality with districts is not");
	is_int(nkpg->nchildren, 5, "load: Norrköping has 5 districts");
	ok(catalogue_area_by_id(cat, hageby->id) == hageby, "load: area by id");
	ok(catalogue_area(cat, "0581-eneby") == NULL, "load: unknown area code is NULL");
	ok(catalogue_area_by_id(cat, -1) == NULL, "load: unknown area id is NULL");
}

static void test_load_indicators(const struct catalogue *cat)
{
	const struct cat_indicator *placerade = catalogue_indicator(cat, "soc.placerade");
	const struct cat_indicator *nya = catalogue_indicator(cat, "bup.nya_barn");

	is_int(cat->nagencies, 13, "load: 13 agencies");
	is_int(cat->nindicators, 27, "load: 27 indicators");
	ok(placerade && nya, "load: indicators found by code");
	if (!placerade || !nya)
		return;
	is_str(cat->agencies[placerade->agency].code, "soc", "load: owning agency index");
	is_int(placerade->suppress_below, 10, "load: suppress_below 10");
	is_int(nya->suppress_below, 0, "load: NULL suppress_below is 0");
	is_str(catalogue_kind_name(placerade->kind), "stock", "load: stock");
	is_str(catalogue_kind_name(nya->kind), "flow", "load: flow");
	is_str(catalogue_level_name(nya->level), "specialised", "load: level");
	is_str(placerade->name_sv, "Antalet barn placerade utanför hemmet", "load: Swedish name");
	ok(catalogue_indicator_by_id(cat, nya->id) == nya, "load: indicator by id");
	ok(catalogue_agency_by_id(cat, cat->agencies[3].id) == &cat->agencies[3], "load: agency by id");
	ok(catalogue_agency(cat, "bup") != NULL && catalogue_agency(cat, "BUP") == NULL,
	   "load: agency codes are exact");
}

static void test_load(void)
{
	struct db *db = db_new(hdb.admin_url);
	struct catalogue *cat = load();
	long long version = -1;

	is_int(cat->version, sql_int("SELECT version FROM catalogue_version"), "load: version");
	ok(db && catalogue_version(db, &version) == DB_OK && version == cat->version,
	   "catalogue_version agrees");
	db_free(db);
	test_load_areas(cat);
	test_load_indicators(cat);
	/* 27 indicators, each in both municipalities, expanded to 10 districts. */
	is_int(cat->npermissions, 270, "load: permissions expanded to leaf areas");
	ok(permitted(cat, "bup", "bup.nya_barn", "0581-hageby"), "bup may report bup.nya_barn in Hageby");
	ok(permitted(cat, "bup", "bup.nya_barn", "0182-alta"), "and in Älta");
	ok(!permitted(cat, "bup", "bup.nya_barn", "0581"), "not for the municipality itself");
	ok(!permitted(cat, "soc", "bup.nya_barn", "0581-hageby"), "soc may not report bup's indicator");
	ok(!permitted(cat, "bup", "soc.placerade", "0581-hageby"), "bup may not report soc's indicator");
	is_str(catalogue_agency(cat, "bup")->contact, "bup@region.example",
	       "load: bup's contact address");
	is_str(catalogue_agency(cat, "sarskola")->contact, "", "load: sarskola has none (\"\")");
	catalogue_free(cat);
}

/* Finds the token hash of id in hex, to prove list never shows it. */
static char *token_hash_hex(long long id)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT encode(secret_sha256, 'hex') FROM token WHERE id = %lld", id);
	return harness_sql_text(&hdb, sql);
}

static long long token_id(const char *token)
{
	return strncmp(token, "smd_", 4) == 0 ? atoll(token + 4) : -1;
}

static void test_token_errors(void)
{
	long long tokens = sql_int("SELECT count(*) FROM token");

	is_int(ADMIN("token", "create", "--role", "submitter"), 2, "submitter without agency: usage error");
	is_str(text(&err), "samlad-admin: token create: a submitter token needs --agency CODE\n",
	       "submitter without agency: message");
	is_int(ADMIN("token", "create", "--role", "analyst", "--agency", "bup"), 2,
	       "analyst with an agency: usage error");
	is_str(text(&err), "samlad-admin: token create: --agency is only for submitter tokens, not analyst\n",
	       "analyst with an agency: message");
	is_int(ADMIN("token", "create", "--role", "root"), 2, "unknown role: usage error");
	is_str(text(&err), "samlad-admin: token create: --role must be submitter, analyst or admin\n",
	       "unknown role: message");
	is_int(ADMIN("token", "create", "--role", "submitter", "--agency", "nope"), 1,
	       "unknown agency: failure");
	is_str(text(&err), "samlad-admin: token create: unknown agency \"nope\"\n", "unknown agency: message");
	is_str(text(&out), "", "no token printed on failure");
	is_int(sql_int("SELECT count(*) FROM token"), tokens, "failed creates stored no token");
}

/* Checks a token against the database as the collector would. */
static enum auth_result check_token(const char *token, struct principal *who)
{
	struct db *db = db_new(hdb.admin_url);
	enum auth_result r = auth_check(db, token, who);
	db_free(db);
	return r;
}

static char *create_token(const char *role, const char *agency)
{
	int rc = agency ? ADMIN("token", "create", "--role", role, "--agency", agency)
	                : ADMIN("token", "create", "--role", role);
	is_int(rc, 0, "token create --role %s exits 0", role);
	char *token = strdup(text(&out));
	char *nl = strchr(token, '\n');
	ok(nl && nl[1] == '\0', "token create prints one line on stdout");
	if (nl)
		*nl = '\0';
	return token;
}

static void test_tokens(void)
{
	struct principal who;
	char *sub = create_token("submitter", "bup");
	long long id = token_id(sub);
	char want[256];

	snprintf(want, sizeof want, "created submitter token %lld for agency bup; "
	         "it is shown only this once\n", id);
	is_str(text(&err), want, "token create describes the token on stderr");
	snprintf(want, sizeof want, "smd_%lld_", id);
	ok(id > 0 && strncmp(sub, want, strlen(want)) == 0, "token reads smd_<id>_<secret>");
	is_int(strlen(sub + strlen(want)), 43, "secret is 43 base64url characters");
	is_int(check_token(sub, &who), AUTH_OK, "the new token authenticates");
	is_int(who.role, ROLE_SUBMITTER, "as a submitter");
	is_int(who.agency_id, sql_int("SELECT id FROM agency WHERE code = 'bup'"), "for bup");
	char *analyst = create_token("analyst", NULL);
	is_int(sql_int("SELECT count(*) FROM token WHERE id = %lld AND agency_id IS NULL AND role = 'analyst'",
	               token_id(analyst)), 1, "analyst token stored without agency");
	test_token_errors();

	snprintf(want, sizeof want, "%lld", id);
	is_int(ADMIN("token", "revoke", want), 0, "token revoke exits 0");
	snprintf(want, sizeof want, "revoked token %lld\n", id);
	is_str(text(&out), want, "token revoke says so");
	is_int(check_token(sub, &who), AUTH_REVOKED, "a revoked token is refused");
	snprintf(want, sizeof want, "%lld", id);
	is_int(ADMIN("token", "revoke", want), 1, "revoking twice fails");
	ok(strstr(text(&err), "was already revoked at ") != NULL, "and says it was already revoked");
	is_int(ADMIN("token", "revoke", "987654"), 1, "revoking an unknown id fails");
	is_str(text(&err), "samlad-admin: token revoke: no token 987654\n", "and says there is no such token");
	is_int(ADMIN("token", "revoke", "12abc"), 2, "a malformed id is a usage error");
	is_int(ADMIN("token", "revoke"), 2, "a missing id is a usage error");

	is_int(ADMIN("token", "list"), 0, "token list exits 0");
	ok(strncmp(text(&out), "id ", 3) == 0 && strstr(text(&out), " revoked_at ") && strstr(text(&out), " label\n"), "token list has a header");
	char *hash = token_hash_hex(id);
	ok(hash && !strstr(text(&out), hash), "token list never shows a hash");
	ok(!strstr(text(&out), strchr(sub + 4, '_') + 1), "token list never shows a secret");
	size_t lines = 0;
	for (const char *p = text(&out); *p; p++)
		lines += *p == '\n';
	is_int(lines, sql_int("SELECT count(*) FROM token") + 1, "one line per token and the header");
	free(hash);
	free(sub);
	free(analyst);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Counts the data rows of a demo file whose value is between 1 and 4. */
static size_t small_values(const char *csv)
{
	size_t n = 0;
	const char *line = strchr(csv, '\n');

	while (line && line[1]) {
		const char *next = strchr(line + 1, '\n');
		const char *p = next ? next : line + strlen(line);
		while (p > line && *p != ',')
			p--;
		long v = strtol(p + 1, NULL, 10);
		n += v >= 1 && v <= 4;
		line = next;
	}
	return n;
}

static void test_demo_data(void)
{
	char *a = temp_dir(), *b = temp_dir(), path[4200];
	size_t small = 0;

	is_int(ADMIN("demo-data", "--out", a, "--from", "2019Q1", "--to", "2024Q4"), 0, "demo-data exits 0");
	is_int(count_lines(text(&out)), 13, "one file per agency");
	is_int(ADMIN("demo-data", "--out", b, "--from", "2019Q1", "--to", "2024Q4"), 0, "demo-data again");
	const char *agencies[] = { "bup", "bvc", "familjecentral", "familjeradgivning",
	                           "familjeverksamhet", "familje_ungdom", "forskola", "habilitering",
	                           "minimaria", "sarskola", "skola", "soc", "ungdom" };
	bool same = true;
	for (size_t i = 0; i < ARRAY_LEN(agencies); i++) {
		snprintf(path, sizeof path, "%s/%s.csv", a, agencies[i]);
		char *x = harness_read_text(path);
		snprintf(path, sizeof path, "%s/%s.csv", b, agencies[i]);
		char *y = harness_read_text(path);
		same = same && x[0] && strcmp(x, y) == 0;
		small += small_values(x);
		free(x);
		free(y);
	}
	ok(same, "the same inputs give byte-identical files");
	ok(small > 50, "small counts 1-4 occur (%zu)", small);
	snprintf(path, sizeof path, "%s/bup.csv", a);
	char *bup = harness_read_text(path);
	is_int(strncmp(bup, "indicator,area,period,value\r\n", 29), 0, "header row");
	/* 3 indicators x 10 districts x 24 quarters, less a few missing ones. */
	size_t rows = count_lines(bup) - 1;
	ok(rows < 720 && rows > 650, "bup.csv has a few missing quarters (%zu of 720 rows)", rows);
	is_int(strncmp(bup + 29, "bup.aktuella_barn,0182-alta,", 28), 0,
	       "rows sorted by indicator, area, period");
	free(bup);
	is_int(ADMIN("demo-data", "--out", a, "--to", "2999Q1"), 2, "a future --to is a usage error");
	is_str(text(&err), "samlad-admin: demo-data: --to \"2999Q1\": period is after the current quarter\n",
	       "and says why");
	is_int(ADMIN("demo-data"), 2, "demo-data without --out is a usage error");
	remove_tree(a);
	remove_tree(b);
	free(a);
	free(b);
}

static void test_bad_import(void)
{
	char *dir = temp_dir();
	long long version = sql_int("SELECT version FROM catalogue_version");
	long long areas = sql_int("SELECT count(*) FROM area");

	harness_write_text(dir, "agencies.csv", "code,name,contact\nbup,BUP,bup@@region.example\n");
	harness_write_text(dir, "areas.csv", "code,name,parent\n0581,Norrköping,\na,A,b\nb,B,a\n");
	harness_write_text(dir, "indicators.csv",
	           "code,agency,level,kind,name_sv,name_en,suppress_below,colour\n"
	           "bup.ny,bup,specialised,flow,Ny,New,,red\n");
	harness_write_text(dir, "permissions.csv", "agency,indicator,area\nbup,bup.ny,0999\n");
	is_int(ADMIN("catalogue", "import", dir), 1, "a bad catalogue exits 1");
	char want[1024];
	snprintf(want, sizeof want,
	         "agencies.csv:2: invalid contact \"bup@@region.example\": expected empty or a "
	         "mail address such as bup@region.example\n"
	         "areas.csv:3: cycle in the area tree: a -> b -> a\n"
	         "indicators.csv:1: unknown column \"colour\"\n"
	         "permissions.csv:2: unknown area \"0999\"\n"
	         "samlad-admin: %s: 4 errors; nothing imported\n", dir);
	is_str(text(&err), want, "every error is listed with file and line");
	is_int(sql_int("SELECT version FROM catalogue_version"), version, "the version did not change");
	is_int(sql_int("SELECT count(*) FROM area"), areas, "no area was added");
	is_int(sql_int("SELECT count(*) FROM agency WHERE code = 'bup' AND name = 'BUP'"), 0,
	       "no agency was changed");
	is_int(ADMIN("catalogue", "import", "/nonexistent-samlad"), 1, "a missing folder exits 1");
	is_int(ADMIN("catalogue", "import"), 2, "import without DIR is a usage error");
	remove_tree(dir);
	free(dir);
}

/* The test catalogue with Hageby renamed, Älta gone from the files, a
 * municipality without districts added and permitted. */
static void write_modified(const char *dir)
{
	static const char *const files[] = { "agencies.csv", "indicators.csv" };
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "tests/fixtures/catalogue/%s", files[i]);
		char *t = harness_read_text(source_path(rel));
		harness_write_text(dir, files[i], t);
		free(t);
	}
	char *areas = harness_read_text(source_path("tests/fixtures/catalogue/areas.csv"));
	struct buf b = BUF_INIT;
	for (char *line = strtok(areas, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "0182-alta,", 10) == 0)
			continue;
		if (buf_printf(&b, "%s\n", strcmp(line, "0581-hageby,Hageby,0581") == 0
		               ? "0581-hageby,Hageby centrum,0581" : line) != 0)
			abort();
	}
	if (buf_puts(&b, "0180,Stockholm,\n") != 0)
		abort();
	harness_write_text(dir, "areas.csv", b.data);
	char *perms = harness_read_text(source_path("tests/fixtures/catalogue/permissions.csv"));
	buf_reset(&b);
	if (buf_printf(&b, "%sbup,bup.nya_barn,0180\n", perms) != 0)
		abort();
	harness_write_text(dir, "permissions.csv", b.data);
	buf_free(&b);
	free(areas);
	free(perms);
}

static void test_reimport(void)
{
	long long version = sql_int("SELECT version FROM catalogue_version");
	long long hageby = sql_int("SELECT id FROM area WHERE code = '0581-hageby'");
	char want[512], *dir = temp_dir();
	const char *demo = source_path("tests/fixtures/catalogue");

	is_int(ADMIN("catalogue", "import", demo), 0, "importing the test catalogue again exits 0");
	snprintf(want, sizeof want, "imported %s: 13 agencies, 12 areas, 27 indicators, "
	         "54 permissions; default k 5; catalogue version %lld\n", demo, version + 1);
	is_str(text(&out), want, "and reports the new version");
	is_int(sql_int("SELECT count(*) FROM area"), 12, "no area was duplicated");
	is_int(sql_int("SELECT count(*) FROM agency WHERE contact = 'bup@region.example'"), 1,
	       "the contact address is stored");
	is_int(sql_int("SELECT count(*) FROM agency WHERE code = 'sarskola' AND contact IS NULL"), 1,
	       "an empty contact is stored as NULL");

	write_modified(dir);
	is_int(ADMIN("catalogue", "import", dir), 0, "a changed catalogue imports");
	is_int(sql_int("SELECT id FROM area WHERE code = '0581-hageby' AND name = 'Hageby centrum'"),
	       hageby, "a renamed area keeps its id");
	is_int(sql_int("SELECT count(*) FROM area WHERE code = '0182-alta'"), 1,
	       "an area missing from the files is left in place");
	is_int(sql_int("SELECT version FROM catalogue_version"), version + 2, "each import bumps the version");
	struct catalogue *cat = load();
	ok(permitted(cat, "bup", "bup.nya_barn", "0180"), "a municipality without districts is its own leaf");
	ok(permitted(cat, "bup", "bup.nya_barn", "0182-alta"), "Älta is still under Nacka");
	is_int(cat->npermissions, 271, "one more expanded permission");
	catalogue_free(cat);
	remove_tree(dir);
	free(dir);
}

/* A copy of the test catalogue with `extra` appended to areas.csv (lines
 * in its own columns code,name,parent plus first_period,last_period), and
 * the lines for which `keep` says no left out. */
static void write_areas(const char *dir, const char *extra,
                        bool (*keep)(const char *line))
{
	static const char *const files[] = { "agencies.csv", "indicators.csv", "permissions.csv" };
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "tests/fixtures/catalogue/%s", files[i]);
		char *t = harness_read_text(source_path(rel));
		harness_write_text(dir, files[i], t);
		free(t);
	}
	char *areas = harness_read_text(source_path("tests/fixtures/catalogue/areas.csv"));
	struct buf b = BUF_INIT;
	for (char *line = strtok(areas, "\n"); line; line = strtok(NULL, "\n")) {
		bool header = strcmp(line, "code,name,parent") == 0;
		if (!header && keep && !keep(line))
			continue;
		if (buf_printf(&b, "%s%s\n", line, header ? ",first_period,last_period" : ",,") != 0)
			abort();
	}
	if (buf_puts(&b, extra) != 0)
		abort();
	harness_write_text(dir, "areas.csv", b.data);
	buf_free(&b);
	free(areas);
}

static bool not_hageby(const char *line)
{
	return strncmp(line, "0581-hageby,", 12) != 0;
}

/* A count of `area` in `period` stored as a submission of BUP would be. */
static void store_count(const char *area, int period)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "WITH s AS (INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
	         "                                   rows, created, updated, unchanged)"
	         "  SELECT gen_random_uuid(), ag.id, t.id, clock_timestamp(), sha256('x'), 1, 1, 0, 0"
	         "    FROM agency ag, (SELECT id FROM token ORDER BY id LIMIT 1) t WHERE ag.code = 'bup'"
	         "  RETURNING id)"
	         " INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)"
	         " SELECT i.id, a.id, %d, s.id, 7 FROM s, indicator i, area a"
	         "  WHERE i.code = 'bup.nya_barn' AND a.code = '%s'", period, area);
	harness_sql(&hdb, sql);
}

/* The catalogue over time: a district added to a stored municipality counts
 * from the current quarter unless the file says otherwise, a new
 * municipality has no first period, every import records the version's
 * history, and no import may leave stored counts outside every table. */
static void test_catalogue_time(void)
{
	char *dir = temp_dir(), q[PERIOD_STRLEN], want[512];
	long long version = sql_int("SELECT version FROM catalogue_version");
	int now = period_current(time(NULL));

	period_format(now, q);
	write_areas(dir, "0581-eneby,Eneby,0581,,\n0581-ljura,Ljura,0581,2024Q1,\n"
	            "0480,Nyköping,,,\n0480-centrum,Centrum,0480,,\n", NULL);
	is_int(ADMIN("catalogue", "import", dir, "--suppress-below", "3"), 0,
	       "new areas and a default k of 3 import");
	snprintf(want, sizeof want, "0581-eneby: a new area of 0581, counted from %s (set "
	         "first_period in areas.csv to count it earlier)\n", q);
	ok(strstr(text(&out), want) != NULL, "the new district of Norrköping is counted from now");
	ok(strstr(text(&out), "0480-centrum:") == NULL, "a district of a new municipality is not");
	ok(strstr(text(&out), "default k 3;") != NULL, "the output names the default k");
	is_int(sql_int("SELECT first_period FROM area WHERE code = '0581-eneby'"), now,
	       "eneby's first period is the current quarter");
	is_int(sql_int("SELECT first_period FROM area WHERE code = '0581-ljura'"), 20241,
	       "ljura's is the file's");
	is_int(sql_int("SELECT count(*) FROM area WHERE code = '0480-centrum' AND first_period IS NULL"),
	       1, "centrum has none");
	is_int(sql_int("SELECT suppress_below FROM catalogue_import WHERE version = %lld", version + 1),
	       3, "the import records its default k");
	is_int(sql_int("SELECT after_submission FROM catalogue_import WHERE version = %lld",
	               version + 1), sql_int("SELECT coalesce(max(id), 0) FROM submission"),
	       "and after which submission it took effect");
	is_int(sql_int("SELECT count(*) FROM area_history WHERE catalogue_version = %lld", version + 1),
	       sql_int("SELECT count(*) FROM area"), "and every area as it was");
	is_int(sql_int("SELECT h.suppress_below FROM indicator_history h JOIN indicator i"
	               "  ON i.id = h.indicator_id WHERE h.catalogue_version = %lld"
	               "   AND i.code = 'soc.placerade'", version + 1), 10,
	       "an indicator's own k is recorded as it is");
	is_int(sql_int("SELECT h.suppress_below FROM indicator_history h JOIN indicator i"
	               "  ON i.id = h.indicator_id WHERE h.catalogue_version = %lld"
	               "   AND i.code = 'bup.nya_barn'", version + 1), 3,
	       "the others get the default");
	is_int(ADMIN("catalogue", "import", dir), 0, "the same files again");
	is_int(sql_int("SELECT first_period FROM area WHERE code = '0581-eneby'"), now,
	       "eneby keeps its first period when the file leaves it empty");
	is_int(sql_int("SELECT suppress_below FROM catalogue_import WHERE version = %lld", version + 2),
	       3, "and the default k is the previous import's");

	store_count("0581-hageby", 20191);
	long long before = sql_int("SELECT version FROM catalogue_version");
	write_areas(dir, "0581-hageby,Hageby,0581,2020Q1,\n", not_hageby);
	is_int(ADMIN("catalogue", "import", dir), 1, "a first period after stored counts is refused");
	ok(strstr(text(&err), "area \"0581-hageby\" has counts from 2019Q1 to 2019Q1, outside "
	          "its first_period and last_period\n") != NULL, "and names the area and the counts");
	ok(strstr(text(&err), "samlad-admin: 1 area would leave stored counts outside every table; "
	          "nothing imported\n") != NULL, "and says nothing was imported");
	write_areas(dir, "0581-hageby,Hageby,0182,,\n", not_hageby);
	is_int(ADMIN("catalogue", "import", dir), 1, "moving an area with counts is refused");
	ok(strstr(text(&err), "area \"0581-hageby\" has counts in municipality 0581 and cannot "
	          "move to 0182") != NULL, "and says from where to where");
	write_areas(dir, "0581-hageby-norr,Hageby norra,0581-hageby,,\n", NULL);
	is_int(ADMIN("catalogue", "import", dir), 1, "sub-areas under an area with counts are refused");
	ok(strstr(text(&err), "area \"0581-hageby\" has counts and cannot get sub-areas") != NULL,
	   "and says why");
	is_int(sql_int("SELECT version FROM catalogue_version"), before, "none of them changed the version");
	is_int(sql_int("SELECT count(*) FROM area WHERE code = '0581-hageby-norr'"), 0,
	       "nor wrote an area");
	write_areas(dir, "0581-hageby,Hageby,0581,2019Q1,2030Q4\n", not_hageby);
	is_int(ADMIN("catalogue", "import", dir), 0, "periods around the stored counts are fine");
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	harness_db_create(&hdb, "admin");
	test_migrate();
	test_load();
	test_tokens();
	test_demo_data();
	test_bad_import();
	test_reimport();
	test_catalogue_time();
	harness_db_drop(&hdb);
	buf_free(&out);
	buf_free(&err);
	return tap_done();
}
