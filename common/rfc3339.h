/* RFC 3339 date-times ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00"):
 * a check of every field (real dates, leap years, no second 60) and the
 * canonical text, which PostgreSQL reads as timestamptz. */
#ifndef SAMLAD_RFC3339_H
#define SAMLAD_RFC3339_H

#include <stddef.h>
#include "compiler.h"

/* Room for a canonical time with a fraction and an offset, and the NUL
 * (the longest is 35 characters). */
#define RFC3339_MAX 48

/* Checks s (a fraction of 1 to 9 digits may follow the seconds; "Z" or an
 * offset of at most 15:59 ends it) and writes it to out (size bytes)
 * canonically: upper-case T and Z. out may be s. Returns 0, or -1 when s
 * is NULL, not such a time, or does not fit. */
int rfc3339_canonical(const char *s, char *out, size_t size) WUR;

#endif
