/* The published table and the timeline's point; see ptable.h. */
#include "ptable.h"

#include <stdlib.h>

int point_cmp(struct point a, struct point b)
{
	if (a.data != b.data)
		return a.data < b.data ? -1 : 1;
	return (a.catalogue > b.catalogue) - (a.catalogue < b.catalogue);
}

long ptable_row(const struct ptable *t, int area_id, int municipality_id)
{
	for (size_t i = 0; i < t->nleaves; i++)
		if (t->leaves[i] == area_id)
			return (long)i;
	if (t->total && area_id == municipality_id)
		return (long)t->nleaves;
	return -1;
}

struct ptable *ptable_new(int year, size_t nleaves, bool total)
{
	size_t nrows = nleaves + (total ? 1 : 0);
	size_t cells = nrows * DC_NCOLS;
	struct ptable *t = malloc(sizeof *t + cells * sizeof *t->cells +
	                          (nleaves + 1) * sizeof *t->leaves + cells);
	if (!t)
		return NULL;
	*t = (struct ptable){ .year = year, .nleaves = nleaves, .total = total, .nrows = nrows };
	t->cells = (struct pcell *)(t + 1);
	t->leaves = (int *)(t->cells + cells);
	t->flags = (unsigned char *)(t->leaves + nleaves + 1);
	for (size_t i = 0; i < cells; i++) {
		t->cells[i] = (struct pcell){ 0, DC_MISSING };
		t->flags[i] = 0;
	}
	return t;
}
