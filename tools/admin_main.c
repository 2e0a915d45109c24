/* samlad-admin: runs migrations, imports the catalogue, manages tokens,
 * writes demo data and the annual review report, locks years, lists the
 * audit and mails reminders. `samlad-admin COMMAND [options] [arguments]`: the
 * command (one or two words) comes first, then its options in any order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "log.h"
#include "utf8.h"

static const struct admin_command *const commands[] = {
	&admin_migrate,
	&admin_catalogue_import,
	&admin_token_create,
	&admin_token_revoke,
	&admin_token_list,
	&admin_demo_data,
	&admin_demo_load,
	&admin_report,
	&admin_lock,
	&admin_audit,
	&admin_remind,
};

static const struct config_option common_options[] = { ADMIN_COMMON_OPTIONS };

static const char program_usage[] =
	"samlad-admin COMMAND [OPTION...] [ARGUMENT...]";

int admin_error(const char *fmt, ...)
{
	va_list ap;
	fputs("samlad-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int admin_db_error(const struct db *db, const char *what)
{
	const char *state = db_sqlstate(db);
	if (state[0])
		return admin_error("%s: %s (SQLSTATE %s)", what, db_error(db), state);
	return admin_error("%s: %s", what, db_error(db));
}

bool admin_text_valid(const char *s, size_t max)
{
	size_t len = strlen(s), chars = 0;

	for (size_t i = 0; i < len; chars++) {
		const unsigned char *c = (const unsigned char *)s + i;
		size_t n = utf8_seq(c, len - i);
		/* C0 and DEL are one byte; C1 is 0xC2 0x80 to 0xC2 0x9F. */
		if (n == 0 || c[0] < 0x20 || c[0] == 0x7f || (c[0] == 0xc2 && c[1] < 0xa0))
			return false;
		i += n;
	}
	return chars >= 1 && chars <= max;
}

struct db *admin_connect(const struct config *cfg)
{
	struct db *db = db_new(config_str(cfg, "database-url"));
	if (!db) {
		admin_error("out of memory");
		return NULL;
	}
	if (db_connect(db) != DB_OK) {
		admin_db_error(db, "cannot connect to the database");
		db_free(db);
		return NULL;
	}
	return db;
}

/* "token create" or "migrate". */
static void command_words(const struct admin_command *cmd, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", cmd->name, cmd->verb ? " " : "",
	         cmd->verb ? cmd->verb : "");
}

/* The program's help: the options every command takes, then the commands. */
static void program_help(FILE *out)
{
	char words[64];

	config_help(out, program_usage, common_options, ARRAY_LEN(common_options));
	fprintf(out, "\nCommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		command_words(commands[i], words, sizeof words);
		fprintf(out, "  %-18s %s\n", words, commands[i]->summary);
	}
	fprintf(out, "\n`samlad-admin COMMAND --help` lists a command's own options.\n");
}

/* Finds the command named by argv[1] (and argv[2] for two-word commands);
 * *words says how many arguments named it. */
static const struct admin_command *find_command(int argc, char **argv, int *words)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		const struct admin_command *c = commands[i];
		if (strcmp(argv[1], c->name) != 0)
			continue;
		if (!c->verb) {
			*words = 1;
			return c;
		}
		if (argc > 2 && strcmp(argv[2], c->verb) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

/* Says what is wrong with the words that named no command: an unknown
 * first word, or a known one without a verb it has. */
static void unknown_command(int argc, char **argv)
{
	char verbs[128] = "";
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (commands[i]->verb && strcmp(argv[1], commands[i]->name) == 0)
			n += (size_t)snprintf(verbs + n, sizeof verbs - n, "%s%s",
			                      n ? ", " : "", commands[i]->verb);
	if (n == 0)
		admin_error("unknown command \"%s\"; `samlad-admin --help` lists them", argv[1]);
	else if (argc < 3)
		admin_error("%s: expected one of %s", argv[1], verbs);
	else
		admin_error("%s: expected one of %s, not \"%s\"", argv[1], verbs, argv[2]);
}

/* Checks what config_parse cannot: the number of positional arguments, a
 * known log level and format and a database to talk to. 0, or -1 after saying why. */
static int check_config(const struct admin_command *cmd, const struct config *cfg,
                        const char *usage)
{
	const char *url = config_str(cfg, "database-url");
	const char *bad;

	if (config_argc(cfg) != cmd->nargs)
		return admin_error("expected %d argument%s: %s", cmd->nargs,
		                   cmd->nargs == 1 ? "" : "s", usage);
	if ((bad = log_configure(config_str(cfg, "log-level"), config_str(cfg, "log-format"))))
		return admin_error("%s", bad);
	if (!url || !url[0])
		return admin_error("no database: set DATABASE_URL or pass --database-url");
	return 0;
}

/* Parses the command's options (argv[0] is its last word) and runs it.
 * config_parse names the program after argv[0] in its messages, so that
 * becomes the whole command, "samlad-admin token create". */
static int run_command(const struct admin_command *cmd, int argc, char **argv)
{
	char words[64], program[96], usage[256];
	char **args = calloc((size_t)argc + 1, sizeof *args);
	struct config *cfg = NULL;
	int code = ADMIN_USAGE;

	if (!args) {
		admin_error("out of memory");
		return ADMIN_FAIL;
	}
	command_words(cmd, words, sizeof words);
	snprintf(program, sizeof program, "samlad-admin %s", words);
	snprintf(usage, sizeof usage, "%s [OPTION...]%s%s", program,
	         cmd->args[0] ? " " : "", cmd->args);
	args[0] = program;
	memcpy(args + 1, argv + 1, (size_t)(argc - 1) * sizeof *args);
	cfg = config_parse(cmd->options, cmd->noptions, argc, args, usage, &code);
	if (cfg)
		code = check_config(cmd, cfg, usage) != 0 ? ADMIN_USAGE : cmd->run(cfg);
	config_free(cfg);
	free(args);
	return code;
}

int main(int argc, char **argv)
{
	const struct admin_command *cmd;
	int words = 0;

	log_init("samlad-admin");
	if (argc < 2) {
		program_help(stderr);
		return ADMIN_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		program_help(stdout);
		return ADMIN_OK;
	}
	cmd = find_command(argc, argv, &words);
	if (!cmd) {
		unknown_command(argc, argv);
		return ADMIN_USAGE;
	}
	return run_command(cmd, argc - words, argv + words);
}
