/* A test's own stderr captured in a temporary file, so that what a server
 * running in the test process logs can be checked afterwards. Header-only,
 * like tap.h. */
#ifndef SAMLAD_CAPTURE_H
#define SAMLAD_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "tap.h"

/* What capture_start took over. */
struct capture {
	FILE *log;   /* where stderr now goes */
	int saved;   /* the original stderr, restored by capture_end */
};

/* Sends stderr to a temporary file; skips the whole test when it cannot. */
__attribute__((unused))
static void capture_start(struct capture *c)
{
	c->log = tmpfile();
	c->saved = dup(STDERR_FILENO);
	if (!c->log || c->saved < 0 || dup2(fileno(c->log), STDERR_FILENO) < 0)
		tap_skip_all("cannot capture stderr");
}

/* Everything logged so far, NUL-terminated, into text (reset first). */
__attribute__((unused))
static void capture_read(struct capture *c, struct buf *text)
{
	char chunk[4096];
	size_t n;

	fflush(stderr);
	buf_reset(text);
	rewind(c->log);
	while ((n = fread(chunk, 1, sizeof chunk, c->log)) > 0)
		if (buf_append(text, chunk, n) != 0)
			abort();
	if (buf_append(text, "", 0) != 0)
		abort();
}

/* Puts stderr back and drops the file. */
__attribute__((unused))
static void capture_end(struct capture *c)
{
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	fclose(c->log);
}

#endif
