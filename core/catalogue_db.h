/* Reading the catalogue (catalogue.h) from the database, and keeping a
 * service's snapshot current. */
#ifndef SAMLAD_CATALOGUE_DB_H
#define SAMLAD_CATALOGUE_DB_H

#include "catalogue.h"
#include "compiler.h"
#include "db.h"

/* Reads the whole catalogue in one transaction. *out is the caller's: one
 * reference (catalogue_unref, or catalogue_free when it was never shared). */
enum db_status catalogue_load(struct db *db, struct catalogue **out) WUR;
/* The current catalogue version (cheap; used to notice an import). */
enum db_status catalogue_version(struct db *db, long long *version) WUR;

/* Makes the holder's snapshot the catalogue of `version` when it is not
 * already. The new catalogue is built without any lock (it takes a few
 * queries) and swapped in (catalogue_holder_swap). One reload runs at a
 * time: requests that find the catalogue old together wait for the first
 * to load it (after a start or an import, that is every request in
 * flight); they never wait for a reader. */
enum db_status catalogue_refresh(struct catalogue_holder *h, struct db *db,
                                 long long version) WUR;

#endif
