/* Exact-size buffers for parser tests: the bytes are copied so that they
 * end where a page without access begins, so a parser that reads one byte
 * past its input crashes the test in any build (AddressSanitizer would
 * catch it too, but only in a sanitizer build). Header-only, like tap.h. */
#ifndef SAMLAD_GUARDED_H
#define SAMLAD_GUARDED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The pages that hold len bytes, and the guard page after them. */
static size_t guarded_span(size_t len, size_t page)
{
	return (len + page - 1) / page * page + page;
}

/* A copy of len bytes of data whose last byte is the last one readable.
 * Exits when memory cannot be mapped: that is the test's failure, not the
 * parser's. Free with guarded_free(copy, len). */
__attribute__((unused))
static char *guarded_copy(const char *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = guarded_span(len, page);
	char *base = mmap(NULL, span, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED || mprotect(base + span - page, page, PROT_NONE) != 0) {
		printf("Bail out! cannot map a guarded buffer\n");
		exit(1);
	}
	char *copy = base + span - page - len;
	if (len)
		memcpy(copy, data, len);
	return copy;
}

__attribute__((unused))
static void guarded_free(char *copy, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = guarded_span(len, page);

	munmap(copy + len + page - span, span);
}

#endif
