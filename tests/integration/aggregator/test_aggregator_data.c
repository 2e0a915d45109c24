/* GET /v1/data through real HTTP on the counts of planted.h: exact rows
 * for a small request; every row of a bigger one equal to the cell
 * /v1/table publishes (value and status), so that /v1/data shows nothing
 * the disclosure control of the tables hid; paging whose pages join to
 * the whole; the CSV for Excel byte for byte (BOM, header, ';'); names in
 * English; as_of; every refusal with its status and message. An as_of
 * answer is immutable: Cache-Control says so, its ETag is the body's, and
 * If-None-Match gets 304 with no body; a large answer is gzipped for a
 * client that accepts it, and inflates to the same bytes. JSON-stat 2.0:
 * the cube's shape, labels, values and statuses equal to the rows, the
 * official schema (where a copy is at hand), by format= and by Accept.
 * xlsx: every cell typed and equal to the JSON rows, the legend and the
 * method, read back with openpyxl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "agg_support.h"
#include "planted.h"

static struct agg_env env;

/* GETs /v1/data with the query, as JSON, checking 200; the body (delete it). */
static cJSON *data(const char *query)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data%s", query);
	is_int(r.status, 200, "%s: 200", query);
	cJSON *o = agg_json(&r);
	http_result_free(&r);
	return o;
}

/* Checks row i of o's rows. value < 0 means null. */
static void row_is(const cJSON *o, int i, const char *area, const char *period,
                   const char *freq, long long value, const char *status)
{
	char path[64];
	const cJSON *row;

	snprintf(path, sizeof path, "rows.%d", i);
	row = agg_at(o, path);
	is_str(agg_str(row, "area"), area, "row %d area", i);
	is_str(agg_str(row, "period"), period, "row %d period", i);
	is_str(agg_str(row, "frequency"), freq, "row %d frequency", i);
	if (value < 0)
		ok(agg_is_null(row, "value"), "row %d value null", i);
	else
		is_int((long long)agg_num(row, "value"), value, "row %d value", i);
	is_str(agg_str(row, "status"), status, "row %d status", i);
}

static void test_small(void)
{
	cJSON *o = data("?indicator=bup.nya_barn&area=0581-hageby,0581-navestad"
	                "&from=2024Q1&to=2024K4&freq=quarter");

	is_int((long long)agg_num(o, "total"), 8, "small: 8 rows");
	is_int((long long)agg_num(o, "page"), 1, "small: page 1");
	is_int((long long)agg_num(o, "pages"), 1, "small: one page");
	ok(agg_is_null(o, "next"), "small: next null");
	is_str(agg_str(o, "rows.0.indicator"), NB, "small: indicator");
	is_str(agg_str(o, "rows.0.indicator_name"), "Antal nya barn", "small: Swedish name");
	is_str(agg_str(o, "rows.0.area_name"), "Hageby", "small: area name");
	is_int(cJSON_GetArraySize(agg_at(o, "rows.0")), 8, "small: eight members a row");
	row_is(o, 0, "0581-hageby", "2024Q1", "quarter", 22, "published");
	row_is(o, 1, "0581-hageby", "2024Q2", "quarter", -1, "suppressed");
	row_is(o, 2, "0581-hageby", "2024Q3", "quarter", -1, "suppressed");
	row_is(o, 3, "0581-hageby", "2024Q4", "quarter", 32, "published");
	row_is(o, 4, "0581-navestad", "2024Q1", "quarter", 45, "published");
	row_is(o, 5, "0581-navestad", "2024Q2", "quarter", -1, "suppressed");
	row_is(o, 7, "0581-navestad", "2024Q4", "quarter", 43, "published");
	cJSON_Delete(o);

	o = data("?indicator=bup.nya_barn&area=0581&from=2022&to=2024&freq=year");
	is_int((long long)agg_num(o, "total"), 3, "years: 3 rows");
	row_is(o, 0, "0581", "2022", "year", 1080, "published");
	row_is(o, 1, "0581", "2023", "year", 1235, "published");
	row_is(o, 2, "0581", "2024", "year", 1367, "published");
	cJSON_Delete(o);
}

/* The cell of /v1/table (indicator, 0581, year) for area and period. */
static const cJSON *table_cell(cJSON *const *tables, int y0, const char *area,
                               const char *period)
{
	const cJSON *t = tables[atoi(period) - y0], *row;

	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(t, "rows"))
		if (strcmp(agg_str(row, "area"), area) == 0)
			return agg_point(cJSON_GetObjectItemCaseSensitive(row, "cells"), period);
	return NULL;
}

/* Every row of a municipality's 3 years equals the table's cell. */
static void test_equals_table(const char *indicator)
{
	char query[256];
	cJSON *tables[3];
	struct http_result r;
	int same = 0, n;

	for (int y = 0; y < 3; y++) {
		agg_get(&env.agg, env.analyst, NULL, &r, "/v1/table?indicator=%s&area=0581&year=%d",
		        indicator, 2022 + y);
		tables[y] = agg_json(&r);
		http_result_free(&r);
	}
	snprintf(query, sizeof query, "?indicator=%s&area=0581*&from=2022Q1&to=2024Q4", indicator);
	cJSON *o = data(query);
	const cJSON *row;
	n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "rows"));
	is_int(n, 6 * 3 * 5, "%s: 6 areas x 3 years x 5 columns", indicator);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "rows")) {
		const cJSON *cell = table_cell(tables, 2022, agg_str(row, "area"),
		                               agg_str(row, "period"));
		const cJSON *tv = cJSON_GetObjectItemCaseSensitive(cell, "value");
		const cJSON *dv = cJSON_GetObjectItemCaseSensitive(row, "value");
		same += cell && strcmp(agg_str(cell, "status"), agg_str(row, "status")) == 0 &&
		        (cJSON_IsNull(tv) ? cJSON_IsNull(dv) : cJSON_IsNumber(dv) &&
		                                              dv->valuedouble == tv->valuedouble);
	}
	is_int(same, n, "%s: every row is the table's cell", indicator);
	cJSON_Delete(o);
	for (int y = 0; y < 3; y++)
		cJSON_Delete(tables[y]);
}

static void test_paging(void)
{
	static const char base[] = "?indicator=bup.nya_barn&area=0581*&from=2022Q1&to=2024Q4";
	char query[256], want_next[256];
	cJSON *whole = data(base);
	int joined = 0, same = 0;

	for (int page = 1; page <= 13; page++) {
		snprintf(query, sizeof query, "%s&limit=7&page=%d", base, page);
		cJSON *o = data(query);
		const cJSON *row;
		is_int((long long)agg_num(o, "pages"), 13, "page %d: 13 pages of 7 for 90", page);
		snprintf(want_next, sizeof want_next, "/v1/data?indicator=bup.nya_barn&area=0581*"
		         "&from=2022Q1&to=2024Q4&limit=7&page=%d", page + 1);
		if (page < 13)
			is_str(agg_str(o, "next"), want_next, "page %d: next", page);
		else
			ok(agg_is_null(o, "next"), "last page: next null");
		cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "rows")) {
			char path[32];
			snprintf(path, sizeof path, "rows.%d", joined++);
			char *a = cJSON_PrintUnformatted(row), *b = cJSON_PrintUnformatted(agg_at(whole, path));
			same += a && b && strcmp(a, b) == 0;
			free(a);
			free(b);
		}
		cJSON_Delete(o);
	}
	is_int(joined, 90, "the pages hold 90 rows");
	is_int(same, 90, "the pages join to the whole, in order");
	cJSON_Delete(whole);
}

static void test_csv(void)
{
	static const char want[] =
		"\xEF\xBB\xBFindicator;indicator_name;area;area_name;period;frequency;value;status;flag\r\n"
		"bup.nya_barn;New children;0581-hageby;Hageby;2024Q1;quarter;22;published;\r\n"
		"bup.nya_barn;New children;0581-hageby;Hageby;2024Q2;quarter;;suppressed;\r\n"
		"bup.nya_barn;New children;0581-hageby;Hageby;2024;year;106;published;\r\n";
	struct http_result r;
	char type[64] = "", link[256] = "";

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data?indicator=bup.nya_barn&area=0581-hageby"
	        "&from=2024Q1&to=2024Q2&format=csv&sep=semicolon&lang=en");
	is_int(r.status, 200, "csv: 200");
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "text/csv; charset=utf-8") == 0, "csv: text/csv (%s)", type);
	is_str(r.body.data, want, "csv: BOM, header, ';', English names, a year row");
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data?indicator=bup.nya_barn&area=0581"
	        "&from=2024Q1&to=2024Q1&freq=quarter&format=csv");
	is_str(r.body.data, "\xEF\xBB\xBFindicator,indicator_name,area,area_name,period,frequency,"
	       "value,status,flag\r\nbup.nya_barn,Antal nya barn,0581,Norrköping,2024Q1,quarter,340,"
	       "published,\r\n", "csv: commas by default, Swedish names");
	ok(!http_result_header(&r, "Link", link, sizeof link), "csv: one page, no Link");
	http_result_free(&r);

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data?indicator=bup.nya_barn&area=0581"
	        "&from=2024Q1&to=2024Q4&format=csv&limit=2");
	ok(http_result_header(&r, "Link", link, sizeof link), "csv paged: Link");
	is_str(link, "</v1/data?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q4"
	       "&format=csv&limit=2&page=2>; rel=\"next\"", "csv paged: the next page");
	http_result_free(&r);
}

/* The xlsx answer: read back with openpyxl, the cells exact and typed
 * (numbers are numbers, a hidden cell the text ".."), equal to the JSON
 * rows; the legend and method sheet; an attachment. */
static void test_xlsx(void)
{
	static const char q[] = "?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q2";
	struct http_result r;
	char type[128] = "", disp[128] = "", version[32] = "", want[128];

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data%s&format=xlsx&lang=en", q);
	is_int(r.status, 200, "xlsx: 200");
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == 0,
	   "xlsx: its media type (%s)", type);
	ok(http_result_header(&r, "Content-Disposition", disp, sizeof disp), "xlsx: disposition");
	is_str(disp, "attachment; filename=\"samlad-data.xlsx\"", "xlsx: an attachment named");
	ok(http_result_header(&r, "Samlad-Data-Version", version, sizeof version), "xlsx: version");
	cJSON *book = agg_xlsx(&r);
	http_result_free(&r);
	char *text = book ? cJSON_PrintUnformatted(agg_at(book, "sheets")) : NULL;
	is_str(text, "[\"Data\",\"Legend and method\"]", "xlsx: two sheets, in English");
	free(text);
	text = book ? cJSON_PrintUnformatted(agg_at(book, "rows.Data")) : NULL;
	is_str(text, "[[\"Indicator\",\"Indicator name\",\"Area\",\"Area name\",\"Period\","
	       "\"Frequency\",\"Value\",\"Status\"],"
	       "[\"bup.nya_barn\",\"New children\",\"0581-hageby\",\"Hageby\",\"2024Q1\","
	       "\"quarter\",22,\"published\"],"
	       "[\"bup.nya_barn\",\"New children\",\"0581-hageby\",\"Hageby\",\"2024Q2\","
	       "\"quarter\",\"..\",\"suppressed\"],"
	       "[\"bup.nya_barn\",\"New children\",\"0581-hageby\",\"Hageby\",\"2024\","
	       "\"year\",106,\"published\"]]", "xlsx: the header and every cell, typed");
	free(text);
	text = book ? cJSON_PrintUnformatted(agg_at(book, "value_formats")) : NULL;
	is_str(text, "[\"#,##0;-#,##0;\\\"\xe2\x80\x93\\\"\",\"#,##0;-#,##0;\\\"\xe2\x80\x93"
	       "\\\"\"]", "xlsx: numbers formatted with SCB's \xe2\x80\x93 for a zero");
	free(text);
	const cJSON *legend = agg_at(book, "rows.Legend and method");
	is_str(agg_str(legend, "0.0"), "Legend", "xlsx legend: its heading");
	is_str(agg_str(legend, "1.0"), "\xe2\x80\x93", "xlsx legend: zero first");
	is_str(agg_str(legend, "1.1"), "magnitude zero", "xlsx legend: its meaning");
	is_str(agg_str(legend, "2.0"), "..", "xlsx legend: ..");
	is_str(agg_str(legend, "6.0"), "Method", "xlsx method: its heading");
	int n = cJSON_GetArraySize(legend);
	snprintf(want, sizeof want, "%s", version);
	is_str(agg_str(legend, n == 16 ? "14.0" : "0.0"), "Data version", "xlsx method: 16 rows, "
	       "the data version named");
	ok(n == 16 && (long long)agg_num(legend, "14.1") == atoll(want), "xlsx method: the data "
	   "version is the header's %s", want);
	is_str(agg_str(legend, "13.1"), "when the file was fetched", "xlsx method: no as_of");
	is_str(agg_str(legend, "12.1"), "each indicator's own k (see /v1/table, suppress_below)",
	       "xlsx method: k per indicator");
	cJSON_Delete(book);

	/* The same values as the JSON answer, Swedish by default, paged. */
	cJSON *o = data("?indicator=bup.nya_barn,soc.placerade&area=0581*&from=2024Q1&to=2024Q4");
	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data?indicator=bup.nya_barn,soc.placerade"
	        "&area=0581*&from=2024Q1&to=2024Q4&format=xlsx");
	book = agg_xlsx(&r);
	http_result_free(&r);
	const cJSON *rows = agg_at(book, "rows.Data"), *row;
	is_str(agg_str(rows, "0.6"), "V\xc3\xa4rde", "xlsx: a Swedish header");
	int i = 0, same = 0;
	cJSON_ArrayForEach(row, agg_at(o, "rows")) {
		const cJSON *x = cJSON_GetArrayItem(rows, ++i);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, "value");
		const cJSON *xv = cJSON_GetArrayItem(x, 6);
		same += strcmp(agg_str(row, "area"), cJSON_GetStringValue(cJSON_GetArrayItem(x, 2))) == 0 &&
		        strcmp(agg_str(row, "period"), cJSON_GetStringValue(cJSON_GetArrayItem(x, 4))) == 0 &&
		        (cJSON_IsNull(v) ? cJSON_IsString(xv) && strcmp(xv->valuestring, "..") == 0
		                         : cJSON_IsNumber(xv) && xv->valuedouble == v->valuedouble);
	}
	ok(i > 0 && same == i && cJSON_GetArraySize(rows) == i + 1, "xlsx: %d of %d rows equal "
	   "the JSON's", same, i);
	cJSON_Delete(book);
	cJSON_Delete(o);
}

static void test_all_and_as_of(void)
{
	cJSON *o = data("?from=2024Q1&to=2024Q4");

	/* The demo catalogue: 27 indicators, 12 areas; 4 quarters and the year. */
	is_int((long long)agg_num(o, "total"), 27 * 12 * 5, "all: every indicator x area x column");
	cJSON_Delete(o);
	o = data("?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q1"
	         "&freq=quarter&as_of=2025-01-01T00:00:00Z");
	row_is(o, 0, "0581-hageby", "2024Q1", "quarter", -1, "missing");
	cJSON_Delete(o);
	o = data("?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q1"
	         "&freq=quarter&as_of=2025-01-10T10:00:00%2B00:00");
	row_is(o, 0, "0581-hageby", "2024Q1", "quarter", 22, "published");
	cJSON_Delete(o);
}

/* GETs path with extra headers into r. */
static void get_with(const char *path, const char *const *headers, struct http_result *r)
{
	agg_get(&env.agg, env.analyst, headers, r, "%s", path);
}

static void test_caching(void)
{
	static const char as_of[] = "/v1/data?area=0581*&from=2024Q1&to=2024Q4"
	                            "&as_of=2025-02-01T00:00:00Z";
	char cache[128] = "", etag[64] = "", inm[96], vary[64] = "";
	struct http_result r, again;

	get_with(as_of, NULL, &r);
	is_int(r.status, 200, "as_of: 200");
	ok(http_result_header(&r, "Cache-Control", cache, sizeof cache), "as_of: Cache-Control");
	is_str(cache, "private, max-age=31536000, immutable", "as_of: immutable");
	ok(http_result_header(&r, "ETag", etag, sizeof etag) && strlen(etag) == 34,
	   "as_of: a strong ETag (%s)", etag);
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	const char *const cond[] = { inm, NULL };
	get_with(as_of, cond, &again);
	is_int(again.status, 304, "If-None-Match: 304");
	is_int((long long)again.body.len, 0, "304: no body");
	http_result_free(&again);
	const char *const other[] = { "If-None-Match: \"0123\"", NULL };
	get_with(as_of, other, &again);
	is_int(again.status, 200, "another ETag: 200");
	is_str(again.body.data, r.body.data, "the same as_of, the same bytes");
	http_result_free(&again);

	const char *const gz[] = { "Accept-Encoding: gzip", NULL };
	char encoding[32] = "", gz_etag[64] = "";
	get_with(as_of, gz, &again);
	ok(http_result_header(&again, "Content-Encoding", encoding, sizeof encoding) &&
	   strcmp(encoding, "gzip") == 0, "gzip: Content-Encoding gzip");
	ok(http_result_header(&again, "Vary", vary, sizeof vary) &&
	   strcmp(vary, "Accept-Encoding") == 0, "gzip: Vary");
	ok(http_result_header(&again, "ETag", gz_etag, sizeof gz_etag) &&
	   strcmp(gz_etag, etag) != 0, "gzip: its own ETag (%s)", gz_etag);
	ok(again.body.len < r.body.len / 4, "gzip: %zu bytes for %zu", again.body.len, r.body.len);
	char *plain = malloc(r.body.len + 1);
	uLongf plain_len = r.body.len + 1;
	z_stream z = { 0 };
	inflateInit2(&z, 31);
	z.next_in = (Bytef *)again.body.data;
	z.avail_in = (uInt)again.body.len;
	z.next_out = (Bytef *)plain;
	z.avail_out = (uInt)plain_len;
	is_int(inflate(&z, Z_FINISH), Z_STREAM_END, "gzip: inflates");
	ok(z.total_out == r.body.len && memcmp(plain, r.body.data, r.body.len) == 0,
	   "gzip: inflates to the same bytes");
	inflateEnd(&z);
	free(plain);
	http_result_free(&again);
	http_result_free(&r);

	get_with("/v1/data?area=0581*&from=2024Q1&to=2024Q4", gz, &r);
	ok(http_result_header(&r, "Cache-Control", cache, sizeof cache) &&
	   strcmp(cache, "no-store") == 0, "current: no-store");
	ok(!http_result_header(&r, "ETag", etag, sizeof etag), "current: no ETag");
	http_result_free(&r);
	get_with("/v1/data?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q1&freq=quarter",
	         gz, &r);
	ok(!http_result_header(&r, "Content-Encoding", encoding, sizeof encoding),
	   "a small answer is not gzipped");
	http_result_free(&r);
	get_with("/v1/data?indicator=nope&as_of=2025-02-01T00:00:00Z", NULL, &r);
	ok(http_result_header(&r, "Cache-Control", cache, sizeof cache) &&
	   strcmp(cache, "no-store") == 0, "as_of refused: no-store");
	ok(!http_result_header(&r, "ETag", etag, sizeof etag), "as_of refused: no ETag");
	http_result_free(&r);
}

/* A refused request: status, error, and the exact message. */
static void refused(const char *query, long status, const char *code, const char *message)
{
	struct http_result r;

	agg_get(&env.agg, env.analyst, NULL, &r, "/v1/data%s", query);
	agg_check_error(query, &r, status, code);
	cJSON *o = agg_json(&r);
	if (message)
		is_str(agg_str(o, "message"), message, "%s: message", query);
	cJSON_Delete(o);
	http_result_free(&r);
}

static void test_jsonstat(void)
{
	static const char q[] = "/v1/data?indicator=bup.nya_barn,soc.placerade"
	                        "&area=0581-hageby,0581-navestad&from=2024Q1&to=2024Q4";
	char path[256], type[96] = "";
	struct http_result r, rows_r, by_accept;

	snprintf(path, sizeof path, "%s&format=json-stat2&lang=en", q);
	get_with(path, NULL, &r);
	is_int(r.status, 200, "json-stat: 200");
	ok(http_result_header(&r, "Content-Type", type, sizeof type) &&
	   strcmp(type, "application/json-stat+json; charset=utf-8") == 0, "json-stat: type (%s)",
	   type);
	cJSON *o = agg_json(&r);
	is_str(agg_str(o, "version"), "2.0", "json-stat: version");
	is_str(agg_str(o, "class"), "dataset", "json-stat: class");
	is_str(agg_str(o, "id.0"), "indicator", "json-stat: id indicator");
	is_str(agg_str(o, "id.2"), "time", "json-stat: id time");
	is_int((long long)agg_num(o, "size.0"), 2, "json-stat: 2 indicators");
	is_int((long long)agg_num(o, "size.1"), 2, "json-stat: 2 areas");
	is_int((long long)agg_num(o, "size.2"), 5, "json-stat: 5 periods");
	is_int((long long)agg_num(o, "dimension.area.category.index.0581-navestad"), 1,
	       "json-stat: navestad second");
	is_str(agg_str(o, "dimension.area.category.label.0581-hageby"), "Hageby", "json-stat: label");
	is_str(agg_str(o, "dimension.time.category.label.2024"), "2024", "json-stat: the year");
	is_str(agg_str(o, "role.geo.0"), "area", "json-stat: area is geo");
	is_int((long long)agg_num(o, "value.0"), 22, "json-stat: hageby 2024Q1");
	ok(agg_is_null(o, "value.1"), "json-stat: hageby 2024Q2 null");
	is_str(agg_str(o, "status.1"), "suppressed", "json-stat: its status");
	is_int((long long)agg_num(o, "value.4"), 106, "json-stat: hageby 2024");

	/* Every value and status is the /v1/data row at the same position. */
	get_with(q, NULL, &rows_r);
	cJSON *rows = agg_json(&rows_r);
	int same = 0;
	for (int i = 0; i < 20; i++) {
		char vp[32], rp[32], sp[32];
		snprintf(vp, sizeof vp, "value.%d", i);
		snprintf(rp, sizeof rp, "rows.%d", i);
		snprintf(sp, sizeof sp, "status.%d", i);
		const cJSON *row = agg_at(rows, rp);
		bool published = strcmp(agg_str(row, "status"), "published") == 0;
		same += published ? agg_num(o, vp) == agg_num(row, "value") && !agg_at(o, sp)
		                  : agg_is_null(o, vp) && strcmp(agg_str(o, sp), agg_str(row, "status")) == 0;
	}
	is_int(same, 20, "json-stat: all 20 cells as /v1/data gives them");
	cJSON_Delete(rows);
	http_result_free(&rows_r);

	agg_check_schema(&r, "jsonstat-2.0-dataset.schema.json", "json-stat",
	                 "JSON-stat 2.0 dataset schema");

	const char *const accept[] = { "Accept: application/json-stat+json", NULL };
	snprintf(path, sizeof path, "%s&lang=en", q);
	get_with(path, accept, &by_accept);
	is_str(by_accept.body.data, r.body.data, "json-stat by Accept: the same bytes");
	http_result_free(&by_accept);
	cJSON_Delete(o);
	http_result_free(&r);

	refused("?area=0581*&from=2024Q1&to=2024Q4&format=json-stat2&limit=10", 400,
	        "too_many_cells", "a JSON-stat dataset is one whole cube: this request has 810 "
	        "cells, more than 10; "
	        "ask for fewer indicators, areas or periods");
}

static void test_refusals(void)
{
	struct http_result r;

	refused("?indicator=nope", 400, "invalid_parameter",
	        "indicator 'nope': no such indicator in the catalogue");
	refused("?indicator=bup.nya_barn,,soc.placerade", 400, "invalid_parameter",
	        "indicator 'bup.nya_barn,,soc.placerade': an empty item in the list");
	refused("?area=0581-nowhere*", 400, "invalid_parameter",
	        "area '0581-nowhere*': no such area in the catalogue");
	refused("?freq=month", 400, "invalid_parameter", "freq 'month': expected all, quarter or year");
	refused("?lang=de", 400, "invalid_parameter", "lang 'de': expected sv or en");
	refused("?sep=tab", 400, "invalid_parameter", "sep 'tab': expected comma or semicolon");
	refused("?page=0", 400, "invalid_parameter", "page '0': a whole number from 1");
	refused("?limit=100001", 400, "invalid_parameter",
	        "limit '100001': a whole number from 1 to 100000");
	refused("?limit=1.5", 400, "invalid_parameter",
	        "limit '1.5': a whole number from 1 to 100000");
	refused("?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q1&page=2", 400,
	        "invalid_parameter", "page '2': there is 1 page");
	refused("?from=2024Q3&to=2024Q1", 400, "invalid_parameter", "from '2024Q3': is after to");
	refused("?format=sdmx-json", 400, "invalid_parameter",
	        "format 'sdmx-json': use json, csv, json-stat2, sdmx-csv or xlsx");
	refused("?indicator=bup.nya_barn&indicator=soc.placerade", 400, "invalid_parameter", NULL);
	refused("?colour=red", 400, "invalid_parameter", NULL);
	agg_get(&env.agg, NULL, NULL, &r, "/v1/data");
	agg_check_error("no token", &r, 401, "unauthorized");
	http_result_free(&r);
	const char *const png[] = { "Accept: image/png", NULL };
	agg_get(&env.agg, env.analyst, png, &r, "/v1/data?area=0581");
	agg_check_error("Accept: image/png", &r, 406, "not_acceptable");
	cJSON *o = agg_json(&r);
	is_str(agg_str(o, "message"), "Accept names no format of this endpoint; it answers json, "
	       "csv, json-stat2, sdmx-csv or xlsx (or ask with format=)", "406: the message");
	cJSON_Delete(o);
	http_result_free(&r);
}

int main(void)
{
	agg_env_start(&env, "aggdata", NULL);
	plant_all(&env);
	test_small();
	test_equals_table(NB);
	test_equals_table(SP);
	test_paging();
	test_csv();
	test_xlsx();
	test_all_and_as_of();
	test_refusals();
	test_caching();
	test_jsonstat();
	agg_env_stop(&env);
	return tap_done();
}
