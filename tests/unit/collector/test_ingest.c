/* Ingest: JSON and CSV bodies to raw rows. Every rejected body and every
 * row conflict is checked by its exact code, field and index; good bodies
 * by their exact rows. */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "flag.h"
#include "ingest.h"
#include "guarded.h"
#include "tap.h"

/* One ingest call and what it produced. */
struct run {
	enum ingest_status st;     /* what ingest answered */
	struct raw_batch rows;     /* the rows read */
	struct conflicts conf;     /* the row conflicts */
	struct ingest_error err;   /* why it was rejected */
};

static void run_free(struct run *r)
{
	raw_batch_free(&r->rows);
	conflicts_free(&r->conf);
}

/* Ingests `len` bytes of `body` as JSON or CSV, copied so that they end
 * exactly where a page without access begins: reading one byte past the
 * body crashes the test in any build, not only under AddressSanitizer. */
static void run_len(struct run *r, bool csv, const char *body, size_t len)
{
	*r = (struct run){ INGEST_OK, RAW_BATCH_INIT, CONFLICTS_INIT, { NULL, "" } };
	char *copy = guarded_copy(body, len);
	r->st = csv ? ingest_csv(copy, len, &r->rows, &r->conf, &r->err)
	            : ingest_json(copy, len, &r->rows, &r->conf, &r->err);
	guarded_free(copy, len);
}

static void run(struct run *r, bool csv, const char *body)
{
	run_len(r, csv, body, strlen(body));
}

/* A body shortened to one line, for a test's name. */
static const char *brief(const char *body)
{
	static char out[72];
	size_t i = 0;

	for (; body[i] && i < sizeof out - 1; i++)
		out[i] = body[i] == '\n' ? '|' : body[i] == '\r' ? ' ' : body[i];
	out[i] = '\0';
	return out;
}

/* The body is rejected whole with `code`, and the message contains `part`. */
static void rejected(bool csv, const char *body, const char *code, const char *part)
{
	struct run r;

	run(&r, csv, body);
	is_int(r.st, INGEST_REJECTED, "%s rejected: %s", csv ? "csv" : "json", brief(body));
	is_str(r.err.code, code, "  code %s", code);
	if (!ok(r.st == INGEST_REJECTED && strstr(r.err.message, part) != NULL,
	        "  message mentions '%s'", part))
		diag("message: %s", r.err.message);
	run_free(&r);
}

/* The body is read, and its only conflict is (index, field, code). */
static void one_conflict(bool csv, const char *body, size_t index, const char *field,
                         const char *code)
{
	struct run r;

	run(&r, csv, body);
	is_int(r.st, INGEST_OK, "%s read: %s", csv ? "csv" : "json", brief(body));
	is_int(r.conf.n, 1, "  one conflict");
	if (r.conf.n >= 1) {
		is_int(r.conf.items[0].index, index, "  index %zu", index);
		is_str(r.conf.items[0].field, field, "  field %s", field);
		is_str(r.conf.items[0].code, code, "  code %s", code);
		ok(r.conf.items[0].message[0] != '\0', "  has a message");
	}
	ok(index < r.rows.n && r.rows.rows[index].bad, "  row %zu marked bad", index);
	run_free(&r);
}

#define ROW(value) "{\"indicator\":\"bup.nya_barn\",\"area\":\"0581-hageby\"," \
	"\"period\":\"2024Q3\",\"value\":" value "}"
#define ONE(value) "{\"counts\":[" ROW(value) "]}"

static void test_json_rejected(void)
{
	rejected(false, "", "malformed_json", "empty");
	/* A body that ends too early: cJSON names its last byte. */
	rejected(false, "{\"counts\":[", "malformed_json", "line 1, column 11");
	rejected(false, ONE("1") " x", "malformed_json", "not valid JSON");
	rejected(false, ONE("1") "{}", "malformed_json", "not valid JSON");
	rejected(false, "{\"counts\":[]}\n\n  ]", "malformed_json", "line 3, column 3");
	rejected(false, "{'counts':[]}", "malformed_json", "not valid JSON");
	rejected(false, "[" ROW("1") "]", "invalid_body", "not an array");
	rejected(false, "\"counts\"", "invalid_body", "JSON object");
	rejected(false, "{}", "invalid_body", "no counts");
	rejected(false, "{\"counts\":[" ROW("1") "],\"agency\":\"bup\"}", "invalid_body",
	         "unknown top-level field 'agency'");
	rejected(false, "{\"Counts\":[" ROW("1") "]}", "invalid_body", "'Counts'");
	rejected(false, "{\"counts\":[" ROW("1") "],\"counts\":[]}", "invalid_body",
	         "more than once");
	rejected(false, "{\"counts\":{}}", "invalid_body", "must be an array");
	rejected(false, "{\"counts\":null}", "invalid_body", "not null");
	rejected(false, "{\"counts\":[]}", "invalid_body", "empty");
	rejected(false, "{\"counts\":[{\"indicator\":\"a\\u0000b\"}]}", "invalid_body", "\\u0000");

	struct run r;
	static const char nul[] = "{\"counts\":[]}\0{}";
	run_len(&r, false, nul, sizeof nul - 1);
	is_int(r.st, INGEST_REJECTED, "json with a NUL byte rejected");
	is_str(r.err.code, "malformed_json", "  code malformed_json");
	run_free(&r);
}

/* Unterminated strings that end at the last byte of the body, a backslash
 * last of all: the pre-check must stop at the end of the buffer (it once
 * stepped over the backslash and past the body). */
static void test_json_unterminated(void)
{
	rejected(false, "\"", "malformed_json", "not valid JSON");
	rejected(false, "\"\\", "malformed_json", "not valid JSON");
	rejected(false, "{\"counts\":[{\"indicator\":\"ab\\", "malformed_json",
	         "not valid JSON");
	rejected(false, "{\"counts\":[{\"indicator\":\"ab\\u000", "malformed_json",
	         "not valid JSON");
	rejected(false, ONE("1") "  \t\r\n" "\"", "malformed_json", "line 2, column 1");
}

static void test_json_row_conflicts(void)
{
	one_conflict(false, "{\"counts\":[5]}", 0, "row", "not_an_object");
	one_conflict(false, "{\"counts\":[" ROW("1") ",[1,2]]}", 1, "row", "not_an_object");
	one_conflict(false, "{\"counts\":[" ROW("1") ",\"x\"]}", 1, "row", "not_an_object");
	one_conflict(false, "{\"counts\":[{\"indicator\":\"a\",\"area\":\"b\",\"period\":\"2024Q3\","
	             "\"value\":1,\"colour\":\"red\"}]}", 0, "colour", "unknown_field");
	one_conflict(false, "{\"counts\":[{\"indicator\":\"a\",\"area\":\"b\",\"period\":\"2024Q3\","
	             "\"value\":1,\"area\":\"c\"}]}", 0, "area", "unknown_field");
	one_conflict(false, "{\"counts\":[{\"indicator\":\"a\",\"area\":\"b\",\"value\":1}]}",
	             0, "period", "missing_field");
	one_conflict(false, "{\"counts\":[{\"indicator\":7,\"area\":\"b\",\"period\":\"2024Q3\","
	             "\"value\":1}]}", 0, "indicator", "wrong_type");
	one_conflict(false, "{\"counts\":[{\"indicator\":\"a\",\"area\":null,\"period\":\"2024Q3\","
	             "\"value\":1}]}", 0, "area", "wrong_type");
	one_conflict(false, "{\"counts\":[{\"indicator\":\"a\",\"area\":\"b\",\"period\":20243,"
	             "\"value\":1}]}", 0, "period", "wrong_type");
	one_conflict(false, ONE("\"12\""), 0, "value", "wrong_type");
	one_conflict(false, ONE("null"), 0, "value", "wrong_type");
	one_conflict(false, ONE("true"), 0, "value", "wrong_type");
	one_conflict(false, ONE("[12]"), 0, "value", "wrong_type");
	one_conflict(false, ONE("1.5"), 0, "value", "fractional_count");
	one_conflict(false, ONE("12.5"), 0, "value", "fractional_count");
	one_conflict(false, ONE("1e-1"), 0, "value", "fractional_count");
	one_conflict(false, ONE("1000000000.5"), 0, "value", "fractional_count");
	one_conflict(false, ONE("-3"), 0, "value", "negative_count");
	one_conflict(false, ONE("-2.5"), 0, "value", "negative_count");
	one_conflict(false, ONE("-1e400"), 0, "value", "negative_count");
	one_conflict(false, ONE("1000000001"), 0, "value", "count_too_large");
	one_conflict(false, ONE("1.000000001e9"), 0, "value", "count_too_large");
	one_conflict(false, ONE("9007199254740993"), 0, "value", "count_too_large");
	one_conflict(false, ONE("99999999999999999999999"), 0, "value", "count_too_large");
	/* cJSON reads 1e400 as infinity. */
	one_conflict(false, ONE("1e400"), 0, "value", "count_too_large");
	one_conflict(false, "{\"counts\":[" ROW("1") "," ROW("2") "," ROW("7.25") "]}", 2,
	             "value", "fractional_count");
}

/* The value of the last row, which must be read without conflicts. */
static void good_value(bool csv, const char *body, long long want)
{
	struct run r;

	run(&r, csv, body);
	is_int(r.st, INGEST_OK, "%s read: %s", csv ? "csv" : "json", brief(body));
	ok(r.conf.n == 0 || r.conf.items[r.conf.n - 1].index + 1 < r.rows.n,
	   "  no conflicts in the last row");
	bool one = r.rows.n >= 1 && r.rows.rows[r.rows.n - 1].has_value;
	ok(one, "  last row has a value");
	if (one)
		is_int(r.rows.rows[r.rows.n - 1].value, want, "  value %lld", want);
	run_free(&r);
}

static void test_json_good(void)
{
	struct run r;

	run(&r, false, "\xEF\xBB\xBF{ \"counts\" : [\n" ROW("12") ",\n"
	    "{\"value\":0,\"period\":\"2024-Q3\",\"area\":\"0581-hageby\",\"indicator\":\"x.y\"}"
	    " ] }\n");
	is_int(r.st, INGEST_OK, "json with BOM, spaces, members in any order read");
	is_int(r.rows.n, 2, "  two rows");
	is_int(r.conf.n, 0, "  no conflicts");
	if (r.rows.n == 2) {
		is_str(r.rows.rows[0].indicator, "bup.nya_barn", "  row 0 indicator");
		is_str(r.rows.rows[0].area, "0581-hageby", "  row 0 area");
		is_str(r.rows.rows[0].period, "2024Q3", "  row 0 period");
		is_int(r.rows.rows[0].value, 12, "  row 0 value");
		is_str(r.rows.rows[1].period, "2024-Q3", "  row 1 period as sent");
		is_int(r.rows.rows[1].value, 0, "  row 1 value 0");
		is_int(r.rows.rows[1].line, 0, "  json rows have no line");
		ok(!r.rows.rows[0].bad && !r.rows.rows[1].bad, "  neither row bad");
	}
	run_free(&r);
	good_value(false, ONE("1000000000"), 1000000000);
	good_value(false, ONE("0012"), 12);
}

/* A count is judged by its value, as JSON Schema's integer: a zero
 * fractional part is a whole number, however it is written. */
static void test_json_integral_notation(void)
{
	good_value(false, ONE("12.0"), 12);
	good_value(false, ONE("1e3"), 1000);
	good_value(false, ONE("1E+2"), 100);
	good_value(false, ONE("1.5e1"), 15);
	good_value(false, ONE("1e9"), 1000000000);
	good_value(false, ONE("-0"), 0);
	good_value(false, ONE("-0.0"), 0);
	good_value(false, ONE("0e5"), 0);
}

static void test_json_messages(void)
{
	struct run r;

	run(&r, false, ONE("-3"));
	if (r.conf.n == 1)
		is_str(r.conf.items[0].message, "value -3 has a minus sign; a count is 0 or more",
		       "negative message names the value");
	run_free(&r);
	run(&r, false, ONE("1e-1"));
	if (r.conf.n == 1)
		is_str(r.conf.items[0].message, "value 0.1 is not a whole number; a count has no "
		       "fractional part", "fractional message names the value as read");
	run_free(&r);
	run(&r, false, ONE("1e400"));
	if (r.conf.n == 1)
		is_str(r.conf.items[0].message, "value inf is larger than 1000000000, the largest "
		       "count accepted", "too large message for infinity");
	run_free(&r);
	run(&r, false, "{\"counts\":[{\"indicator\":\"a\",\"area\":\"b\",\"period\":\"2024Q3\","
	    "\"value\":1,\"f\\u00e4rg\":1}]}");
	if (r.conf.n == 1) {
		is_str(r.conf.items[0].field, "f\xC3\xA4rg", "unknown field name kept in UTF-8");
		ok(strstr(r.conf.items[0].message, "'f\xC3\xA4rg'") != NULL, "  and named in the message");
	}
	run_free(&r);
}

static const char header[] = "indicator,area,period,value\n";

static void test_csv_rejected(void)
{
	rejected(true, "", "invalid_body", "empty");
	rejected(true, "indicator,area,period,value\n", "invalid_body", "no rows");
	rejected(true, "indicator,area,period,count\nbup,0581,2024Q3,1\n", "invalid_body",
	         "unknown column 'count'");
	rejected(true, "indicator,area,area,value\n", "invalid_body", "area appears twice");
	rejected(true, "indicator,area,period\nbup,0581,2024Q3\n", "invalid_body",
	         "no column value");
	rejected(true, "indicator,area,period,value,note\n", "invalid_body", "'note'");
	rejected(true, "Indicator,area,period,value\n", "invalid_body", "'Indicator'");
	rejected(true, "indicator,area,period,value\nbup,\"0581,2024Q3,1\n", "malformed_csv",
	         "line 2");
	rejected(true, "indicator,area,period,value\nbup,0581,2024Q3,1\nbup,05\"81,2024Q3,1\n",
	         "malformed_csv", "line 3");
	rejected(true, "indicator,area,period,value\r\nbup,0581,2024Q3,\"1\"x\r\n",
	         "malformed_csv", "line 2");
}

static void test_csv_row_conflicts(void)
{
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,-5\n", 0, "value",
	             "negative_count");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,5.5\n", 0, "value",
	             "fractional_count");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,1e-1\n", 0, "value",
	             "fractional_count");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,-0.5\n", 0, "value",
	             "negative_count");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,1e400\n", 0, "value",
	             "count_too_large");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,"
	             "99999999999999999999999\n", 0, "value", "count_too_large");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,1e\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,.5\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,inf\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,0x10\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,-\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,12.0x\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,abc\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,+5\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3, 5\n", 0, "value",
	             "wrong_type");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,2000000000\n", 0,
	             "value", "count_too_large");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,1\nbup,0581,2024Q4\n",
	             1, "value", "missing_field");
	one_conflict(true, "period,value,indicator,area\n2024Q3,1,bup\n", 0, "area", "missing_field");
	one_conflict(true, "indicator,area,period,value\nbup,0581,2024Q3,1,9\n", 0, "row",
	             "unknown_field");
}

/* CSV values follow the JSON rule, through the same judgement. */
static void test_csv_integral_notation(void)
{
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,12.0\n", 12);
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,1e3\n", 1000);
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,1E+2\n", 100);
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,-0\n", 0);
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,7.\n", 7);
	good_value(true, "indicator,area,period,value\nbup,0581,2024Q3,0001000000000\n",
	           1000000000);
}

static void test_csv_lines(void)
{
	struct run r;

	run(&r, true, "indicator,area,period,value\r\n"
	    "\"bup\nx\",0581,2024Q3,1\r\n"
	    "\r\n"
	    "bup,0581,2024Q3,-1\r\n"
	    "bup,0581\r\n");
	is_int(r.st, INGEST_OK, "csv with a quoted newline and a blank line read");
	is_int(r.rows.n, 3, "  three rows");
	is_int(r.conf.n, 3, "  three conflicts");
	if (r.rows.n == 3) {
		is_int(r.rows.rows[0].line, 2, "  row 0 starts on line 2");
		is_str(r.rows.rows[0].indicator, "bup\nx", "  row 0 keeps its quoted newline");
		is_int(r.rows.rows[1].line, 5, "  row 1 on line 5");
		is_int(r.rows.rows[2].line, 6, "  row 2 on line 6");
	}
	if (r.conf.n == 3) {
		is_int(r.conf.items[0].line, 5, "  negative on line 5");
		is_int(r.conf.items[0].index, 1, "  ... index 1");
		is_int(r.conf.items[1].line, 6, "  missing period on line 6");
		is_str(r.conf.items[1].field, "period", "  ... field period");
		is_str(r.conf.items[2].field, "value", "  then value");
		is_str(r.conf.items[2].message, "line 6 has no value field", "  ... message");
	}
	run_free(&r);
}

static void test_csv_good(void)
{
	struct run r;

	run(&r, true, "\xEF\xBB\xBFvalue,period,indicator,area\r\n"
	    "12,2024Q3,bup.nya_barn,0581-hageby\r\n"
	    "\"0\",\"2024-Q2\",\"bup.nya_barn\",\"0581-\"\"x\"\"\"\r\n"
	    "1000000000,2024Q1,a,b");
	is_int(r.st, INGEST_OK, "csv with BOM, CRLF, quotes, header in another order read");
	is_int(r.conf.n, 0, "  no conflicts");
	is_int(r.rows.n, 3, "  three rows");
	if (r.rows.n == 3) {
		is_str(r.rows.rows[0].indicator, "bup.nya_barn", "  row 0 indicator");
		is_str(r.rows.rows[0].area, "0581-hageby", "  row 0 area");
		is_str(r.rows.rows[0].period, "2024Q3", "  row 0 period");
		is_int(r.rows.rows[0].value, 12, "  row 0 value");
		is_str(r.rows.rows[1].period, "2024-Q2", "  row 1 period as sent");
		is_str(r.rows.rows[1].area, "0581-\"x\"", "  row 1 area unquoted");
		is_int(r.rows.rows[1].value, 0, "  row 1 value 0");
		is_int(r.rows.rows[2].value, 1000000000, "  row 2 value 10^9 without a final newline");
		is_int(r.rows.rows[2].line, 4, "  row 2 on line 4");
	}
	run_free(&r);
}

/* A batch of junk cannot make an unbounded conflict list. */
static void test_limits(void)
{
	struct buf b = BUF_INIT;
	struct run r;
	int fail = 0;

	fail |= buf_puts(&b, "{\"counts\":[");
	for (int i = 0; i < CONFLICT_LIMIT + 50; i++)
		fail |= buf_puts(&b, i ? ",1" : "1");
	fail |= buf_puts(&b, "]}");
	run_len(&r, false, b.data, b.len);
	is_int(fail, 0, "built a body of %d non-objects", CONFLICT_LIMIT + 50);
	is_int(r.st, INGEST_OK, "  read");
	is_int(r.rows.n, CONFLICT_LIMIT + 50, "  every row counted");
	is_int(r.conf.n, CONFLICT_LIMIT, "  conflicts kept up to the limit");
	is_int(r.conf.omitted, 50, "  the rest counted as omitted");
	ok(r.rows.n > 0 && r.rows.rows[r.rows.n - 1].bad, "  the last row is still marked bad");
	run_free(&r);

	buf_reset(&b);
	fail = buf_puts(&b, header);
	for (int i = 0; i <= INGEST_MAX_ROWS; i++)
		fail |= buf_puts(&b, "a,b,2024Q3,1\n");
	run_len(&r, true, b.data, b.len);
	is_int(r.st, INGEST_REJECTED, "csv of %d rows rejected", INGEST_MAX_ROWS + 1);
	is_str(r.err.code, "invalid_body", "  invalid_body");
	run_free(&r);
	buf_free(&b);
}

static void test_echo(void)
{
	char out[16];

	ingest_echo(out, sizeof out, "abc", 3);
	is_str(out, "abc", "echo keeps ASCII");
	ingest_echo(out, sizeof out, "a\tb\x7f", 4);
	is_str(out, "a?b?", "echo replaces control characters");
	ingest_echo(out, sizeof out, "omr\xC3\xA5" "de", 7);
	is_str(out, "omr\xC3\xA5" "de", "echo keeps UTF-8");
	ingest_echo(out, sizeof out, "x\xC3(\xFF\xED\xA0\x80", 7);
	is_str(out, "x?(????", "echo replaces invalid UTF-8 and surrogates bytewise");
	ingest_echo(out, sizeof out, "0123456789abcdefghij", 20);
	is_str(out, "0123456789ab...", "echo cuts long text");
	ingest_echo(out, sizeof out, "0123456789a\xC3\xA5\xC3\xA5\xC3\xA5", 17);
	is_str(out, "0123456789a...", "echo cuts at a character boundary");
}

/* Swedish Excel's CSV reads as the comma CSV does; a workbook is refused
 * with the one sentence. */
static void test_csv_dialects(void)
{
	struct run r;

	run(&r, true, "\xEF\xBB\xBF" "indicator;area;period;value;flag\r\n"
	    "bup;\"0581-a;b\";2024Q3;12;break\r\n"
	    "bvc;0581;2024K3;0;");
	is_int(r.st, INGEST_OK, "semicolon CSV with BOM and CRLF read");
	is_int(r.rows.n, 2, "  two rows");
	is_int(r.conf.n, 0, "  no conflicts");
	if (r.rows.n == 2) {
		is_str(r.rows.rows[0].area, "0581-a;b", "  a quoted ';' is data");
		is_int(r.rows.rows[0].value, 12, "  row 0's value");
		is_int(r.rows.rows[0].flag, FLAG_BREAK, "  row 0's flag");
		is_str(r.rows.rows[1].period, "2024K3", "  row 1's period as sent");
		is_int(r.rows.rows[1].value, 0, "  row 1's value");
		is_int(r.rows.rows[1].line, 3, "  row 1 is on line 3");
	}
	run_free(&r);
	rejected(true, "indicator;area,period;value\nbup;0581;2024Q3;1\n", "malformed_csv",
	         "line 1: the header line has both ',' and ';'");
	rejected(true, "indicator;area;period;value\r\nbup;0581;2024Q3;\"1\r\n",
	         "malformed_csv", "line 2: unterminated quoted field");
	one_conflict(true, "indicator;area;period;value\nbup;0581;2024Q3;1,5\n", 0, "value",
	             "wrong_type");
}

static void test_spreadsheet(void)
{
	struct run r;

	run_len(&r, true, "PK\x03\x04\x14\x00", 6);
	is_int(r.st, INGEST_REJECTED, "an xlsx (zip) is rejected");
	is_str(r.err.code, "unsupported_media_type", "  its code");
	is_str(r.err.message, "the file is an Excel workbook, not CSV; save it in Excel as "
	       "\"CSV UTF-8 (kommaavgr\xC3\xA4nsad) (*.csv)\" and send that file",
	       "  its sentence");
	is_int(ingest_error_status(&r.err), 415, "  its status");
	run_free(&r);
	run_len(&r, true, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	is_int(r.st, INGEST_REJECTED, "an xls (OLE) is rejected");
	is_str(r.err.code, "unsupported_media_type", "  its code");
	run_free(&r);
	ok(!ingest_is_spreadsheet("PK\x03", 3), "three bytes of a zip are not a workbook");
	ok(!ingest_is_spreadsheet("PK,area", 7), "a header beginning PK is not a workbook");
	struct ingest_error e = { "malformed_csv", "" };
	is_int(ingest_error_status(&e), 400, "other rejections are 400");
}

int main(void)
{
	test_csv_dialects();
	test_spreadsheet();
	test_json_rejected();
	test_json_unterminated();
	test_json_row_conflicts();
	test_json_good();
	test_json_integral_notation();
	test_json_messages();
	test_csv_rejected();
	test_csv_row_conflicts();
	test_csv_integral_notation();
	test_csv_lines();
	test_csv_good();
	test_limits();
	test_echo();
	return tap_done();
}
