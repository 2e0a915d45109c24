/* A growable byte buffer with a sticky failure; see buf.h. */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for `extra` more bytes plus the NUL; on failure marks the
 * buffer failed, so that nothing is appended after the gap. */
static int buf_reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = true;
	return -1;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) != 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	if (b->failed)
		return -1;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return -1;
	}
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	if (buf_reserve(b, (size_t)n) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_html(struct buf *b, const char *s)
{
	/* The entities of the characters HTML gives a meaning to. */
	static const char *const entity[] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
	};


	/* Plain runs go in one append each: most text has nothing to escape. */
	while (s && *s) {
		size_t run = strcspn(s, "&<>\"'");
		buf_append(b, s, run);
		s += run;
		if (*s)
			buf_puts(b, entity[(unsigned char)*s++]);
	}
	return b->failed ? -1 : 0;
}

/* Appends the number of the conversion that fmt starts with ('%', its
 * flags, width, precision, length and letter) and returns what follows it.
 * The compiler has checked the caller's format (PRINTF), and the
 * conversion is a piece of it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static const char *html_number(struct buf *b, const char *fmt, va_list *ap)
{
	char spec[16];
	size_t n = 1 + strspn(fmt + 1, "-+ #0123456789.l");

	if (!fmt[n] || n + 1 >= sizeof spec) {
		b->failed = true;
		return fmt + strlen(fmt);
	}
	memcpy(spec, fmt, n + 1);
	spec[n + 1] = '\0';
	if (spec[n] == '%')
		buf_puts(b, "%");
	else if (strchr("feEgG", spec[n]) && !strchr(spec, 'l'))
		buf_printf(b, spec, va_arg(*ap, double));
	else if (spec[n] == 'd' && strstr(spec, "ll"))
		buf_printf(b, spec, va_arg(*ap, long long));
	else if (spec[n] == 'd' && !strchr(spec, 'l'))
		buf_printf(b, spec, va_arg(*ap, int));
	else
		b->failed = true;
	return fmt + n + 1;
}
#pragma GCC diagnostic pop

int buf_htmlf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	while (*fmt) {
		size_t run = strcspn(fmt, "%");
		buf_append(b, fmt, run);
		fmt += run;
		if (fmt[0] == '%' && fmt[1] == 's') {
			buf_html(b, va_arg(ap, const char *));
			fmt += 2;
		} else if (*fmt) {
			fmt = html_number(b, fmt, &ap);
		}
	}
	va_end(ap);
	return b->failed ? -1 : 0;
}

bool buf_failed(const struct buf *b)
{
	return b->failed;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;
	if (b->failed) {
		free(p);
		p = NULL;
	} else if (!p)
		p = calloc(1, 1);
	*b = (struct buf)BUF_INIT;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf)BUF_INIT;
}

int buf_read_file(struct buf *b, const char *path, size_t max)
{
	char chunk[65536];
	size_t n;
	int err = 0;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return errno;
	while (!err && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		err = b->len + n > max ? EFBIG : buf_append(b, chunk, n) != 0 ? ENOMEM : 0;
	if (!err && ferror(fp))
		err = errno ? errno : EIO;
	fclose(fp);
	if (!err && buf_append(b, "", 0) != 0)
		err = ENOMEM;
	return err;
}
