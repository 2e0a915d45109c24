/* Form bodies; see form.h. */
#include "form.h"

#include <stdlib.h>
#include <string.h>
#include "hex.h"

int form_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++, o++) {
		if (o + 1 >= size)
			return -1;
		if (s[i] == '+')
			out[o] = ' ';
		else if (s[i] != '%')
			out[o] = s[i];
		else if (i + 2 < n && hex_decode(s + i + 1, 2, out + o) == 0)
			i += 2;
		else
			return -1;
	}
	out[o] = '\0';
	return 0;
}

int form_field(const char *body, size_t len, const char *name, char *out, size_t size)
{
	const char *p = body, *end = body + len;
	size_t nlen = strlen(name);

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if ((size_t)(stop - p) > nlen && p[nlen] == '=' && memcmp(p, name, nlen) == 0)
			return form_decode(p + nlen + 1, (size_t)(stop - p) - nlen - 1, out, size);
		p = stop + 1;
	}
	return 1;
}

/* Decodes one "name=value" pair (the value may be absent: "name") and
 * hands it to fn. */
static int one_pair(const char *p, size_t n, char *name, char *value, size_t size,
                    form_field_fn fn, void *ctx)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq ? (size_t)(eq - p) : n;

	if (form_decode(p, nlen, name, size) != 0 ||
	    form_decode(eq ? eq + 1 : p + n, eq ? n - nlen - 1 : 0, value, size) != 0)
		return -1;
	return fn(ctx, name, value);
}

int form_each(const char *body, size_t len, size_t field_max, form_field_fn fn, void *ctx)
{
	const char *p = body, *end = body + len;
	char *name = malloc(field_max + 1), *value = malloc(field_max + 1);
	int rc = name && value ? 0 : -1;

	while (rc == 0 && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if (stop > p)
			rc = one_pair(p, (size_t)(stop - p), name, value, field_max + 1, fn, ctx);
		p = stop + 1;
	}
	free(name);
	free(value);
	return rc;
}
