/* Options from a table. Each option's value is the command line's, else its
 * environment variable's (an empty variable counts as unset), else the
 * default. Every value is checked when parsed, so a program never starts
 * with an option it would reject later. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Where an option's value came from, for error messages. */
enum config_source { SRC_UNSET, SRC_DEFAULT, SRC_ENV, SRC_ARGV };

struct config_value {
	const char *text;          /* borrowed from argv, the environment or the table; NULL if unset */
	enum config_source source; /* which of them */
	long long number;          /* the parsed INT or SIZE; 1/0 for a BOOL */
};

struct config {
	const struct config_option *table; /* borrowed: the caller's option table */
	size_t n;                          /* rows in table */
	const char *program;               /* borrowed: basename of argv[0], for messages */
	struct config_value *values;       /* owned: one per table row */
	int argc;                          /* positional arguments */
	const char **argv;                 /* owned array of borrowed argv strings */
};

/* Prints "program: message" on stderr; returns -1 for the caller to pass on. */
PRINTF(2, 3)
static int config_error(const struct config *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Each type's name in --help. */
static const char *const type_names[] = {
	[CONFIG_STRING] = "text", [CONFIG_INT] = "integer", [CONFIG_BOOL] = "flag",
	[CONFIG_SIZE] = "size",
};

/* The row named `name` (which is `len` bytes long), or -1. */
static long find_option(const struct config_option *table, size_t n,
                        const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* The parsers return 0, PARSE_SYNTAX or PARSE_RANGE (too large for 64 bits). */
enum { PARSE_SYNTAX = -1, PARSE_RANGE = -2 };

/* Parses a decimal integer (optionally signed) filling the whole text;
 * strtoll alone would also skip leading spaces. */
static int parse_integer(const char *s, long long *out)
{
	const char *digits = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
	char *end;

	if (*digits < '0' || *digits > '9')
		return PARSE_SYNTAX;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0')
		return PARSE_SYNTAX;
	if (errno == ERANGE)
		return PARSE_RANGE;
	*out = v;
	return 0;
}

/* How many times a size suffix multiplies by 1024, or -1 if not one. */
static int size_shift(char suffix)
{
	/* Each pair of letters is one power more. */
	static const char units[] = "KkMmGg";

	if (!suffix)
		return 0;
	const char *u = strchr(units, suffix);
	return u ? (int)(u - units) / 2 + 1 : -1;
}

/* Parses digits with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, long long *out)
{
	long long v = 0;
	size_t i = 0;
	bool overflow = false;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		overflow |= v > (LLONG_MAX - (s[i] - '0')) / 10;
		v = overflow ? 0 : v * 10 + (s[i] - '0');
	}
	int shift = size_shift(s[i]);
	if (i == 0 || shift < 0 || (s[i] && s[i + 1] != '\0'))
		return PARSE_SYNTAX;
	for (; shift > 0; shift--) {
		overflow |= v > LLONG_MAX / 1024;
		v *= overflow ? 0 : 1024;
	}
	if (overflow)
		return PARSE_RANGE;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, long long *out)
{
	bool yes = strcmp(s, "1") == 0 || strcmp(s, "true") == 0;

	if (!yes && strcmp(s, "0") != 0 && strcmp(s, "false") != 0)
		return -1;
	*out = yes;
	return 0;
}

/* Names the value's origin: "--port" or "--port (from SAMLAD_PORT)". */
static void origin(const struct config_option *o, const struct config_value *v,
                   char *buf, size_t size)
{
	if (v->source == SRC_ENV)
		snprintf(buf, size, "--%s (from %s)", o->name, o->env);
	else if (v->source == SRC_DEFAULT)
		snprintf(buf, size, "--%s (default)", o->name);
	else
		snprintf(buf, size, "--%s", o->name);
}

/* Parses and range-checks one value according to its type. */
static int check_value(const struct config *c, const struct config_option *o,
                       struct config_value *v)
{
	char where[160];

	if (v->source == SRC_UNSET || o->type == CONFIG_STRING)
		return 0;
	origin(o, v, where, sizeof where);
	if (o->type == CONFIG_BOOL) {
		if (parse_bool(v->text, &v->number) != 0)
			return config_error(c, "%s: '%s' is not 1, 0, true or false",
			                    where, v->text);
		return 0;
	}
	int rc = o->type == CONFIG_INT ? parse_integer(v->text, &v->number)
	                               : parse_size(v->text, &v->number);
	if (rc == PARSE_SYNTAX)
		return config_error(c, o->type == CONFIG_INT ? "%s: '%s' is not an integer"
		                    : "%s: '%s' is not a size (a number with optional K, M or G)",
		                    where, v->text);
	if (rc == PARSE_RANGE || v->number < o->min || v->number > o->max)
		return config_error(c, "%s: %s is out of range (%lld to %lld)", where,
		                    v->text, o->min, o->max);
	return 0;
}

/* Handles one "--name", "--name=value" or "--name value"; *i is advanced
 * past a value taken from the next argument. */
static int take_option(struct config *c, int argc, char **argv, int *i)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	long row = find_option(c->table, c->n, name, len);

	if (row < 0)
		return config_error(c, "unknown option --%.*s (see --help)", (int)len, name);
	const struct config_option *o = &c->table[row];
	struct config_value *v = &c->values[row];
	if (eq)
		v->text = eq + 1;
	else if (o->type == CONFIG_BOOL)
		v->text = "1";
	else if (*i + 1 < argc)
		v->text = argv[++*i];
	else
		return config_error(c, "--%s needs a value", o->name);
	v->source = SRC_ARGV;
	return 0;
}

/* Whether "--help" (or "-h") appears before any "--". */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* Walks argv: options into values, everything else into the positional list. */
static int scan_argv(struct config *c, int argc, char **argv)
{
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!options_done && strcmp(a, "--") == 0) {
			options_done = true;
		} else if (!options_done && strncmp(a, "--", 2) == 0) {
			if (take_option(c, argc, argv, &i) != 0)
				return -1;
		} else if (!options_done && a[0] == '-' && a[1] != '\0') {
			/* "-" alone is a positional argument (conventionally stdin). */
			return config_error(c, "unknown option %s (see --help)", a);
		} else {
			c->argv[c->argc++] = a;
		}
	}
	return 0;
}

/* Fills options absent from argv from the environment, then the default,
 * and checks every value. */
static int resolve(struct config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct config_option *o = &c->table[i];
		struct config_value *v = &c->values[i];
		const char *env = o->env ? getenv(o->env) : NULL;
		if (v->source == SRC_UNSET && env && *env)
			*v = (struct config_value){ .text = env, .source = SRC_ENV };
		else if (v->source == SRC_UNSET && o->def)
			*v = (struct config_value){ .text = o->def, .source = SRC_DEFAULT };
		if (check_value(c, o, v) != 0)
			return -1;
	}
	return 0;
}

static const char *program_name(int argc, char **argv)
{
	if (argc < 1 || !argv[0])
		return "samlad";
	const char *slash = strrchr(argv[0], '/');
	return slash ? slash + 1 : argv[0];
}

struct config *config_parse(const struct config_option *table, size_t n,
                            int argc, char **argv, const char *usage,
                            int *exit_code)
{
	struct config *c = calloc(1, sizeof *c);

	*exit_code = 2;
	if (!c)
		goto fail;
	*c = (struct config){ .table = table, .n = n, .program = program_name(argc, argv) };
	if (wants_help(argc, argv)) {
		config_help(stdout, usage, table, n);
		*exit_code = 0;
		goto fail;
	}
	c->values = calloc(n ? n : 1, sizeof *c->values);
	c->argv = calloc(argc > 0 ? (size_t)argc : 1, sizeof *c->argv);
	if (!c->values || !c->argv) {
		config_error(c, "out of memory");
		goto fail;
	}
	if (scan_argv(c, argc, argv) != 0 || resolve(c) != 0)
		goto fail;
	return c;
fail:
	config_free(c);
	return NULL;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->values);
	free(c->argv);
	free(c);
}

/* The value of a named option. A name missing from the table, or an option
 * read as a type it is not, is a bug in the program, so it stops at once
 * rather than run misconfigured. `types` is the mask (1 << type) of the
 * types the caller may read; `what` names them for the message. */
static const struct config_value *lookup(const struct config *c, const char *name,
                                         unsigned types, const char *what)
{
	long row = find_option(c->table, c->n, name, strlen(name));

	if (row < 0)
		fprintf(stderr, "%s: no option named --%s in the table\n", c->program, name);
	else if (!(types & 1u << c->table[row].type))
		fprintf(stderr, "%s: --%s is not %s\n", c->program, name, what);
	else
		return &c->values[row];
	abort();
}

const char *config_str(const struct config *c, const char *name)
{
	return lookup(c, name, ~0u, "text")->text;
}

long long config_int(const struct config *c, const char *name)
{
	return lookup(c, name, 1u << CONFIG_INT | 1u << CONFIG_SIZE, "a number option")->number;
}

bool config_bool(const struct config *c, const char *name)
{
	return lookup(c, name, 1u << CONFIG_BOOL, "a flag")->number != 0;
}

int config_argc(const struct config *c)
{
	return c->argc;
}

const char *config_arg(const struct config *c, int i)
{
	return i >= 0 && i < c->argc ? c->argv[i] : NULL;
}

/* One option's block: the name and type, the doc, then default and env. */
static void help_option(FILE *out, const struct config_option *o)
{
	if (o->type == CONFIG_BOOL)
		fprintf(out, "  --%s  (%s)\n", o->name, type_names[o->type]);
	else if (o->type == CONFIG_STRING)
		fprintf(out, "  --%s VALUE  (%s)\n", o->name, type_names[o->type]);
	else
		fprintf(out, "  --%s VALUE  (%s, %lld to %lld)\n", o->name,
		        type_names[o->type], o->min, o->max);
	fprintf(out, "      %s\n", o->doc ? o->doc : "");
	/* An absent flag is false; other options without a default are unset. */
	const char *def = o->def ? o->def : o->type == CONFIG_BOOL ? "false" : "none";
	fprintf(out, "      default: %s; environment: %s\n", def, o->env ? o->env : "none");
}

void config_help(FILE *out, const char *usage,
                 const struct config_option *table, size_t n)
{
	fprintf(out, "Usage: %s\n\nOptions:\n", usage ? usage : "");
	for (size_t i = 0; i < n; i++)
		help_option(out, &table[i]);
	fprintf(out, "  --help\n      Prints this help and exits.\n");
	fflush(out);
}
