/* Growable arrays; see vec.h. */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Elements of a first allocation. */
#define VEC_FIRST 16

int vec_reserve(void *items, size_t *cap, size_t need, size_t size)
{
	void *p;

	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : VEC_FIRST;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return -1;
		c *= 2;
	}
	if (size && c > SIZE_MAX / size)
		return -1;
	/* items points at a T *; it is read and written as bytes, which any
	 * object pointer may be. */
	memcpy(&p, items, sizeof p);
	p = realloc(p, c * size);
	if (!p)
		return -1;
	memcpy(items, &p, sizeof p);
	*cap = c;
	return 0;
}
