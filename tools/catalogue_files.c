/* Reads the four catalogue CSV files into plain structs and checks them.
 * Parsing checks each row on its own (columns, codes, enumerations, numbers);
 * validation checks rows against each other (duplicates, references, the area
 * tree). Problems never stop the reading: every one is collected, so that an
 * operator fixes a file in one pass. */
#include "catalogue_files.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "period.h"
#include "utf8.h"
#include "vec.h"

/* A catalogue file larger than this is certainly a mistake. */
#define CF_FILE_MAX (64u * 1024 * 1024)
/* The most columns any of the four files has. */
#define CF_MAX_COLUMNS 8

struct cf_column {
	const char *name; /* the header text */
	bool required;    /* an empty value is an error */
	bool absent_ok;   /* the header may leave the column out: every value is empty */
};

/* Takes one row whose fields are in column order (unknown columns dropped).
 * Returns 0, or -1 when out of memory. */
typedef int (*cf_row_fn)(struct catalogue_files *cf, size_t line,
                         const char *const *f);

struct cf_filedef {
	const char *name;             /* the file name in DIR and in messages */
	const struct cf_column *cols; /* the columns the header must name */
	size_t ncols;                 /* entries in cols */
	cf_row_fn row;                /* stores one row */
};

static int agency_row(struct catalogue_files *cf, size_t line, const char *const *f);
static int area_row(struct catalogue_files *cf, size_t line, const char *const *f);
static int indicator_row(struct catalogue_files *cf, size_t line, const char *const *f);
static int permission_row(struct catalogue_files *cf, size_t line, const char *const *f);

static const struct cf_column agency_cols[] = {
	{ "code", true, false }, { "name", true, false }, { "contact", false, true },
};
static const struct cf_column area_cols[] = {
	{ "code", true, false }, { "name", true, false }, { "parent", false, false },
	{ "first_period", false, true }, { "last_period", false, true },
};
static const struct cf_column indicator_cols[] = {
	{ "code", true, false }, { "agency", true, false }, { "level", true, false },
	{ "kind", true, false }, { "name_sv", true, false }, { "name_en", true, false },
	{ "suppress_below", false, false },
};
static const struct cf_column permission_cols[] = {
	{ "agency", true, false }, { "indicator", true, false }, { "area", true, false },
};

static const struct cf_filedef cf_files[CF_NFILES] = {
	[CF_AGENCIES] = { "agencies.csv", agency_cols, ARRAY_LEN(agency_cols), agency_row },
	[CF_AREAS] = { "areas.csv", area_cols, ARRAY_LEN(area_cols), area_row },
	[CF_INDICATORS] = { "indicators.csv", indicator_cols, ARRAY_LEN(indicator_cols), indicator_row },
	[CF_PERMISSIONS] = { "permissions.csv", permission_cols, ARRAY_LEN(permission_cols),
	                     permission_row },
};

const char *catalogue_files_name(enum cf_file file)
{
	return cf_files[file].name;
}

struct catalogue_files *catalogue_files_new(void)
{
	return calloc(1, sizeof(struct catalogue_files));
}

void catalogue_files_free(struct catalogue_files *cf)
{
	if (!cf)
		return;
	for (size_t i = 0; i < cf->nagencies; i++) {
		free(cf->agencies[i].code);
		free(cf->agencies[i].name);
		free(cf->agencies[i].contact);
	}
	for (size_t i = 0; i < cf->nareas; i++) {
		free(cf->areas[i].code);
		free(cf->areas[i].name);
		free(cf->areas[i].parent);
	}
	for (size_t i = 0; i < cf->nindicators; i++) {
		struct cf_indicator *ind = &cf->indicators[i];
		free(ind->code);
		free(ind->agency);
		free(ind->name_sv);
		free(ind->name_en);
	}
	for (size_t i = 0; i < cf->npermissions; i++) {
		free(cf->permissions[i].agency);
		free(cf->permissions[i].indicator);
		free(cf->permissions[i].area);
	}
	for (size_t i = 0; i < cf->nerrors; i++)
		free(cf->errors[i].text);
	free(cf->agencies);
	free(cf->areas);
	free(cf->indicators);
	free(cf->permissions);
	free(cf->area_order);
	free(cf->errors);
	free(cf);
}

/* Records "file:line: message" (or "file: message" when line is 0). */
PRINTF(4, 5)
static int cf_error(struct catalogue_files *cf, enum cf_file file, size_t line,
                    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int rc = line ? buf_printf(&b, "%s:%zu: %s", cf_files[file].name, line, msg)
	              : buf_printf(&b, "%s: %s", cf_files[file].name, msg);
	struct cf_error *e = rc == 0 ? VEC_PUSH(cf->errors, cf->nerrors, cf->caperrors) : NULL;
	if (e)
		*e = (struct cf_error){ file, line, cf->nerrors - 1, buf_steal(&b) };
	buf_free(&b);
	return e ? 0 : -1;
}

bool catalogue_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

static int check_code(struct catalogue_files *cf, enum cf_file file,
                      size_t line, const char *code)
{
	if (code[0] == '\0' || catalogue_code_valid(code))
		return 0;
	return cf_error(cf, file, line, "invalid code \"%s\": expected 1 to 64 of "
	                "a-z, 0-9, '.', '_', '-', starting with a-z or 0-9", code);
}

static int check_name(struct catalogue_files *cf, enum cf_file file,
                      size_t line, const char *column, const char *name)
{
	if (utf8_chars(name) <= CF_NAME_MAX)
		return 0;
	return cf_error(cf, file, line, "field \"%s\" is longer than %d characters",
	                column, CF_NAME_MAX);
}

/* A contact: empty (none), or a mailbox as catalogue_contact_valid takes it. */
static int check_contact(struct catalogue_files *cf, size_t line, const char *contact)
{
	if (contact[0] == '\0' || catalogue_contact_valid(contact))
		return 0;
	return cf_error(cf, CF_AGENCIES, line, "invalid contact \"%s\": expected empty or "
	                "a mail address such as bup@region.example", contact);
}

static int agency_row(struct catalogue_files *cf, size_t line, const char *const *f)
{
	struct cf_agency *a;

	if (check_code(cf, CF_AGENCIES, line, f[0]) != 0 ||
	    check_name(cf, CF_AGENCIES, line, "name", f[1]) != 0 ||
	    check_contact(cf, line, f[2]) != 0 ||
	    !(a = VEC_PUSH(cf->agencies, cf->nagencies, cf->capagencies)))
		return -1;
	*a = (struct cf_agency){ strdup(f[0]), strdup(f[1]), strdup(f[2]), line };
	return a->code && a->name && a->contact ? 0 : -1;
}

/* A first_period or last_period: empty (0), or a quarter as period_parse
 * reads it (YYYYQn, YYYY-Qn, YYYYKn, YYYY-Kn) from 2000Q1 on. */
static int check_bound(struct catalogue_files *cf, size_t line, const char *column,
                       const char *text, int *out)
{
	*out = 0;
	if (text[0] == '\0')
		return 0;
	if (period_parse(text, out) == PERIOD_OK && *out >= period_make(PERIOD_MIN_YEAR, 1))
		return 0;
	*out = 0;
	return cf_error(cf, CF_AREAS, line, "invalid %s \"%s\": expected empty or a quarter "
	                "such as 2024Q3, from 2000Q1 on", column, text);
}

/* The columns an area's tables depend on: its bounds, in order. */
static int area_bounds(struct catalogue_files *cf, size_t line, const char *const *f,
                       struct cf_area *a)
{
	char first[PERIOD_STRLEN], last[PERIOD_STRLEN];

	if (check_bound(cf, line, "first_period", f[3], &a->first_period) != 0 ||
	    check_bound(cf, line, "last_period", f[4], &a->last_period) != 0)
		return -1;
	if (!a->first_period || !a->last_period || a->first_period <= a->last_period)
		return 0;
	period_format(a->first_period, first);
	period_format(a->last_period, last);
	return cf_error(cf, CF_AREAS, line, "first_period %s is after last_period %s",
	                first, last);
}

static int area_row(struct catalogue_files *cf, size_t line, const char *const *f)
{
	struct cf_area a = { .line = line }, *slot;

	if (check_code(cf, CF_AREAS, line, f[0]) != 0 ||
	    check_name(cf, CF_AREAS, line, "name", f[1]) != 0 ||
	    area_bounds(cf, line, f, &a) != 0 ||
	    !(slot = VEC_PUSH(cf->areas, cf->nareas, cf->capareas)))
		return -1;
	a.code = strdup(f[0]);
	a.name = strdup(f[1]);
	a.parent = strdup(f[2]);
	*slot = a;
	return a.code && a.name && a.parent ? 0 : -1;
}

/* Parses suppress_below: empty is 0 (the default applies), otherwise plain
 * decimal digits from 1 to CF_SUPPRESS_MAX. Returns -1 for anything else. */
static int parse_suppress(const char *s, int *out)
{
	long v = 0;
	*out = 0;
	if (s[0] == '\0')
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s >= 5)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > CF_SUPPRESS_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* Checks the level, kind and suppress_below of an indicator row, filling
 * the parsed values into *ind. */
static int indicator_enums(struct catalogue_files *cf, size_t line,
                           const char *const *f, struct cf_indicator *ind)
{
	int rc = 0;
	if (strcmp(f[2], "first_line") == 0 || strcmp(f[2], "specialised") == 0)
		ind->level = f[2][0] == 'f' ? LEVEL_FIRST_LINE : LEVEL_SPECIALISED;
	else if (f[2][0] != '\0')
		rc |= cf_error(cf, CF_INDICATORS, line, "invalid level \"%s\": "
		               "expected first_line or specialised", f[2]);
	if (strcmp(f[3], "flow") == 0 || strcmp(f[3], "stock") == 0)
		ind->kind = f[3][0] == 'f' ? KIND_FLOW : KIND_STOCK;
	else if (f[3][0] != '\0')
		rc |= cf_error(cf, CF_INDICATORS, line, "invalid kind \"%s\": "
		               "expected flow or stock", f[3]);
	if (parse_suppress(f[6], &ind->suppress_below) != 0)
		rc |= cf_error(cf, CF_INDICATORS, line, "invalid suppress_below \"%s\": "
		               "expected empty or an integer from 1 to %d",
		               f[6], CF_SUPPRESS_MAX);
	return rc;
}

static int indicator_row(struct catalogue_files *cf, size_t line, const char *const *f)
{
	struct cf_indicator ind = { .line = line }, *slot;

	if (check_code(cf, CF_INDICATORS, line, f[0]) != 0 ||
	    indicator_enums(cf, line, f, &ind) != 0 ||
	    check_name(cf, CF_INDICATORS, line, "name_sv", f[4]) != 0 ||
	    check_name(cf, CF_INDICATORS, line, "name_en", f[5]) != 0 ||
	    !(slot = VEC_PUSH(cf->indicators, cf->nindicators, cf->capindicators)))
		return -1;
	ind.code = strdup(f[0]);
	ind.agency = strdup(f[1]);
	ind.name_sv = strdup(f[4]);
	ind.name_en = strdup(f[5]);
	*slot = ind;
	return ind.code && ind.agency && ind.name_sv && ind.name_en ? 0 : -1;
}

static int permission_row(struct catalogue_files *cf, size_t line, const char *const *f)
{
	struct cf_permission *p = VEC_PUSH(cf->permissions, cf->npermissions, cf->cappermissions);

	if (!p)
		return -1;
	*p = (struct cf_permission){ strdup(f[0]), strdup(f[1]), strdup(f[2]), line };
	return p->agency && p->indicator && p->area ? 0 : -1;
}

/* Maps each header field to a column of the file (or -1 when unknown) and
 * reports unknown, repeated and missing columns. A repeated or missing
 * column leaves the rows unreadable, so the file is marked broken. */
static int read_header(struct catalogue_files *cf, enum cf_file file, size_t line,
                       const struct csv_record *rec, int *map)
{
	const struct cf_filedef *def = &cf_files[file];
	bool seen[CF_MAX_COLUMNS] = { false };
	int rc = 0;

	for (size_t i = 0; i < rec->nfields; i++) {
		map[i] = -1;
		for (size_t c = 0; c < def->ncols; c++)
			if (strcmp(rec->fields[i], def->cols[c].name) == 0)
				map[i] = (int)c;
		if (map[i] < 0) {
			rc |= cf_error(cf, file, line, "unknown column \"%s\"",
			               rec->fields[i]);
		} else if (seen[map[i]]) {
			rc |= cf_error(cf, file, line, "duplicate column \"%s\"", rec->fields[i]);
			cf->broken[file] = 1;
		}
		if (map[i] >= 0)
			seen[map[i]] = true;
	}
	for (size_t c = 0; c < def->ncols; c++) {
		if (!seen[c] && !def->cols[c].absent_ok) {
			rc |= cf_error(cf, file, line, "missing column \"%s\"", def->cols[c].name);
			cf->broken[file] = 1;
		}
	}
	return rc;
}

/* Checks the shape and encoding of one data row and hands its fields, in
 * column order, to the file's row function. */
static int read_row(struct catalogue_files *cf, enum cf_file file, size_t line,
                    const struct csv_record *rec, const int *map, size_t nheader)
{
	const struct cf_filedef *def = &cf_files[file];
	const char *f[CF_MAX_COLUMNS];
	int rc = 0;

	for (size_t c = 0; c < def->ncols; c++)
		f[c] = "";
	if (rec->nfields != nheader)
		return cf_error(cf, file, line, "expected %zu fields, found %zu",
		                nheader, rec->nfields);
	/* A row with a bad field is still stored (nothing is imported while
	 * there are errors), so that references to its code do not dangle. */
	for (size_t i = 0; i < rec->nfields; i++) {
		if (map[i] < 0)
			continue;
		/* PostgreSQL's text cannot hold a NUL, valid UTF-8 as it is. */
		if (memchr(rec->fields[i], '\0', rec->lens[i]) ||
		    !utf8_valid(rec->fields[i], rec->lens[i]))
			rc |= cf_error(cf, file, line, "field \"%s\" is not valid UTF-8",
			               def->cols[map[i]].name);
		f[map[i]] = rec->fields[i];
	}
	for (size_t c = 0; c < def->ncols; c++)
		if (def->cols[c].required && f[c][0] == '\0')
			rc |= cf_error(cf, file, line, "empty field \"%s\"", def->cols[c].name);
	return rc | def->row(cf, line, f);
}

int catalogue_files_parse(struct catalogue_files *cf, enum cf_file file,
                          const char *text, size_t len)
{
	struct csv_reader r;
	struct csv_record rec;
	int map[CSV_MAX_FIELDS];
	size_t nheader = 0;
	int rc = 0, got = 0;

	csv_reader_init(&r, text, len);
	while (rc == 0 && !cf->broken[file] && (got = csv_read(&r, &rec)) == 1) {
		if (nheader == 0) {
			nheader = rec.nfields;
			rc = read_header(cf, file, r.line, &rec, map);
		} else {
			rc = read_row(cf, file, r.line, &rec, map, nheader);
		}
	}
	if (rc == 0 && !cf->broken[file] && (got < 0 || nheader == 0)) {
		rc = got < 0 ? cf_error(cf, file, r.line, "malformed CSV: %s", r.error)
		             : cf_error(cf, file, 1, "no header row");
		cf->broken[file] = 1;
	}
	csv_reader_free(&r);
	return rc;
}

int catalogue_files_read_dir(struct catalogue_files *cf, const char *dir)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = 0;

	for (int f = 0; rc == 0 && f < CF_NFILES; f++) {
		buf_reset(&path);
		buf_reset(&text);
		int err = buf_printf(&path, "%s/%s", dir, cf_files[f].name) != 0
		          ? ENOMEM : buf_read_file(&text, path.data, CF_FILE_MAX);
		if (err == ENOMEM) {
			rc = -1;
		} else if (err) {
			cf->broken[f] = 1;
			rc = cf_error(cf, (enum cf_file)f, 0, "cannot read %s: %s",
			              path.data, strerror(err));
		} else {
			rc = catalogue_files_parse(cf, (enum cf_file)f, text.data ? text.data : "",
			                           text.len);
		}
	}
	buf_free(&path);
	buf_free(&text);
	return rc;
}

/* ---- validation: rows against each other ---- */

/* A code and the row it names, sorted by code for bsearch. */
struct cf_key {
	const char *code; /* borrowed from the row */
	size_t index;     /* the row's index in its array */
	size_t line;      /* the row's line, to report the later duplicate */
};

/* The three code indexes used while validating. */
struct cf_index {
	struct cf_key *keys; /* owned; sorted by code, then line; duplicates removed */
	size_t n;            /* entries in keys */
};

static int key_cmp(const void *a, const void *b)
{
	const struct cf_key *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The key of row i of one of the three files with codes. */
static struct cf_key key_at(const struct catalogue_files *cf, enum cf_file file, size_t i)
{
	if (file == CF_AGENCIES)
		return (struct cf_key){ cf->agencies[i].code, i, cf->agencies[i].line };
	if (file == CF_AREAS)
		return (struct cf_key){ cf->areas[i].code, i, cf->areas[i].line };
	return (struct cf_key){ cf->indicators[i].code, i, cf->indicators[i].line };
}

/* Builds the index of the codes of one file of nrows rows. Every code seen
 * before is reported as a duplicate and left out, so the first row with a
 * code is the one references find. */
static int index_build(struct catalogue_files *cf, enum cf_file file,
                       struct cf_index *ix, size_t nrows)
{
	size_t n = 0;
	ix->keys = calloc(nrows ? nrows : 1, sizeof *ix->keys);
	if (!ix->keys)
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		struct cf_key k = key_at(cf, file, i);
		if (k.code[0] != '\0')
			ix->keys[n++] = k;
	}
	qsort(ix->keys, n, sizeof *ix->keys, key_cmp);
	ix->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cf_key *k = &ix->keys[i];
		if (ix->n == 0 || strcmp(ix->keys[ix->n - 1].code, k->code) != 0)
			ix->keys[ix->n++] = *k;
		else if (cf_error(cf, file, k->line, "duplicate code \"%s\"", k->code) != 0)
			return -1;
	}
	return 0;
}

static int key_code_cmp(const void *code, const void *key)
{
	return strcmp(code, ((const struct cf_key *)key)->code);
}

/* The row index of a code, or -1. */
static long index_find(const struct cf_index *ix, const char *code)
{
	const struct cf_key *k = bsearch(code, ix->keys, ix->n, sizeof *ix->keys, key_code_cmp);
	return k ? (long)k->index : -1;
}

/* Reports a reference to a code the referenced file does not have. Empty
 * references were reported as empty fields; references into a broken file
 * are not checked, since its rows were not all read. */
static int check_ref(struct catalogue_files *cf, enum cf_file file, size_t line,
                     const struct cf_index *ix, enum cf_file target,
                     const char *what, const char *code)
{
	if (code[0] == '\0' || cf->broken[target] || index_find(ix, code) >= 0)
		return 0;
	return cf_error(cf, file, line, "unknown %s \"%s\"", what, code);
}

/* Reports the cycle made of path[0..n): each area's parent is the next,
 * the last one's is the first. It is named from its first row in the file,
 * and reported on that row's line. */
static int report_cycle(struct catalogue_files *cf, const size_t *path, size_t n)
{
	struct buf b = BUF_INIT;
	size_t first = 0;
	int rc = 0;

	for (size_t i = 1; i < n; i++)
		if (path[i] < path[first])
			first = i;
	for (size_t i = 0; i <= n && rc == 0; i++)
		rc = buf_printf(&b, "%s%s", i ? " -> " : "", cf->areas[path[(first + i) % n]].code);
	if (rc == 0)
		rc = cf_error(cf, CF_AREAS, cf->areas[path[first]].line,
		              "cycle in the area tree: %s", b.data);
	buf_free(&b);
	return rc;
}

/* Walks up from area `start` marking areas in progress (1) until it meets a
 * root, a finished area (2) or an area in progress: the last is a cycle.
 * Everything walked is finished afterwards. */
static int walk_up(struct catalogue_files *cf, const long *parent,
                   unsigned char *state, size_t *path, size_t start)
{
	size_t n = 0;
	long j = (long)start;
	int rc = 0;

	while (j >= 0 && state[j] == 0) {
		state[j] = 1;
		path[n++] = (size_t)j;
		j = parent[j];
	}
	if (j >= 0 && state[j] == 1) {
		size_t from = 0;
		while (path[from] != (size_t)j)
			from++;
		rc = report_cycle(cf, path + from, n - from);
	}
	for (size_t i = 0; i < n; i++)
		state[path[i]] = 2;
	return rc;
}

/* Resolves each area's parent to an index (-1 for none or unknown),
 * reporting unknown parents, then looks for cycles. */
static int check_area_tree(struct catalogue_files *cf, const struct cf_index *areas,
                           long *parent)
{
	unsigned char *state = calloc(cf->nareas + 1, 1);
	size_t *path = calloc(cf->nareas + 1, sizeof *path);
	int rc = 0;

	if (!state || !path)
		rc = -1;
	for (size_t i = 0; i < cf->nareas && rc == 0; i++) {
		const struct cf_area *a = &cf->areas[i];
		parent[i] = a->parent[0] ? index_find(areas, a->parent) : -1;
		if (a->parent[0] && parent[i] < 0)
			rc = cf_error(cf, CF_AREAS, a->line, "unknown parent \"%s\"", a->parent);
	}
	for (size_t i = 0; i < cf->nareas && rc == 0; i++)
		if (state[i] == 0)
			rc = walk_up(cf, parent, state, path, i);
	free(state);
	free(path);
	return rc;
}

static int perm_cmp(const void *a, const void *b)
{
	const struct cf_permission *x = *(const struct cf_permission *const *)a;
	const struct cf_permission *y = *(const struct cf_permission *const *)b;
	int c = strcmp(x->agency, y->agency);
	if (c == 0)
		c = strcmp(x->indicator, y->indicator);
	if (c == 0)
		c = strcmp(x->area, y->area);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The same (agency, indicator, area) twice is reported on its later line. */
static int check_permission_duplicates(struct catalogue_files *cf)
{
	const struct cf_permission **sorted = calloc(cf->npermissions + 1, sizeof *sorted);
	int rc = 0;

	if (!sorted)
		return -1;
	for (size_t i = 0; i < cf->npermissions; i++)
		sorted[i] = &cf->permissions[i];
	qsort(sorted, cf->npermissions, sizeof *sorted, perm_cmp);
	for (size_t i = 1; i < cf->npermissions && rc == 0; i++) {
		const struct cf_permission *p = sorted[i];
		if (strcmp(sorted[i - 1]->agency, p->agency) == 0 &&
		    strcmp(sorted[i - 1]->indicator, p->indicator) == 0 &&
		    strcmp(sorted[i - 1]->area, p->area) == 0)
			rc = cf_error(cf, CF_PERMISSIONS, p->line, "duplicate permission "
			              "(%s, %s, %s)", p->agency, p->indicator, p->area);
	}
	free(sorted);
	return rc;
}

static int check_references(struct catalogue_files *cf, const struct cf_index *ix)
{
	int rc = 0;
	for (size_t i = 0; i < cf->nindicators && rc == 0; i++)
		rc = check_ref(cf, CF_INDICATORS, cf->indicators[i].line, &ix[CF_AGENCIES],
		               CF_AGENCIES, "agency", cf->indicators[i].agency);
	for (size_t i = 0; i < cf->npermissions && rc == 0; i++) {
		const struct cf_permission *p = &cf->permissions[i];
		rc = check_ref(cf, CF_PERMISSIONS, p->line, &ix[CF_AGENCIES], CF_AGENCIES,
		               "agency", p->agency);
		rc |= check_ref(cf, CF_PERMISSIONS, p->line, &ix[CF_INDICATORS], CF_INDICATORS,
		                "indicator", p->indicator);
		rc |= check_ref(cf, CF_PERMISSIONS, p->line, &ix[CF_AREAS], CF_AREAS,
		                "area", p->area);
	}
	return rc;
}

static int error_cmp(const void *a, const void *b)
{
	const struct cf_error *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* An area index with its depth in the tree, for ordering parents first. */
struct cf_depth {
	size_t depth; /* 0 for a municipality */
	size_t index; /* the area's index in cf->areas */
};

static int depth_cmp(const void *a, const void *b)
{
	const struct cf_depth *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Fills area_order so that every parent comes before its children. Only
 * called when the tree is known to be free of cycles and dangling parents. */
static int order_areas(struct catalogue_files *cf, const long *parent)
{
	struct cf_depth *d = calloc(cf->nareas + 1, sizeof *d);
	cf->area_order = calloc(cf->nareas + 1, sizeof *cf->area_order);
	if (!d || !cf->area_order) {
		free(d);
		return -1;
	}
	for (size_t i = 0; i < cf->nareas; i++) {
		d[i].index = i;
		for (long j = parent[i]; j >= 0; j = parent[j])
			d[i].depth++;
	}
	qsort(d, cf->nareas, sizeof *d, depth_cmp);
	for (size_t i = 0; i < cf->nareas; i++)
		cf->area_order[i] = d[i].index;
	free(d);
	return 0;
}

int catalogue_files_validate(struct catalogue_files *cf)
{
	struct cf_index ix[CF_NFILES] = { { NULL, 0 } };
	long *parent = calloc(cf->nareas + 1, sizeof *parent);
	int rc = -1;

	if (!parent ||
	    index_build(cf, CF_AGENCIES, &ix[CF_AGENCIES], cf->nagencies) != 0 ||
	    index_build(cf, CF_AREAS, &ix[CF_AREAS], cf->nareas) != 0 ||
	    index_build(cf, CF_INDICATORS, &ix[CF_INDICATORS], cf->nindicators) != 0)
		goto fail;
	if ((!cf->broken[CF_AREAS] && check_area_tree(cf, &ix[CF_AREAS], parent) != 0) ||
	    check_references(cf, ix) != 0 || check_permission_duplicates(cf) != 0)
		goto fail;
	if (cf->nerrors > 0)
		qsort(cf->errors, cf->nerrors, sizeof *cf->errors, error_cmp);
	if (cf->nerrors == 0 && order_areas(cf, parent) != 0)
		goto fail;
	rc = 0;
fail:
	for (int f = 0; f < CF_NFILES; f++)
		free(ix[f].keys);
	free(parent);
	return rc;
}
