/* What common/http.c checks of a raw request before libmicrohttpd's
 * parsed values are used: the target (path and query string, as sent) and
 * the framing headers. The input is the target; after a first newline come
 * framing header values, one a line, "L" for Content-Length or "T" for
 * Transfer-Encoding first. */
#include "fuzz.h"
#include "http_framing.h"

/* Adds one framing header line ("Lvalue" or "Tvalue") to f. */
static void framing_add(struct http_framing *f, char *line)
{
	if (line[0] == 'L') {
		if (f->n_content_length < 4)
			f->content_length[f->n_content_length] = line + 1;
		f->n_content_length++;
	} else if (line[0] == 'T') {
		if (f->n_transfer_encoding < 4)
			f->transfer_encoding[f->n_transfer_encoding] = line + 1;
		f->n_transfer_encoding++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t target = nl ? (size_t)(nl - (const char *)data) : size;
	struct http_framing f = { { NULL }, 0, { NULL }, 0 };

	/* The target straight from the exact-size buffer. */
	(void)http_target_check((const char *)data, target);
	if (!nl)
		return 0;
	char *rest = fuzz_string(data + target + 1, size - target - 1);
	if (!rest)
		return 0;
	for (char *line = strtok(rest, "\n"); line; line = strtok(NULL, "\n"))
		framing_add(&f, line);
	enum http_framing_check c = http_framing_check(&f);
	if (http_framing_status(c) < 400 || !http_framing_message(c))
		abort();
	free(rest);
	return 0;
}
