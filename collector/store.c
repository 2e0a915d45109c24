/* The collector's SQL. The ingest transaction follows docs/architecture.md
 * "The store": lock, idempotency, classify, insert the submission, COPY the
 * rows that change something, commit. Classifying uses the current-value
 * cache (current.h) when it is at the data version the transaction sees,
 * and asks the database otherwise; docs/collector.md tells the whole. */
#include "store.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "catalogue.h"
#include "current.h"
#include "flag.h"
#include "hex.h"
#include "json_build.h"
#include "log.h"

/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (64 * 1024)
#define SQLSTATE_UNIQUE "23505"
/* Insufficient resources: disk full (53100), out of memory (53200), too
 * many connections (53300). */
#define SQLSTATE_CLASS_RESOURCES "53"

/* A time as RFC 3339 in UTC with milliseconds. */
#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The columns receipt_from_row reads, in its order. */
#define RECEIPT_COLUMNS \
	"uuid, " RFC3339("received_at") ", encode(body_sha256, 'hex'), " \
	"rows, created, updated, unchanged"

/* What an Idempotency-Key lookup found. */
enum key_state {
	KEY_NEW,    /* never seen for this agency */
	KEY_SAME,   /* seen with the same body */
	KEY_OTHER,  /* seen with another body */
};

/* ---- receipts -------------------------------------------------------- */

cJSON *receipt_json(const struct receipt *r)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = cJSON_AddStringToObject(o, "submission", r->submission) &&
	          cJSON_AddStringToObject(o, "received_at", r->received_at) &&
	          cJSON_AddStringToObject(o, "sha256", r->sha256) &&
	          cJSON_AddNumberToObject(o, "rows", (double)r->rows) &&
	          cJSON_AddNumberToObject(o, "created", (double)r->created) &&
	          cJSON_AddNumberToObject(o, "updated", (double)r->updated) &&
	          cJSON_AddNumberToObject(o, "unchanged", (double)r->unchanged);

	return json_checked(o, ok);
}

/* The number of RECEIPT_COLUMNS. */
#define RECEIPT_NCOLUMNS 7

/* Reads RECEIPT_COLUMNS from one result row, starting at column `first`. */
static void receipt_from_row(const struct db_rows *rows, int row, int first,
                             struct receipt *out)
{
	db_rows_copy(rows, row, first, out->submission, sizeof out->submission);
	db_rows_copy(rows, row, first + 1, out->received_at, sizeof out->received_at);
	db_rows_copy(rows, row, first + 2, out->sha256, sizeof out->sha256);
	out->rows = db_rows_int(rows, row, first + 3);
	out->created = db_rows_int(rows, row, first + 4);
	out->updated = db_rows_int(rows, row, first + 5);
	out->unchanged = db_rows_int(rows, row, first + 6);
}

bool store_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : hex_digit(s[i]) < 0)
			return false;
	}
	return true;
}

/* ---- the ingest transaction ------------------------------------------ */

/* Every ingest and every catalogue import takes this one lock before it
 * commits, so submission ids increase in commit order and an import lies
 * between two submissions. The lock's key is a constant of the program. */
#define INGEST_LOCK "SELECT pg_advisory_xact_lock(" CATALOGUE_TIMELINE_LOCK ")"
/* The locked way: BEGIN and the lock in one round trip, as the simple
 * protocol takes both in one string. */
static const char SQL_BEGIN_LOCKED[] = "BEGIN; " INGEST_LOCK;
/* Ahead of the lock: the lock alone, in a transaction begun long before. */
static const char SQL_LOCK[] = INGEST_LOCK;

/* The catalogue version, which a batch must have been checked against. */
#define CATALOGUE_VERSION "(SELECT version FROM catalogue_version)"

/* The data version: the highest submission id, 0 when there is none.
 * Under the ingest lock it names exactly the state the transaction sees;
 * the primary key's index answers it without reading the table. */
#define DATA_VERSION "(SELECT coalesce(max(id), 0) FROM submission)"
static const char SQL_VERSION[] = "SELECT " DATA_VERSION;

/* Whether any (municipality, year) is locked now: its latest event locks
 * it. Nearly always none, and then a batch needs no more than this. */
#define ANY_LOCKED \
	"EXISTS (SELECT 1 FROM period_lock l WHERE l.locked AND NOT EXISTS (" \
	"       SELECT 1 FROM period_lock n" \
	"        WHERE n.area_id = l.area_id AND n.year = l.year AND n.id > l.id))"

/* Runs a query of one number without parameters and reads it into *out. */
static enum db_status read_number(struct db *db, const char *sql, long long *out)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, sql, 0, NULL);

	if (st == DB_OK)
		*out = db_rows_int(rows, 0, 0);
	db_rows_free(rows);
	return st;
}

/* What a batch reads first, in one statement: the locked way after the
 * lock's (a statement's snapshot is taken when it starts, so only a later
 * statement sees every ingest committed before the lock was granted),
 * ahead of the lock and in a dry run at once. Columns: the catalogue
 * version, the data version, whether any year is locked, then the
 * batch's Idempotency-Key: RECEIPT_COLUMNS and whether the body was the
 * same (NULLs when the batch has none, $2 NULL, or it was never seen). */
static const struct db_statement SQL_TX_STATE = {
	"ingest_state",
	"SELECT " CATALOGUE_VERSION ", " DATA_VERSION ", " ANY_LOCKED ", k.*"
	"  FROM (SELECT 1) one LEFT JOIN LATERAL ("
	"       SELECT " RECEIPT_COLUMNS ", body_sha256 = $3 FROM submission"
	"        WHERE agency_id = $1 AND idempotency_sha256 = $2) k ON true",
};

/* The check of a batch written ahead of the lock, once it holds the lock:
 * the catalogue version, the highest submission committed (its own, $1,
 * left out: the transaction sees it), and whether any year is locked. */
static const struct db_statement SQL_TX_CHECK = {
	"ingest_check",
	"SELECT " CATALOGUE_VERSION ","
	"       (SELECT coalesce(max(id), 0) FROM submission WHERE id <> $1), " ANY_LOCKED,
};

/* What SQL_TX_STATE read. */
struct tx_state {
	long long catalogue;    /* the catalogue version */
	long long version;      /* the data version */
	bool any_locked;        /* some year is locked */
	enum key_state key;     /* what the Idempotency-Key lookup found */
};

/* Reads SQL_TX_STATE into *state, and the earlier receipt into *out when
 * the batch's Idempotency-Key was seen. */
static enum db_status read_tx_state(struct db *db, const struct store_batch *in,
                                    struct receipt *out, struct tx_state *state)
{
	struct db_rows *rows;
	enum db_status st = db_exec_prepared(
		db, &rows, &SQL_TX_STATE,
		DB_PARAMS(DB_PARAM_INT(in->agency_id),
		          DB_PARAM_BYTES(in->has_key ? in->key_sha256 : NULL, AUTH_HASH_BYTES),
		          DB_PARAM_BYTES(in->body_sha256, AUTH_HASH_BYTES)));
	if (st != DB_OK)
		return st;
	state->catalogue = db_rows_int(rows, 0, 0);
	state->version = db_rows_int(rows, 0, 1);
	state->any_locked = db_rows_bool(rows, 0, 2);
	state->key = KEY_NEW;
	if (db_rows_text(rows, 0, 3)) {
		receipt_from_row(rows, 0, 3, out);
		state->key = db_rows_bool(rows, 0, 3 + RECEIPT_NCOLUMNS) ? KEY_SAME : KEY_OTHER;
	}
	db_rows_free(rows);
	return DB_OK;
}

/* Writes v in decimal at p and returns the number of characters (at most
 * 20). The COPY data and the key arrays are most of what the collector
 * formats; printf reading its format string for every number showed in
 * the profile. */
static size_t put_int(char *p, long long v)
{
	char digits[20];
	size_t n = 0, len = 0;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	if (v < 0)
		p[len++] = '-';
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		p[len++] = digits[--n];
	return len;
}

/* The batch's keys as three array literals "{1,2,...}", each malloc'd
 * (the caller frees them, also after a failure). */
static int key_arrays(const struct store_batch *in, char *arrays[3])
{
	/* An int is at most 11 characters, and a comma. */
	size_t size = in->nrows * 12 + 3;
	size_t len[3] = { 0, 0, 0 };

	for (int k = 0; k < 3; k++) {
		arrays[k] = malloc(size);
		if (!arrays[k])
			return -1;
		arrays[k][len[k]++] = '{';
	}
	for (size_t i = 0; i < in->nrows; i++) {
		const struct valid_row *r = &in->rows[i];
		const int v[3] = { r->indicator_id, r->area_id, r->period };
		for (int k = 0; k < 3; k++) {
			if (i)
				arrays[k][len[k]++] = ',';
			len[k] += put_int(arrays[k] + len[k], v[k]);
		}
	}
	for (int k = 0; k < 3; k++) {
		arrays[k][len[k]++] = '}';
		arrays[k][len[k]] = '\0';
	}
	return 0;
}

/* The current value and flag of each key of the batch that has one; ord
 * is the 1-based position of the key in the arrays. Keys without a value
 * are left out by the CROSS JOIN: they are the created ones. */
static const char SQL_CURRENT[] =
	"SELECT k.ord, h.value, coalesce(h.flag, '')"
	"  FROM unnest($1::int[], $2::int[], $3::int[])"
	"       WITH ORDINALITY AS k (indicator_id, area_id, period, ord)"
	" CROSS JOIN LATERAL ("
	"       SELECT c.value, c.flag FROM count_history c"
	"        WHERE c.indicator_id = k.indicator_id AND c.area_id = k.area_id"
	"          AND c.period = k.period"
	"        ORDER BY c.submission_id DESC LIMIT 1) h";

/* A flag column read as coalesce(flag, ''): FLAG_NONE when empty. The
 * table's CHECK admits only the names flag_parse knows. */
static int flag_column(const struct db_rows *rows, int r, int col)
{
	const char *text = db_rows_text(rows, r, col);
	int f = text && *text ? flag_parse(text, strlen(text)) : FLAG_NONE;
	return f < 0 ? FLAG_NONE : f;
}

/* Classifies every row of the batch into cls[] (all CLASS_CREATED on
 * entry) by asking the database. */
static enum db_status classify_query(struct db *db, const struct store_batch *in,
                                     unsigned char *cls)
{
	char *arrays[3] = { NULL, NULL, NULL };
	struct db_rows *rows = NULL;
	enum db_status st = DB_ERROR;

	if (key_arrays(in, arrays) != 0) {
		log_error("ingest: out of memory building the key arrays");
		goto done;
	}
	st = db_exec(db, &rows, SQL_CURRENT,
	             DB_PARAMS(DB_PARAM_TEXT(arrays[0]), DB_PARAM_TEXT(arrays[1]),
	                       DB_PARAM_TEXT(arrays[2])));
	for (int r = 0; r < db_rows_count(rows); r++) {
		long long ord = db_rows_int(rows, r, 0);
		if (ord < 1 || (size_t)ord > in->nrows)
			continue;
		const struct valid_row *row = &in->rows[ord - 1];
		bool same = db_rows_int(rows, r, 1) == row->value &&
		            flag_column(rows, r, 2) == row->flag;
		cls[ord - 1] = same ? CLASS_UNCHANGED : CLASS_UPDATED;
	}
done:
	db_rows_free(rows);
	for (int k = 0; k < 3; k++)
		free(arrays[k]);
	return st;
}

/* What the ingest transaction learnt that the cache needs once it ends. */
struct ingest_tx {
	struct current *cache;  /* borrowed; NULL when the cache is off */
	struct tx_state state;  /* what was read under the lock */
	long long id;           /* the new submission's id */
	bool classified;        /* current_classify was called: end it */
	bool locked;            /* the batch would change a locked period: refuse it */
};


/* Classifies every row of the batch into cls[]: from the cache when it is
 * at the version this transaction sees, else by asking the database. */
static enum db_status classify(struct db *db, const struct store_batch *in,
                               unsigned char *cls, struct ingest_tx *tx)
{
	if (tx->cache) {
		tx->classified = true;
		if (current_classify(tx->cache, tx->state.version, in->rows, in->nrows, cls)) {
			log_debug("ingest: classified from the cache at submission %lld", tx->state.version);
			return DB_OK;
		}
		log_debug("ingest: classified by the database at submission %lld", tx->state.version);
	}
	return classify_query(db, in, cls);
}

/* Fills the receipt's row counts from the classes. */
static void count_classes(const unsigned char *cls, size_t n, struct receipt *out)
{
	out->rows = (long long)n;
	out->created = out->updated = out->unchanged = 0;
	for (size_t i = 0; i < n; i++) {
		if (cls[i] == CLASS_CREATED)
			out->created++;
		else if (cls[i] == CLASS_UPDATED)
			out->updated++;
		else
			out->unchanged++;
	}
}

static const struct db_statement SQL_INSERT_SUBMISSION = {
	"insert_submission",
	"INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
	"                        idempotency_sha256, rows, created, updated, unchanged)"
	" VALUES ($1, $2, $3, clock_timestamp(), $4, $5,"
	"         $6, $7, $8, $9)"
	" RETURNING id, " RFC3339("received_at"),
};

/* Inserts the submission row; fills out's uuid and time and *id. */
static enum db_status insert_submission(struct db *db, const struct store_batch *in,
                                        struct receipt *out, long long *id)
{
	struct db_rows *rows;

	if (crypto_uuid_v4(out->submission) != 0) {
		log_error("ingest: no randomness for a submission uuid");
		return DB_ERROR;
	}
	enum db_status st = db_exec_prepared(
		db, &rows, &SQL_INSERT_SUBMISSION,
		DB_PARAMS(DB_PARAM_TEXT(out->submission), DB_PARAM_INT(in->agency_id),
		          DB_PARAM_INT(in->token_id),
		          DB_PARAM_BYTES(in->body_sha256, AUTH_HASH_BYTES),
		          DB_PARAM_BYTES(in->has_key ? in->key_sha256 : NULL, AUTH_HASH_BYTES),
		          DB_PARAM_INT(out->rows), DB_PARAM_INT(out->created),
		          DB_PARAM_INT(out->updated), DB_PARAM_INT(out->unchanged)));
	if (st == DB_OK) {
		*id = db_rows_int(rows, 0, 0);
		db_rows_copy(rows, 0, 1, out->received_at, sizeof out->received_at);
	}
	db_rows_free(rows);
	return st;
}

static const char SQL_COPY[] =
	"COPY count_history (indicator_id, area_id, period, submission_id, value, flag)"
	" FROM STDIN";

/* The longest flag's name. */
#define COPY_FLAG_MAX 11
/* One COPY line: four ints, a bigint, a flag, tabs and the newline. */
#define COPY_LINE_MAX (4 * 11 + 20 + COPY_FLAG_MAX + 6)

/* One COPY text line for row r of submission id at p; returns its length. */
static size_t copy_line(char *p, const struct valid_row *r, long long id)
{
	size_t len = put_int(p, r->indicator_id);

	p[len++] = '\t';
	len += put_int(p + len, r->area_id);
	p[len++] = '\t';
	len += put_int(p + len, r->period);
	p[len++] = '\t';
	len += put_int(p + len, id);
	p[len++] = '\t';
	len += put_int(p + len, r->value);
	p[len++] = '\t';
	/* No flag is NULL, \N in COPY's text format. */
	const char *flag = flag_name((enum flag)r->flag);
	size_t flen = flag ? strlen(flag) : 2;
	memcpy(p + len, flag ? flag : "\\N", flen);
	len += flen;
	p[len++] = '\n';
	return len;
}

/* COPYs the created and updated rows under submission `id`, in pieces of
 * about COPY_CHUNK bytes, so that the server parses one piece while the
 * next is formatted. */
static enum db_status copy_rows(struct db *db, const struct store_batch *in,
                                const unsigned char *cls, long long id)
{
	char *chunk = malloc(COPY_CHUNK + COPY_LINE_MAX);
	size_t len = 0;
	enum db_status st = DB_ERROR;

	if (!chunk) {
		log_error("ingest: out of memory building COPY data");
		return DB_ERROR;
	}
	st = db_copy_begin(db, SQL_COPY);
	for (size_t i = 0; st == DB_OK && i < in->nrows; i++) {
		if (cls[i] == CLASS_UNCHANGED)
			continue;
		len += copy_line(chunk + len, &in->rows[i], id);
		if (len >= COPY_CHUNK) {
			st = db_copy_put(db, chunk, len);
			len = 0;
		}
	}
	if (st == DB_OK && len > 0)
		st = db_copy_put(db, chunk, len);
	if (st == DB_OK)
		st = db_copy_end(db);
	free(chunk);
	return st;
}

/* ---- locked periods ---------------------------------------------------- */

/* The periods, of the (area, period) pairs given, whose year is locked for
 * the area's municipality (the top of its area tree), in order. */
static const char SQL_LOCKED_PERIODS[] =
	"WITH RECURSIVE k (area_id, period) AS ("
	"       SELECT DISTINCT * FROM unnest($1::int[], $2::int[])),"
	"     up (period, id, parent_id) AS ("
	"       SELECT k.period, a.id, a.parent_id FROM k JOIN area a ON a.id = k.area_id"
	"        UNION"
	"       SELECT up.period, a.id, a.parent_id FROM up JOIN area a ON a.id = up.parent_id)"
	"SELECT DISTINCT up.period FROM up"
	" WHERE up.parent_id IS NULL"
	"   AND (SELECT l.locked FROM period_lock l"
	"         WHERE l.area_id = up.id AND l.year = up.period / 10"
	"         ORDER BY l.id DESC LIMIT 1)"
	" ORDER BY up.period LIMIT " STORE_LOCKED_MAX_TEXT;

/* The areas and periods of the rows that change something (created or
 * updated), as two arrays of *n each, malloc'd (the caller frees them, also
 * after a failure). */
static int changed_keys(const struct store_batch *in, const unsigned char *cls,
                        int *keys[2], size_t *n)
{
	*n = 0;
	for (int k = 0; k < 2; k++)
		if (!(keys[k] = malloc((in->nrows ? in->nrows : 1) * sizeof *keys[k])))
			return -1;
	for (size_t i = 0; i < in->nrows; i++) {
		if (cls[i] == CLASS_UNCHANGED)
			continue;
		keys[0][*n] = in->rows[i].area_id;
		keys[1][(*n)++] = in->rows[i].period;
	}
	return 0;
}

/* Fills out->locked with the locked periods the changed rows fall in. */
static enum db_status locked_periods(struct db *db, const struct store_batch *in,
                                     const unsigned char *cls, struct receipt *out)
{
	int *keys[2] = { NULL, NULL };
	struct db_rows *rows = NULL;
	enum db_status st = DB_ERROR;
	size_t n;

	if (changed_keys(in, cls, keys, &n) != 0) {
		log_error("ingest: out of memory building the lock check's arrays");
		goto done;
	}
	st = db_exec(db, &rows, SQL_LOCKED_PERIODS,
	             DB_PARAMS(DB_PARAM_INTS(keys[0], n), DB_PARAM_INTS(keys[1], n)));
	for (int r = 0; r < db_rows_count(rows) && out->nlocked < STORE_LOCKED_MAX; r++)
		out->locked[out->nlocked++] = (int)db_rows_int(rows, r, 0);
done:
	db_rows_free(rows);
	for (int k = 0; k < 2; k++)
		free(keys[k]);
	return st;
}

/* After classifying, given whether any year is locked now: sets *locked
 * when a created or updated row falls in a locked year of its
 * municipality, and lists those periods in out->locked. Unchanged rows
 * change nothing, so they pass. Every lock and unlock commits under no
 * ingest lock, but an ingest reads the locks after taking it, so it sees
 * every lock committed before. */
static enum db_status check_locks(struct db *db, const struct store_batch *in,
                                  const unsigned char *cls, bool any, struct receipt *out,
                                  bool *locked)
{
	enum db_status st = DB_OK;

	out->nlocked = 0;
	if (any)
		st = locked_periods(db, in, cls, out);
	*locked = st == DB_OK && out->nlocked > 0;
	return st;
}

/* Classifies, inserts and copies: the writing half of the transaction. */
static enum db_status write_batch(struct db *db, const struct store_batch *in,
                                  struct receipt *out, struct ingest_tx *tx)
{
	unsigned char *cls = calloc(in->nrows ? in->nrows : 1, 1);

	if (!cls) {
		log_error("ingest: out of memory classifying rows");
		return DB_ERROR;
	}
	enum db_status st = classify(db, in, cls, tx);
	if (st == DB_OK)
		st = check_locks(db, in, cls, tx->state.any_locked, out, &tx->locked);
	if (st == DB_OK && !tx->locked) {
		count_classes(cls, in->nrows, out);
		st = insert_submission(db, in, out, &tx->id);
	}
	/* A batch that changes nothing still gets its receipt, and no COPY. */
	if (st == DB_OK && !tx->locked && out->created + out->updated > 0)
		st = copy_rows(db, in, cls, tx->id);
	free(cls);
	return st;
}

/* Turns a failed step into the answer, logging what needs a look. */
static enum store_result store_failure(struct db *db, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		return STORE_UNAVAILABLE;
	/* A full disk is the operator's to fix, not a bug, and the same
	 * batch will go through once it is fixed: a 503 tells the client so. */
	if (strncmp(db_sqlstate(db), SQLSTATE_CLASS_RESOURCES, 2) == 0) {
		log_error("ingest failed, the database lacks resources: %s %s", db_sqlstate(db),
		          db_error(db));
		return STORE_NO_ROOM;
	}
	if (strcmp(db_sqlstate(db), SQLSTATE_UNIQUE) == 0)
		return STORE_DUPLICATE;
	log_error("ingest failed: %s %s", db_sqlstate(db), db_error(db));
	return STORE_FAILED;
}

/* ---- loading the cache ------------------------------------------------ */

/* Rows read per statement while loading: a bounded result at a time. */
#define LOAD_PAGE 65536
#define LOAD_PAGE_TEXT "65536"

/* A read-only snapshot: every statement of the load sees the same state,
 * and because ingests commit one at a time in submission-id order, that
 * state is exactly "every submission up to the version read first". */
static const char SQL_LOAD_BEGIN[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/* The history in key order, a page after the last row read. Within a key
 * the rows come in submission order, so the last one read stays in the
 * map: it is the current value. (The index read forwards, every row, was
 * measured cheaper than DISTINCT ON over it read backwards.) */
static const char SQL_LOAD_PAGE[] =
	"SELECT indicator_id, area_id, period, submission_id, value, coalesce(flag, '')"
	"  FROM count_history"
	" WHERE (indicator_id, area_id, period, submission_id) > ($1::int, $2::int, $3::int, $4::bigint)"
	" ORDER BY indicator_id, area_id, period, submission_id LIMIT " LOAD_PAGE_TEXT;

/* Where the next page starts: the primary key of the last row read. */
struct load_cursor {
	long long col[4];         /* indicator_id, area_id, period, submission_id */
};

/* Reads one page into l and moves the cursor; *more says whether the page
 * was full. Sets *too_big when the keys exceed the cache's bound. */
static enum db_status load_page(struct db *db, struct current_load *l,
                                struct load_cursor *cur, bool *more, bool *too_big)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_LOAD_PAGE,
	                            DB_PARAMS(DB_PARAM_INT(cur->col[0]), DB_PARAM_INT(cur->col[1]),
	                                      DB_PARAM_INT(cur->col[2]),
	                                      DB_PARAM_INT(cur->col[3])));
	int n = db_rows_count(rows);

	for (int r = 0; r < n; r++) {
		int rc = current_load_set(l, (int)db_rows_int(rows, r, 0),
		                          (int)db_rows_int(rows, r, 1),
		                          (int)db_rows_int(rows, r, 2),
		                          (int)db_rows_int(rows, r, 4), flag_column(rows, r, 5));
		if (rc == 1) {
			*too_big = true;
			break;
		}
		if (rc != 0) {
			log_error("current-value cache: out of memory while loading");
			st = DB_ERROR;
			break;
		}
	}
	for (int k = 0; n > 0 && k < 4; k++)
		cur->col[k] = db_rows_int(rows, n - 1, k);
	*more = n == LOAD_PAGE && !*too_big;
	db_rows_free(rows);
	return st;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* True when the stop flag (NULL: none) is set. */
static bool stopping(const atomic_bool *stop)
{
	return stop && atomic_load(stop);
}

void store_load_cache(struct db *db, struct current *cache, const atomic_bool *stop)
{
	/* Below every key: the first page starts at the beginning. */
	struct load_cursor cur = { { INT_MIN, INT_MIN, INT_MIN, LLONG_MIN } };
	struct current_load *l = current_load_new(cache);
	struct timespec t0;
	long long version = 0;
	bool more = true, too_big = false, stopped = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum db_status st = l ? db_command(db, SQL_LOAD_BEGIN) : DB_ERROR;
	if (st == DB_OK)
		st = read_number(db, SQL_VERSION, &version);
	/* A page is read in a moment; the whole history may take seconds,
	 * which a shutdown need not wait for. */
	while (st == DB_OK && more && !(stopped = stopping(stop)))
		st = load_page(db, l, &cur, &more, &too_big);
	if (st == DB_OK && !stopped)
		st = db_commit(db);
	if (st != DB_OK) {
		log_warn("current-value cache: the load failed (%s %s); classifying through "
		         "the database", db_sqlstate(db), l ? db_error(db) : "out of memory");
		db_rollback(db);
	} else if (stopped) {
		log_info("current-value cache: the load was abandoned, the service is stopping");
		db_rollback(db);
	}
	current_load_end(cache, l, st == DB_OK && !stopped && !too_big, too_big, version);
	struct current_stats s;
	current_stats(cache, &s);
	if (too_big)
		log_warn("current-value cache: more keys than --cache-mb holds; the cache is off "
		         "and every ingest classifies through the database");
	else if (st == DB_OK && !stopped)
		log_info("current-value cache: loaded %zu keys at submission %lld in %.0f ms",
		         s.keys, version, ms_since(&t0));
}

/* ---- the ingest transaction, whole ------------------------------------ */

/* Ends what current_classify began: the batch goes into the cache only
 * after its COMMIT succeeded; any failure (a COMMIT whose outcome is
 * unknown included) leaves the cache invalid. */
static void cache_end(const struct ingest_tx *tx, const struct store_batch *in, bool committed)
{
	if (!tx->classified)
		return;
	if (committed)
		current_commit(tx->cache, tx->state.version, tx->id, in->rows, in->nrows);
	else
		current_abort(tx->cache);
}

/* Commits and ends the cache's batch in flight. The cache takes the batch
 * while the server makes the COMMIT durable: the next ingest waits for
 * both, the lock and the batch in flight, so the two overlap rather than
 * follow each other. Until the result is read the batch stays in flight;
 * a failure drops the map, with what was applied early. */
static enum db_status commit(struct db *db, const struct ingest_tx *tx,
                             const struct store_batch *in)
{
	enum db_status st = db_commit_send(db);

	if (st == DB_OK && tx->classified)
		current_apply(tx->cache, tx->state.version, tx->id, in->rows, in->nrows);
	if (st == DB_OK)
		st = db_commit_wait(db);
	cache_end(tx, in, st == DB_OK);
	return st;
}

/* A batch that would change a locked period: nothing was written, and
 * the rollback lets go of the lock. The cache's batch in flight ends as
 * after any failure. */
static enum store_result refuse_locked(struct db *db, const struct ingest_tx *tx,
                                       const struct store_batch *in)
{
	db_rollback(db);
	cache_end(tx, in, false);
	return STORE_PERIOD_LOCKED;
}

/* The batch the locked way: the lock first, then everything under it. */
static enum store_result ingest_locked(struct db *db, struct current *cache,
                                       const struct store_batch *in, struct receipt *out)
{
	struct ingest_tx tx = { .cache = cache };
	enum store_result result;
	enum db_status st = db_command(db, SQL_BEGIN_LOCKED);
	if (st == DB_OK)
		st = read_tx_state(db, in, out, &tx.state);
	if (st == DB_OK && tx.state.catalogue != in->catalogue_version) {
		/* An import committed after the rows were checked: check again. */
		db_rollback(db);
		return STORE_STALE_CATALOGUE;
	}
	if (st != DB_OK)
		goto fail;
	if (tx.state.key != KEY_NEW) {
		/* Nothing was written; the rollback only lets go of the lock. */
		db_rollback(db);
		return tx.state.key == KEY_SAME ? STORE_REPLAYED : STORE_KEY_REUSED;
	}
	st = write_batch(db, in, out, &tx);
	if (st == DB_OK && tx.locked)
		return refuse_locked(db, &tx, in);
	if (st == DB_OK)
		st = commit(db, &tx, in);
	else
		cache_end(&tx, in, false);
	if (st == DB_OK)
		return STORE_CREATED;
fail:
	result = store_failure(db, st);
	db_rollback(db);
	return result;
}

/* ---- ahead of the lock ------------------------------------------------ */

/* What a batch written ahead of the lock knows while it is written. */
struct ahead {
	struct current_ticket ticket;  /* what the cache classified it against */
	struct tx_state state;         /* what was read when it began */
	unsigned char *cls;            /* owned: each row's class */
	long long id;                  /* its submission id, once inserted */
};

/* Under the lock: whether the batch may commit. It may when the highest
 * submission committed is still the one it was classified after, the
 * catalogue is the one its rows were checked against, and none of its
 * changed rows falls in a year locked since. Sets *again otherwise (or
 * *locked, with the periods in out). */
static enum db_status check_ahead(struct db *db, const struct store_batch *in,
                                  struct ahead *a, struct receipt *out, bool *again,
                                  bool *locked)
{
	struct db_rows *rows;
	enum db_status st = db_command(db, SQL_LOCK);

	if (st == DB_OK)
		st = db_exec_prepared(db, &rows, &SQL_TX_CHECK, DB_PARAMS(DB_PARAM_INT(a->id)));
	if (st != DB_OK)
		return st;
	*again = db_rows_int(rows, 0, 0) != a->state.catalogue ||
	         db_rows_int(rows, 0, 1) != a->ticket.pred;
	bool any = db_rows_bool(rows, 0, 2);
	db_rows_free(rows);
	if (*again || !any)
		return DB_OK;
	return check_locks(db, in, a->cls, true, out, locked);
}

/* The writing half ahead of the lock: classify from the cache (false in
 * *usable when it cannot), check the locks as they stand, insert the
 * submission and COPY the rows. */
static enum db_status write_ahead(struct db *db, struct current *cache,
                                  const struct store_batch *in, struct ahead *a,
                                  struct receipt *out, bool *usable, bool *locked)
{
	*usable = current_chain_classify(cache, a->state.version, in->rows, in->nrows, a->cls,
	                                 &a->ticket);
	if (!*usable)
		return DB_OK;
	log_debug("ingest: classified from the cache at submission %lld, ahead of the lock",
	          a->ticket.pred);
	enum db_status st = check_locks(db, in, a->cls, a->state.any_locked, out, locked);
	if (st == DB_OK && !*locked) {
		count_classes(a->cls, in->nrows, out);
		st = insert_submission(db, in, out, &a->id);
	}
	if (st != DB_OK || *locked) {
		current_chain_cancel(cache);
		/* Another request with this Idempotency-Key was being stored:
		 * the locked way waits for it and answers with its receipt. */
		if (st == DB_ERROR && strcmp(db_sqlstate(db), SQLSTATE_UNIQUE) == 0) {
			*usable = false;
			st = DB_OK;
		}
		return st;
	}
	current_chain_apply(cache, &a->ticket, a->id, in->rows, in->nrows);
	if (out->created + out->updated > 0)
		st = copy_rows(db, in, a->cls, a->id);
	return st;
}

/* The batch ahead of the lock, whole (docs/collector.md): read the state
 * and write the rows without the ingest lock, so that batches of this
 * process write at once; then wait for the batch before it, take the lock,
 * check and commit. Sets *again, having written nothing, when the batch
 * must be stored the locked way: the cache cannot be used, or the check
 * found another writer or an import in between. */
static enum store_result ingest_ahead(struct db *db, struct current *cache,
                                      const struct store_batch *in, struct receipt *out,
                                      bool *again)
{
	struct ahead a = { .cls = calloc(in->nrows ? in->nrows : 1, 1) };
	enum store_result result = STORE_FAILED;
	bool usable = false, locked = false, chained = false;
	enum db_status st = a.cls ? db_begin(db) : DB_ERROR;

	*again = false;
	if (st == DB_OK)
		st = read_tx_state(db, in, out, &a.state);
	if (st == DB_OK && (a.state.catalogue != in->catalogue_version || a.state.key != KEY_NEW)) {
		/* Stale, replayed or reused: the locked way answers each. */
		*again = true;
		goto done;
	}
	if (st == DB_OK)
		st = write_ahead(db, cache, in, &a, out, &usable, &locked);
	*again = st == DB_OK && !usable;
	/* With its submission inserted the batch is in the chain, and must
	 * end there whatever happens. */
	chained = usable && a.id > 0;
	if (st == DB_OK && chained) {
		current_chain_wait(cache, &a.ticket);
		st = check_ahead(db, in, &a, out, again, &locked);
	}
	if (st == DB_OK && chained && !*again && !locked)
		st = db_commit(db);
	if (chained)
		current_chain_end(cache, &a.ticket, a.id, st == DB_OK && !*again && !locked);
	if (st != DB_OK)
		result = store_failure(db, st);
	else if (locked)
		result = STORE_PERIOD_LOCKED;
	else if (!*again)
		result = STORE_CREATED;
done:
	if (!a.cls)
		log_error("ingest: out of memory classifying rows");
	if (result != STORE_CREATED)
		db_rollback(db);
	free(a.cls);
	return result;
}

enum store_result store_ingest(struct db *db, struct current *cache,
                               const struct store_batch *in, struct receipt *out)
{
	bool again = true;
	enum store_result result = STORE_FAILED;

	hex_encode(in->body_sha256, AUTH_HASH_BYTES, out->sha256);
	if (cache && current_load_begin(cache))
		store_load_cache(db, cache, NULL);
	if (cache)
		result = ingest_ahead(db, cache, in, out, &again);
	return again ? ingest_locked(db, cache, in, out) : result;
}

/* ---- a dry run -------------------------------------------------------- */

/* The time a dry run was checked, written as a receipt's received_at. */
static const char SQL_NOW[] = "SELECT " RFC3339("clock_timestamp()");

/* Classifies the batch by asking the database, and fills the receipt's
 * counts, sha256 and time; no submission uuid, as none was made. Checks
 * the locks as a post would: *locked when a changed row falls in a
 * locked year. */
static enum db_status dry_classify(struct db *db, const struct store_batch *in, bool any,
                                   struct receipt *out, bool *locked)
{
	struct db_rows *rows = NULL;
	unsigned char *cls = calloc(in->nrows ? in->nrows : 1, 1);
	enum db_status st = DB_ERROR;

	if (!cls) {
		log_error("dry run: out of memory classifying rows");
		return DB_ERROR;
	}
	out->submission[0] = '\0';
	hex_encode(in->body_sha256, AUTH_HASH_BYTES, out->sha256);
	st = classify_query(db, in, cls);
	if (st == DB_OK)
		st = check_locks(db, in, cls, any, out, locked);
	if (st == DB_OK) {
		count_classes(cls, in->nrows, out);
		st = db_exec(db, &rows, SQL_NOW, 0, NULL);
	}
	if (st == DB_OK)
		db_rows_copy(rows, 0, 0, out->received_at, sizeof out->received_at);
	db_rows_free(rows);
	free(cls);
	return st;
}

enum store_result store_dry_run(struct db *db, const struct store_batch *in,
                                struct receipt *out)
{
	struct tx_state state = { 0, 0, false, KEY_NEW };
	bool locked = false;
	enum store_result result;

	/* One read-only snapshot, without the ingest lock: a dry run holds
	 * no ingest up, and what it reads is one state of the database. */
	enum db_status st = db_command(db, SQL_LOAD_BEGIN);
	if (st == DB_OK)
		st = read_tx_state(db, in, out, &state);
	if (st == DB_OK && state.catalogue != in->catalogue_version) {
		db_rollback(db);
		return STORE_STALE_CATALOGUE;
	}
	enum key_state key = state.key;
	if (st == DB_OK && key == KEY_NEW)
		st = dry_classify(db, in, state.any_locked, out, &locked);
	if (st != DB_OK)
		goto fail;
	db_rollback(db);
	if (locked)
		return STORE_PERIOD_LOCKED;
	return key == KEY_NEW ? STORE_CREATED : key == KEY_SAME ? STORE_REPLAYED
	                                                        : STORE_KEY_REUSED;
fail:
	result = store_failure(db, st);
	db_rollback(db);
	return result;
}

/* ---- reading back ---------------------------------------------------- */

static const char SQL_RECEIPT[] =
	"SELECT " RECEIPT_COLUMNS
	"  FROM submission WHERE uuid = $1::uuid AND agency_id = $2";

enum db_status store_receipt(struct db *db, int agency_id, const char *uuid,
                             struct receipt *out, bool *found)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_RECEIPT,
	                            DB_PARAMS(DB_PARAM_TEXT(uuid), DB_PARAM_INT(agency_id)));

	*found = db_rows_count(rows) > 0;
	if (*found)
		receipt_from_row(rows, 0, 0, out);
	db_rows_free(rows);
	return st;
}

/* One more row than asked for says whether another page follows. The
 * token's label is read by its id, so the columns of RECEIPT_COLUMNS stay
 * unqualified. */
static const char SQL_SUBMISSIONS[] =
	"SELECT " RECEIPT_COLUMNS ", token_id,"
	"       coalesce((SELECT label FROM token WHERE token.id = token_id), '')"
	"  FROM submission"
	" WHERE agency_id = $1 AND ($2::bigint IS NULL OR id < $2)"
	" ORDER BY id DESC LIMIT $3 + 1";

static const char SQL_SUBMISSION_ID[] =
	"SELECT id FROM submission WHERE uuid = $1::uuid AND agency_id = $2";

/* The id of the agency's submission `uuid`, or 0 when it has none such. */
static enum db_status submission_id(struct db *db, int agency_id, const char *uuid,
                                    long long *id)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_SUBMISSION_ID,
	                            DB_PARAMS(DB_PARAM_TEXT(uuid), DB_PARAM_INT(agency_id)));

	*id = db_rows_count(rows) > 0 ? db_rows_int(rows, 0, 0) : 0;
	db_rows_free(rows);
	return st;
}

static void submission_from_row(const struct db_rows *rows, int row,
                                struct submission_item *out)
{
	memset(out, 0, sizeof *out);
	receipt_from_row(rows, row, 0, &out->receipt);
	out->token_id = db_rows_int(rows, row, 7);
	db_rows_copy(rows, row, 8, out->token_label, sizeof out->token_label);
}

enum db_status store_submissions(struct db *db, int agency_id, const char *before, int limit,
                                 struct submission_item *out, size_t *n, bool *more,
                                 bool *before_found)
{
	long long before_id = 0;
	struct db_rows *rows;
	enum db_status st = DB_OK;

	*n = 0;
	*more = false;
	*before_found = true;
	if (before)
		st = submission_id(db, agency_id, before, &before_id);
	if (st != DB_OK || (before && before_id == 0)) {
		*before_found = st != DB_OK;
		return st;
	}
	st = db_exec(db, &rows, SQL_SUBMISSIONS,
	             DB_PARAMS(DB_PARAM_INT(agency_id),
	                       before ? DB_PARAM_INT(before_id) : DB_PARAM_NULL,
	                       DB_PARAM_INT(limit)));
	int count = db_rows_count(rows);
	*more = count > limit;
	for (int i = 0; i < count && i < limit; i++)
		submission_from_row(rows, i, &out[(*n)++]);
	db_rows_free(rows);
	return st;
}

/* Codes are compared byte by byte (COLLATE "C"), as the catalogue sorts
 * them, so the order does not depend on the database's locale. */
static const char SQL_CURRENT_COUNTS[] =
	"SELECT i.code, a.code, c.value, s.uuid, coalesce(c.flag, '')"
	"  FROM count_current c"
	"  JOIN submission s ON s.id = c.submission_id"
	"  JOIN indicator i ON i.id = c.indicator_id"
	"  JOIN area a ON a.id = c.area_id"
	" WHERE c.period = $2 AND s.agency_id = $1"
	" ORDER BY i.code COLLATE \"C\", a.code COLLATE \"C\"";

enum db_status store_current_counts(struct db *db, int agency_id, int period,
                                    struct stored_count **out, size_t *n)
{
	struct db_rows *rows;
	enum db_status st = db_exec(db, &rows, SQL_CURRENT_COUNTS,
	                            DB_PARAMS(DB_PARAM_INT(agency_id), DB_PARAM_INT(period)));
	int count = db_rows_count(rows);

	*out = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*out = calloc(count ? (size_t)count : 1, sizeof **out);
	if (!*out) {
		db_rows_free(rows);
		log_error("counts: out of memory for %d rows", count);
		return DB_ERROR;
	}
	for (int r = 0; r < count; r++) {
		struct stored_count *k = &(*out)[r];
		db_rows_copy(rows, r, 0, k->indicator, sizeof k->indicator);
		db_rows_copy(rows, r, 1, k->area, sizeof k->area);
		k->value = (int)db_rows_int(rows, r, 2);
		db_rows_copy(rows, r, 3, k->submission, sizeof k->submission);
		k->flag = flag_column(rows, r, 4);
	}
	*n = (size_t)count;
	db_rows_free(rows);
	return DB_OK;
}
