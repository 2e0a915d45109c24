/* samlad-admin audit [--since TIME]: what happened, from the database,
 * oldest first: submissions, token creations and revocations, catalogue
 * imports, and period locks and unlocks. One line per event, four
 * tab-separated columns: time, event, subject, details (docs/operations.md,
 * "The audit"). Every source is a table that is only ever appended to (or,
 * for a token, whose times are set once), so the audit is read, not kept. */
#include <stdio.h>

#include "admin.h"
#include "rfc3339.h"

static const struct config_option audit_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "since", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Only events at or after this RFC 3339 time, e.g. 2025-01-31T00:00:00Z." },
};

/* Times are shown in UTC, to the millisecond. */
#define SQL_UTC_MS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Every event: its time, its kind (which orders events of the same time),
 * its row's id, and the three columns shown. The catalogue as it stood
 * before its history was kept has no time ('-infinity') and no event. */
static const char sql_audit[] =
	"SELECT " SQL_UTC_MS("e.at") ", e.event, e.subject, e.details FROM ("
	" SELECT i.imported_at AS at, 0 AS kind, i.version AS ord, 'catalogue_import' AS event,"
	"        'version ' || i.version AS subject,"
	"        format('after_submission=%s suppress_below=%s', i.after_submission,"
	"               i.suppress_below) AS details"
	"   FROM catalogue_import i WHERE isfinite(i.imported_at)"
	" UNION ALL"
	" SELECT t.created_at, 1, t.id, 'token_created', 'token ' || t.id,"
	"        format('role=%s agency=%s label=%s', t.role, coalesce(a.code, '-'),"
	"               coalesce(t.label, '-'))"
	"   FROM token t LEFT JOIN agency a ON a.id = t.agency_id"
	" UNION ALL"
	" SELECT t.revoked_at, 2, t.id, 'token_revoked', 'token ' || t.id, ''"
	"   FROM token t WHERE t.revoked_at IS NOT NULL"
	" UNION ALL"
	" SELECT s.received_at, 3, s.id, 'submission', s.uuid::text,"
	"        format('agency=%s token=%s rows=%s created=%s updated=%s unchanged=%s',"
	"               a.code, s.token_id, s.rows, s.created, s.updated, s.unchanged)"
	"   FROM submission s JOIN agency a ON a.id = s.agency_id"
	" UNION ALL"
	" SELECT l.at, 4, l.id, CASE WHEN l.locked THEN 'lock' ELSE 'unlock' END,"
	"        a.code || ' ' || l.year, 'by=' || l.by_whom"
	"   FROM period_lock l JOIN area a ON a.id = l.area_id"
	") e"
	" WHERE e.at >= coalesce($1::timestamptz, '-infinity')"
	" ORDER BY e.at, e.kind, e.ord";

static int audit_run(const struct config *cfg)
{
	const char *since = config_str(cfg, "since");
	char since_text[RFC3339_MAX];
	struct db_rows *rows = NULL;
	struct db *db = NULL;
	int code = ADMIN_FAIL;

	if (since && rfc3339_canonical(since, since_text, sizeof since_text) != 0) {
		admin_error("audit: --since '%s' is not an RFC 3339 time, e.g. "
		            "2025-01-31T00:00:00Z", since);
		return ADMIN_USAGE;
	}
	if (!(db = admin_connect(cfg)))
		goto done;
	if (db_exec(db, &rows, sql_audit,
	            DB_PARAMS(since ? DB_PARAM_TEXT(since_text) : DB_PARAM_NULL)) != DB_OK) {
		admin_db_error(db, "cannot read the audit");
		goto done;
	}
	for (int i = 0; i < db_rows_count(rows); i++)
		printf("%s\t%s\t%s\t%s\n", db_rows_text(rows, i, 0), db_rows_text(rows, i, 1),
		       db_rows_text(rows, i, 2), db_rows_text(rows, i, 3));
	code = ADMIN_OK;
done:
	db_rows_free(rows);
	db_free(db);
	return code;
}

const struct admin_command admin_audit = {
	.name = "audit",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "list submissions, tokens, catalogue imports and locks, oldest first",
	.options = audit_options,
	.noptions = ARRAY_LEN(audit_options),
	.run = audit_run,
};
