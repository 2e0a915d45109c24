/* Program options as a table: each row a name, type, default, environment
 * variable and doc line. `--help` prints the table; docs/configuration.md
 * documents the same rows and a test checks that the two agree. */
#ifndef SAMLAD_CONFIG_H
#define SAMLAD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include "compiler.h"

enum config_type {
	CONFIG_STRING,   /* any text */
	CONFIG_INT,      /* a decimal integer within [min, max] */
	CONFIG_BOOL,     /* a flag: present means true; env accepts 1/0/true/false */
	CONFIG_SIZE,     /* bytes, with an optional K, M or G suffix (powers of 1024) */
};

struct config_option {
	const char *name;    /* the long option without "--", e.g. "listen" */
	enum config_type type; /* how the value is parsed */
	const char *def;     /* the default as text; NULL means unset */
	const char *env;     /* an environment variable read when the option is absent, or NULL */
	long long min;       /* the smallest accepted value of an INT or SIZE */
	long long max;       /* the largest accepted value of an INT or SIZE */
	const char *doc;     /* one sentence for --help and the docs */
};

struct config;

/* Parses argv (options may stand anywhere; "--" ends them) against the table.
 * On success returns a config that the caller frees with config_free.
 * Returns NULL and sets *exit_code when the program should exit now: 0 after
 * printing --help to stdout, 2 after printing a usage error to stderr.
 * `usage` is the synopsis line printed by --help. */
struct config *config_parse(const struct config_option *table, size_t n,
                            int argc, char **argv, const char *usage,
                            int *exit_code);
void config_free(struct config *c);

/* The value of a named option: the command line, else its env var, else its
 * default. Asking for a name not in the table aborts (a programming error). */
const char *config_str(const struct config *c, const char *name);
long long config_int(const struct config *c, const char *name);
bool config_bool(const struct config *c, const char *name);

/* Positional arguments left after the options, in order. */
int config_argc(const struct config *c);
const char *config_arg(const struct config *c, int i);

/* Prints the usage line and one block per option to `out`. */
void config_help(FILE *out, const char *usage,
                 const struct config_option *table, size_t n);

/* The option rows every program has, for their tables. */
#define CONFIG_LOG_OPTIONS \
	{ "log-level", CONFIG_STRING, "info", "SAMLAD_LOG_LEVEL", 0, 0, \
	  "Lowest level logged: debug, info, warn or error." }, \
	{ "log-format", CONFIG_STRING, "text", "SAMLAD_LOG_FORMAT", 0, 0, \
	  "Log lines as text, or json: one object per line for log shippers." }

#endif
