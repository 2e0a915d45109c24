/* Helpers for building cJSON trees without testing every call: cJSON's add
 * functions accept a NULL parent and return NULL (or false) on failure, so a
 * builder chains its calls with && into one flag and checks it once. These
 * three also take ownership of the item they are given, so nothing leaks
 * when a step fails. */
#ifndef SAMLAD_JSON_BUILD_H
#define SAMLAD_JSON_BUILD_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* Returns o when ok, else frees o and returns NULL. */
static inline cJSON *json_checked(cJSON *o, bool ok)
{
	if (ok && o)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* Adds item to object o under name; frees item when that fails. */
static inline bool json_add(cJSON *o, const char *name, cJSON *item)
{
	if (item && o && cJSON_AddItemToObject(o, name, item))
		return true;
	cJSON_Delete(item);
	return false;
}

/* Appends item to array list; frees item when that fails. */
static inline bool json_append(cJSON *list, cJSON *item)
{
	if (item && list && cJSON_AddItemToArray(list, item))
		return true;
	cJSON_Delete(item);
	return false;
}

#endif
