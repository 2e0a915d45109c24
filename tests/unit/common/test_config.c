/* Options: defaults, the environment, the command line over both, each type's
 * parsing and range, every usage error with its exact message and exit code,
 * positional arguments and --help. */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include "config.h"
#include "tap.h"

#define GIB (1LL << 30)

static const struct config_option table[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8080", "SAMLAD_TEST_LISTEN", 0, 0,
	  "Address and port to listen on." },
	{ "port", CONFIG_INT, "8080", "SAMLAD_TEST_PORT", 1, 65535, "A port." },
	{ "body-limit", CONFIG_SIZE, "8M", "SAMLAD_TEST_BODY_LIMIT", 1, GIB, "Largest body." },
	{ "verbose", CONFIG_BOOL, NULL, "SAMLAD_TEST_VERBOSE", 0, 0, "Log more." },
	{ "database-url", CONFIG_STRING, NULL, "SAMLAD_TEST_DATABASE_URL", 0, 0, "Where." },
	{ "workers", CONFIG_INT, "4", NULL, -2, 64, "Threads." },
	CONFIG_LOG_OPTIONS,
};

/* What a parse printed and returned. */
struct run {
	struct config *c;  /* the result, or NULL */
	int code;          /* *exit_code as set by config_parse */
	char out[4096];    /* what it printed on stdout */
	char err[1024];    /* what it printed on stderr */
};

/* Reads back what was written to f since it was opened. */
static void slurp(FILE *f, char *buf, size_t size)
{
	rewind(f);
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs config_parse on a NULL-terminated argument list with stdout and
 * stderr captured, so that its output is checked rather than mixed into TAP. */
static struct run *parse(const struct config_option *t, size_t n, ...)
{
	static struct run r;
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, n);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out = dup(1), saved_err = dup(2);
	fflush(stdout);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r.code = -1;
	r.c = config_parse(t, n, argc, argv, "samlad-x [OPTIONS] FILE...", &r.code);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(out, r.out, sizeof r.out);
	slurp(err, r.err, sizeof r.err);
	return &r;
}

#define PARSE(...) parse(table, ARRAY_LEN(table), "samlad-x", __VA_ARGS__, (char *)NULL)

static void clear_env(void)
{
	unsetenv("SAMLAD_TEST_LISTEN");
	unsetenv("SAMLAD_TEST_PORT");
	unsetenv("SAMLAD_TEST_BODY_LIMIT");
	unsetenv("SAMLAD_TEST_VERBOSE");
	unsetenv("SAMLAD_TEST_DATABASE_URL");
	unsetenv("SAMLAD_LOG_LEVEL");
}

/* Expects a usage error: no config, exit code 2, exactly `msg` on stderr. */
PRINTF(3, 4)
static void expect_error(struct run *r, const char *msg, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	ok(r->c == NULL, "%s: no config", what);
	is_int(r->code, 2, "%s: exit code 2", what);
	is_str(r->err, msg, "%s: message", what);
	is_str(r->out, "", "%s: nothing on stdout", what);
	config_free(r->c);
}

static void test_defaults(void)
{
	struct run *r = parse(table, ARRAY_LEN(table), "samlad-x", (char *)NULL);
	ok(r->c != NULL, "no arguments parse");
	is_str(config_str(r->c, "listen"), "127.0.0.1:8080", "default listen");
	is_int(config_int(r->c, "port"), 8080, "default port");
	is_int(config_int(r->c, "body-limit"), 8388608, "default body limit 8M");
	is_str(config_str(r->c, "body-limit"), "8M", "the size's text");
	ok(!config_bool(r->c, "verbose"), "flag defaults to false");
	ok(config_str(r->c, "database-url") == NULL, "no default means NULL");
	is_str(config_str(r->c, "log-level"), "info", "shared log-level row");
	is_int(config_argc(r->c), 0, "no positional arguments");
	ok(config_arg(r->c, 0) == NULL, "no first argument");
	is_str(r->err, "", "nothing on stderr");
	config_free(r->c);
}

static void test_env(void)
{
	setenv("SAMLAD_TEST_PORT", "9000", 1);
	setenv("SAMLAD_TEST_LISTEN", "0.0.0.0:1", 1);
	setenv("SAMLAD_TEST_DATABASE_URL", "postgres:///samlad", 1);
	setenv("SAMLAD_TEST_BODY_LIMIT", "64K", 1);
	setenv("SAMLAD_TEST_VERBOSE", "true", 1);
	setenv("SAMLAD_LOG_LEVEL", "debug", 1);
	struct run *r = parse(table, ARRAY_LEN(table), "samlad-x", (char *)NULL);
	ok(r->c != NULL, "env parses");
	is_int(config_int(r->c, "port"), 9000, "port from env");
	is_str(config_str(r->c, "listen"), "0.0.0.0:1", "listen from env");
	is_str(config_str(r->c, "database-url"), "postgres:///samlad", "url from env");
	is_int(config_int(r->c, "body-limit"), 65536, "size from env");
	ok(config_bool(r->c, "verbose"), "flag true from env");
	is_str(config_str(r->c, "log-level"), "debug", "log level from env");
	config_free(r->c);

	r = PARSE("--port", "9100", "--listen=127.0.0.1:9", "--body-limit", "1K",
	          "--verbose=false", "--log-level=warn");
	ok(r->c != NULL, "argv over env parses");
	is_int(config_int(r->c, "port"), 9100, "argv port beats env");
	is_str(config_str(r->c, "listen"), "127.0.0.1:9", "argv listen beats env");
	is_int(config_int(r->c, "body-limit"), 1024, "argv size beats env");
	ok(!config_bool(r->c, "verbose"), "--verbose=false beats env true");
	is_str(config_str(r->c, "log-level"), "warn", "argv log level beats env");
	is_str(config_str(r->c, "database-url"), "postgres:///samlad", "env kept when absent");
	config_free(r->c);

	static const char *const truthy[] = { "1", "true" }, *const falsy[] = { "0", "false" };
	for (int i = 0; i < 2; i++) {
		setenv("SAMLAD_TEST_VERBOSE", truthy[i], 1);
		r = parse(table, ARRAY_LEN(table), "samlad-x", (char *)NULL);
		ok(r->c && config_bool(r->c, "verbose"), "env flag %s is true", truthy[i]);
		config_free(r->c);
		setenv("SAMLAD_TEST_VERBOSE", falsy[i], 1);
		r = parse(table, ARRAY_LEN(table), "samlad-x", (char *)NULL);
		ok(r->c && !config_bool(r->c, "verbose"), "env flag %s is false", falsy[i]);
		config_free(r->c);
	}
	clear_env();

	setenv("SAMLAD_TEST_PORT", "", 1);
	setenv("SAMLAD_TEST_DATABASE_URL", "", 1);
	r = parse(table, ARRAY_LEN(table), "samlad-x", (char *)NULL);
	ok(r->c != NULL, "empty env parses");
	is_int(config_int(r->c, "port"), 8080, "empty env var falls back to the default");
	ok(config_str(r->c, "database-url") == NULL, "empty env var without default is unset");
	config_free(r->c);
	clear_env();
}

static void test_env_errors(void)
{
	setenv("SAMLAD_TEST_PORT", "0", 1);
	expect_error(PARSE("--listen", "x"),
	             "samlad-x: --port (from SAMLAD_TEST_PORT): 0 is out of range (1 to 65535)\n",
	             "env port out of range");
	setenv("SAMLAD_TEST_PORT", "80 ", 1);
	expect_error(PARSE("a"),
	             "samlad-x: --port (from SAMLAD_TEST_PORT): '80 ' is not an integer\n",
	             "env port with a space");
	/* A valid command-line value means the bad env var is never read. */
	struct run *r = PARSE("--port", "81");
	ok(r->c != NULL && config_int(r->c, "port") == 81, "argv hides a bad env var");
	config_free(r->c);
	clear_env();
	setenv("SAMLAD_TEST_VERBOSE", "yes", 1);
	expect_error(PARSE("a"),
	             "samlad-x: --verbose (from SAMLAD_TEST_VERBOSE): 'yes' is not 1, 0, true or false\n",
	             "env flag yes");
	clear_env();
}

static void test_forms(void)
{
	struct run *r = PARSE("--port=9200", "--database-url=postgres://u@h/db?sslmode=disable&a=b");
	ok(r->c != NULL, "--x=y parses");
	is_int(config_int(r->c, "port"), 9200, "--port=9200");
	is_str(config_str(r->c, "database-url"), "postgres://u@h/db?sslmode=disable&a=b",
	       "value keeps every '=' after the first");
	config_free(r->c);

	r = PARSE("--port", "1", "--port=2", "--port", "3");
	is_int(r->c ? config_int(r->c, "port") : -1, 3, "the last occurrence wins");
	is_str(r->c ? config_str(r->c, "port") : NULL, "3", "config_str of an INT is its text");
	config_free(r->c);

	r = PARSE("--listen=", "--workers", "-2");
	ok(r->c != NULL, "empty value and negative number parse");
	is_str(config_str(r->c, "listen"), "", "--listen= gives an empty string");
	is_int(config_int(r->c, "workers"), -2, "a negative value is taken after the name");
	config_free(r->c);

	r = PARSE("--workers=+7", "--port", "00080");
	is_int(r->c ? config_int(r->c, "workers") : -1, 7, "+7 is 7");
	is_int(r->c ? config_int(r->c, "port") : -1, 80, "leading zeros are decimal");
	config_free(r->c);

	r = PARSE("--verbose", "file.csv");
	ok(r->c && config_bool(r->c, "verbose"), "--verbose sets the flag");
	is_int(r->c ? config_argc(r->c) : -1, 1, "a flag takes no value from the next argument");
	is_str(r->c ? config_arg(r->c, 0) : NULL, "file.csv", "the next argument is positional");
	config_free(r->c);

	r = PARSE("--verbose=1");
	ok(r->c && config_bool(r->c, "verbose"), "--verbose=1");
	config_free(r->c);
}

static void test_sizes(void)
{
	static const struct { const char *in; long long want; } good[] = {
		{ "8M", 8388608 }, { "8m", 8388608 }, { "1K", 1024 }, { "1k", 1024 },
		{ "1G", GIB }, { "1024", 1024 }, { "1", 1 }, { "0001K", 1024 },
		{ "1048576K", GIB },
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct run *r = PARSE("--body-limit", good[i].in);
		is_int(r->c ? config_int(r->c, "body-limit") : -1, good[i].want, "size %s", good[i].in);
		config_free(r->c);
	}
	static const char *const syntax[] = { "8MB", "M", "", "8.5M", "-1", "+1", " 8M",
	                                      "8M ", "8T", "8 M", "0x10", "8MM", "K8" };
	for (size_t i = 0; i < ARRAY_LEN(syntax); i++) {
		char want[200];
		snprintf(want, sizeof want, "samlad-x: --body-limit: '%s' is not a size "
		         "(a number with optional K, M or G)\n", syntax[i]);
		expect_error(PARSE("--body-limit", syntax[i]), want, "size '%s'", syntax[i]);
	}
	static const char *const huge[] = { "9223372036854775808", "99999999999999999999",
	                                    "9999999999999999999G", "9007199254740992G",
	                                    "8589934592G" };
	for (size_t i = 0; i < ARRAY_LEN(huge); i++) {
		char want[200];
		snprintf(want, sizeof want, "samlad-x: --body-limit: %s is out of range "
		         "(1 to 1073741824)\n", huge[i]);
		expect_error(PARSE("--body-limit", huge[i]), want, "overflow %s", huge[i]);
	}
	expect_error(PARSE("--body-limit=2G"),
	             "samlad-x: --body-limit: 2G is out of range (1 to 1073741824)\n", "size 2G");
	expect_error(PARSE("--body-limit=0"),
	             "samlad-x: --body-limit: 0 is out of range (1 to 1073741824)\n", "size 0");
	expect_error(PARSE("--body-limit=1048577K"),
	             "samlad-x: --body-limit: 1048577K is out of range (1 to 1073741824)\n",
	             "one KiB over the limit");
}

static void test_int_errors(void)
{
	expect_error(PARSE("--port", "70000"),
	             "samlad-x: --port: 70000 is out of range (1 to 65535)\n", "port 70000");
	expect_error(PARSE("--port=0"),
	             "samlad-x: --port: 0 is out of range (1 to 65535)\n", "port 0");
	expect_error(PARSE("--port=-1"),
	             "samlad-x: --port: -1 is out of range (1 to 65535)\n", "port -1");
	expect_error(PARSE("--workers=-3"),
	             "samlad-x: --workers: -3 is out of range (-2 to 64)\n", "workers -3");
	static const char *const bad[] = { "abc", "", " 80", "80 ", "80x", "8.0", "0x50",
	                                   "-", "+", "--1", "1e3" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char want[128];
		snprintf(want, sizeof want, "samlad-x: --port: '%s' is not an integer\n", bad[i]);
		expect_error(PARSE("--port", bad[i]), want, "port '%s'", bad[i]);
	}
	expect_error(PARSE("--port", "99999999999999999999"),
	             "samlad-x: --port: 99999999999999999999 is out of range (1 to 65535)\n",
	             "an integer too large for 64 bits");
	expect_error(PARSE("--port", "-99999999999999999999"),
	             "samlad-x: --port: -99999999999999999999 is out of range (1 to 65535)\n",
	             "an integer too small for 64 bits");
	struct run *r = PARSE("--port=1");
	is_int(r->c ? config_int(r->c, "port") : -1, 1, "port at the minimum");
	config_free(r->c);
	r = PARSE("--port=65535");
	is_int(r->c ? config_int(r->c, "port") : -1, 65535, "port at the maximum");
	config_free(r->c);
}

static void test_usage_errors(void)
{
	expect_error(PARSE("--nope"), "samlad-x: unknown option --nope (see --help)\n",
	             "unknown option");
	expect_error(PARSE("--nope=3"), "samlad-x: unknown option --nope (see --help)\n",
	             "unknown option with a value");
	expect_error(PARSE("--por", "1"), "samlad-x: unknown option --por (see --help)\n",
	             "no prefix matching");
	expect_error(PARSE("--Port", "1"), "samlad-x: unknown option --Port (see --help)\n",
	             "names are case-sensitive");
	expect_error(PARSE("-x"), "samlad-x: unknown option -x (see --help)\n",
	             "unknown short option");
}

static void test_missing_value(void)
{
	expect_error(PARSE("--listen"), "samlad-x: --listen needs a value\n", "--listen at the end");
	expect_error(PARSE("a", "--port"), "samlad-x: --port needs a value\n", "--port at the end");
	expect_error(parse(table, ARRAY_LEN(table), "/usr/local/bin/samlad-x", "--port=abc",
	                   (char *)NULL),
	             "samlad-x: --port: 'abc' is not an integer\n",
	             "the program name is argv[0]'s basename");
}

static void test_positional(void)
{
	struct run *r = PARSE("a.csv", "--port", "1", "b.csv", "-", "--", "--listen", "-x", "");
	ok(r->c != NULL, "positional arguments parse");
	is_int(config_argc(r->c), 6, "six positional arguments");
	is_str(config_arg(r->c, 0), "a.csv", "first");
	is_str(config_arg(r->c, 1), "b.csv", "second, after an option");
	is_str(config_arg(r->c, 2), "-", "a lone dash is positional");
	is_str(config_arg(r->c, 3), "--listen", "after --, options are positional");
	is_str(config_arg(r->c, 4), "-x", "after --, dashes are positional");
	is_str(config_arg(r->c, 5), "", "an empty argument is kept");
	ok(config_arg(r->c, 6) == NULL, "past the end is NULL");
	ok(config_arg(r->c, -1) == NULL, "negative index is NULL");
	is_str(config_str(r->c, "listen"), "127.0.0.1:8080", "--listen after -- is not an option");
	is_int(config_int(r->c, "port"), 1, "--port before -- is an option");
	config_free(r->c);

	r = PARSE("--", "--");
	is_int(r->c ? config_argc(r->c) : -1, 1, "a second -- is positional");
	is_str(r->c ? config_arg(r->c, 0) : NULL, "--", "and kept");
	config_free(r->c);
}

static const struct config_option small[] = {
	{ "listen", CONFIG_STRING, "127.0.0.1:8080", "SAMLAD_LISTEN", 0, 0, "Address." },
	{ "port", CONFIG_INT, "8080", NULL, 1, 65535, "Port." },
	{ "limit", CONFIG_SIZE, "8M", NULL, 1, 1024, "Limit." },
	{ "verbose", CONFIG_BOOL, NULL, NULL, 0, 0, "More." },
};

static const char small_help[] =
	"Usage: samlad-x [OPTIONS] FILE...\n"
	"\n"
	"Options:\n"
	"  --listen VALUE  (text)\n"
	"      Address.\n"
	"      default: 127.0.0.1:8080; environment: SAMLAD_LISTEN\n"
	"  --port VALUE  (integer, 1 to 65535)\n"
	"      Port.\n"
	"      default: 8080; environment: none\n"
	"  --limit VALUE  (size, 1 to 1024)\n"
	"      Limit.\n"
	"      default: 8M; environment: none\n"
	"  --verbose  (flag)\n"
	"      More.\n"
	"      default: false; environment: none\n"
	"  --help\n"
	"      Prints this help and exits.\n";

static void test_help(void)
{
	/* --help wins over errors elsewhere on the line, even the default of
	 * --limit that is out of its own range. */
	struct run *r = parse(small, ARRAY_LEN(small), "samlad-x", "--nope", "--help",
	                      (char *)NULL);
	ok(r->c == NULL, "--help returns no config");
	is_int(r->code, 0, "--help exits 0");
	is_str(r->out, small_help, "--help prints the table");
	is_str(r->err, "", "--help prints nothing on stderr");

	r = parse(small, ARRAY_LEN(small), "samlad-x", "-h", (char *)NULL);
	is_int(r->code, 0, "-h exits 0");
	is_str(r->out, small_help, "-h prints the same");

	r = parse(small, ARRAY_LEN(small), "samlad-x", "--", "--help", (char *)NULL);
	ok(r->c == NULL, "the bad default of --limit is an error");
	is_int(r->code, 2, "--help after -- is positional");
	is_str(r->err, "samlad-x: --limit (default): 8M is out of range (1 to 1024)\n",
	       "a bad default names itself");
	is_str(r->out, "", "no help after --");

	FILE *f = tmpfile();
	char text[4096];
	config_help(f, "samlad-x [OPTIONS] FILE...", small, ARRAY_LEN(small));
	slurp(f, text, sizeof text);
	is_str(text, small_help, "config_help writes the same to any stream");

	r = PARSE("--help");
	is_int(r->code, 0, "--help of the full table exits 0");
	ok(strstr(r->out, "  --body-limit VALUE  (size, 1 to 1073741824)\n      Largest body.\n"
	           "      default: 8M; environment: SAMLAD_TEST_BODY_LIMIT\n") != NULL,
	   "size option block");
	ok(strstr(r->out, "  --log-level VALUE  (text)\n      Lowest level logged: debug, info, "
	           "warn or error.\n      default: info; environment: SAMLAD_LOG_LEVEL\n") != NULL,
	   "shared log-level block");
	ok(strstr(r->out, "  --database-url VALUE  (text)\n      Where.\n"
	           "      default: none; environment: SAMLAD_TEST_DATABASE_URL\n") != NULL,
	   "option without default");
}

/* Asking for a name not in the table is a programming error: it aborts. */
static void test_abort(void)
{
	static const char *const names[] = { "nope", "listen-x" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stderr))
				_exit(3);
			struct run *r = PARSE("a");
			(void)config_str(r->c, names[i]);
			_exit(0);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		   "config_str(\"%s\") aborts", names[i]);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		struct run *r = PARSE("a");
		(void)config_int(r->c, "listen");
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "config_int of a text option aborts");
}

int main(void)
{
	clear_env();
	test_defaults();
	test_env();
	test_env_errors();
	test_forms();
	test_sizes();
	test_int_errors();
	test_usage_errors();
	test_missing_value();
	test_positional();
	test_help();
	test_abort();
	return tap_done();
}
