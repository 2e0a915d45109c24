/* A request body parsed by cJSON into a bump arena that is freed whole. A
 * batch of 10,000 rows makes some 100,000 small cJSON allocations; with
 * malloc and cJSON_Delete the ingest benchmark's revision batches took
 * about twice as long (bench/README.md). The arena's 1 MiB blocks are
 * kept between parses, a bounded pool (16 MiB) shared by all threads.
 *
 * Process-wide state, on purpose. cJSON allocates only through the hooks
 * of cJSON_InitHooks, which are global and take no argument, so:
 * - json_arena_init installs hooks for the whole program, once; main calls
 *   it before any thread starts (json_arena_parse also calls it, for the
 *   unit tests and fuzz harnesses, which have no main of ours).
 * - The hooks read one thread-local pointer: the arena of the parse the
 *   calling thread is inside. It is set only within json_arena_parse; at
 *   any other time, and in every other thread, the hooks are plain malloc
 *   and free, so every other use of cJSON in the program is unaffected. */
#ifndef SAMLAD_JSON_ARENA_H
#define SAMLAD_JSON_ARENA_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "compiler.h"

/* Installs the hooks; idempotent and thread-safe. */
void json_arena_init(void);

struct json_arena;

/* Parses exactly len bytes as cJSON_ParseWithLengthOpts(text, len, end, 0)
 * does, every item allocated in a new arena. Returns 0 with *root the tree
 * (NULL when the text is not JSON: *end says where it went wrong), or -1
 * when memory ran out. The tree belongs to *arena (owned, also when *root
 * is NULL): free both with json_arena_free, never with cJSON_Delete, and
 * add nothing to the tree. */
int json_arena_parse(const char *text, size_t len, const char **end, cJSON **root,
                     struct json_arena **arena) WUR;

/* Frees the arena and every item parsed into it; NULL is ignored. Its
 * blocks of 1 MiB are kept for the next parses (at most 16, shared by all
 * threads): memory given back to the system would be faulted in again,
 * zeroed, by the next body. */
void json_arena_free(struct json_arena *a);

/* Blocks kept for the next parses now (tests and metrics). */
size_t json_arena_pooled(void);

#endif
