/* cJSON's allocations during one body's parse, from a bump arena that is
 * dropped whole afterwards. A batch of 10,000 rows makes some 100,000 small
 * cJSON allocations; with malloc and free they were a third of the time
 * the collector spent reading a body. Outside an arena (any other thread,
 * any other use of cJSON) allocations go to malloc as before. */
#ifndef SAMLAD_JSON_ARENA_H
#define SAMLAD_JSON_ARENA_H

/* Installs the cJSON hooks; idempotent. Call it before threads start
 * (json_arena_begin also calls it, for programs that did not). */
void json_arena_init(void);

struct json_arena;

/* From now until json_arena_end, cJSON allocates in this thread from a new
 * arena. NULL when memory ran out: cJSON then uses malloc as usual, and
 * its items must be freed with cJSON_Delete as usual. */
struct json_arena *json_arena_begin(void);

/* Stops the arena in this thread and frees everything cJSON allocated from
 * it: items parsed since json_arena_begin are gone, and must not be passed
 * to cJSON_Delete. */
void json_arena_end(struct json_arena *a);

#endif
