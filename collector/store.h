/* The collector's SQL: the ingest transaction, receipts and the agency's
 * current values. Every query is a small typed function beside its SQL
 * string in store.c, and all of them go through common/db.h. */
#ifndef SAMLAD_STORE_H
#define SAMLAD_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "auth.h"
#include "compiler.h"
#include "current.h"
#include "db.h"
#include "validate.h"

#define UUID_STRLEN 37
/* "2024-10-01T12:34:56.789Z" and its NUL, with room to spare. */
#define RECEIPT_TIME_STRLEN 40

/* The most locked periods a 409 period_locked names. */
#define STORE_LOCKED_MAX 128
#define STORE_LOCKED_MAX_TEXT "128"

/* What an agency gets back for a stored batch. */
struct receipt {
	char submission[UUID_STRLEN];        /* submission.uuid */
	char received_at[RECEIPT_TIME_STRLEN]; /* RFC 3339, UTC, milliseconds */
	char sha256[2 * AUTH_HASH_BYTES + 1]; /* hex SHA-256 of the body as received */
	long long rows;                      /* rows in the batch */
	long long created;                   /* keys that had no value before */
	long long updated;                   /* keys whose current value changed */
	long long unchanged;                 /* keys that already had this value */
	int locked[STORE_LOCKED_MAX];        /* STORE_PERIOD_LOCKED: the locked periods
	                                      * (yyyyq) the batch would change, in order */
	size_t nlocked;                      /* entries in locked */
};

/* The receipt as JSON, the one form POST, its replay and GET all answer.
 * Returns NULL when memory ran out; the caller owns the object. */
cJSON *receipt_json(const struct receipt *r);

/* One batch to store. */
struct store_batch {
	int agency_id;                            /* the submitting agency */
	long long token_id;                       /* the token that sent it */
	unsigned char body_sha256[AUTH_HASH_BYTES]; /* SHA-256 of the body */
	bool has_key;                             /* an Idempotency-Key came with it */
	unsigned char key_sha256[AUTH_HASH_BYTES]; /* SHA-256 of that key, when has_key */
	const struct valid_row *rows;             /* borrowed; distinct keys */
	size_t nrows;                             /* entries in rows */
	long long catalogue_version;              /* the catalogue the rows were checked against */
};

enum store_result {
	STORE_CREATED = 0,   /* committed: answer 201 */
	STORE_REPLAYED,      /* the key was seen with this body: answer 200, old receipt */
	STORE_KEY_REUSED,    /* the key was seen with another body: 409 */
	STORE_DUPLICATE,     /* a unique constraint fired (SQLSTATE 23505): 409 */
	STORE_UNAVAILABLE,   /* the database could not be reached: 503 */
	STORE_NO_ROOM,       /* the database lacks disk or memory (SQLSTATE class 53): 503 */
	STORE_FAILED,        /* any other failure: 500, logged */
	STORE_STALE_CATALOGUE, /* a catalogue import came between the check and the lock:
	                        * nothing stored; check the rows again */
	STORE_PERIOD_LOCKED, /* a created or updated row falls in a locked year: nothing
	                      * stored; the receipt's locked[] names the periods: 409 */
};

/* Runs the ingest transaction of docs/architecture.md "The store". Fills
 * *out for STORE_CREATED and STORE_REPLAYED. Nothing is stored unless it
 * answers STORE_CREATED. `cache` (NULL: none) classifies the rows when it
 * is at the version the transaction sees, and is loaded first when
 * current_load_begin says so; see current.h. */
enum store_result store_ingest(struct db *db, struct current *cache,
                               const struct store_batch *in, struct receipt *out) WUR;

/* Loads the whole current state into the cache, whose load the caller owns
 * (current_load_begin answered true), and ends the load. It reads a
 * read-only snapshot a page at a time, outside the ingest lock: other
 * collectors go on storing meanwhile, and the version check finds out
 * whether what was read is still the state when it is used. A failure only
 * leaves the cache invalid (the ingest then asks the database); too many
 * keys for the budget turn it off, with a warning. `stop` (NULL: none) is
 * read before each page: once it is set the load is abandoned, so that a
 * shutdown does not wait for the whole history. */
void store_load_cache(struct db *db, struct current *cache, const atomic_bool *stop);

/* What store_ingest would answer for the batch, storing nothing: in one
 * read-only snapshot without the ingest lock it looks the Idempotency-Key
 * up (STORE_REPLAYED with the original receipt, or STORE_KEY_REUSED) and
 * classifies the rows by asking the database, never the current-value
 * cache. STORE_CREATED here means "checked": *out holds the counts, the
 * body's sha256, the time of the check as received_at and an empty
 * submission. The key is not consumed. */
enum store_result store_dry_run(struct db *db, const struct store_batch *in,
                                struct receipt *out) WUR;

/* The receipt of submission `uuid` if agency_id sent it; *found says
 * whether there was one. `uuid` must already be well-formed. */
enum db_status store_receipt(struct db *db, int agency_id, const char *uuid,
                             struct receipt *out, bool *found) WUR;

/* The most submissions one page of GET /v1/submissions lists. */
#define STORE_SUBMISSIONS_MAX 500

/* One line of an agency's list of submissions. */
struct submission_item {
	struct receipt receipt;   /* its receipt (nlocked is 0) */
	long long token_id;       /* the token that sent it */
	char token_label[208];    /* that token's label (at most 200 bytes), or "" */
};

/* Up to `limit` of agency_id's submissions, newest first, older than the
 * submission `before` when it is not NULL (a well-formed uuid). *n says how
 * many; *more whether older ones remain; *before_found is false when
 * `before` is not one of the agency's (then *n is 0). `out` has room for
 * `limit` items; limit is at most STORE_SUBMISSIONS_MAX. */
enum db_status store_submissions(struct db *db, int agency_id, const char *before, int limit,
                                 struct submission_item *out, size_t *n, bool *more,
                                 bool *before_found) WUR;

/* A current value that came from one of the agency's submissions. */
struct stored_count {
	char indicator[72];             /* indicator.code (at most 64 bytes) */
	char area[72];                  /* area.code (at most 64 bytes) */
	int value;                      /* the count */
	int flag;                       /* its flag (flag.h), FLAG_NONE for none */
	char submission[UUID_STRLEN];   /* the submission that set it */
};

/* The current values for `period` whose latest row came from a submission
 * of agency_id, ordered by indicator code, then area code. *out is the
 * caller's to free(), also when *n is 0. */
enum db_status store_current_counts(struct db *db, int agency_id, int period,
                                    struct stored_count **out, size_t *n) WUR;

/* True when s is a UUID in its 36-character text form. */
bool store_uuid_valid(const char *s);

#endif
