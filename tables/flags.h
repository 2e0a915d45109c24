/* The flags agencies set on values (core/flag.h), put on the published
 * cells of year tables as of the data version a read answers for. A flag
 * is read from the counts' history, not from the recorded states: the
 * history is append-only, so the flags as of a version never change and an
 * as_of answer keeps its bytes. */
#ifndef SAMLAD_TABLES_FLAGS_H
#define SAMLAD_TABLES_FLAGS_H

#include "compiler.h"
#include "ptable.h"
#include "states.h"

/* Sets the flags of the tables of years y0..y1 (out[year - y0]) of an
 * indicator in a municipality, as of ctx->at: a leaf's quarter its count's
 * flag, a year and a municipality's total the combination of every flag
 * of the counts in them (flag_combine); only published cells carry one.
 * Reads nothing when no flag exists at or below the version. */
enum agg_status tables_flags(const struct tables_ctx *ctx, int indicator_id,
                             int municipality_id, int y0, int y1, struct ptable **out) WUR;

#endif
