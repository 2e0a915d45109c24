/* Ingest: a request body (JSON or CSV) turned into raw rows, before any look
 * at the catalogue. A body that cannot be read at all is rejected whole (400);
 * a row that can be read but is wrong gets a conflict and the reading goes on,
 * so that the client learns about every bad row in one answer.
 *
 * The conflict list lives here because ingest is the first stage that fills
 * it; validate adds the catalogue's conflicts to a second list in row order. */
#ifndef SAMLAD_INGEST_H
#define SAMLAD_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* Most rows in one batch: a bigger batch is a 400 (split it). */
#define INGEST_MAX_ROWS 100000
/* Most JSON values (commas outside strings) in one body; bounds what cJSON
 * allocates for a body of junk such as [1,1,1,...]. A batch of
 * INGEST_MAX_ROWS well-formed rows needs four per row. */
#define INGEST_MAX_VALUES (5 * INGEST_MAX_ROWS)
/* The largest count accepted. */
#define INGEST_COUNT_MAX 1000000000LL

/* Most conflicts listed in one answer. Beyond it, conflicts are only
 * counted (conflicts.omitted) so that a body of junk cannot make a 422 body
 * hundreds of megabytes long. */
#define CONFLICT_LIMIT 10000
#define CONFLICT_FIELD_MAX 72
#define CONFLICT_MESSAGE_MAX 256

/* The order of a row's conflicts: the whole row first, then the five fields
 * in their documented order, then fields nobody asked for. */
enum conflict_rank {
	RANK_ROW = 0,
	RANK_INDICATOR,
	RANK_AREA,
	RANK_PERIOD,
	RANK_VALUE,
	RANK_FLAG,
	RANK_OTHER,
};

/* One invalid thing about one row. */
struct conflict {
	size_t index;                       /* the row's 0-based position in the batch */
	size_t line;                        /* the CSV line the row starts on; 0 for JSON */
	enum conflict_rank rank;            /* sort key within the row */
	const char *code;                   /* static: "unknown_field", "negative_count", ... */
	char field[CONFLICT_FIELD_MAX];     /* "indicator", ..., "row", or an unknown name (sanitised) */
	char message[CONFLICT_MESSAGE_MAX]; /* one English sentence */
};

/* A list of conflicts in the order they were added. */
struct conflicts {
	struct conflict *items; /* owned array */
	size_t n;               /* conflicts kept */
	size_t cap;             /* entries allocated */
	size_t omitted;         /* conflicts dropped past CONFLICT_LIMIT */
};

#define CONFLICTS_INIT { NULL, 0, 0, 0 }

/* Adds a conflict. Once CONFLICT_LIMIT are kept, conflicts of rows after the
 * last kept one are counted in `omitted` instead (a row is never cut in
 * half, so a kept row's conflicts are complete). Returns -1 when memory ran
 * out. `field` is copied through ingest_echo. */
int conflicts_add(struct conflicts *list, size_t index, size_t line,
                  enum conflict_rank rank, const char *field, const char *code,
                  const char *fmt, ...) PRINTF(7, 8) WUR;
/* Appends a copy of one conflict under the same limit rule. */
int conflicts_push(struct conflicts *list, const struct conflict *c) WUR;
void conflicts_free(struct conflicts *list);

/* One row as read from the body. A field that is absent or of the wrong
 * type is NULL (its conflict is already in the list). */
struct raw_row {
	char *indicator;  /* owned; the indicator code as sent, or NULL */
	char *area;       /* owned; the area code as sent, or NULL */
	char *period;     /* owned; the period as sent, or NULL */
	long long value;  /* the count, when has_value */
	bool has_value;   /* value was present and a valid count */
	int flag;         /* enum flag (flag.h): FLAG_NONE when absent (or invalid) */
	size_t line;      /* CSV line the row starts on; 0 for JSON */
	bool bad;         /* ingest found at least one conflict in this row */
};

/* Every row of a body, in order. */
struct raw_batch {
	struct raw_row *rows; /* owned array */
	size_t n;             /* rows read */
	size_t cap;           /* rows allocated */
};

#define RAW_BATCH_INIT { NULL, 0, 0 }

void raw_batch_free(struct raw_batch *batch);

enum ingest_status {
	INGEST_OK = 0,     /* rows read; the conflict list may be non-empty */
	INGEST_REJECTED,   /* the body cannot be read: answer 400 with err */
	INGEST_FAILED,     /* memory ran out (or a bug): answer 500 */
};

/* Why a body was rejected. */
struct ingest_error {
	const char *code;          /* static: malformed_json, malformed_csv or invalid_body */
	char message[CONFLICT_MESSAGE_MAX]; /* one English sentence */
};

/* Reads {"counts":[{indicator, area, period, value[, flag]}, ...]}. `body` must be
 * exactly len bytes long (no NUL is needed after it). Rows go to *out and
 * row conflicts to *conf, both the caller's to free (also after a
 * failure). */
enum ingest_status ingest_json(const char *body, size_t len, struct raw_batch *out,
                               struct conflicts *conf, struct ingest_error *err) WUR;
/* Reads CSV with the header indicator,area,period,value and optionally
 * flag, in any order, separated by ',' or (as Swedish Excel saves it) by
 * ';', as the header line has it (csv_detect_sep). A workbook
 * (ingest_is_spreadsheet) is rejected with INGEST_SPREADSHEET_CODE. */
enum ingest_status ingest_csv(const char *body, size_t len, struct raw_batch *out,
                              struct conflicts *conf, struct ingest_error *err) WUR;

/* The error code and the one sentence for a workbook sent as CSV (415). */
#define INGEST_SPREADSHEET_CODE "unsupported_media_type"
#define INGEST_SPREADSHEET_MESSAGE "the file is an Excel workbook, not CSV; save it in " \
	"Excel as \"CSV UTF-8 (kommaavgränsad) (*.csv)\" and send that file"
/* True when the body begins as an .xlsx (a zip: PK 03 04) or an .xls (OLE:
 * D0 CF 11 E0) does, whatever its name or Content-Type said. */
bool ingest_is_spreadsheet(const char *body, size_t len);
/* The status of a rejected body: 415 for a workbook, else 400. */
unsigned ingest_error_status(const struct ingest_error *err);

/* Copies client text for echoing in a message: valid UTF-8 is kept,
 * control characters and invalid bytes become '?', and text longer than
 * fits is cut at a character boundary and ends in "...". */
void ingest_echo(char *out, size_t size, const char *s, size_t len);

#endif
