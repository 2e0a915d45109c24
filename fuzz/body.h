/* The two body harnesses: a body read by ingest (JSON or CSV) straight from
 * libFuzzer's exact-size buffer, then validated against the fixture
 * catalogue, as counts_post does. */
#ifndef SAMLAD_FUZZ_BODY_H
#define SAMLAD_FUZZ_BODY_H

#include <stdbool.h>
#include "catalogue_fixture.h"
#include "fuzz.h"
#include "ingest.h"
#include "validate.h"

static inline void fuzz_body(const uint8_t *data, size_t size, bool csv)
{
	struct raw_batch rows = RAW_BATCH_INIT;
	struct conflicts found = CONFLICTS_INIT;
	struct validation v = VALIDATION_INIT;
	struct ingest_error err;
	const char *body = (const char *)data;

	enum ingest_status st = csv ? ingest_csv(body, size, &rows, &found, &err)
	                            : ingest_json(body, size, &rows, &found, &err);
	if (st == INGEST_FAILED)
		abort(); /* only memory can fail */
	for (size_t i = 0; i < rows.n; i++)
		if (rows.rows[i].has_value &&
		    (rows.rows[i].value < 0 || rows.rows[i].value > INGEST_COUNT_MAX))
			abort(); /* a count accepted must be one */
	if (st == INGEST_OK &&
	    validate_batch(&rows, &found, &fixture_catalogue, FIXTURE_AGENCY, FIXTURE_NOW, &v) != 0)
		abort(); /* only memory can fail, and the fuzzer has plenty */
	validation_free(&v);
	conflicts_free(&found);
	raw_batch_free(&rows);
}

#endif
