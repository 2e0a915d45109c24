/* All of the aggregator's SQL, each query a small typed function beside its
 * text. The aggregator's role reads the catalogue, tokens, counts and the
 * id and arrival time of submissions; it writes nothing.
 *
 * A "data version" is a submission id: the counts as of version v are, per
 * key, the row with the highest submission id <= v. Ingests are serialised
 * and ids increase with received_at (docs/architecture.md), so the version
 * of "as of time T" is the highest id received at or before T, and the
 * counts of a version never change once it is visible. */
#ifndef SAMLAD_LOAD_H
#define SAMLAD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include "auth.h"
#include "compiler.h"
#include "db.h"

/* What the versions query returns. */
struct load_versions {
	long long data;       /* the data version (0: no submission yet) */
	long long catalogue;  /* catalogue_version.version */
};

/* One row of count_history: a count as one submission wrote it. */
struct load_revision {
	int area_id;             /* area.id of a leaf area */
	int period;              /* yyyyq */
	long long submission;    /* the submission that wrote it: its state's version */
	long long value;         /* the count */
};

/* A token's row and the versions, read together (load_token_versions). */
struct load_token_row {
	bool found;                           /* the token exists */
	char hash_hex[2 * AUTH_HASH_BYTES + 1]; /* SHA-256 of its secret, lower-case hex */
	enum auth_role role;                  /* its role (ROLE_NONE when unknown) */
	int agency_id;                        /* its agency, 0 for none */
	bool revoked;                         /* revoked_at is set */
};

/* The periods with data of one leaf area, over every indicator. */
struct load_span {
	int area_id;  /* area.id */
	int first;    /* the earliest period with a count, yyyyq */
	int last;     /* the latest */
};

/* The data version now (as_of NULL) or as of an RFC 3339 time (already
 * checked by the caller), and the catalogue version, in one round trip. */
enum db_status load_versions(struct db *db, const char *as_of,
                             struct load_versions *out) WUR;


/* Every row of count_history of one indicator for the given leaf areas
 * over periods from..to with a submission id <= `version`, ordered by area,
 * period and submission: the counts as of every version up to `version`
 * in one query (the last row of a key at or below a version is its count
 * then). *out is the caller's to free (NULL when there are none). */
enum db_status load_history(struct db *db, int indicator_id, const int *area_ids,
                            size_t nareas, int from, int to, long long version,
                            struct load_revision **out, size_t *n) WUR;

/* The earliest period with a count of the indicator in any of the areas as
 * of `version`; *first is 0 when there is none. */
enum db_status load_first_period(struct db *db, int indicator_id, const int *area_ids,
                                 size_t nareas, long long version, int *first) WUR;

/* The first and last period with data of every area that has any, as of
 * `version`. *out is the caller's to free. */
enum db_status load_spans(struct db *db, long long version, struct load_span **out,
                          size_t *n) WUR;

/* A bearer token's row by id and the current versions (as load_versions
 * with no as_of), in one round trip: what every read needs first. The
 * versions are set only when the token exists (tok->found). */
enum db_status load_token_versions(struct db *db, long long id, struct load_token_row *tok,
                                   struct load_versions *versions) WUR;

/* A token's role and whether it is revoked, by id, for session cookies
 * (a bearer token goes through auth_check instead). *found is false when
 * there is no such token. */
enum db_status load_token(struct db *db, long long id, bool *found,
                          enum auth_role *role, bool *revoked) WUR;

#endif
