/* CSV: the RFC 4180 cases the collector and the catalogue import depend on,
 * every malformed input with its message and line, and writer round trips. */
#include <string.h>
#include "csv.h"
#include "tap.h"

/* Reads all of `data` and renders it as "a|b|c/d|e/" (fields joined by '|',
 * records ended by '/'), or "ERR@line: message" on failure. */
static const char *render(const char *data, size_t len)
{
	static char out[4096];
	struct csv_reader r;
	struct csv_record rec;
	size_t n = 0;
	int rc;

	csv_reader_init(&r, data, len);
	out[0] = '\0';
	while ((rc = csv_read(&r, &rec)) == 1) {
		for (size_t i = 0; i < rec.nfields; i++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s", i ? "|" : "",
			                      (int)rec.lens[i], rec.fields[i]);
		n += (size_t)snprintf(out + n, sizeof out - n, "/");
	}
	if (rc < 0)
		snprintf(out, sizeof out, "ERR@%zu: %s", r.line, r.error);
	csv_reader_free(&r);
	return out;
}

static const char *render_str(const char *s)
{
	return render(s, strlen(s));
}

static void test_good(void)
{
	is_str(render_str(""), "", "empty input has no records");
	is_str(render_str("a,b,c\n"), "a|b|c/", "one record with LF");
	is_str(render_str("a,b,c\r\n1,2,3\r\n"), "a|b|c/1|2|3/", "CRLF records");
	is_str(render_str("a,b\n1,2"), "a|b/1|2/", "no line end after the last record");
	is_str(render_str("a,b\r\n1,2\n3,4\r\n"), "a|b/1|2/3|4/", "mixed CRLF and LF");
	is_str(render_str("\"a\",\"b\"\n"), "a|b/", "quoted fields");
	is_str(render_str("\"a \"\"b\"\"\",c\n"), "a \"b\"|c/", "doubled quotes");
	is_str(render_str("\"\"\"\"\n"), "\"/", "a field of one quote");
	is_str(render_str("\"a,b\",c\n"), "a,b|c/", "comma inside quotes");
	is_str(render_str("\"line1\nline2\",x\n"), "line1\nline2|x/", "LF inside quotes");
	is_str(render_str("\"line1\r\nline2\",x\r\n"), "line1\r\nline2|x/", "CRLF inside quotes");
	is_str(render_str("a,,c\n"), "a||c/", "empty middle field");
	is_str(render_str("a,b,\n"), "a|b|/", "empty last field");
	is_str(render_str(",\n"), "|/", "two empty fields");
	is_str(render_str("\"\"\n"), "/", "one empty quoted field is a record");
	is_str(render_str("\"\",\"\"\n"), "|/", "two empty quoted fields");
	is_str(render_str("\n\na,b\n\n\r\n1,2\n\n"), "a|b/1|2/", "blank lines are skipped");
	is_str(render_str("\r\n"), "", "a lone CRLF is no record");
	is_str(render_str("\xEF\xBB\xBF" "code,name\n"), "code|name/", "BOM skipped");
	is_str(render_str("a,\xEF\xBB\xBF" "b\n"), "a|\xEF\xBB\xBF" "b/",
	       "a BOM elsewhere is data");
	is_str(render_str(" a , b \n"), " a | b /", "spaces are kept");
	is_str(render_str("Norrk\xC3\xB6ping,\xC3\x84lta\n"), "Norrk\xC3\xB6ping|\xC3\x84lta/",
	       "UTF-8 passes through");
	is_str(render_str("a\"\n"), "ERR@1: quote inside an unquoted field",
	       "quote at the end of an unquoted field");
}

static void test_bad(void)
{
	is_str(render_str("a,b\"c\n"), "ERR@1: quote inside an unquoted field",
	       "stray quote inside a field");
	is_str(render_str("x\n y\"z\n"), "ERR@2: quote inside an unquoted field",
	       "stray quote reports its line");
	is_str(render_str(" \"a\"\n"), "ERR@1: quote inside an unquoted field",
	       "space before an opening quote");
	is_str(render_str("\"abc\n"), "ERR@1: unterminated quoted field", "unterminated quote");
	is_str(render_str("a\nb\n\"c,d\ne\n"), "ERR@3: unterminated quoted field",
	       "unterminated quote reports the record's first line");
	is_str(render_str("\"a\"b\n"), "ERR@1: unexpected character after a closing quote",
	       "text after a closing quote");
	is_str(render_str("\"a\" ,b\n"), "ERR@1: unexpected character after a closing quote",
	       "space after a closing quote");
	is_str(render("a,b\0c\n", 6), "ERR@1: NUL byte in field", "NUL in a plain field");
	is_str(render("\"a\0\"\n", 5), "ERR@1: NUL byte in field", "NUL in a quoted field");
	is_str(render("\0", 1), "ERR@1: NUL byte in field", "a lone NUL");
	is_str(render_str("a\rb\n"), "ERR@1: carriage return without a line feed", "bare CR");
	is_str(render_str("a,b\r"), "ERR@1: carriage return without a line feed",
	       "bare CR at the end");
	is_str(render_str("\"a\"\rb"), "ERR@1: unexpected character after a closing quote",
	       "bare CR after a quoted field");

	char wide[256] = "";
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		strcat(wide, i ? ",x" : "x");
	strcat(wide, "\n");
	struct csv_reader r;
	struct csv_record rec;
	csv_reader_init(&r, wide, strlen(wide));
	is_int(csv_read(&r, &rec), 1, "exactly CSV_MAX_FIELDS fields is fine");
	is_int(rec.nfields, CSV_MAX_FIELDS, "all of them are read");
	csv_reader_free(&r);
	wide[strlen(wide) - 1] = ',';
	strcat(wide, "y\n");
	is_str(render_str(wide), "ERR@1: more than 32 fields", "one field too many");
}

static void test_lines_and_state(void)
{
	const char *data = "h1,h2\r\n\r\n\"multi\nline\",2\n\nlast,4\n";
	struct csv_reader r;
	struct csv_record rec;

	csv_reader_init(&r, data, strlen(data));
	is_int(csv_read(&r, &rec), 1, "header read");
	is_int(r.line, 1, "header on line 1");
	is_int(csv_read(&r, &rec), 1, "multi-line record read");
	is_int(r.line, 3, "multi-line record starts on line 3");
	is_int(rec.nfields, 2, "two fields");
	is_int(rec.lens[0], 10, "length of the multi-line field");
	is_str(rec.fields[1], "2", "fields are NUL-terminated");
	is_int(csv_read(&r, &rec), 1, "last record read");
	is_int(r.line, 6, "last record on line 6 after the blank line");
	is_str(rec.fields[0], "last", "last record first field");
	is_int(csv_read(&r, &rec), 0, "end of input");
	is_int(csv_read(&r, &rec), 0, "end of input again");
	csv_reader_free(&r);

	const char *bad = "a,b\n\"c\"x\nd,e\n";
	csv_reader_init(&r, bad, strlen(bad));
	is_int(csv_read(&r, &rec), 1, "good record before the bad one");
	is_int(csv_read(&r, &rec), -1, "the bad record fails");
	is_int(r.line, 2, "on line 2");
	is_int(csv_read(&r, &rec), -1, "a failed reader stays failed");
	is_str(r.error, "unexpected character after a closing quote", "the error is kept");
	csv_reader_free(&r);

	/* A field with an embedded NUL cannot be misread as a shorter one: the
	 * reader refuses it, so lens always equals strlen. */
	const char *two = "abc,\"d,e\"\n";
	csv_reader_init(&r, two, strlen(two));
	is_int(csv_read(&r, &rec), 1, "two fields read");
	is_int(rec.lens[1], strlen(rec.fields[1]), "len matches strlen");
	is_int(rec.lens[1], 3, "len of \"d,e\"");
	csv_reader_free(&r);
}

/* Writes one record of `n` fields and returns the text. */
static const char *write_record(const char *const *fields, size_t n)
{
	static char out[512];
	struct buf b = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		rc |= csv_write_field(&b, fields[i]);
	rc |= csv_write_eol(&b);
	snprintf(out, sizeof out, "%s", rc ? "(failed)" : b.data);
	buf_free(&b);
	return out;
}

static void test_writer(void)
{
	const char *plain[] = { "a", "b", "c" };
	is_str(write_record(plain, 3), "a,b,c\r\n", "plain fields");
	const char *special[] = { "a,b", "say \"hi\"", "x\ny", "cr\r" };
	is_str(write_record(special, 4), "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"cr\r\"\r\n",
	       "fields that need quotes");
	const char *empty_first[] = { "", "b" };
	is_str(write_record(empty_first, 2), "\"\",b\r\n", "empty first field is quoted");
	const char *empty_later[] = { "a", "", "" };
	is_str(write_record(empty_later, 3), "a,,\r\n", "empty later fields are bare");
	const char *only_empty[] = { "" };
	is_str(write_record(only_empty, 1), "\"\"\r\n", "a lone empty field is not a blank line");
	const char *quote[] = { "\"" };
	is_str(write_record(quote, 1), "\"\"\"\"\r\n", "a lone quote");
	const char *spaces[] = { " a ", "b c" };
	is_str(write_record(spaces, 2), " a ,b c\r\n", "spaces need no quotes");

	/* Two records in one buffer: the second starts without a comma. */
	struct buf b = BUF_INIT;
	int rc = csv_write_field(&b, "x") | csv_write_field(&b, "multi\nline") |
	         csv_write_eol(&b) | csv_write_field(&b, "y") | csv_write_field(&b, "") |
	         csv_write_eol(&b);
	is_int(rc, 0, "writes succeed");
	is_str(b.data, "x,\"multi\nline\"\r\ny,\r\n", "two records");
	is_str(render(b.data, b.len), "x|multi\nline/y|/", "the reader reads them back");
	buf_free(&b);
}

static void test_round_trip(void)
{
	const char *fields[] = { "", "plain", "a,b", "\"", "\"\"", "x\r\ny", "\n",
	                         "end\"", "Sk\xC3\xA4rblacka", "," };
	size_t n = sizeof fields / sizeof fields[0];
	struct buf b = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		rc |= csv_write_field(&b, fields[i]);
	rc |= csv_write_eol(&b);
	is_int(rc, 0, "round trip written");

	struct csv_reader r;
	struct csv_record rec;
	csv_reader_init(&r, b.data, b.len);
	is_int(csv_read(&r, &rec), 1, "round trip read");
	is_int(rec.nfields, n, "round trip field count");
	for (size_t i = 0; i < n && i < rec.nfields; i++)
		ok(rec.lens[i] == strlen(fields[i]) && memcmp(rec.fields[i], fields[i],
		   rec.lens[i]) == 0, "round trip field %zu", i);
	is_int(csv_read(&r, &rec), 0, "round trip ends");
	csv_reader_free(&r);
	buf_free(&b);
}

/* As render, with the separator taken from the header line first. */
static const char *render_detect(const char *s)
{
	static char out[4096];
	struct csv_reader r;
	struct csv_record rec;
	size_t n = 0;
	int rc = 0;

	csv_reader_init(&r, s, strlen(s));
	out[0] = '\0';
	if (csv_detect_sep(&r) == 0) {
		n = (size_t)snprintf(out, sizeof out, "%c:", r.sep);
		while ((rc = csv_read(&r, &rec)) == 1) {
			for (size_t i = 0; i < rec.nfields; i++)
				n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s", i ? "|" : "",
				                      (int)rec.lens[i], rec.fields[i]);
			n += (size_t)snprintf(out + n, sizeof out - n, "/");
		}
	} else {
		rc = -1;
	}
	if (rc < 0)
		snprintf(out, sizeof out, "ERR@%zu: %s", r.line, r.error);
	csv_reader_free(&r);
	return out;
}

/* The dialects Excel saves: ',' or, in Swedish, ';'; a BOM or none, CRLF
 * or LF, a last line with or without its line end, quotes in either. */
static void test_dialects(void)
{
	is_str(render_detect("indicator,area,period,value\n" "a,b,2025Q3,4\n"),
	       ",:indicator|area|period|value/a|b|2025Q3|4/", "comma dialect");
	is_str(render_detect("\xEF\xBB\xBF" "indicator;area;period;value\r\n"
	                     "a;b;2025Q3;4\r\n"),
	       ";:indicator|area|period|value/a|b|2025Q3|4/", "semicolon, BOM, CRLF");
	is_str(render_detect("indicator;area;period;value\na;b;2025Q3;4"),
	       ";:indicator|area|period|value/a|b|2025Q3|4/", "semicolon, LF, no last line end");
	is_str(render_detect("indicator;area\r\n\"a;x\";\"b,y\"\r\n"),
	       ";:indicator|area/a;x|b,y/", "quoted ';' is data, ',' too, in the ';' dialect");
	is_str(render_detect("indicator,area\r\n\"a;x\",\"b \"\"q\"\"\"\r\n"),
	       ",:indicator|area/a;x|b \"q\"/", "quoted ';' is data in the ',' dialect");
	is_str(render_detect("\"ind;x\",area\n1,2\n"), ",:ind;x|area/1|2/",
	       "a ';' inside a quoted header field does not decide");
	is_str(render_detect("\"a,b\";c\n1;2\n"), ";:a,b|c/1|2/",
	       "a ',' inside a quoted header field does not decide");
	is_str(render_detect("value\n4\n"), ",:value/4/", "one column: ','");
	is_str(render_detect("\n\r\nx;y\n1;2\n"), ";:x|y/1|2/", "blank lines before the header");
	is_str(render_detect("x;y\n1,5;2\n"), ";:x|y/1,5|2/", "a ',' in a ';' row is data");
	is_str(render_detect(""), ",:", "empty input");
}

static void test_dialects_bad(void)
{
	is_str(render_detect("indicator,area;period,value\n"),
	       "ERR@1: the header line has both ',' and ';'; separate the columns with one "
	       "of them only", "mixed separators in the header");
	is_str(render_detect("a;b\n1;2\n\"3;4\n"), "ERR@3: unterminated quoted field",
	       "unterminated quote in the ';' dialect");
	is_str(render_detect("a;b\n1;\"2\"x\n"),
	       "ERR@2: unexpected character after a closing quote",
	       "text after a closing quote in the ';' dialect");
	is_str(render_detect("a;b\n1;\"2\",\n"),
	       "ERR@2: unexpected character after a closing quote",
	       "',' after a closing quote in the ';' dialect");
	is_str(render_detect("\"a;b\n"), "ERR@1: unterminated quoted field",
	       "an unterminated quote in the header");
}

int main(void)
{
	test_dialects();
	test_dialects_bad();
	test_good();
	test_bad();
	test_lines_and_state();
	test_writer();
	test_round_trip();
	return tap_done();
}
