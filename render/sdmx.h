/* Published data in SDMX: a series or a year table as an SDMX-JSON 2.1.0
 * data message (the schema is in ../shared/specs), and rows as SDMX-CSV
 * 2.0.0. Pure: data in, a cJSON tree or CSV text out.
 *
 * The series' message has one structure and one data set holding one series:
 *   - series dimensions INDICATOR (key position 0) and AREA (1), each with
 *     the one value of this series; observation dimension TIME_PERIOD (2)
 *     with a value per period ("2024-Q1", or "2024" for years, with its
 *     start and end);
 *   - measure OBS_VALUE;
 *   - observation attributes OBS_STATUS and CONF_STATUS from the SDMX
 *     cross-domain code lists: a published value is OBS_STATUS "A" (normal
 *     value) and CONF_STATUS "F" (free); a suppressed one has a null value,
 *     OBS_STATUS "Q" (missing value; suppressed) and CONF_STATUS "C"
 *     (confidential); a missing one a null value, OBS_STATUS "O" (missing
 *     value) and no CONF_STATUS (null);
 *   - data set series "0:0" with observations {"i": [value, obs_status,
 *     conf_status]}, i the position of the period in TIME_PERIOD.
 * SDMX identifiers may not hold '.', which catalogue codes may: a '.' is
 * written as '@' (a character no catalogue code holds, so the mapping can
 * be undone), and the code itself is in the value's description. */
#ifndef SAMLAD_SDMX_H
#define SAMLAD_SDMX_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "compiler.h"
#include "data.h"
#include "ptable.h"
#include "series.h"

/* The media type of the message. */
#define SDMX_MEDIA_TYPE "application/vnd.sdmx.data+json; version=2.1.0"
/* The schema the message declares in "$schema". */
#define SDMX_SCHEMA_URL "https://json.sdmx.org/2.1/sdmx-json-data-schema.json"

/* What the message says about itself. */
struct sdmx_meta {
	const char *id;        /* the message id: letters, digits, _ @ $ - */
	const char *prepared;  /* when it was made, RFC 3339 */
	const char *self;      /* the request's URI reference, linked as "self" */
};

/* The SDMX-CSV 2.0.0 media type. */
#define SDMX_CSV_MEDIA_TYPE "application/vnd.sdmx.data+csv; version=2.0.0"
/* The dataflow every SDMX-CSV row names (AGENCY:ID(VERSION)). */
#define SDMX_CSV_STRUCTURE "SAMLAD:COUNTS(1.0.0)"

/* The data message of s, or NULL when memory ran out. */
cJSON *sdmx_series(const struct series *s, const struct sdmx_meta *meta);
/* The data message of a year table, or NULL when memory ran out. Its
 * series dimensions are INDICATOR (0), AREA (1, a value per row of the
 * table, the municipality last) and FREQ (2: Q quarterly, A annual); the
 * observation dimension TIME_PERIOD (3) has the values 2024-Q1..2024-Q4
 * and 2024. Series "0:r:0" holds row r's quarters (observations 0..3),
 * "0:r:1" its year (observation 4), so that quarters and the year never
 * share a series; observations as sdmx_series writes them. */
cJSON *sdmx_table(const struct catalogue *cat, const struct cat_indicator *ind,
                  const struct cat_area *municipality, const struct ptable *t,
                  const struct sdmx_meta *meta);
/* Rows (data.h) as SDMX-CSV 2.0.0: the header STRUCTURE, STRUCTURE_ID,
 * ACTION, INDICATOR, AREA, FREQ, TIME_PERIOD, OBS_VALUE, OBS_STATUS,
 * CONF_STATUS, then a line per row: dataflow, SDMX_CSV_STRUCTURE, I
 * (information), the indicator as an SDMX identifier, the area's code, Q
 * or A, 2024-Q1 or 2024, the value (empty unless published), and the
 * statuses as in the SDMX-JSON messages (A/F published, Q/C hidden, O and
 * an empty CONF_STATUS missing). RFC 4180, CRLF. 0 or -1. */
int sdmx_csv(const struct data_row *rows, size_t n, struct buf *out) WUR;
/* A catalogue code as an SDMX identifier ('.' becomes '@'); out has at
 * least strlen(code) + 1 bytes. */
void sdmx_id(const char *code, char *out, size_t size);

#endif
