/* common/log.c: the text line and the JSON line of the same events, read
 * back from stderr (redirected to a file), parsed with cJSON field by
 * field; bad option values refused with their sentence. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static FILE *capture;
static int saved_stderr;

/* Sends stderr to a fresh temporary file. */
static void capture_begin(void)
{
	fflush(stderr);
	capture = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capture), STDERR_FILENO);
}

/* Puts stderr back; returns what was written (malloc'd). */
static char *capture_end(void)
{
	long len;
	char *s;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	len = ftell(capture);
	s = calloc(1, (size_t)len + 1);
	rewind(capture);
	if (fread(s, 1, (size_t)len, capture) != (size_t)len)
		s[0] = '\0';
	fclose(capture);
	return s;
}

/* One event logged in the current format; the line written. */
static char *one_line(enum log_level level, const char *msg)
{
	capture_begin();
	log_msg(level, "%s", msg);
	return capture_end();
}

static void test_text(void)
{
	char *line = one_line(LOG_WARN, "http GET /x status=404 bytes=12");

	ok(strlen(line) > 25 && line[4] == '-' && line[23] == 'Z', "text: time first");
	is_str(line + 25, "samlad-test warn http GET /x status=404 bytes=12\n", "text: the rest");
	free(line);
	line = one_line(LOG_INFO, "two\nlines\r");
	is_str(line + 25, "samlad-test info two lines \n", "text: a newline cannot forge a line");
	free(line);
	line = one_line(LOG_DEBUG, "dropped");
	is_str(line, "", "text: below the level nothing");
	free(line);
}

static void test_json(void)
{
	char *line = one_line(LOG_INFO, "http GET /v1/series?area=0581 status=200 bytes=512 "
	                      "ms=1.5 error=\"quoted\" tag=a\\b level=x");
	cJSON *o = cJSON_Parse(line);

	ok(o != NULL, "json: one object");
	is_int(line[strlen(line) - 1], '\n', "json: one line");
	ok(strchr(line, '\n') == line + strlen(line) - 1, "json: no other newline");
	is_int(cJSON_GetArraySize(o), 9, "json: four fields and five of the message (not level=)");
	ok(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(o, "time"))) == 24, "json: time");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "program")), "samlad-test", "program");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "level")), "info", "json: level kept");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")),
	       "http GET /v1/series?area=0581 status=200 bytes=512 ms=1.5 error=\"quoted\" "
	       "tag=a\\b level=x", "json: the message whole");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(o, "status")) &&
	   cJSON_GetObjectItem(o, "status")->valuedouble == 200, "json: status a number");
	ok(cJSON_GetObjectItem(o, "bytes")->valuedouble == 512, "json: bytes");
	ok(cJSON_GetObjectItem(o, "ms")->valuedouble == 1.5, "json: ms");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")), "\"quoted\"",
	       "json: a string field escaped");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "tag")), "a\\b", "json: backslash");
	ok(cJSON_GetObjectItem(o, "area") == NULL, "json: no field from inside a path");
	cJSON_Delete(o);
	free(line);

	line = one_line(LOG_ERROR, "bad \x01 byte \xff and \xc3\xa5 and\nnewline");
	o = cJSON_Parse(line);
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")),
	       "bad \x01 byte \xef\xbf\xbd and \xc3\xa5 and newline",
	       "json: control escaped, bad byte replaced, UTF-8 kept");
	cJSON_Delete(o);
	free(line);
}

static void test_configure(void)
{
	is_str(log_configure("info", "yaml"), "--log-format must be text or json", "bad format");
	is_str(log_configure("loud", "json"), "--log-level must be debug, info, warn or error",
	       "bad level");
	char *line = one_line(LOG_INFO, "still text");
	is_str(line + 25, "samlad-test info still text\n", "a refused configure changes nothing");
	free(line);
	ok(log_configure("warn", "json") == NULL, "warn, json accepted");
	line = one_line(LOG_INFO, "dropped");
	is_str(line, "", "the level applies");
	free(line);
}

int main(void)
{
	log_init("samlad-test");
	ok(log_configure("info", "text") == NULL, "info, text accepted");
	test_text();
	test_configure();
	ok(log_configure("debug", "json") == NULL, "debug, json accepted");
	test_json();
	return tap_done();
}
