/* The agency client's HTTP side: posts one file of counts to the collector
 * with libcurl, retrying what may succeed later (connection failures,
 * timeouts, 5xx, 429) with exponential backoff and one Idempotency-Key per
 * file, so that a retry whose first attempt was in fact stored returns the
 * original receipt instead of storing twice. What cannot succeed later (a
 * 4xx such as 413, a certificate that does not verify, TLS spoken to plain
 * HTTP or the other way round) is not retried. */
#ifndef SAMLAD_PUSH_H
#define SAMLAD_PUSH_H

#include <stddef.h>
#include <stdio.h>
#include "buf.h"
#include "compiler.h"

/* The longest wait between two attempts, whatever the backoff has grown to. */
#define PUSH_BACKOFF_CAP_MS 30000L
/* The longest Retry-After the client waits for; a larger one is clipped. */
#define PUSH_RETRY_AFTER_CAP_S 300L

/* Where to send and how hard to try. */
struct push_config {
	const char *url;      /* the collector's base URL, e.g. "http://127.0.0.1:8080" */
	const char *token;    /* the bearer token; sent in a header, never printed */
	int retries;          /* attempts after the first one */
	long timeout_s;       /* the limit of one attempt, connect to last byte */
	long backoff_ms;      /* the wait before the first retry; doubles after each */
	const char *cacert;   /* PEM file of the CAs that may vouch for an https:// URL, or NULL */
};

/* How a push ended. The values are the program's exit codes. */
enum push_result {
	PUSH_OK = 0,        /* stored (201) or replayed (200); the receipt was printed */
	PUSH_FAILED = 1,    /* refused by the collector (or a local failure); a retry would not help */
	PUSH_USAGE = 2,     /* the file could not be read */
	PUSH_GAVE_UP = 3,   /* every attempt failed with a retryable error */
};

/* One file to send. */
struct push_file {
	const char *path;          /* as given on the command line; names it in messages */
	const char *content_type;  /* "application/json" or "text/csv" */
	struct buf body;           /* the file's bytes; owned */
};

/* The collector's sentence for a workbook sent as CSV (collector/ingest.h). */
#define PUSH_WORKBOOK_MESSAGE "the file is an Excel workbook, not CSV; save it in " \
	"Excel as \"CSV UTF-8 (kommaavgränsad) (*.csv)\" and send that file"

/* Reads `path` into f (which the caller frees with push_file_free). Returns
 * PUSH_OK, or PUSH_USAGE after printing why to `err`, also for a file over
 * body_limit bytes (the collector would answer 413) and for an Excel
 * workbook, .xlsx or .xls by its name or its first bytes (415): neither
 * is sent. */
enum push_result push_file_read(struct push_file *f, const char *path, size_t body_limit,
                                FILE *err) WUR;
void push_file_free(struct push_file *f);

/* "application/json" for a name ending in ".json" (any case), else "text/csv". */
const char *push_content_type(const char *path);

/* The wait before retry `attempt` (1 for the first retry): backoff_ms doubled
 * attempt-1 times, capped at PUSH_BACKOFF_CAP_MS, then jittered into
 * [half, whole] with `random` so that clients that failed together do not
 * return together. */
long push_backoff_delay(long backoff_ms, int attempt, unsigned random);

/* Posts f to <url>/v1/counts. On success prints the receipt (one line of
 * JSON) to `out`; on a 422 prints every conflict to `err`, one per line, as
 * "line 7: value: negative_count: message" (CSV, which carries the line) or
 * "row 3: ..." (the 0-based index in the batch); on any other failure prints
 * the status, error and message (or the transport error) to `err`. */
enum push_result push_send(const struct push_config *cfg, const struct push_file *f,
                           FILE *out, FILE *err) WUR;

#endif
