/* Reading an application/x-www-form-urlencoded body, as a browser posts
 * an HTML form: "name=value&name=value", '+' for a space and %XX escapes.
 * Pure: no HTTP, no allocation beyond what the caller is handed. */
#ifndef SAMLAD_FORM_H
#define SAMLAD_FORM_H

#include <stddef.h>
#include "compiler.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* URL-decodes s[0..n) into out (size bytes, NUL-terminated); -1 when it
 * does not fit or a %-escape is broken. */
int form_decode(const char *s, size_t n, char *out, size_t size) WUR;

/* Finds field `name` in a form body and decodes its value into out.
 * Returns 0, 1 when the field is absent, -1 when its value is unreadable. */
int form_field(const char *body, size_t len, const char *name, char *out,
               size_t size) WUR;

/* Called for each field with its decoded name and value (borrowed, valid
 * during the call); a non-zero return stops the walk and is returned. */
typedef int (*form_field_fn)(void *ctx, const char *name, const char *value);

/* Walks every field of the body in order; a name or value longer than
 * field_max bytes decoded, or with a broken escape, ends it with -1.
 * Returns 0, -1, or what the callback stopped with. */
int form_each(const char *body, size_t len, size_t field_max, form_field_fn fn,
              void *ctx) WUR;

#endif
