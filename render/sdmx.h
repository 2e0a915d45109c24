/* A published series as an SDMX-JSON 2.1.0 data message (the schema is in
 * ../shared/specs). Pure: a series in, a cJSON tree out.
 *
 * The message has one structure and one data set holding one series:
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

/* The data message of s, or NULL when memory ran out. */
cJSON *sdmx_series(const struct series *s, const struct sdmx_meta *meta);
/* A catalogue code as an SDMX identifier ('.' becomes '@'); out has at
 * least strlen(code) + 1 bytes. */
void sdmx_id(const char *code, char *out, size_t size);

#endif
