/* The byte buffer: appends, printf past the small stack copy, the sticky
 * failure (every append after it a no-op, cleared by reset), the HTML
 * escaping append and the printf whose strings are escaped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "buf.h"
#include "tap.h"

static void test_appends(void)
{
	struct buf b = BUF_INIT;
	char big[1000];

	is_int(buf_puts(&b, "ab"), 0, "puts");
	is_int(buf_append(&b, "cdef", 2), 0, "append");
	is_int(buf_printf(&b, "-%d-", 42), 0, "printf");
	is_str(b.data, "abcd-42-", "the text so far");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	is_int(buf_printf(&b, "%s!", big), 0, "printf longer than the stack copy");
	is_int(b.len, 8 + 999 + 1, "its length");
	ok(b.data[b.len - 1] == '!' && b.data[b.len] == '\0', "NUL-terminated");
	ok(!buf_failed(&b), "not failed");
	buf_reset(&b);
	is_str(b.data, "", "reset empties");
	buf_free(&b);
	char *empty = buf_steal(&b);
	is_str(empty, "", "stealing an empty buffer gives an empty string");
	free(empty);
}

static void test_sticky(void)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "before");
	is_int(buf_append(&b, "x", SIZE_MAX - 2), -1, "an impossible append fails");
	ok(buf_failed(&b), "and the buffer is failed");
	is_int(buf_puts(&b, "after"), -1, "puts after the failure is refused");
	is_int(buf_printf(&b, "%d", 7), -1, "printf too");
	is_int(buf_html(&b, "<"), -1, "and the HTML append");
	is_str(b.data, "before", "nothing was appended after the gap");
	ok(buf_steal(&b) == NULL, "a failed buffer is not handed out");
	ok(!buf_failed(&b), "stealing clears the failure");
	buf_append(&b, "x", SIZE_MAX - 2);
	buf_reset(&b);
	ok(!buf_failed(&b), "reset clears the failure");
	is_int(buf_puts(&b, "again"), 0, "and appends work again");
	is_str(b.data, "again", "from the start");
	buf_free(&b);
}

static void test_html(void)
{
	struct buf b = BUF_INIT;

	is_int(buf_html(&b, "a<b>&\"c'd"), 0, "escape");
	is_str(b.data, "a&lt;b&gt;&amp;&quot;c&#39;d", "every special character");
	buf_reset(&b);
	buf_html(&b, NULL);
	buf_html(&b, "");
	buf_html(&b, "plain, \xc3\xa5 too");
	is_str(b.data, "plain, \xc3\xa5 too", "NULL and empty append nothing; the rest is kept");
	buf_free(&b);
}

static void test_htmlf(void)
{
	struct buf b = BUF_INIT;

	is_int(buf_htmlf(&b, "<a href=\"#%s\">%s</a> %d%% %3d %lld %.1f %g|", "x&y", "<'q'>", -7, 12,
	                 -123456789012LL, 2.25, 0.5), 0, "htmlf");
	is_str(b.data, "<a href=\"#x&amp;y\">&lt;&#39;q&#39;&gt;</a> -7%  12 -123456789012 2.2 0.5|",
	       "strings escaped, the numbers printed as printf prints them");
	buf_reset(&b);
	is_int(buf_htmlf(&b, "%zu", (size_t)1), -1, "a size_t is not supported");
	buf_reset(&b);
	is_int(buf_htmlf(&b, "%p", (void *)&b), -1, "an unsupported conversion fails the buffer");
	buf_reset(&b);
	is_int(buf_htmlf(&b, "%5s", "x"), -1, "and so does a string with a width");
	buf_free(&b);
}

/* Writes text to a new temporary file; its name goes to path. */
static void temp_file(char path[32], const char *text)
{
	strcpy(path, "/tmp/test-buf-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		ok(false, "a temporary file is written");
}

static void test_read_file(void)
{
	char path[32], empty[32];
	struct buf b = BUF_INIT;

	temp_file(path, "abc\ndef");
	temp_file(empty, "");
	buf_puts(&b, ">");
	is_int(buf_read_file(&b, path, 100), 0, "a file is read");
	is_str(b.data, ">abc\ndef", "appended whole after what was there");
	is_int(buf_read_file(&b, path, 10), EFBIG, "past max: EFBIG");
	buf_reset(&b);
	is_int(buf_read_file(&b, empty, 100), 0, "an empty file is read");
	ok(b.data && b.len == 0, "and its data is an empty string, not NULL");
	is_int(buf_read_file(&b, "/nonexistent/file", 100), ENOENT, "a missing file: ENOENT");
	is_int(buf_read_file(&b, "/tmp", 100), EISDIR, "a folder: EISDIR");
	unlink(path);
	unlink(empty);
	buf_free(&b);
}

int main(void)
{
	test_appends();
	test_sticky();
	test_html();
	test_htmlf();
	test_read_file();
	return tap_done();
}
