/* The framing and target checks of common/http_framing.c, case by case;
 * the integration test integration-http-edge sends the same over sockets. */
#include <stdio.h>
#include <string.h>
#include "compiler.h"
#include "http_framing.h"
#include "tap.h"

/* Checks a request with the given Content-Length and Transfer-Encoding
 * values (NULL-terminated lists, either may be empty). */
static void framing(const char *const *lengths, const char *const *codings,
                    enum http_framing_check want, const char *what)
{
	struct http_framing f = { { NULL }, 0, { NULL }, 0 };

	for (; *lengths; lengths++, f.n_content_length++)
		if (f.n_content_length < 4)
			f.content_length[f.n_content_length] = *lengths;
	for (; *codings; codings++, f.n_transfer_encoding++)
		if (f.n_transfer_encoding < 4)
			f.transfer_encoding[f.n_transfer_encoding] = *codings;
	is_int(http_framing_check(&f), want, "%s", what);
}

static void test_framing(void)
{
	const char *none[] = { NULL };
	const char *five[] = { "5", NULL }, *five_twice[] = { "5", "5", NULL };
	const char *differ[] = { "3", "5", NULL }, *many[] = { "5", "5", "5", "5", "5", NULL };
	const char *chunked[] = { "chunked", NULL }, *upper[] = { "Chunked", NULL };

	framing(none, none, FRAMING_OK, "no body");
	framing(five, none, FRAMING_OK, "Content-Length alone");
	framing(five_twice, none, FRAMING_OK, "the same Content-Length twice");
	framing(none, chunked, FRAMING_OK, "chunked alone");
	framing(none, upper, FRAMING_OK, "Chunked, in any case");
	framing(five, chunked, FRAMING_BOTH, "Content-Length and chunked");
	framing(differ, none, FRAMING_LENGTHS_DIFFER, "two Content-Length that differ");
	framing(many, none, FRAMING_LENGTHS_DIFFER, "more Content-Length than are compared");
	static const char *const bad_lengths[] = { "-1", "+95", "0x10", " 5", "", "5 " };
	for (size_t i = 0; i < ARRAY_LEN(bad_lengths); i++) {
		const char *one[] = { "5", bad_lengths[i], NULL };
		framing(one, none, FRAMING_BAD_LENGTH, "a second Content-Length that is not digits");
	}
	static const char *const codings[] = { "identity", "gzip, chunked", "chunked ", "gzip", "" };
	for (size_t i = 0; i < ARRAY_LEN(codings); i++) {
		const char *one[] = { codings[i], NULL };
		framing(none, one, FRAMING_UNKNOWN_CODING, "an unknown Transfer-Encoding");
	}
	const char *two[] = { "chunked", "chunked", NULL };
	framing(none, two, FRAMING_UNKNOWN_CODING, "Transfer-Encoding twice");
	is_int(http_framing_status(FRAMING_UNKNOWN_CODING), 501, "an unknown coding is 501");
	is_int(http_framing_status(FRAMING_BOTH), 400, "both is 400");
}

static void target(const char *t, enum http_target_check want, const char *what)
{
	is_int(http_target_check(t, strlen(t)), want, "%s: %s", what, t);
}

static void test_target(void)
{
	char many[1024] = "/q?", *p = many + 3;

	target("/v1/series?indicator=a&area=b", TARGET_OK, "plain");
	target("/items/a%00b", TARGET_NUL, "%00 in the path");
	target("/q?a=x%00", TARGET_NUL, "%00 at the end of a value");
	target("/items/a%2500b", TARGET_OK, "%2500 is the text %00");
	target("/items/%0", TARGET_OK, "a cut escape at the end");
	for (int i = 0; i < HTTP_MAX_PARAMS; i++)
		p += sprintf(p, "%sp=1", i ? "&" : "");
	target(many, TARGET_OK, "64 parameters");
	strcat(many, "&x");
	target(many, TARGET_TOO_MANY_PARAMS, "65 parameters");
	is_int(http_target_check("/a%00", 3), TARGET_OK, "only len bytes are read");
}

int main(void)
{
	test_framing();
	test_target();
	return tap_done();
}
