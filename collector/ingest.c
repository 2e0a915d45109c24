/* Ingest: JSON and CSV bodies to raw rows and row conflicts.
 *
 * Counts are judged by their value, as JSON Schema's "integer" is: a number
 * whose fractional part is zero, so 12.0 and 1e3 are the counts 12 and
 * 1000, and -0 is 0. A JSON value is the double cJSON made of it; a CSV
 * field must be a number in JSON's grammar and is read to a double with
 * strtod. Both go through count_value, so the two formats cannot disagree. */
#include "ingest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "csv.h"
#include "flag.h"
#include "json_arena.h"
#include "utf8.h"
#include "vec.h"

/* The fields of a row, in their documented order; the first F_REQUIRED
 * must be there, the flag may be left out. */
enum row_field { F_INDICATOR = 0, F_AREA, F_PERIOD, F_VALUE, F_FLAG, F_COUNT };
#define F_REQUIRED F_FLAG

static const char *const field_names[F_COUNT] = { "indicator", "area", "period", "value",
                                                  "flag" };
/* Their lengths: looked up for every member of every row. */
static const size_t field_lens[F_COUNT] = { 9, 4, 6, 5, 4 };

/* What count_parse found in a value's text. */
enum count_check { COUNT_OK, COUNT_WRONG_TYPE, COUNT_NEGATIVE, COUNT_FRACTIONAL, COUNT_TOO_LARGE };

/* ---- conflicts ------------------------------------------------------- */

/* False (and counted as omitted) when the list is full and `index` is a
 * row after the last one kept. */
static bool conflicts_keep(struct conflicts *list, size_t index)
{
	if (list->n < CONFLICT_LIMIT || list->items[list->n - 1].index == index)
		return true;
	list->omitted++;
	return false;
}

int conflicts_add(struct conflicts *list, size_t index, size_t line,
                  enum conflict_rank rank, const char *field, const char *code,
                  const char *fmt, ...)
{
	if (!conflicts_keep(list, index))
		return 0;
	struct conflict *c = VEC_PUSH(list->items, list->n, list->cap);
	if (!c)
		return -1;
	c->index = index;
	c->line = line;
	c->rank = rank;
	c->code = code;
	ingest_echo(c->field, sizeof c->field, field, strlen(field));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	return 0;
}

int conflicts_push(struct conflicts *list, const struct conflict *c)
{
	if (!conflicts_keep(list, c->index))
		return 0;
	struct conflict *slot = VEC_PUSH(list->items, list->n, list->cap);
	if (!slot)
		return -1;
	*slot = *c;
	return 0;
}

void conflicts_free(struct conflicts *list)
{
	free(list->items);
	*list = (struct conflicts)CONFLICTS_INIT;
}

/* ---- rows ------------------------------------------------------------ */

void raw_batch_free(struct raw_batch *batch)
{
	for (size_t i = 0; i < batch->n; i++) {
		free(batch->rows[i].indicator);
		free(batch->rows[i].area);
		free(batch->rows[i].period);
	}
	free(batch->rows);
	*batch = (struct raw_batch)RAW_BATCH_INIT;
}

/* Appends an empty row and returns it, or NULL when memory ran out. */
static struct raw_row *batch_add(struct raw_batch *batch)
{
	struct raw_row *row = VEC_PUSH(batch->rows, batch->n, batch->cap);

	if (row)
		memset(row, 0, sizeof *row);
	return row;
}

/* The row's slot for a text field. */
static char **row_text(struct raw_row *row, enum row_field f)
{
	return f == F_INDICATOR ? &row->indicator : f == F_AREA ? &row->area : &row->period;
}

/* The field named `name` (len bytes), or -1. */
static int field_lookup(const char *name, size_t len)
{
	for (int f = 0; f < F_COUNT; f++)
		if (field_lens[f] == len && memcmp(name, field_names[f], len) == 0)
			return f;
	return -1;
}

/* ---- echoing client text --------------------------------------------- */

void ingest_echo(char *out, size_t size, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0, i = 0;

	if (size < 4) {
		if (size)
			out[0] = '\0';
		return;
	}
	while (i < len) {
		size_t n = utf8_seq(s + i, len - i), w = n ? n : 1;
		if (o + w > size - 1)
			break;
		if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7f)))
			out[o] = '?';
		else
			memcpy(out + o, s + i, n);
		o += w;
		i += w;
	}
	if (i < len) {
		/* Cut whole characters until "..." fits; out holds valid UTF-8. */
		while (o > size - 4) {
			o--;
			while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
				o--;
		}
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* ---- counts ---------------------------------------------------------- */

/* Skips a run of digits from s[*i]; returns how many. */
static size_t skip_digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i - start;
}

/* Digits only, already checked: the number, or COUNT_TOO_LARGE. Exact for
 * any length, and the common case of a CSV field, so it needs no strtod. */
static enum count_check count_digits(const char *s, size_t len, long long *out)
{
	while (len > 1 && s[0] == '0')
		s++, len--;
	if (len > 10)
		return COUNT_TOO_LARGE;
	long long v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	if (v > INGEST_COUNT_MAX)
		return COUNT_TOO_LARGE;
	*out = v;
	return COUNT_OK;
}

/* A double holds every integer up to 2^53 exactly, so every count accepted
 * is exactly the integer that was written, and anything a double cannot
 * hold exactly is far above the limit. */
_Static_assert(INGEST_COUNT_MAX < (1LL << 53), "a count must fit a double exactly");

/* Judges a count by its value: below zero is negative, a fractional part is
 * fractional, above INGEST_COUNT_MAX (infinity included: cJSON and strtod
 * read 1e400 as that) is too large. -0 is 0. */
static enum count_check count_value(double v, long long *out)
{
	if (v < 0)
		return COUNT_NEGATIVE;
	if (v != floor(v))
		return COUNT_FRACTIONAL;
	if (!(v <= (double)INGEST_COUNT_MAX))
		return COUNT_TOO_LARGE;
	*out = (long long)v;
	return COUNT_OK;
}

/* Reads a CSV count. The text must be a number in JSON's grammar (leniently,
 * as cJSON: "1." and "012" pass); anything else, "+5", " 5", "0x10", "inf",
 * is not a count at all. `s` ends in a NUL at s[len], as every field of a
 * csv_record does, so strtod reads exactly the text checked. */
static enum count_check count_text(const char *s, size_t len, long long *out)
{
	size_t i = len > 0 && s[0] == '-' ? 1 : 0;

	if (skip_digits(s, len, &i) == 0)
		return COUNT_WRONG_TYPE;
	if (i == len && s[0] != '-')
		return count_digits(s, len, out);
	if (i < len && s[i] == '.')
		i++, skip_digits(s, len, &i);
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (skip_digits(s, len, &i) == 0)
			return COUNT_WRONG_TYPE;
	}
	if (i != len)
		return COUNT_WRONG_TYPE;
	return count_value(strtod(s, NULL), out);
}

/* Stores a judged count in the row, or records why not. `echo` is the
 * value as the message shows it; it is read only when check is not
 * COUNT_OK. */
static int row_count(struct conflicts *conf, struct raw_row *row, size_t index,
                     enum count_check check, long long v, const char *echo)
{
	if (check == COUNT_OK) {
		row->value = v;
		row->has_value = true;
		return 0;
	}
	row->bad = true;
	switch (check) {
	case COUNT_NEGATIVE:
		return conflicts_add(conf, index, row->line, RANK_VALUE, "value", "negative_count",
		                     "value %s has a minus sign; a count is 0 or more", echo);
	case COUNT_FRACTIONAL:
		return conflicts_add(conf, index, row->line, RANK_VALUE, "value", "fractional_count",
		                     "value %s is not a whole number; a count has no fractional "
		                     "part", echo);
	case COUNT_TOO_LARGE:
		return conflicts_add(conf, index, row->line, RANK_VALUE, "value", "count_too_large",
		                     "value %s is larger than 1000000000, the largest count accepted",
		                     echo);
	default:
		return conflicts_add(conf, index, row->line, RANK_VALUE, "value", "wrong_type",
		                     "value '%s' is not a count; write it in digits only", echo);
	}
}

/* Judges a flag's text: one of the fixed names (flag.h), never anything
 * else, since free text could carry personal data. */
static int row_flag(struct conflicts *conf, struct raw_row *row, size_t index,
                    const char *text, size_t len)
{
	char echo[48];
	int f = flag_parse(text, len);

	if (f >= 0) {
		row->flag = f;
		return 0;
	}
	row->bad = true;
	ingest_echo(echo, sizeof echo, text, len);
	return conflicts_add(conf, index, row->line, RANK_FLAG, "flag", "invalid_flag",
	                     "flag '%s' is not a flag; a flag is break or provisional", echo);
}

/* ---- rejections ------------------------------------------------------ */

PRINTF(3, 4)
static enum ingest_status reject(struct ingest_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return INGEST_REJECTED;
}

/* ---- JSON ------------------------------------------------------------ */

/* Steps over a string from its opening quote at s[*i]; leaves *i on the
 * closing quote, or at len when the string is not closed (a backslash as
 * the last byte must not step over the end). Returns false on a \u0000
 * escape. */
static bool skip_string(const char *s, size_t len, size_t *i)
{
	for ((*i)++; *i < len && s[*i] != '"'; (*i)++) {
		if (s[*i] != '\\')
			continue;
		if (*i + 6 <= len && memcmp(s + *i + 1, "u0000", 5) == 0)
			return false;
		if (*i + 1 == len)
			break;
		(*i)++;
	}
	return true;
}

/* What cJSON would take but must not, refused before it allocates
 * anything: a NUL byte or the escape \u0000 (either would cut a string
 * short), and more than INGEST_MAX_VALUES values (commas outside strings),
 * which bounds the memory a body of junk such as [1,1,1,...] takes. */
static enum ingest_status json_precheck(const char *s, size_t len, struct ingest_error *err)
{
	size_t commas = 0;

	if (memchr(s, '\0', len))
		return reject(err, "malformed_json", "the body holds a NUL byte");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' && !skip_string(s, len, &i))
			return reject(err, "invalid_body", "the body holds the escape \\u0000, "
			              "which no field accepts");
		if (i < len && s[i] == ',' && ++commas > INGEST_MAX_VALUES)
			return reject(err, "invalid_body", "the body holds more than %d values; "
			              "send at most %d rows per batch", INGEST_MAX_VALUES, INGEST_MAX_ROWS);
	}
	return INGEST_OK;
}

/* The length of the JSON white space (RFC 8259: space, tab, CR, LF) that
 * starts s. */
static size_t json_space(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Parses with cJSON into a json_arena (*arena owned, the tree in it),
 * rejecting trailing text; says where it went wrong. Exactly len bytes are
 * read, with no NUL needed after them: cJSON stops at the end of the value,
 * and only white space may follow it. */
static enum ingest_status json_parse(const char *body, size_t len, cJSON **root,
                                     struct json_arena **arena, struct ingest_error *err)
{
	const char *end = NULL;
	size_t line = 1, column = 1;

	if (len == 0)
		return reject(err, "malformed_json", "the body is empty; send a JSON object "
		              "{\"counts\": [...]}");
	if (json_arena_parse(body, len, &end, root, arena) != 0)
		return INGEST_FAILED;
	size_t at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
	if (*root) {
		at += json_space(body + at, len - at);
		if (at == len)
			return INGEST_OK;
	}
	for (size_t i = 0; i < at; i++) {
		column = body[i] == '\n' ? 1 : column + 1;
		line += body[i] == '\n';
	}
	return reject(err, "malformed_json", "the body is not valid JSON: the error is at "
	              "line %zu, column %zu", line, column);
}

/* "a string", "an array", ... for messages. */
static const char *json_kind(const cJSON *item)
{
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsBool(item))
		return cJSON_IsTrue(item) ? "true" : "false";
	if (cJSON_IsNull(item))
		return "null";
	if (cJSON_IsArray(item))
		return "an array";
	return "an object";
}

/* Finds the one member "counts" of the top-level object. */
static enum ingest_status json_counts(const cJSON *root, const cJSON **counts,
                                      struct ingest_error *err)
{
	char name[CONFLICT_FIELD_MAX];

	if (!cJSON_IsObject(root))
		return reject(err, "invalid_body", "the body must be a JSON object "
		              "{\"counts\": [...]}, not %s", json_kind(root));
	*counts = NULL;
	for (const cJSON *m = root->child; m; m = m->next) {
		ingest_echo(name, sizeof name, m->string, strlen(m->string));
		if (strcmp(m->string, "counts") != 0)
			return reject(err, "invalid_body", "unknown top-level field '%s'; the body "
			              "may hold only counts", name);
		if (*counts)
			return reject(err, "invalid_body", "the field counts appears more than once");
		*counts = m;
	}
	if (!*counts)
		return reject(err, "invalid_body", "the body has no counts field");
	if (!cJSON_IsArray(*counts))
		return reject(err, "invalid_body", "counts must be an array of rows, not %s",
		              json_kind(*counts));
	return INGEST_OK;
}

/* State of the walk over the rows. */
struct json_walk {
	struct raw_batch *out;   /* rows read */
	struct conflicts *conf;  /* row conflicts found */
};

/* A double as a message shows it: 15 significant digits, or 17 when 15 do
 * not read back as the same double ("0.1", "12.5", "inf"). */
static void json_number_echo(char *out, size_t size, double v)
{
	snprintf(out, size, "%.15g", v);
	if (strtod(out, NULL) != v)
		snprintf(out, size, "%.17g", v);
}

/* Reads the member "value": a JSON number, judged by its value. */
static int json_value(struct json_walk *w, struct raw_row *row, size_t index,
                      const cJSON *m)
{
	char echo[32];
	long long v = 0;

	if (!cJSON_IsNumber(m)) {
		row->bad = true;
		return conflicts_add(w->conf, index, 0, RANK_VALUE, "value", "wrong_type",
		                     "value must be a JSON integer, not %s", json_kind(m));
	}
	enum count_check check = count_value(m->valuedouble, &v);
	if (check != COUNT_OK)
		json_number_echo(echo, sizeof echo, m->valuedouble);
	return row_count(w->conf, row, index, check, v, echo);
}

/* Reads the member "flag": a JSON string naming a flag. */
static int json_flag(struct json_walk *w, struct raw_row *row, size_t index,
                     const cJSON *m)
{
	if (!cJSON_IsString(m)) {
		row->bad = true;
		return conflicts_add(w->conf, index, 0, RANK_FLAG, "flag", "wrong_type",
		                     "flag must be a string, break or provisional, not %s",
		                     json_kind(m));
	}
	return row_flag(w->conf, row, index, m->valuestring, strlen(m->valuestring));
}

/* Reads a text member (indicator, area or period). */
static int json_text(struct json_walk *w, struct raw_row *row, size_t index,
                     const cJSON *m, enum row_field f)
{
	if (!cJSON_IsString(m)) {
		row->bad = true;
		return conflicts_add(w->conf, index, 0, (enum conflict_rank)(f + 1),
		                     field_names[f], "wrong_type", "%s must be a string, not %s",
		                     field_names[f], json_kind(m));
	}
	*row_text(row, f) = strdup(m->valuestring);
	return *row_text(row, f) ? 0 : -1;
}

/* One member of a row object; seen[] marks the fields already read. */
static int json_member(struct json_walk *w, struct raw_row *row, size_t index,
                       const cJSON *m, bool seen[F_COUNT])
{
	int f = field_lookup(m->string, strlen(m->string));
	char name[CONFLICT_FIELD_MAX];

	if (f < 0 || seen[f]) {
		row->bad = true;
		if (f >= 0)
			return conflicts_add(w->conf, index, 0, (enum conflict_rank)(f + 1),
			                     m->string, "unknown_field",
			                     "the field %s appears more than once in the row", m->string);
		ingest_echo(name, sizeof name, m->string, strlen(m->string));
		return conflicts_add(w->conf, index, 0, RANK_OTHER, m->string, "unknown_field",
		                     "unknown field '%s'; a row holds only indicator, area, period, "
		                     "value and flag", name);
	}
	seen[f] = true;
	if (f == F_VALUE)
		return json_value(w, row, index, m);
	if (f == F_FLAG)
		return json_flag(w, row, index, m);
	return json_text(w, row, index, m, (enum row_field)f);
}

/* One element of counts. */
static int json_row(struct json_walk *w, const cJSON *item, size_t index)
{
	bool seen[F_COUNT] = { false };
	struct raw_row *row = batch_add(w->out);

	if (!row)
		return -1;
	if (!cJSON_IsObject(item)) {
		row->bad = true;
		return conflicts_add(w->conf, index, 0, RANK_ROW, "row", "not_an_object",
		                     "the row is %s, not an object with indicator, area, period "
		                     "and value", json_kind(item));
	}
	for (const cJSON *m = item->child; m; m = m->next)
		if (json_member(w, row, index, m, seen) != 0)
			return -1;
	for (int f = 0; f < F_REQUIRED; f++) {
		if (seen[f])
			continue;
		row->bad = true;
		if (conflicts_add(w->conf, index, 0, (enum conflict_rank)(f + 1), field_names[f],
		                  "missing_field", "the row has no %s", field_names[f]) != 0)
			return -1;
	}
	return 0;
}

static enum ingest_status json_rows(struct json_walk *w, const cJSON *counts,
                                    struct ingest_error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(counts), index = 0;

	if (n == 0)
		return reject(err, "invalid_body", "counts is empty; send at least one row");
	if (n > INGEST_MAX_ROWS)
		return reject(err, "invalid_body", "counts has %zu rows; send at most %d per batch",
		              n, INGEST_MAX_ROWS);
	for (const cJSON *item = counts->child; item; item = item->next)
		if (json_row(w, item, index++) != 0)
			return INGEST_FAILED;
	return INGEST_OK;
}

enum ingest_status ingest_json(const char *body, size_t len, struct raw_batch *out,
                               struct conflicts *conf, struct ingest_error *err)
{
	struct json_arena *arena = NULL;
	cJSON *root = NULL;
	const cJSON *counts = NULL;
	struct json_walk w = { out, conf };

	enum ingest_status st = json_precheck(body, len, err);
	if (st == INGEST_OK)
		st = json_parse(body, len, &root, &arena, err);
	if (st == INGEST_OK)
		st = json_counts(root, &counts, err);
	if (st == INGEST_OK)
		st = json_rows(&w, counts, err);
	json_arena_free(arena);
	return st;
}

/* ---- CSV ------------------------------------------------------------- */

static enum ingest_status csv_malformed(const struct csv_reader *r, struct ingest_error *err)
{
	return reject(err, "malformed_csv", "the body is not valid CSV: line %zu: %s",
	              r->line, r->error);
}

/* The header's columns: map[] holds a field per column, then -1. */
static size_t csv_columns(const int map[F_COUNT])
{
	size_t n = 0;
	while (n < F_COUNT && map[n] >= 0)
		n++;
	return n;
}

/* Reads the header into map[column] = field. */
static enum ingest_status csv_header(struct csv_reader *r, int map[F_COUNT],
                                     struct ingest_error *err)
{
	struct csv_record rec;
	bool seen[F_COUNT] = { false };
	char name[CONFLICT_FIELD_MAX];

	int rc = csv_read(r, &rec);
	if (rc < 0)
		return csv_malformed(r, err);
	if (rc == 0)
		return reject(err, "invalid_body", "the body is empty; its first line must be "
		              "the header indicator,area,period,value");
	for (size_t i = 0; i < rec.nfields; i++) {
		int f = field_lookup(rec.fields[i], rec.lens[i]);
		ingest_echo(name, sizeof name, rec.fields[i], rec.lens[i]);
		if (f < 0)
			return reject(err, "invalid_body", "unknown column '%s' in the header; the "
			              "columns are indicator, area, period, value and flag", name);
		if (seen[f])
			return reject(err, "invalid_body", "the column %s appears twice in the header",
			              name);
		seen[f] = true;
		map[i] = f;
	}
	for (int f = 0; f < F_REQUIRED; f++)
		if (!seen[f])
			return reject(err, "invalid_body", "the header has no column %s",
			              field_names[f]);
	return INGEST_OK;
}

/* Reads a text field of a CSV row. */
static int csv_text(struct conflicts *conf, struct raw_row *row, size_t index,
                    enum row_field f, const char *text, size_t len)
{
	if (memchr(text, '\0', len)) {
		row->bad = true;
		return conflicts_add(conf, index, row->line, (enum conflict_rank)(f + 1),
		                     field_names[f], "wrong_type", "%s holds a NUL byte",
		                     field_names[f]);
	}
	*row_text(row, f) = strndup(text, len);
	return *row_text(row, f) ? 0 : -1;
}

/* Reads the value field of a CSV row. */
static int csv_value(struct conflicts *conf, struct raw_row *row, size_t index,
                     const char *text, size_t len)
{
	char echo[48];
	long long v = 0;
	enum count_check check = count_text(text, len, &v);

	if (check != COUNT_OK)
		ingest_echo(echo, sizeof echo, text, len);
	return row_count(conf, row, index, check, v, echo);
}

/* Reads one field of a CSV row by its column, or notes it missing. */
static int csv_field(struct conflicts *conf, struct raw_row *row, size_t index,
                     const struct csv_record *rec, size_t col, enum row_field f)
{
	if (col >= rec->nfields) {
		row->bad = true;
		return conflicts_add(conf, index, row->line, (enum conflict_rank)(f + 1),
		                     field_names[f], "missing_field", "line %zu has no %s field",
		                     row->line, field_names[f]);
	}
	if (f == F_VALUE)
		return csv_value(conf, row, index, rec->fields[col], rec->lens[col]);
	if (f == F_FLAG)
		return rec->lens[col] ? row_flag(conf, row, index, rec->fields[col], rec->lens[col])
		                      : 0;
	return csv_text(conf, row, index, f, rec->fields[col], rec->lens[col]);
}

static int csv_row(struct csv_reader *r, const struct csv_record *rec, const int map[F_COUNT],
                   struct raw_batch *out, struct conflicts *conf)
{
	size_t index = out->n, ncols = csv_columns(map);
	struct raw_row *row = batch_add(out);

	if (!row)
		return -1;
	row->line = r->line;
	if (rec->nfields > ncols) {
		row->bad = true;
		if (conflicts_add(conf, index, row->line, RANK_ROW, "row", "unknown_field",
		                  "line %zu has %zu fields; the header has %zu", row->line,
		                  rec->nfields, ncols) != 0)
			return -1;
	}
	for (size_t col = 0; col < ncols; col++)
		if (csv_field(conf, row, index, rec, col, (enum row_field)map[col]) != 0)
			return -1;
	return 0;
}

static enum ingest_status csv_rows(struct csv_reader *r, const int map[F_COUNT],
                                   struct raw_batch *out, struct conflicts *conf,
                                   struct ingest_error *err)
{
	struct csv_record rec;
	int rc;

	while ((rc = csv_read(r, &rec)) == 1) {
		if (out->n >= INGEST_MAX_ROWS)
			return reject(err, "invalid_body", "the body has more than %d rows; send at "
			              "most %d per batch", INGEST_MAX_ROWS, INGEST_MAX_ROWS);
		if (csv_row(r, &rec, map, out, conf) != 0)
			return INGEST_FAILED;
	}
	if (rc < 0)
		return csv_malformed(r, err);
	if (out->n == 0)
		return reject(err, "invalid_body", "the body has a header but no rows");
	return INGEST_OK;
}

bool ingest_is_spreadsheet(const char *body, size_t len)
{
	/* A zip's local file header (xlsx, ods), and OLE's compound file (xls). */
	static const char zip[4] = { 'P', 'K', '\x03', '\x04' };
	static const char ole[4] = { '\xD0', '\xCF', '\x11', '\xE0' };

	return len >= 4 && (memcmp(body, zip, 4) == 0 || memcmp(body, ole, 4) == 0);
}

unsigned ingest_error_status(const struct ingest_error *err)
{
	return err->code && strcmp(err->code, INGEST_SPREADSHEET_CODE) == 0 ? 415 : 400;
}

enum ingest_status ingest_csv(const char *body, size_t len, struct raw_batch *out,
                              struct conflicts *conf, struct ingest_error *err)
{
	struct csv_reader r;
	int map[F_COUNT] = { -1, -1, -1, -1, -1 };

	if (ingest_is_spreadsheet(body, len))
		return reject(err, INGEST_SPREADSHEET_CODE, "%s", INGEST_SPREADSHEET_MESSAGE);
	csv_reader_init(&r, body, len);
	enum ingest_status st = csv_detect_sep(&r) == 0 ? csv_header(&r, map, err)
	                                                : csv_malformed(&r, err);
	if (st == INGEST_OK)
		st = csv_rows(&r, map, out, conf, err);
	csv_reader_free(&r);
	return st;
}
