/* form: decoding '+' and %XX, finding one field, walking every field, and
 * what each refuses (broken escapes, values too long, a stop). */
#include <string.h>
#include "form.h"
#include "tap.h"

static void test_decode(void)
{
	char out[16];

	is_int(form_decode("a+b%2Cc%3d", 10, out, sizeof out), 0, "plus and escapes");
	is_str(out, "a b,c=", "decoded");
	is_int(form_decode("%C3%A5", 6, out, sizeof out), 0, "UTF-8 escapes");
	is_str(out, "\xc3\xa5", "their bytes");
	is_int(form_decode("%2", 2, out, sizeof out), -1, "a cut escape");
	is_int(form_decode("%zz", 3, out, sizeof out), -1, "an escape of no hex");
	is_int(form_decode("0123456789abcdef", 16, out, sizeof out), -1, "too long for out");
	is_int(form_decode("", 0, out, sizeof out), 0, "nothing");
	is_str(out, "", "the empty string");
}

static void test_field(void)
{
	const char body[] = "tok=1&token=smd_1_a%2Bb&x";
	char out[32];

	is_int(form_field(body, strlen(body), "token", out, sizeof out), 0, "found");
	is_str(out, "smd_1_a+b", "its value decoded");
	is_int(form_field(body, strlen(body), "to", out, sizeof out), 1, "a prefix is not a name");
	is_int(form_field(body, strlen(body), "x", out, sizeof out), 1, "a name without '='");
	is_int(form_field("token=%G0", 9, "token", out, sizeof out), -1, "a broken value");
}

/* Collects the fields as "name=value;". */
static int collect(void *ctx, const char *name, const char *value)
{
	char *all = ctx;

	strcat(all, name);
	strcat(all, "=");
	strcat(all, value);
	strcat(all, ";");
	return strcmp(name, "stop") == 0 ? 7 : 0;
}

static void test_each(void)
{
	char all[128] = "";
	const char body[] = "a=1&&v%3Ax%3Ay=&b&c=d+e";

	is_int(form_each(body, strlen(body), 16, collect, all), 0, "walked");
	is_str(all, "a=1;v:x:y=;b=;c=d e;", "every field, empty ones too, in order");
	all[0] = '\0';
	is_int(form_each("a=1&stop=&c=2", 13, 16, collect, all), 7, "the callback's stop");
	is_str(all, "a=1;stop=;", "nothing after the stop");
	all[0] = '\0';
	is_int(form_each("a=12345&b=1", 11, 4, collect, all), -1, "a value too long");
	is_str(all, "", "nothing before the refusal was too long");
	is_int(form_each("a=%", 3, 4, collect, all), -1, "a broken escape");
}

int main(void)
{
	test_decode();
	test_field();
	test_each();
	return tap_done();
}
