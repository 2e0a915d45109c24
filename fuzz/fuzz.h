/* What every harness shares: libFuzzer's entry point, which the fuzzing
 * build links with libFuzzer and the replay build (replay.c) calls for
 * every file of the committed corpus. libFuzzer hands the harness an
 * exact-size buffer; a harness whose parser wants a C string copies the
 * bytes into one of exactly size + 1 bytes with fuzz_string. */
#ifndef SAMLAD_FUZZ_H
#define SAMLAD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as a NUL-terminated string of exactly size + 1 bytes (a NUL
 * among them ends the string early, as it would for the parser's callers),
 * or NULL when memory ran out. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
