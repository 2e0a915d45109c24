/* One line per event on stderr. Lines are built in a local buffer and
 * written with one write(2) so that threads never interleave.
 *
 * A JSON line has the text line's fields, time, program, level and
 * message, and one more for each "key=value" word of the message (the
 * request lines' status=200 bytes=512 ms=1.2), a number where the value is
 * one, so that a log shipper can filter on them without parsing text. */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

static const char *log_program = "samlad";
static enum log_level log_threshold = LOG_INFO;
static enum log_format log_form = LOG_FORMAT_TEXT;

static const char *const level_names[] = { "debug", "info", "warn", "error" };
static const char *const format_names[] = { "text", "json" };

/* Room for one line: a message is cut to fit (JSON escapes at most six
 * bytes per message byte, and the fields repeat parts of the message). */
#define LOG_LINE_MAX 2048
#define LOG_JSON_MAX (16 * LOG_LINE_MAX)

void log_init(const char *program)
{
	log_program = program;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void log_set_format(enum log_format format)
{
	log_form = format;
}

const char *log_configure(const char *level, const char *format)
{
	int l = log_level_parse(level);
	int f = -1;

	for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
		if (strcmp(format, format_names[i]) == 0)
			f = (int)i;
	if (l < 0)
		return "--log-level must be debug, info, warn or error";
	if (f < 0)
		return "--log-format must be text or json";
	log_set_level((enum log_level)l);
	log_set_format((enum log_format)f);
	return NULL;
}

/* Writes "2024-05-01T12:00:00.123Z" into buf. */
static size_t log_timestamp(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	int m = snprintf(buf + n, size - n, ".%03dZ", (int)(tv.tv_usec / 1000));
	return n + (m > 0 ? (size_t)m : 0);
}

/* Appends to out (of size `size`, at *n) the len bytes at s as the inside
 * of a JSON string: quotes, backslashes and control characters escaped,
 * bytes that are not UTF-8 replaced by U+FFFD. Stops when out is full. */
static void json_escape(char *out, size_t size, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 7 < size;) {
		unsigned char c = (unsigned char)s[i];
		size_t seq = utf8_seq(s + i, len - i);

		if (c == '"' || c == '\\') {
			out[(*n)++] = '\\';
			out[(*n)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*n += (size_t)snprintf(out + *n, size - *n, "\\u%04x", c);
		} else if (seq == 0) {
			*n += (size_t)snprintf(out + *n, size - *n, "\\ufffd");
		} else {
			memcpy(out + *n, s + i, seq);
			*n += seq;
			i += seq;
			continue;
		}
		i++;
	}
}

/* True when the len bytes at s are a JSON number as strtod reads one. */
static bool is_number(const char *s, size_t len)
{
	char tmp[32], *end;

	if (len == 0 || len >= sizeof tmp || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	strtod(tmp, &end);
	return *end == '\0' && strspn(tmp, "-0123456789.") == len;
}

/* True when the klen bytes at key name one of the fields every line has. */
static bool fixed_field(const char *key, size_t klen)
{
	static const char *const fixed[] = { "time", "program", "level", "message" };

	for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
		if (strlen(fixed[i]) == klen && memcmp(key, fixed[i], klen) == 0)
			return true;
	return false;
}

/* Appends ,"key":value for every word key=value of msg whose key is
 * lower-case letters and underscores and not one of the fixed fields. */
static void json_fields(char *out, size_t size, size_t *n, const char *msg)
{
	for (const char *w = msg; *w; w += strcspn(w, " "), w += strspn(w, " ")) {
		size_t klen = strspn(w, "abcdefghijklmnopqrstuvwxyz_");
		size_t wlen = strcspn(w, " ");
		if (klen == 0 || w[klen] != '=' || fixed_field(w, klen))
			continue;
		const char *v = w + klen + 1;
		size_t vlen = wlen - klen - 1;
		bool num = is_number(v, vlen);
		*n += (size_t)snprintf(out + *n, size - *n, ",\"%.*s\":%s", (int)klen, w,
		                       num ? "" : "\"");
		if (*n >= size)
			break;
		json_escape(out, size, n, v, vlen);
		if (!num && *n + 1 < size)
			out[(*n)++] = '"';
	}
}

/* Writes the JSON form of one line: {"time":…,"program":…,"level":…,"message":…,…}. */
static void log_write_json(const char *time, enum log_level level, const char *msg)
{
	char *line = malloc(LOG_JSON_MAX);
	size_t n;

	if (!line)
		return;
	n = (size_t)snprintf(line, LOG_JSON_MAX, "{\"time\":\"%s\",\"program\":\"", time);
	json_escape(line, LOG_JSON_MAX, &n, log_program, strlen(log_program));
	n += (size_t)snprintf(line + n, LOG_JSON_MAX - n, "\",\"level\":\"%s\",\"message\":\"",
	                      level_names[level]);
	json_escape(line, LOG_JSON_MAX, &n, msg, strlen(msg));
	line[n++] = '"';
	json_fields(line, LOG_JSON_MAX - 3, &n, msg);
	line[n++] = '}';
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	free(line);
}

/* Writes the text form of one line: time, program, level, message. */
static void log_write_text(const char *time, enum log_level level, char *msg)
{
	char line[LOG_LINE_MAX + 128];
	int n = snprintf(line, sizeof line, "%s %s %s %s\n", time, log_program,
	                 level_names[level], msg);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], time[40];
	va_list ap;

	if (level < log_threshold)
		return;
	log_timestamp(time, sizeof time);
	va_start(ap, fmt);
	int m = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (m < 0)
		msg[0] = '\0';
	/* A message never spans lines: a newline inside it would forge a record. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_form == LOG_FORMAT_JSON)
		log_write_json(time, level, msg);
	else
		log_write_text(time, level, msg);
}
