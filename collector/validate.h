/* Validation: raw rows checked against the catalogue, the token's agency and
 * the clock. Pure: no database, no HTTP. Either every row is valid and comes
 * out resolved to ids, or every conflict comes out, in row order and within
 * a row in the order indicator, area, period, value. */
#ifndef SAMLAD_VALIDATE_H
#define SAMLAD_VALIDATE_H

#include <stddef.h>
#include <time.h>
#include "catalogue.h"
#include "compiler.h"
#include "ingest.h"

/* A row ready to store. */
struct valid_row {
	int indicator_id;  /* indicator.id */
	int area_id;       /* area.id of a leaf area */
	int period;        /* yyyyq, canonical */
	int value;         /* 0 <= value <= 10^9 */
	int flag;          /* enum flag (flag.h); part of the stored value */
};

/* What validate_batch found. */
struct validation {
	struct valid_row *rows;      /* owned; every row, in order, when conflicts.n == 0 */
	size_t nrows;                /* rows in the batch */
	struct conflicts conflicts;  /* every conflict of the batch (up to CONFLICT_LIMIT) */
	size_t invalid_rows;         /* rows with at least one conflict */
};

#define VALIDATION_INIT { NULL, 0, CONFLICTS_INIT, 0 }

/* Checks every row of `batch` (whose ingest conflicts are `found`) for
 * agency `agency_id` at time `now`. The batch is valid when
 * out->invalid_rows is 0. Returns -1 only when memory ran out. *out is the
 * caller's to free with validation_free, also after a failure. */
int validate_batch(const struct raw_batch *batch, const struct conflicts *found,
                   const struct catalogue *cat, int agency_id, time_t now,
                   struct validation *out) WUR;
void validation_free(struct validation *v);

#endif
