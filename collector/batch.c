/* A batch's one way from body to store; see batch.h. */
#include "batch.h"

#include <stdio.h>
#include <time.h>
#include "period.h"

/* Reads the body into rows and conflicts. */
static enum batch_outcome read_body(struct batch *b, const char *body, size_t len, bool csv)
{
	b->err = (struct ingest_error){ NULL, "" };
	enum ingest_status st = csv ? ingest_csv(body, len, &b->rows, &b->found, &b->err)
	                            : ingest_json(body, len, &b->rows, &b->found, &b->err);

	if (st == INGEST_REJECTED)
		return BATCH_REJECTED;
	if (st != INGEST_OK) {
		b->failure = "the body could not be read";
		return BATCH_FAILED;
	}
	crypto_sha256(body, len, b->store.body_sha256);
	return BATCH_STORED;
}

/* Validates against a reference to the catalogue snapshot (a reload
 * meanwhile does not wait for it). BATCH_STORED here means "go on". */
static enum batch_outcome check_rows(struct collector *c, struct batch *b)
{
	int rc = -1;
	struct catalogue *cat = catalogue_hold(&c->cat);
	bool loaded = cat != NULL;

	if (loaded) {
		rc = validate_batch(&b->rows, &b->found, cat, b->who.agency_id, time(NULL),
		                    &b->checked);
		b->store.catalogue_version = cat->version;
	}
	catalogue_unref(cat);
	/* Without a catalogue the database has not been reachable since start. */
	if (!loaded)
		return BATCH_UNAVAILABLE;
	if (rc != 0) {
		b->failure = "the rows could not be checked";
		return BATCH_FAILED;
	}
	return b->checked.invalid_rows ? BATCH_INVALID : BATCH_STORED;
}

/* Checks the rows again after a catalogue import came in between. */
static enum batch_outcome recheck(struct collector *c, struct db *db, struct batch *b)
{
	validation_free(&b->checked);
	if (collector_refresh(c, db) != DB_OK)
		return BATCH_UNAVAILABLE;
	return check_rows(c, b);
}

/* Stores the checked rows. When a catalogue import came in between, the
 * rows are checked again against the new catalogue (which may refuse them
 * now) and stored: an import is rare, so a few rounds are always enough. */
static enum batch_outcome store_rows(struct collector *c, struct batch *b)
{
	struct db *db = db_pool_get(c->pool);
	enum batch_outcome out = BATCH_STORED;

	b->result = STORE_STALE_CATALOGUE;
	b->store.agency_id = b->who.agency_id;
	b->store.token_id = b->who.token_id;
	for (int round = 0; round < 3 && b->result == STORE_STALE_CATALOGUE; round++) {
		if (round > 0 && (out = recheck(c, db, b)) != BATCH_STORED)
			break;
		b->store.rows = b->checked.rows;
		b->store.nrows = b->checked.nrows;
		b->result = b->dry_run ? store_dry_run(db, &b->store, &b->receipt)
		                       : store_ingest(db, c->cache, &b->store, &b->receipt);
	}
	if (b->result == STORE_CREATED && !b->dry_run)
		collector_count_stored(c, &b->receipt);
	db_pool_put(c->pool, db);
	return out;
}

enum batch_outcome batch_run(struct collector *c, struct batch *b, const char *body,
                             size_t len, bool csv)
{
	enum batch_outcome out = read_body(b, body, len, csv);

	if (out == BATCH_STORED)
		out = check_rows(c, b);
	if (out == BATCH_STORED)
		out = store_rows(c, b);
	return out;
}

void batch_free(struct batch *b)
{
	raw_batch_free(&b->rows);
	conflicts_free(&b->found);
	validation_free(&b->checked);
}

void batch_locked_message(const struct receipt *r, char *out, size_t size)
{
	char period[PERIOD_STRLEN];
	size_t n = (size_t)snprintf(out, size, "the batch would change locked period%s",
	                            r->nlocked == 1 ? "" : "s");

	for (size_t i = 0; i < r->nlocked && n < size; i++) {
		period_format(r->locked[i], period);
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : " ", period);
	}
	if (n < size)
		snprintf(out + n, size - n, "; nothing was stored");
}
