/* POST /v1/counts with a JSON body: ingest_json and validate_batch. */
#include "body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_body(data, size, false);
	return 0;
}
