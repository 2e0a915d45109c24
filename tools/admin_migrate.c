/* samlad-admin migrate: applies schema/NNN_name.sql in numeric order, each
 * file in its own transaction together with its row in schema_migration, so
 * a migration is either applied and recorded or neither. A session advisory
 * lock makes a second migrate wait for the first instead of racing it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "buf.h"
#include "vec.h"

/* The largest migration file read; a schema change is far smaller. */
#define MIGRATION_FILE_MAX (16u * 1024 * 1024)

static const struct config_option migrate_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "schema-dir", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Folder of the migrations, files named NNN_name.sql; default the installed "
	  "DATADIR/samlad/schema, or the source's schema/ when run from the build folder." },
};

/* The migrations an installed samlad-admin applies (meson's datadir). */
static const char installed_schema[] = SAMLAD_DATADIR "/samlad/schema";
/* Those a samlad-admin in its build folder applies: its checkout's. */
static const char source_schema[] = SAMLAD_SOURCE_DIR "/schema";

/* The default --schema-dir: the source's when this program is the one in
 * its build folder (meson install copies it elsewhere), so that a build
 * never applies the migrations of an older install, else the installed. */
static const char *schema_dir_default(void)
{
	char exe[4096];
	size_t n = strlen(SAMLAD_BUILD_DIR);
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (len <= 0)
		return installed_schema;
	exe[len] = '\0';
	return strncmp(exe, SAMLAD_BUILD_DIR, n) == 0 && exe[n] == '/' ? source_schema
	                                                                : installed_schema;
}

/* One file of the schema folder. */
struct migration {
	int version; /* the number the file name starts with */
	char *file;  /* owned; the file name, e.g. "002_catalogue.sql" */
};

/* The migrations of a folder, sorted by version. */
struct migration_list {
	struct migration *items; /* owned */
	size_t n;                /* entries in items */
	size_t cap;              /* entries allocated */
};

static const char sql_lock[] =
	"SELECT pg_advisory_lock(hashtextextended('samlad-admin migrate', 0))";
static const char sql_unlock[] =
	"SELECT pg_advisory_unlock(hashtextextended('samlad-admin migrate', 0))";

static const char sql_create_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migration ("
	"  version integer PRIMARY KEY,"
	"  name text NOT NULL,"
	"  applied_at timestamptz NOT NULL DEFAULT now())";

static const char sql_applied[] =
	"SELECT version FROM schema_migration ORDER BY version";

static const char sql_record[] =
	"INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, now())";

static void migration_list_free(struct migration_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].file);
	free(l->items);
}

/* The version of a migration file "NNN_name.sql", or -1 when the name is
 * not of that form. */
static int migration_version(const char *name)
{
	size_t digits = strspn(name, "0123456789");
	size_t len = strlen(name);
	if (digits == 0 || digits > 6 || name[digits] != '_' ||
	    len < digits + 5 || strcmp(name + len - 4, ".sql") != 0)
		return -1;
	return atoi(name);
}

static int migration_add(struct migration_list *l, int version, const char *file)
{
	char *copy = strdup(file);
	struct migration *m = copy ? VEC_PUSH(l->items, l->n, l->cap) : NULL;

	if (!m) {
		free(copy);
		return -1;
	}
	*m = (struct migration){ .version = version, .file = copy };
	return 0;
}

static int migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->file, y->file);
}

/* Two files with one number would be applied in an order nobody chose. */
static int check_unique(const struct migration_list *l, const char *dir)
{
	for (size_t i = 1; i < l->n; i++)
		if (l->items[i].version == l->items[i - 1].version)
			return admin_error("%s: %s and %s have the same number", dir,
			                   l->items[i - 1].file, l->items[i].file);
	return 0;
}

/* Lists DIR's .sql files; one that is not named NNN_name.sql is an error,
 * other files are ignored. */
static int list_migrations(const char *dir, struct migration_list *l)
{
	struct dirent *e;
	int rc = 0;
	DIR *d = opendir(dir);
	if (!d)
		return admin_error("cannot open the schema folder %s: %s", dir, strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		int version = migration_version(e->d_name);
		if (version < 0)
			rc = admin_error("%s/%s: a migration must be named NNN_name.sql", dir,
			                 e->d_name);
		else if (migration_add(l, version, e->d_name) != 0)
			rc = admin_error("out of memory");
	}
	closedir(d);
	if (rc != 0)
		return -1;
	qsort(l->items, l->n, sizeof *l->items, migration_cmp);
	return check_unique(l, dir);
}

/* Reads a migration file whole. Returns 0, or -1 after printing why. */
static int read_migration(const char *path, struct buf *sql)
{
	int err = buf_read_file(sql, path, MIGRATION_FILE_MAX);

	if (err == EFBIG || err == ENOMEM)
		return admin_error("%s: too large to read", path);
	return err ? admin_error("cannot read %s: %s", path, strerror(err)) : 0;
}

/* Runs one migration and records it, in one transaction. */
static int apply(struct db *db, const char *dir, const struct migration *m)
{
	struct buf path = BUF_INIT, sql = BUF_INIT;
	int rc = -1;

	if (buf_printf(&path, "%s/%s", dir, m->file) != 0 || read_migration(path.data, &sql) != 0)
		goto done;
	if (db_begin(db) != DB_OK || db_command(db, sql.data ? sql.data : "") != DB_OK ||
	    db_exec(db, NULL, sql_record,
	            DB_PARAMS(DB_PARAM_INT(m->version), DB_PARAM_TEXT(m->file))) != DB_OK ||
	    db_commit(db) != DB_OK) {
		admin_db_error(db, m->file);
		db_rollback(db);
		goto done;
	}
	printf("applied %s\n", m->file);
	rc = 0;
done:
	buf_free(&path);
	buf_free(&sql);
	return rc;
}

/* Whether `version` is among the applied versions (a handful of rows). */
static int is_applied(const struct db_rows *applied, int version)
{
	for (int i = 0; i < db_rows_count(applied); i++)
		if (db_rows_int(applied, i, 0) == version)
			return 1;
	return 0;
}

/* Applies every migration the database does not have yet, in order. */
static int apply_missing(struct db *db, const char *dir, const struct migration_list *l)
{
	struct db_rows *applied;
	int napplied = 0, rc = 0;

	if (db_exec(db, &applied, sql_applied, 0, NULL) != DB_OK)
		return admin_db_error(db, "cannot read schema_migration");
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		if (is_applied(applied, l->items[i].version))
			continue;
		rc = apply(db, dir, &l->items[i]);
		napplied += rc == 0;
	}
	db_rows_free(applied);
	if (rc == 0 && napplied == 0)
		printf("schema up to date (%zu migrations)\n", l->n);
	else if (rc == 0)
		printf("applied %d of %zu migrations\n", napplied, l->n);
	return rc;
}

static int migrate_run(const struct config *cfg)
{
	struct migration_list list = { NULL, 0, 0 };
	const char *dir = config_str(cfg, "schema-dir");
	struct db *db = NULL;

	if (!dir)
		dir = schema_dir_default();
	int code = ADMIN_FAIL;

	if (list_migrations(dir, &list) != 0 || !(db = admin_connect(cfg)))
		goto done;
	if (db_command(db, sql_lock) != DB_OK || db_command(db, sql_create_table) != DB_OK) {
		admin_db_error(db, "cannot prepare schema_migration");
		goto done;
	}
	if (apply_missing(db, dir, &list) == 0)
		code = ADMIN_OK;
	if (db_command(db, sql_unlock) != DB_OK)
		admin_db_error(db, "cannot release the migration lock");
done:
	db_free(db);
	migration_list_free(&list);
	return code;
}

const struct admin_command admin_migrate = {
	.name = "migrate",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "apply the schema migrations the database does not have yet",
	.options = migrate_options,
	.noptions = ARRAY_LEN(migrate_options),
	.run = migrate_run,
};
