/* The catalogue in memory: agencies, the area tree, indicators and who may
 * report what. Loaded from the database by both programs
 * (catalogue_db.h) and rebuilt from CSV files by samlad-admin. Lookups are
 * by code or by database id. No database here: the pure libraries
 * (analysis, render, review) include this header. */
#ifndef SAMLAD_CATALOGUE_H
#define SAMLAD_CATALOGUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* The advisory lock (pg_advisory_xact_lock's bigint key) that every ingest
 * and every catalogue import takes: it puts submissions and catalogue
 * versions on one timeline, so that a submission is either before an
 * import or after it. */
#define CATALOGUE_TIMELINE_LOCK "7308332174350950756"

enum indicator_level { LEVEL_FIRST_LINE, LEVEL_SPECIALISED };
enum indicator_kind { KIND_FLOW, KIND_STOCK };

struct cat_agency {
	int id;       /* agency.id */
	char *code;   /* owned; e.g. "bup" */
	char *name;   /* owned; display name */
	char *contact; /* owned; a functional mailbox for reminders, "" for none */
};

struct cat_area {
	int id;           /* area.id */
	char *code;       /* owned; "0581" or "0581-hageby" */
	char *name;       /* owned; display name */
	int parent;       /* index of the parent in the areas array, or -1 */
	size_t nchildren; /* how many areas name this one as parent */
	int first_period; /* the first quarter it belongs to its tables (yyyyq), 0 for no bound */
	int last_period;  /* the last such quarter, 0 for no bound */
};

struct cat_indicator {
	int id;                     /* indicator.id */
	char *code;                 /* owned; e.g. "bup.nya_barn" */
	int agency;                 /* index of the owning agency in the agencies array */
	enum indicator_level level; /* first-line or specialised */
	enum indicator_kind kind;   /* flow sums over time, stock takes the last quarter */
	char *name_sv;              /* owned; Swedish name */
	char *name_en;              /* owned; English name */
	int suppress_below;         /* its own k, 0 when the catalogue's default applies */
};

/* One permission expanded to a leaf area: the agency may report this
 * indicator for this area. Sorted for bsearch. */
struct cat_permission {
	int agency_id;     /* agency.id */
	int indicator_id;  /* indicator.id */
	int area_id;       /* area.id of a leaf area */
};

struct catalogue {
	long long version;                 /* catalogue_version.version when loaded */
	int suppress_below;                /* the k of indicators without their own */
	struct cat_agency *agencies;       /* owned array, sorted by code */
	size_t nagencies;
	struct cat_area *areas;            /* owned array, sorted by code */
	size_t nareas;
	struct cat_indicator *indicators;  /* owned array, sorted by code */
	size_t nindicators;
	struct cat_permission *permissions; /* owned array, sorted */
	size_t npermissions;
	size_t *areas_by_id;               /* owned; area indices in id order, or NULL */
	size_t *indicators_by_id;          /* owned; indicator indices in id order, or NULL */
	atomic_long refs;                  /* references (catalogue_hold); 1 when loaded */
};

/* A service's current catalogue. A loaded catalogue is never changed: it
 * is a snapshot shared by reference. A reader takes a reference
 * (catalogue_hold) and keeps it, and every pointer into the catalogue, for
 * as long as it needs them, and gives it back with catalogue_unref; a
 * reload swaps the holder's pointer and drops the holder's reference, so
 * it never waits for a reader, and the last reader of the old snapshot
 * frees it. The mutex guards only the pointer and the taking of a
 * reference: nobody holds it across any work. */
struct catalogue_holder {
	pthread_mutex_t lock;       /* guards cur */
	struct catalogue *cur;      /* the newest snapshot (one reference held), or NULL */
	pthread_mutex_t reloading;  /* held by the one request that reloads */
};

#define CATALOGUE_HOLDER_INIT \
	{ PTHREAD_MUTEX_INITIALIZER, NULL, PTHREAD_MUTEX_INITIALIZER }

/* Puts a catalogue whose arrays were filled in any order, with ids where
 * indices belong (an area's parent id, 0 for none; an indicator's agency
 * id), into its lookup form: the arrays sorted, the ids made indices,
 * children counted, areas and indicators indexed by id, one reference.
 * 0, or -1 (logged) when a parent or an agency does not exist or memory
 * ran out. */
int catalogue_index(struct catalogue *cat) WUR;
void catalogue_free(struct catalogue *cat);

/* A new reference to the holder's snapshot, or NULL when none is loaded. */
struct catalogue *catalogue_hold(struct catalogue_holder *h) WUR;
/* Gives back a reference; the last one frees the catalogue. NULL is a no-op. */
void catalogue_unref(struct catalogue *cat);
/* Makes `cat` (its reference taken) the holder's snapshot; the old one is
 * freed when its last reader lets go. */
void catalogue_holder_set(struct catalogue_holder *h, struct catalogue *cat);
/* Puts `cat` (its reference taken) in the holder and returns the old
 * snapshot with the holder's reference, for the caller to give back. */
struct catalogue *catalogue_holder_swap(struct catalogue_holder *h, struct catalogue *cat) WUR;
/* Drops the holder's snapshot and its locks, once no reader is left. */
void catalogue_holder_destroy(struct catalogue_holder *h);

const struct cat_agency *catalogue_agency(const struct catalogue *cat, const char *code);
const struct cat_agency *catalogue_agency_by_id(const struct catalogue *cat, int id);
const struct cat_area *catalogue_area(const struct catalogue *cat, const char *code);
const struct cat_area *catalogue_area_by_id(const struct catalogue *cat, int id);
const struct cat_indicator *catalogue_indicator(const struct catalogue *cat, const char *code);
const struct cat_indicator *catalogue_indicator_by_id(const struct catalogue *cat, int id);
/* True when the area has no children, so counts may be reported for it. */
bool catalogue_area_is_leaf(const struct cat_area *area);
/* True when the quarter (yyyyq) lies within the area's first and last period. */
bool catalogue_area_active(const struct cat_area *area, int period);
/* The k that applies to an indicator: its own, else the catalogue's. */
long long catalogue_k(const struct catalogue *cat, const struct cat_indicator *ind);
/* The parent of an area, or NULL for a municipality. */
const struct cat_area *catalogue_area_parent(const struct catalogue *cat,
                                             const struct cat_area *area);
bool catalogue_permitted(const struct catalogue *cat, int agency_id,
                         int indicator_id, int area_id);
/* The longest contact address, in bytes (RFC 5321's path limit less <>). */
#define CATALOGUE_CONTACT_MAX 254
/* True when s is a contact address as agencies.csv takes it: a local part
 * of 1 to 64 of A-Z, a-z, 0-9 and . _ % + - (no dot first, last or twice
 * in a row), '@', and a domain of two or more labels of 1 to 63 letters,
 * digits and hyphens (no hyphen first or last); at most
 * CATALOGUE_CONTACT_MAX bytes. Plain ASCII only, so that it goes into a
 * mail's header as it is. */
bool catalogue_contact_valid(const char *s);
const char *catalogue_level_name(enum indicator_level level);
const char *catalogue_kind_name(enum indicator_kind kind);

#endif
