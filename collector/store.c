/* The collector's SQL. The ingest transaction follows docs/architecture.md
 * "The store": lock, idempotency, classify, insert the submission, COPY the
 * rows that change something, commit. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "log.h"

/* Any constant will do: every ingest takes this one lock, so ingests are
 * serialised and submission ids increase in commit order. */
#define INGEST_LOCK_KEY "7308332174350950756"
/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (64 * 1024)
#define SQLSTATE_UNIQUE "23505"

/* A time as RFC 3339 in UTC with milliseconds. */
#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The columns receipt_from_row reads, in its order. */
#define RECEIPT_COLUMNS \
	"uuid, " RFC3339("received_at") ", encode(body_sha256, 'hex'), " \
	"rows, created, updated, unchanged"

/* How a batch row relates to the value already stored. */
enum row_class {
	CLASS_CREATED = 0, /* no value yet */
	CLASS_UPDATED,     /* a different value */
	CLASS_UNCHANGED,   /* the same value */
};

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

	if (!o || !cJSON_AddStringToObject(o, "submission", r->submission) ||
	    !cJSON_AddStringToObject(o, "received_at", r->received_at) ||
	    !cJSON_AddStringToObject(o, "sha256", r->sha256) ||
	    !cJSON_AddNumberToObject(o, "rows", (double)r->rows) ||
	    !cJSON_AddNumberToObject(o, "created", (double)r->created) ||
	    !cJSON_AddNumberToObject(o, "updated", (double)r->updated) ||
	    !cJSON_AddNumberToObject(o, "unchanged", (double)r->unchanged)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Reads RECEIPT_COLUMNS from one result row. */
static void receipt_from_row(PGresult *res, int row, struct receipt *out)
{
	const char *uuid = db_value(res, row, 0), *at = db_value(res, row, 1);
	const char *sha = db_value(res, row, 2);

	snprintf(out->submission, sizeof out->submission, "%s", uuid ? uuid : "");
	snprintf(out->received_at, sizeof out->received_at, "%s", at ? at : "");
	snprintf(out->sha256, sizeof out->sha256, "%s", sha ? sha : "");
	out->rows = db_int(res, row, 3);
	out->created = db_int(res, row, 4);
	out->updated = db_int(res, row, 5);
	out->unchanged = db_int(res, row, 6);
}

static void hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

bool store_uuid_valid(const char *s)
{
	static const char hexdigits[] = "0123456789abcdefABCDEF";

	if (!s || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr(hexdigits, s[i]))
			return false;
	}
	return true;
}

/* ---- the ingest transaction ------------------------------------------ */

static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock($1::bigint)";

static enum db_status lock_ingests(struct db *db)
{
	const char *params[] = { INGEST_LOCK_KEY };

	return db_exec(db, NULL, SQL_LOCK, 1, params);
}

static const char SQL_FIND_KEY[] =
	"SELECT " RECEIPT_COLUMNS ", body_sha256 = decode($3, 'hex')"
	"  FROM submission"
	" WHERE agency_id = $1 AND idempotency_sha256 = decode($2, 'hex')";

/* Looks the batch's Idempotency-Key up; fills *out when it was seen. */
static enum db_status find_key(struct db *db, const struct store_batch *in,
                               struct receipt *out, enum key_state *state)
{
	char agency[16], key[2 * AUTH_HASH_BYTES + 1], body[2 * AUTH_HASH_BYTES + 1];
	const char *params[] = { agency, key, body };
	PGresult *res;

	snprintf(agency, sizeof agency, "%d", in->agency_id);
	hex(in->key_sha256, AUTH_HASH_BYTES, key);
	hex(in->body_sha256, AUTH_HASH_BYTES, body);
	enum db_status st = db_exec(db, &res, SQL_FIND_KEY, 3, params);
	if (st != DB_OK)
		return st;
	*state = KEY_NEW;
	if (PQntuples(res) > 0) {
		receipt_from_row(res, 0, out);
		const char *same = db_value(res, 0, 7);
		*state = same && strcmp(same, "t") == 0 ? KEY_SAME : KEY_OTHER;
	}
	PQclear(res);
	return DB_OK;
}

/* Writes the batch's keys as three array literals "{1,2,...}". */
static int key_arrays(const struct store_batch *in, struct buf arrays[3])
{
	for (int k = 0; k < 3; k++)
		if (buf_puts(&arrays[k], "{") != 0)
			return -1;
	for (size_t i = 0; i < in->nrows; i++) {
		const struct valid_row *r = &in->rows[i];
		const char *sep = i ? "," : "";
		if (buf_printf(&arrays[0], "%s%d", sep, r->indicator_id) != 0 ||
		    buf_printf(&arrays[1], "%s%d", sep, r->area_id) != 0 ||
		    buf_printf(&arrays[2], "%s%d", sep, r->period) != 0)
			return -1;
	}
	for (int k = 0; k < 3; k++)
		if (buf_puts(&arrays[k], "}") != 0)
			return -1;
	return 0;
}

/* The current value of each key of the batch that has one; ord is the
 * 1-based position of the key in the arrays. Keys without a value are
 * left out by the CROSS JOIN: they are the created ones. */
static const char SQL_CURRENT[] =
	"SELECT k.ord, h.value"
	"  FROM unnest($1::int[], $2::int[], $3::int[])"
	"       WITH ORDINALITY AS k (indicator_id, area_id, period, ord)"
	" CROSS JOIN LATERAL ("
	"       SELECT c.value FROM count_history c"
	"        WHERE c.indicator_id = k.indicator_id AND c.area_id = k.area_id"
	"          AND c.period = k.period"
	"        ORDER BY c.submission_id DESC LIMIT 1) h";

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

/* Classifies every row of the batch into cls[] and counts the classes
 * into out. */
static enum db_status classify(struct db *db, const struct store_batch *in,
                               unsigned char *cls, struct receipt *out)
{
	struct buf arrays[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	PGresult *res = NULL;
	enum db_status st = DB_ERROR;

	if (key_arrays(in, arrays) != 0) {
		log_error("ingest: out of memory building the key arrays");
		goto done;
	}
	const char *params[] = { arrays[0].data, arrays[1].data, arrays[2].data };
	st = db_exec(db, &res, SQL_CURRENT, 3, params);
	if (st != DB_OK)
		goto done;
	for (int r = 0; r < PQntuples(res); r++) {
		long long ord = db_int(res, r, 0);
		if (ord < 1 || (size_t)ord > in->nrows)
			continue;
		bool same = db_int(res, r, 1) == in->rows[ord - 1].value;
		cls[ord - 1] = same ? CLASS_UNCHANGED : CLASS_UPDATED;
	}
	count_classes(cls, in->nrows, out);
done:
	PQclear(res);
	for (int k = 0; k < 3; k++)
		buf_free(&arrays[k]);
	return st;
}

static const char SQL_INSERT_SUBMISSION[] =
	"INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256,"
	"                        idempotency_sha256, rows, created, updated, unchanged)"
	" VALUES ($1, $2, $3, clock_timestamp(), decode($4, 'hex'), decode($5, 'hex'),"
	"         $6, $7, $8, $9)"
	" RETURNING id, " RFC3339("received_at");

/* Inserts the submission row; fills out's uuid and time and *id. */
static enum db_status insert_submission(struct db *db, const struct store_batch *in,
                                        struct receipt *out, long long *id)
{
	char agency[16], token[24], key[2 * AUTH_HASH_BYTES + 1], n[4][24];
	const char *params[] = { out->submission, agency, token, out->sha256,
	                         in->has_key ? key : NULL, n[0], n[1], n[2], n[3] };
	PGresult *res;

	if (auth_uuid_v4(out->submission) != 0) {
		log_error("ingest: no randomness for a submission uuid");
		return DB_ERROR;
	}
	snprintf(agency, sizeof agency, "%d", in->agency_id);
	snprintf(token, sizeof token, "%lld", in->token_id);
	hex(in->key_sha256, AUTH_HASH_BYTES, key);
	snprintf(n[0], sizeof n[0], "%lld", out->rows);
	snprintf(n[1], sizeof n[1], "%lld", out->created);
	snprintf(n[2], sizeof n[2], "%lld", out->updated);
	snprintf(n[3], sizeof n[3], "%lld", out->unchanged);
	enum db_status st = db_exec(db, &res, SQL_INSERT_SUBMISSION, 9, params);
	if (st != DB_OK)
		return st;
	*id = db_int(res, 0, 0);
	const char *at = db_value(res, 0, 1);
	snprintf(out->received_at, sizeof out->received_at, "%s", at ? at : "");
	PQclear(res);
	return DB_OK;
}

static const char SQL_COPY[] =
	"COPY count_history (indicator_id, area_id, period, submission_id, value) FROM STDIN";

/* Sends what has piled up in data once it is a chunk, or when `all`. */
static enum db_status copy_flush(struct db *db, struct buf *data, bool all)
{
	if (data->len == 0 || (!all && data->len < COPY_CHUNK))
		return DB_OK;
	enum db_status st = db_copy_put(db, data->data, data->len);
	buf_reset(data);
	return st;
}

/* COPYs the created and updated rows under submission `id`. */
static enum db_status copy_rows(struct db *db, const struct store_batch *in,
                                const unsigned char *cls, long long id)
{
	struct buf data = BUF_INIT;
	enum db_status st = db_copy_begin(db, SQL_COPY);

	for (size_t i = 0; st == DB_OK && i < in->nrows; i++) {
		const struct valid_row *r = &in->rows[i];
		if (cls[i] == CLASS_UNCHANGED)
			continue;
		if (buf_printf(&data, "%d\t%d\t%d\t%lld\t%d\n", r->indicator_id, r->area_id,
		               r->period, id, r->value) != 0) {
			log_error("ingest: out of memory building COPY data");
			st = DB_ERROR;
			break;
		}
		st = copy_flush(db, &data, false);
	}
	if (st == DB_OK)
		st = copy_flush(db, &data, true);
	if (st == DB_OK)
		st = db_copy_end(db);
	buf_free(&data);
	return st;
}

/* Classifies, inserts and copies: the writing half of the transaction. */
static enum db_status write_batch(struct db *db, const struct store_batch *in,
                                  struct receipt *out)
{
	unsigned char *cls = calloc(in->nrows ? in->nrows : 1, 1);
	long long id = 0;
	enum db_status st = DB_ERROR;

	if (!cls) {
		log_error("ingest: out of memory classifying rows");
		return DB_ERROR;
	}
	hex(in->body_sha256, AUTH_HASH_BYTES, out->sha256);
	st = classify(db, in, cls, out);
	if (st == DB_OK)
		st = insert_submission(db, in, out, &id);
	/* A batch that changes nothing still gets its receipt, and no COPY. */
	if (st == DB_OK && out->created + out->updated > 0)
		st = copy_rows(db, in, cls, id);
	free(cls);
	return st;
}

/* Turns a failed step into the answer, logging what needs a look. */
static enum store_result store_failure(struct db *db, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		return STORE_UNAVAILABLE;
	if (strcmp(db_sqlstate(db), SQLSTATE_UNIQUE) == 0)
		return STORE_DUPLICATE;
	log_error("ingest failed: %s %s", db_sqlstate(db), db_error(db));
	return STORE_FAILED;
}

enum store_result store_ingest(struct db *db, const struct store_batch *in,
                               struct receipt *out)
{
	enum key_state key = KEY_NEW;
	enum store_result result;
	enum db_status st = db_begin(db);

	if (st == DB_OK)
		st = lock_ingests(db);
	if (st == DB_OK && in->has_key)
		st = find_key(db, in, out, &key);
	if (st != DB_OK)
		goto fail;
	if (key != KEY_NEW) {
		/* Nothing was written; the rollback only lets go of the lock. */
		db_rollback(db);
		return key == KEY_SAME ? STORE_REPLAYED : STORE_KEY_REUSED;
	}
	st = write_batch(db, in, out);
	if (st == DB_OK)
		st = db_commit(db);
	if (st == DB_OK)
		return STORE_CREATED;
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
	char agency[16];
	const char *params[] = { uuid, agency };
	PGresult *res;

	snprintf(agency, sizeof agency, "%d", agency_id);
	enum db_status st = db_exec(db, &res, SQL_RECEIPT, 2, params);
	if (st != DB_OK)
		return st;
	*found = PQntuples(res) > 0;
	if (*found)
		receipt_from_row(res, 0, out);
	PQclear(res);
	return DB_OK;
}

/* Codes are compared byte by byte (COLLATE "C"), as the catalogue sorts
 * them, so the order does not depend on the database's locale. */
static const char SQL_CURRENT_COUNTS[] =
	"SELECT i.code, a.code, c.value, s.uuid"
	"  FROM count_current c"
	"  JOIN submission s ON s.id = c.submission_id"
	"  JOIN indicator i ON i.id = c.indicator_id"
	"  JOIN area a ON a.id = c.area_id"
	" WHERE c.period = $2 AND s.agency_id = $1"
	" ORDER BY i.code COLLATE \"C\", a.code COLLATE \"C\"";

static void count_from_row(PGresult *res, int row, struct stored_count *out)
{
	const char *ind = db_value(res, row, 0), *area = db_value(res, row, 1);
	const char *uuid = db_value(res, row, 3);

	snprintf(out->indicator, sizeof out->indicator, "%s", ind ? ind : "");
	snprintf(out->area, sizeof out->area, "%s", area ? area : "");
	out->value = (int)db_int(res, row, 2);
	snprintf(out->submission, sizeof out->submission, "%s", uuid ? uuid : "");
}

enum db_status store_current_counts(struct db *db, int agency_id, int period,
                                    struct stored_count **out, size_t *n)
{
	char agency[16], p[16];
	const char *params[] = { agency, p };
	PGresult *res;

	*out = NULL;
	*n = 0;
	snprintf(agency, sizeof agency, "%d", agency_id);
	snprintf(p, sizeof p, "%d", period);
	enum db_status st = db_exec(db, &res, SQL_CURRENT_COUNTS, 2, params);
	if (st != DB_OK)
		return st;
	int rows = PQntuples(res);
	*out = calloc(rows ? (size_t)rows : 1, sizeof **out);
	if (!*out) {
		PQclear(res);
		log_error("counts: out of memory for %d rows", rows);
		return DB_ERROR;
	}
	for (int r = 0; r < rows; r++)
		count_from_row(res, r, &(*out)[r]);
	*n = (size_t)rows;
	PQclear(res);
	return DB_OK;
}
