/* One batch of counts from its body to the store's answer: read (ingest),
 * checked against the catalogue (validate), stored or, for a dry run,
 * classified (store). POST /v1/counts and the form (POST /submit,
 * POST /submit/upload) all go this one way; each says the outcome in its
 * own form (JSON, or a page). */
#ifndef SAMLAD_BATCH_H
#define SAMLAD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "collector.h"
#include "compiler.h"
#include "ingest.h"
#include "store.h"
#include "validate.h"

enum batch_outcome {
	BATCH_REJECTED = 0, /* the body cannot be read: err says why (400) */
	BATCH_INVALID,      /* rows are wrong: checked.conflicts lists them (422) */
	BATCH_STORED,       /* the store answered: result and, when it says so, receipt */
	BATCH_UNAVAILABLE,  /* the database or the catalogue is not there (503) */
	BATCH_FAILED,       /* memory ran out, or a bug: failure says what (500) */
};

/* Everything one batch holds, freed in one place (batch_free). Zero it
 * with BATCH_INIT, then set who, dry_run and (optionally) store.has_key. */
struct batch {
	struct principal who;       /* the submitter */
	bool dry_run;               /* check and classify, store nothing */
	struct raw_batch rows;      /* the body's rows */
	struct conflicts found;     /* ingest's conflicts */
	struct validation checked;  /* validate's verdict */
	struct store_batch store;   /* what goes to the store */
	struct ingest_error err;    /* BATCH_REJECTED: why */
	enum store_result result;   /* BATCH_STORED: what the store did */
	struct receipt receipt;     /* BATCH_STORED: the receipt, for CREATED and REPLAYED */
	const char *failure;        /* BATCH_FAILED: static English text */
};

#define BATCH_INIT { .rows = RAW_BATCH_INIT, .found = CONFLICTS_INIT, \
                     .checked = VALIDATION_INIT }

/* Runs the batch in body[0..len) (CSV when csv, else JSON) for b->who.
 * Stores only when the outcome is BATCH_STORED with STORE_CREATED and not
 * a dry run. */
enum batch_outcome batch_run(struct collector *c, struct batch *b, const char *body,
                             size_t len, bool csv);
void batch_free(struct batch *b);

/* Room for the period_locked message with every period it can name. */
#define BATCH_LOCKED_MESSAGE_MAX 1200
/* The one sentence of a STORE_PERIOD_LOCKED: "the batch would change
 * locked periods 2024Q1, 2024Q2; nothing was stored". */
void batch_locked_message(const struct receipt *r, char *out, size_t size);

#endif
