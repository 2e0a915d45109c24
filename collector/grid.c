/* The form's grid; see grid.h. */
#include "grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ingest.h"

/* Marks which indicators and areas (by index in cat) have a permission of
 * the agency for a leaf area active in the period. */
static void mark_permitted(const struct catalogue *cat, int agency_id, int period,
                           bool *ind_used, bool *area_used)
{
	for (size_t i = 0; i < cat->npermissions; i++) {
		const struct cat_permission *p = &cat->permissions[i];
		if (p->agency_id != agency_id)
			continue;
		const struct cat_area *a = catalogue_area_by_id(cat, p->area_id);
		const struct cat_indicator *ind = catalogue_indicator_by_id(cat, p->indicator_id);
		if (!a || !ind || !catalogue_area_is_leaf(a) || !catalogue_area_active(a, period))
			continue;
		ind_used[ind - cat->indicators] = true;
		area_used[a - cat->areas] = true;
	}
}

/* Lists the marked indicators and areas in the catalogue's (code) order. */
static int list_marked(struct grid *g, const bool *ind_used, const bool *area_used)
{
	const struct catalogue *cat = g->cat;

	g->inds = calloc(cat->nindicators ? cat->nindicators : 1, sizeof *g->inds);
	g->areas = calloc(cat->nareas ? cat->nareas : 1, sizeof *g->areas);
	if (!g->inds || !g->areas)
		return -1;
	for (size_t i = 0; i < cat->nindicators; i++)
		if (ind_used[i])
			g->inds[g->ninds++] = &cat->indicators[i];
	for (size_t i = 0; i < cat->nareas; i++)
		if (area_used[i])
			g->areas[g->nareas++] = &cat->areas[i];
	return 0;
}

int grid_build(struct grid *g, struct catalogue *cat, int agency_id, int period)
{
	const struct cat_agency *agency = catalogue_agency_by_id(cat, agency_id);
	bool *ind_used = calloc(cat->nindicators + 1, sizeof *ind_used);
	bool *area_used = calloc(cat->nareas + 1, sizeof *area_used);
	int rc = -1;

	*g = (struct grid){ .cat = cat, .period = period, .agency = agency };
	if (!ind_used || !area_used)
		goto done;
	mark_permitted(cat, agency_id, period, ind_used, area_used);
	if (list_marked(g, ind_used, area_used) != 0)
		goto done;
	g->cells = calloc(g->ninds * g->nareas + 1, sizeof *g->cells);
	if (!g->cells)
		goto done;
	for (size_t r = 0; r < g->ninds; r++)
		for (size_t c = 0; c < g->nareas; c++)
			g->cells[r * g->nareas + c].permitted =
				catalogue_permitted(cat, agency_id, g->inds[r]->id, g->areas[c]->id);
	rc = 0;
done:
	free(ind_used);
	free(area_used);
	return rc;
}

struct grid_cell *grid_cell(struct grid *g, const char *indicator, const char *area)
{
	size_t r = 0, c = 0;

	while (r < g->ninds && strcmp(g->inds[r]->code, indicator) != 0)
		r++;
	while (c < g->nareas && strcmp(g->areas[c]->code, area) != 0)
		c++;
	if (r == g->ninds || c == g->nareas || !g->cells[r * g->nareas + c].permitted)
		return NULL;
	return &g->cells[r * g->nareas + c];
}

void grid_set_stored(struct grid *g, const struct stored_count *counts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct grid_cell *cell = grid_cell(g, counts[i].indicator, counts[i].area);
		if (cell) {
			cell->has_stored = true;
			cell->stored = counts[i].value;
		}
	}
}

void grid_set_typed(struct grid_cell *cell, const char *text)
{
	cell->has_typed = text[0] != '\0';
	ingest_echo(cell->typed, sizeof cell->typed, text, strlen(text));
}

int grid_add_error(struct grid *g, struct grid_cell *cell, const char *message)
{
	char **list = cell ? &cell->errors : &g->errors;
	size_t old = *list ? strlen(*list) : 0, len = strlen(message);
	char *grown = realloc(*list, old + len + 2);

	if (!grown)
		return -1;
	memcpy(grown + old, message, len);
	grown[old + len] = '\n';
	grown[old + len + 1] = '\0';
	*list = grown;
	return 0;
}

enum grid_state grid_state(const struct grid_cell *cell, bool posted)
{
	char stored[16];

	if (!cell->has_stored)
		return GRID_NEW;
	if (!posted || !cell->has_typed)
		return GRID_STORED;
	snprintf(stored, sizeof stored, "%d", cell->stored);
	return strcmp(stored, cell->typed) == 0 ? GRID_STORED : GRID_CHANGED;
}

void grid_free(struct grid *g)
{
	for (size_t i = 0; g->cells && i < g->ninds * g->nareas; i++)
		free(g->cells[i].errors);
	free(g->cells);
	free(g->inds);
	free(g->areas);
	free(g->errors);
	catalogue_unref(g->cat);
	*g = (struct grid)GRID_INIT;
}
