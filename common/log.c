/* One line per event on stderr. Lines are built in a local buffer and
 * written with one write(2) so that threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "samlad";
static enum log_level log_threshold = LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

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

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (level < log_threshold)
		return;
	size_t n = log_timestamp(line, sizeof line);
	n += (size_t)snprintf(line + n, sizeof line - n, " %s %s ", log_program,
	                      level_names[level]);
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	n = (m < 0 || n + (size_t)m >= sizeof line - 1) ? sizeof line - 2 : n + (size_t)m;
	/* A message never spans lines: a newline inside it would forge a record. */
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}
