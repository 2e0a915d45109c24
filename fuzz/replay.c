/* Replays a harness's committed corpus without fuzzing, on every run of the
 * test suite: each file goes to LLVMFuzzerTestOneInput once, copied so that
 * it ends where a page without access begins (tests/support/guarded.h),
 * so a parser reading past its input crashes here in any build. Speaks
 * TAP, a line per file.
 *   replay-NAME CORPUS_DIR */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "guarded.h"
#include "tap.h"

/* Reads a whole file; exits (Bail out) when it cannot. */
static void read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	buf_reset(out);
	if (!f) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(out, chunk, n) != 0)
			abort();
	fclose(f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	struct buf text = BUF_INIT;
	char *names[4096], path[4096];
	size_t n = 0;
	DIR *d = argc == 2 ? opendir(argv[1]) : NULL;

	if (!d) {
		printf("Bail out! usage: %s CORPUS_DIR (%s)\n", argv[0], strerror(errno));
		return 1;
	}
	for (struct dirent *e; (e = readdir(d)) && n < 4096;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
		read_file(path, &text);
		char *copy = guarded_copy(text.data, text.len);
		LLVMFuzzerTestOneInput((const uint8_t *)copy, text.len);
		guarded_free(copy, text.len);
		ok(true, "%s (%zu bytes)", names[i], text.len);
		free(names[i]);
	}
	ok(n > 0, "the corpus has %zu files", n);
	buf_free(&text);
	return tap_done();
}
