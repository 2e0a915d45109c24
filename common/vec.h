/* Growable arrays: one way to make room, for any element type. An array is
 * the caller's pointer, count and capacity (any struct members); vec only
 * reallocates, doubling, so that n appends cost O(n) copies in all. */
#ifndef SAMLAD_VEC_H
#define SAMLAD_VEC_H

#include <stddef.h>
#include "compiler.h"

/* Makes room for at least `need` elements of `size` bytes in the array
 * whose pointer is at `items` (a T **) and whose allocated length is *cap;
 * the length doubles (from 16) until it suffices. Returns 0, or -1 when
 * memory ran out or the size overflows (nothing changed). */
int vec_reserve(void *items, size_t *cap, size_t need, size_t size) WUR;

/* The address of a new last element of the array `items` (n in use, cap
 * allocated), with n counting it; NULL when memory ran out (nothing
 * changed). The element is not initialised. Each argument is evaluated
 * more than once: give it plain lvalues. */
#define VEC_PUSH(items, n, cap) \
	(vec_reserve(&(items), &(cap), (n) + 1, sizeof *(items)) == 0 ? &(items)[(n)++] : NULL)

#endif
