/* vec: pushing from empty through many doublings keeps every element,
 * reserving more at once, and a size that would overflow is refused with
 * nothing changed. */
#include <stdint.h>
#include <stdlib.h>
#include "tap.h"
#include "vec.h"

/* An element bigger than a pointer, so that a wrong size shows. */
struct pair {
	long long a;  /* i */
	long long b;  /* -i */
};

static void test_push(void)
{
	struct pair *items = NULL;
	size_t n = 0, cap = 0;
	bool all = true;

	for (long long i = 0; i < 10000; i++) {
		struct pair *p = VEC_PUSH(items, n, cap);
		if (!p) {
			all = false;
			break;
		}
		*p = (struct pair){ i, -i };
	}
	ok(all, "10000 pushes");
	is_int(n, 10000, "counted");
	ok(cap >= n && (cap & (cap - 1)) == 0, "the capacity doubled from 16 (%zu)", cap);
	bool kept = true;
	for (size_t i = 0; i < n; i++)
		kept &= items[i].a == (long long)i && items[i].b == -(long long)i;
	ok(kept, "every element kept through the reallocations");
	free(items);
}

static void test_reserve(void)
{
	long *items = NULL;
	size_t cap = 0;

	is_int(vec_reserve(&items, &cap, 0, sizeof *items), 0, "nothing needed");
	ok(items == NULL && cap == 0, "allocates nothing");
	is_int(vec_reserve(&items, &cap, 100, sizeof *items), 0, "room for 100");
	is_int(cap, 128, "in a power of two");
	long *before = items;
	is_int(vec_reserve(&items, &cap, 128, sizeof *items), 0, "what is there suffices");
	ok(items == before && cap == 128, "so nothing moves");
	is_int(vec_reserve(&items, &cap, SIZE_MAX / 4, sizeof *items), -1,
	       "a size that overflows is refused");
	ok(items == before && cap == 128, "and nothing changed");
	free(items);
}

int main(void)
{
	test_push();
	test_reserve();
	return tap_done();
}
