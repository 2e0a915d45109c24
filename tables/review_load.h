/* What a review reads from the database (review/review_input.h): each
 * indicator's tables, and the review's own SQL: when the reports of one
 * municipality's year arrived, and when the data version it shows was
 * made. The aggregator's role may read the id, agency and arrival time of
 * a submission and the count history (schema/004_counts.sql); both
 * queries read nothing else. */
#ifndef SAMLAD_REVIEW_LOAD_H
#define SAMLAD_REVIEW_LOAD_H

#include <stddef.h>
#include "compiler.h"
#include "db.h"
#include "review_input.h"
#include "states.h"

/* Reads everything the planned review `in` (review_plan) is computed
 * from, at ctx's point on ctx's connection: the data version's time
 * (unless as_of was asked), each indicator's tables, and the arrivals of
 * the review year's reports. On failure `in` holds what was read
 * (review_input_free frees it). */
enum agg_status review_input_read(const struct tables_ctx *ctx, struct review_input *in) WUR;

/* Per agency and quarter from..to (yyyyq), the counts of the given
 * indicators in the given leaf areas as of `version`: how many keys have
 * one, when the first arrived, and when the last key got its first count. Ordered by agency id and period. *out is
 * the caller's to free (NULL when there are none). */
enum db_status review_load_arrivals(struct db *db, const int *indicator_ids, size_t nind,
                                    const int *area_ids, size_t nareas, int from, int to,
                                    long long version, struct review_arrival **out,
                                    size_t *n) WUR;

/* The arrivals of every indicator's reports in the layout's leaves, quarters
 * from..to, at ctx's point (GET /v1/completeness, the page /reporting).
 * *out is the caller's to free. */
enum agg_status completeness_arrivals_read(const struct tables_ctx *ctx,
                                           const struct catalogue *cat,
                                           const struct layout *lay, int from, int to,
                                           struct review_arrival **out, size_t *n) WUR;

/* The keys (indicator, leaf of the layout) of every indicator with a count
 * in the quarter from agency_id's submissions as of `version` (the keys
 * review_load_arrivals counts), for review_missing_keys. *out is the
 * caller's to free (NULL when there are none). */
enum db_status review_load_keys(struct db *db, const struct catalogue *cat,
                                const struct layout *lay, int agency_id, int period,
                                long long version, struct review_key_id **out,
                                size_t *n) WUR;

/* The arrival time of submission `version` in UTC, RFC 3339 with a Z, into
 * out (REVIEW_TIME_MAX bytes); "" when there is no such submission (version
 * 0: no data yet). */
enum db_status review_load_version_time(struct db *db, long long version,
                                        char out[REVIEW_TIME_MAX]) WUR;

#endif
