/* The catalogue as a municipality edits it: four CSV files (agencies.csv,
 * areas.csv, indicators.csv, permissions.csv) read into plain structs and
 * checked, without a database. Every problem is collected as one message
 * "file:line: reason", so an operator sees them all at once; the importer
 * writes nothing unless there are none. */
#ifndef SAMLAD_CATALOGUE_FILES_H
#define SAMLAD_CATALOGUE_FILES_H

#include <stddef.h>
#include "catalogue.h"
#include "compiler.h"

/* The four files, in the order their errors are listed. */
enum cf_file { CF_AGENCIES, CF_AREAS, CF_INDICATORS, CF_PERMISSIONS, CF_NFILES };

/* The longest name the schema accepts, in characters. */
#define CF_NAME_MAX 200
/* The largest suppress_below the schema accepts. */
#define CF_SUPPRESS_MAX 1000

struct cf_agency {
	char *code;   /* owned */
	char *name;   /* owned */
	char *contact; /* owned; a functional mailbox, "" for none */
	size_t line;  /* line in agencies.csv */
};

struct cf_area {
	char *code;       /* owned */
	char *name;       /* owned */
	char *parent;     /* owned; the parent's code, "" for a municipality */
	int first_period; /* yyyyq, 0 when empty (see admin_catalogue.c for the default) */
	int last_period;  /* yyyyq, 0 when empty: no end */
	size_t line;      /* line in areas.csv */
};

struct cf_indicator {
	char *code;                 /* owned */
	char *agency;               /* owned; the owning agency's code */
	enum indicator_level level; /* first_line or specialised */
	enum indicator_kind kind;   /* flow or stock */
	char *name_sv;              /* owned */
	char *name_en;              /* owned */
	int suppress_below;         /* 0 when empty: the deployment default applies */
	size_t line;                /* line in indicators.csv */
};

struct cf_permission {
	char *agency;    /* owned; agency code */
	char *indicator; /* owned; indicator code */
	char *area;      /* owned; area code (a municipality permits its districts) */
	size_t line;     /* line in permissions.csv */
};

struct cf_error {
	enum cf_file file; /* which file, for ordering */
	size_t line;       /* 1-based line, 0 for the file as a whole */
	size_t seq;        /* order of discovery, to keep the sort stable */
	char *text;        /* owned; "areas.csv:7: duplicate code \"0581-hageby\"" */
};

struct catalogue_files {
	struct cf_agency *agencies;       /* owned; in file order */
	size_t nagencies;                 /* rows in agencies */
	size_t capagencies;               /* allocated rows */
	struct cf_area *areas;            /* owned; in file order */
	size_t nareas;                    /* rows in areas */
	size_t capareas;                  /* allocated rows */
	struct cf_indicator *indicators;  /* owned; in file order */
	size_t nindicators;               /* rows in indicators */
	size_t capindicators;             /* allocated rows */
	struct cf_permission *permissions; /* owned; in file order */
	size_t npermissions;              /* rows in permissions */
	size_t cappermissions;            /* allocated rows */
	/* owned; area indices with parents before children, set by validate
	 * when there are no errors (the order the importer writes them in) */
	size_t *area_order;
	struct cf_error *errors;          /* owned; sorted by file and line after validate */
	size_t nerrors;                   /* entries in errors */
	size_t caperrors;                 /* allocated entries */
	/* 1 for a file that could not be read whole (unreadable, malformed, a
	 * column missing or repeated): references into it are not checked, so
	 * one broken file does not also flood the others with errors */
	unsigned char broken[CF_NFILES];
};

/* The file's name as it appears in messages: "areas.csv". */
const char *catalogue_files_name(enum cf_file file);

/* An empty set; NULL when out of memory. Free with catalogue_files_free. */
struct catalogue_files *catalogue_files_new(void);
void catalogue_files_free(struct catalogue_files *cf);

/* Parses the text of one file, adding its rows and its errors.
 * Returns 0, or -1 when out of memory. */
int catalogue_files_parse(struct catalogue_files *cf, enum cf_file file,
                          const char *text, size_t len) WUR;
/* Reads and parses DIR/agencies.csv and the other three; an unreadable file
 * is an error in the list. Returns 0, or -1 when out of memory. */
int catalogue_files_read_dir(struct catalogue_files *cf, const char *dir) WUR;
/* Checks references between rows and files (dangling codes, cycles in the
 * area tree), sorts the errors and, when there are none, sets area_order.
 * Call once, after parsing all four files. Returns 0, or -1 when out of
 * memory. */
int catalogue_files_validate(struct catalogue_files *cf) WUR;

/* True for a code the schema accepts: ^[a-z0-9][a-z0-9._-]{0,63}$. */
bool catalogue_code_valid(const char *code);

#endif
