/* samlad-push: an agency system's client. Sends each file given (CSV, or
 * JSON when the name ends in .json) to the collector as one batch and prints
 * its receipt.
 *
 *   SAMLAD_TOKEN=smd_... samlad-push --url http://127.0.0.1:8080 q3.csv
 *
 * The token is read from the environment only: a command line is visible to
 * every user of the machine (ps, /proc). Exit codes: 0 every file stored,
 * 1 a file was refused, 2 a usage error (nothing was sent), 3 gave up after
 * the retries. Files are sent in order and the first failure stops the run,
 * since a later file may revise what an earlier one reported. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "push.h"

static const char usage[] =
	"SAMLAD_TOKEN=... samlad-push [OPTIONS] FILE.csv|FILE.json [FILE ...]";

static const struct config_option options[] = {
	{ "url", CONFIG_STRING, "http://127.0.0.1:8080", "SAMLAD_URL", 0, 0,
	  "The collector's base URL; each file is posted to URL/v1/counts." },
	{ "retries", CONFIG_INT, "6", NULL, 0, 100,
	  "Attempts after the first when the connection fails or times out or the "
	  "collector answers 5xx or 429." },
	{ "timeout", CONFIG_INT, "60", NULL, 1, 3600,
	  "Seconds one attempt may take, from connecting to the end of the answer." },
	{ "backoff", CONFIG_INT, "500", NULL, 0, 60000,
	  "Milliseconds before the first retry; doubles after each retry up to 30 s, "
	  "with random jitter; a Retry-After from the collector takes its place." },
	{ "body-limit", CONFIG_SIZE, "8M", NULL, 1, 1LL << 30,
	  "The collector's --body-limit: a larger file is refused before anything is sent." },
	{ "cacert", CONFIG_STRING, NULL, "SAMLAD_CACERT", 0, 0,
	  "PEM file of the certificate authorities that may vouch for an https:// "
	  "collector; without it, the system's." },
	CONFIG_LOG_OPTIONS,
};

/* A bearer token is printable ASCII without spaces; anything else would
 * break (or inject into) the Authorization header. */
static bool token_plausible(const char *t)
{
	if (!t || !*t)
		return false;
	for (; *t; t++)
		if (*t <= ' ' || *t >= 0x7f)
			return false;
	return true;
}

/* Checks what config_parse cannot; prints the problem and returns -1. */
static int check_usage(const struct config *cfg, const char *token)
{
	const char *url = config_str(cfg, "url");

	const char *bad = log_configure(config_str(cfg, "log-level"), config_str(cfg, "log-format"));

	if (bad) {
		fprintf(stderr, "samlad-push: %s\n", bad);
		return -1;
	}
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		fprintf(stderr, "samlad-push: --url must start with http:// or https://\n");
		return -1;
	}
	if (config_argc(cfg) < 1) {
		fprintf(stderr, "samlad-push: no file given\nusage: %s\n", usage);
		return -1;
	}
	if (!token || !*token) {
		fprintf(stderr, "samlad-push: set the token in the SAMLAD_TOKEN environment variable\n");
		return -1;
	}
	if (!token_plausible(token)) {
		fprintf(stderr, "samlad-push: SAMLAD_TOKEN holds characters no token has\n");
		return -1;
	}
	return 0;
}

/* Reads every file before sending any, so that a mistyped name sends nothing. */
static int read_files(const struct config *cfg, struct push_file *files)
{
	int n = config_argc(cfg);
	for (int i = 0; i < n; i++)
		if (push_file_read(&files[i], config_arg(cfg, i),
		                   (size_t)config_int(cfg, "body-limit"), stderr) != PUSH_OK) {
			for (int j = 0; j < i; j++)
				push_file_free(&files[j]);
			return -1;
		}
	return 0;
}

/* Sends the files in order; stops at the first that fails. */
static enum push_result send_files(const struct push_config *pc, struct push_file *files,
                                   int n)
{
	for (int i = 0; i < n; i++) {
		enum push_result r = push_send(pc, &files[i], stdout, stderr);
		if (r == PUSH_OK)
			continue;
		for (int j = i + 1; j < n; j++)
			fprintf(stderr, "samlad-push: %s: not sent\n", files[j].path);
		return r;
	}
	return PUSH_OK;
}

int main(int argc, char **argv)
{
	int code = PUSH_USAGE;
	struct push_file *files = NULL;
	const char *token = getenv("SAMLAD_TOKEN");

	log_init("samlad-push");
	struct config *cfg = config_parse(options, ARRAY_LEN(options), argc, argv, usage, &code);
	if (!cfg)
		return code;
	if (check_usage(cfg, token) != 0)
		goto done;
	files = calloc((size_t)config_argc(cfg), sizeof *files);
	if (!files || read_files(cfg, files) != 0)
		goto done;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "samlad-push: libcurl could not be initialised\n");
		code = PUSH_FAILED;
	} else {
		struct push_config pc = {
			.url = config_str(cfg, "url"),
			.token = token,
			.retries = (int)config_int(cfg, "retries"),
			.timeout_s = (long)config_int(cfg, "timeout"),
			.backoff_ms = (long)config_int(cfg, "backoff"),
			.cacert = config_str(cfg, "cacert"),
		};
		code = send_files(&pc, files, config_argc(cfg));
		curl_global_cleanup();
	}
	for (int i = 0; i < config_argc(cfg); i++)
		push_file_free(&files[i]);
done:
	free(files);
	config_free(cfg);
	return code;
}
