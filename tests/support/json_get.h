/* Reading members of a parsed JSON answer in tests: absent or of another
 * type reads as "" or -1, so that a comparison with the expected value
 * fails and says what came. */
#ifndef SAMLAD_TEST_JSON_GET_H
#define SAMLAD_TEST_JSON_GET_H

#include <stdio.h>
#include <cjson/cJSON.h>

static inline const char *json_string(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
	return s ? s : "";
}

static inline long long json_int(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* "error: message" of a JSON error body (NULL reads as ""), in a buffer
 * of the caller's translation unit that the next call overwrites. */
static inline const char *json_error_text(const char *body)
{
	static char out[512];
	cJSON *o = cJSON_Parse(body ? body : "");

	snprintf(out, sizeof out, "%s: %s", json_string(o, "error"), json_string(o, "message"));
	cJSON_Delete(o);
	return out;
}

#endif
