/* samlad-admin lock --area MUNICIPALITY --year YYYY [--unlock] [--by NAME]:
 * locks (or unlocks) a municipality's year after the annual review. The
 * collector then refuses a batch that would change one of its values
 * (409 period_locked). Every lock and unlock is a new row of the
 * append-only period_lock (schema/007_locks.sql), with who and when. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "period.h"
#include "utf8.h"

static const struct config_option lock_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "area", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The municipality's code, e.g. 0581 (required)." },
	{ "year", CONFIG_INT, NULL, NULL, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR,
	  "The year to lock (required)." },
	{ "unlock", CONFIG_BOOL, NULL, NULL, 0, 0, "Unlock the year instead." },
	{ "by", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Who locks, as the audit shows it (1 to 200 characters); default the database user." },
};

/* Whether the area is a municipality: found, and its parent is empty. */
static const char sql_area[] =
	"SELECT id, parent_id IS NULL FROM area WHERE code = $1";

/* The latest event of the year: whether it is locked now. */
static const char sql_state[] =
	"SELECT coalesce((SELECT locked FROM period_lock WHERE area_id = $1 AND year = $2"
	"                  ORDER BY id DESC LIMIT 1), false)::int";

static const char sql_insert[] =
	"INSERT INTO period_lock (area_id, year, locked, by_whom)"
	" VALUES ($1, $2, $3, coalesce($4, current_user))";

/* The checked command line. */
struct lock_args {
	const char *area;   /* --area */
	int year;           /* --year */
	bool lock;          /* false for --unlock */
	const char *by;     /* --by, or NULL for the database user */
};

/* Checks what the option table cannot; 0, or -1 after saying why. */
static int args_read(const struct config *cfg, struct lock_args *a)
{
	a->area = config_str(cfg, "area");
	a->year = (int)config_int(cfg, "year");
	a->lock = !config_bool(cfg, "unlock");
	a->by = config_str(cfg, "by");
	if (!a->area || a->year == 0)
		return admin_error("lock: --area and --year are required");
	if (a->by && !admin_text_valid(a->by, 200))
		return admin_error("lock: --by must be 1 to 200 characters of UTF-8 text "
		                   "without control characters");
	return 0;
}

/* The municipality's id. ADMIN_OK, or after saying why: ADMIN_USAGE when
 * the code names no municipality, ADMIN_FAIL when the database failed. */
static int municipality(struct db *db, const char *code, long long *id)
{
	struct db_rows *rows;

	if (db_exec(db, &rows, sql_area, DB_PARAMS(DB_PARAM_TEXT(code))) != DB_OK) {
		admin_db_error(db, "cannot look up the area");
		return ADMIN_FAIL;
	}
	bool found = db_rows_count(rows) == 1, top = found && db_rows_bool(rows, 0, 1);
	*id = found ? db_rows_int(rows, 0, 0) : 0;
	db_rows_free(rows);
	if (!found)
		admin_error("lock: no area \"%s\" in the catalogue", code);
	else if (!top)
		admin_error("lock: \"%s\" is a district; lock its municipality's year", code);
	return top ? ADMIN_OK : ADMIN_USAGE;
}

/* Takes the table's lock, so that two admins never append the same event
 * at once, and reads whether the year is locked now into *was. */
static enum db_status read_state(struct db *db, long long area, int year, bool *was)
{
	struct db_rows *rows = NULL;
	enum db_status st = db_command(db, "LOCK TABLE period_lock IN SHARE ROW EXCLUSIVE MODE");

	if (st == DB_OK)
		st = db_exec(db, &rows, sql_state, DB_PARAMS(DB_PARAM_INT(area), DB_PARAM_INT(year)));
	*was = st == DB_OK && db_rows_int(rows, 0, 0) != 0;
	db_rows_free(rows);
	return st;
}

/* Appends the event, unless the year already is as asked: then says so.
 * Both are success; 0, or -1 after saying why not. */
static int record(struct db *db, long long area, const struct lock_args *a)
{
	bool was = false;
	enum db_status st = db_begin(db);

	if (st == DB_OK)
		st = read_state(db, area, a->year, &was);
	if (st == DB_OK && was != a->lock)
		st = db_exec(db, NULL, sql_insert,
		             DB_PARAMS(DB_PARAM_INT(area), DB_PARAM_INT(a->year),
		                       DB_PARAM_BOOL(a->lock),
		                       a->by ? DB_PARAM_TEXT(a->by) : DB_PARAM_NULL));
	if (st == DB_OK)
		st = db_commit(db);
	if (st != DB_OK) {
		admin_db_error(db, a->lock ? "cannot lock the year" : "cannot unlock the year");
		db_rollback(db);
		return -1;
	}
	printf("%s %s %d%s\n", a->lock ? "locked" : "unlocked", a->area, a->year,
	       was == a->lock ? " (it already was)" : "");
	return 0;
}

static int lock_run(const struct config *cfg)
{
	struct lock_args a;
	struct db *db = NULL;
	long long area = 0;
	int code = ADMIN_FAIL;

	if (args_read(cfg, &a) != 0)
		return ADMIN_USAGE;
	if (!(db = admin_connect(cfg)))
		goto done;
	code = municipality(db, a.area, &area);
	if (code == ADMIN_OK && record(db, area, &a) != 0)
		code = ADMIN_FAIL;
done:
	db_free(db);
	return code;
}

const struct admin_command admin_lock = {
	.name = "lock",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "lock (or --unlock) a municipality's year: its values can no longer change",
	.options = lock_options,
	.noptions = ARRAY_LEN(lock_options),
	.run = lock_run,
};
