/* Flags an agency may set on a value when it reports it (issue 10): a
 * fixed list, never free text, because free text could carry personal
 * data. Pure: the names and their order, nothing else.
 *
 * The codes are ordered by precedence: a sum of values is flagged with
 * the highest flag among them (flag_combine), so a break outranks
 * "provisional" (docs/aggregator.md, "Flags"). */
#ifndef SAMLAD_FLAG_H
#define SAMLAD_FLAG_H

#include <stddef.h>

/* A value's flag; the numbers are stored in table_state.flags. */
enum flag {
	FLAG_NONE = 0,         /* no flag */
	FLAG_PROVISIONAL = 1,  /* the value may still be corrected */
	FLAG_BREAK = 2,        /* a change of routine or organisation: not comparable
	                        * with earlier quarters */
};

/* The highest code. */
#define FLAG_MAX FLAG_BREAK

/* "break", "provisional", or NULL for FLAG_NONE (and a code out of range). */
const char *flag_name(enum flag f);
/* The flag named by exactly len bytes of text; -1 when it names none
 * ("" included: the absence of a flag is no name). */
int flag_parse(const char *text, size_t len);
/* The flag of a sum of two flagged values: the one of higher precedence. */
enum flag flag_combine(enum flag a, enum flag b);

#endif
