/* POST /v1/counts with a CSV body: ingest_csv (and the RFC 4180 reader
 * under it) and validate_batch. */
#include "body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_body(data, size, true);
	return 0;
}
