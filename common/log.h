/* One line per event on stderr: time, program, level, message — as text,
 * or as one JSON object per line for log shippers (--log-format json).
 * Callers never pass a token or a request body to these functions. */
#ifndef SAMLAD_LOG_H
#define SAMLAD_LOG_H

#include "compiler.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Names the program in every line; call once at start. */
void log_init(const char *program);
/* Lines below this level are dropped. */
void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 when unknown. */
int log_level_parse(const char *name);
/* Lines are written as text (the default) or JSON. */
void log_set_format(enum log_format format);
/* Sets the level and the format from their option values ("info",
 * "text"). Returns NULL, or a sentence naming the option that is wrong
 * (and changes nothing). */
const char *log_configure(const char *level, const char *format) WUR;
/* Writes one line, atomically with respect to other threads. */
void log_msg(enum log_level level, const char *fmt, ...) PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
