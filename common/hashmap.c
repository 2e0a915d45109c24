/* An open-addressing hash index; see hashmap.h. */
#include "hashmap.h"

#include <stdlib.h>

/* Slots of the first table. */
#define FIRST_SLOTS 64

size_t hashmap_find(const struct hashmap *m, uint64_t hash, hashmap_eq_fn *eq,
                    const void *key)
{
	if (m->nslots == 0)
		return HASHMAP_NONE;
	size_t mask = m->nslots - 1;
	for (size_t i = (size_t)hash & mask; m->slots[i].id1; i = (i + 1) & mask)
		if (m->slots[i].hash == hash && eq(m->slots[i].id1 - 1, key))
			return m->slots[i].id1 - 1;
	return HASHMAP_NONE;
}

/* Puts a slot into the first empty place of its probe sequence. */
static void place(struct hashmap_slot *slots, size_t nslots, struct hashmap_slot s)
{
	size_t mask = nslots - 1, i = (size_t)s.hash & mask;

	while (slots[i].id1)
		i = (i + 1) & mask;
	slots[i] = s;
}

/* Doubles the table when one more id would fill it past half; 0 or -1. */
static int grow(struct hashmap *m)
{
	if (2 * (m->n + 1) <= m->nslots)
		return 0;
	size_t n = m->nslots ? 2 * m->nslots : FIRST_SLOTS;
	struct hashmap_slot *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].id1)
			place(slots, n, m->slots[i]);
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

int hashmap_add(struct hashmap *m, uint64_t hash, size_t id)
{
	if (grow(m) != 0)
		return -1;
	place(m->slots, m->nslots, (struct hashmap_slot){ hash, id + 1 });
	m->n++;
	return 0;
}

void hashmap_free(struct hashmap *m)
{
	free(m->slots);
	*m = (struct hashmap)HASHMAP_INIT;
}
