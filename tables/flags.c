/* Flags on the cells of year tables; see flags.h. */
#include "flags.h"

#include <stdlib.h>
#include <string.h>
#include "flag.h"
#include "log.h"

/* The newest row of each key as of the version, where it has a flag. */
static const char SQL_FLAGS[] =
	"SELECT area_id, period, flag FROM ("
	"  SELECT DISTINCT ON (area_id, period) area_id, period, flag"
	"    FROM count_history"
	"   WHERE indicator_id = $1 AND area_id = ANY($2::int[])"
	"     AND period BETWEEN $3 AND $4 AND submission_id <= $5"
	"   ORDER BY area_id, period, submission_id DESC) h"
	" WHERE flag IS NOT NULL";

/* The leaf ids of all the tables, each once; *n how many. NULL when
 * memory ran out. */
static int *leaf_ids(struct ptable *const *t, size_t ntables, size_t *n)
{
	size_t room = 1;
	int *ids;

	for (size_t i = 0; i < ntables; i++)
		room += t[i]->nleaves;
	ids = malloc(room * sizeof *ids);
	*n = 0;
	for (size_t i = 0; ids && i < ntables; i++)
		for (size_t l = 0; l < t[i]->nleaves; l++) {
			size_t k = 0;
			while (k < *n && ids[k] != t[i]->leaves[l])
				k++;
			if (k == *n)
				ids[(*n)++] = t[i]->leaves[l];
		}
	return ids;
}

/* Combines f into the cell (row, col) of t. */
static void mark(struct ptable *t, size_t row, size_t col, enum flag f)
{
	unsigned char *c = &t->flags[row * DC_NCOLS + col];

	*c = (unsigned char)flag_combine((enum flag)*c, f);
}

/* A leaf's flagged quarter: its cell, its year, and the total's two. */
static void mark_count(struct ptable *t, long row, int quarter, enum flag f)
{
	mark(t, (size_t)row, (size_t)quarter - 1, f);
	mark(t, (size_t)row, DC_YEAR, f);
	if (t->total && (size_t)row < t->nleaves) {
		mark(t, t->nleaves, (size_t)quarter - 1, f);
		mark(t, t->nleaves, DC_YEAR, f);
	}
}

/* A hidden or missing cell shows no flag. */
static void keep_published(struct ptable *t)
{
	for (size_t i = 0; i < t->nrows * DC_NCOLS; i++)
		if (t->cells[i].status != DC_PUBLISHED)
			t->flags[i] = 0;
}

enum agg_status tables_flags(const struct tables_ctx *ctx, int indicator_id,
                             int municipality_id, int y0, int y1, struct ptable **out)
{
	size_t nids, ntables = (size_t)(y1 - y0 + 1);
	struct db_rows *rows = NULL;

	if (ctx->flagged_from <= 0 || ctx->flagged_from > ctx->at.data)
		return AGG_OK;
	int *ids = leaf_ids(out, ntables, &nids);
	if (!ids) {
		log_error("out of memory reading flags");
		return AGG_FAILED;
	}
	enum db_status st = db_exec(ctx->db, &rows, SQL_FLAGS,
	                            DB_PARAMS(DB_PARAM_INT(indicator_id), DB_PARAM_INTS(ids, nids),
	                                      DB_PARAM_INT(y0 * 10 + 1), DB_PARAM_INT(y1 * 10 + 4),
	                                      DB_PARAM_INT(ctx->at.data)));
	free(ids);
	for (int r = 0; st == DB_OK && r < db_rows_count(rows); r++) {
		int period = (int)db_rows_int(rows, r, 1);
		const char *name = db_rows_text(rows, r, 2);
		struct ptable *t = out[period / 10 - y0];
		long row = ptable_row(t, (int)db_rows_int(rows, r, 0), municipality_id);
		int f = flag_parse(name, strlen(name));
		if (row >= 0 && f > 0)
			mark_count(t, row, period % 10, (enum flag)f);
	}
	db_rows_free(rows);
	for (size_t i = 0; i < ntables; i++)
		keep_published(out[i]);
	if (st != DB_OK)
		db_log_failure(ctx->db, "the flags query", st);
	return tables_status(st);
}
