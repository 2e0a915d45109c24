/* Unit tests of render/xlsx.c: a workbook of hand-made rows (a published
 * zero, a count, a hidden and a missing cell, a year) read back with
 * python3-openpyxl through tests/integration/aggregator/xlsx_dump.py: a
 * zero stays the number 0 with the number format that shows "–", hidden
 * and missing cells are "..", the legend and the method name k, as_of and
 * the versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "xlsx.h"
#include "tap.h"

static struct cat_indicator ind = { .id = 1, .code = "bup.nya_barn", .agency = 0,
                                    .level = LEVEL_SPECIALISED, .kind = KIND_FLOW,
                                    .name_sv = "Antal nya barn", .name_en = "New children" };
static struct cat_area area = { .id = 2, .code = "0581-hageby", .name = "Hageby", .parent = 0 };

/* The workbook as xlsx_dump.py prints it, or NULL. */
static cJSON *dump(const struct buf *book)
{
	char path[512], cmd[2048], chunk[4096];
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	const char *dir = getenv("SAMLAD_BUILD_DIR");
	struct buf out = BUF_INIT;
	size_t n;

	snprintf(path, sizeof path, "%s/unit-xlsx-%d.xlsx", dir ? dir : "/tmp", (int)getpid());
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(book->data, 1, book->len, fp) != book->len || fclose(fp) != 0)
		return NULL;
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/integration/aggregator/xlsx_dump.py %s",
	         src ? src : ".", path);
	FILE *p = popen(cmd, "r");
	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		(void)buf_append(&out, chunk, n);
	if (p)
		pclose(p);
	unlink(path);
	cJSON *o = out.data ? cJSON_Parse(out.data) : NULL;
	buf_free(&out);
	return o;
}

/* The compact JSON of o's member at a path of names and indexes. */
static char *at(const cJSON *o, const char *sheet, int row)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o, "rows"), sheet);
	return cJSON_PrintUnformatted(row < 0 ? rows : cJSON_GetArrayItem(rows, row));
}

static void check(const char *sheet, int row, const cJSON *o, const char *want,
                  const char *what)
{
	char *t = at(o, sheet, row);
	is_str(t, want, "%s", what);
	free(t);
}

int main(void)
{
	const struct data_row rows[] = {
		{ &ind, &area, 2024, 0, { 0, DC_PUBLISHED }, 0 },
		{ &ind, &area, 2024, 1, { 0, DC_HIDDEN }, 0 },
		{ &ind, &area, 2024, 2, { 0, DC_MISSING }, 0 },
		{ &ind, &area, 2024, 3, { 1234, DC_PUBLISHED }, 0 },
		{ &ind, &area, 2024, DC_YEAR, { 1234, DC_PUBLISHED }, 0 },
	};
	struct data_style style = { false, ',' };
	struct xlsx_method method = { 5, "2025-06-01T00:00:00Z", 42, 3 };
	struct buf book = BUF_INIT;

	is_int(render_xlsx(rows, 5, &style, &method, &book), 0, "a workbook is made");
	ok(book.len > 4 && memcmp(book.data, "PK\x03\x04", 4) == 0, "it is a zip file");
	cJSON *o = dump(&book);
	ok(o != NULL, "openpyxl reads it");
	char *sheets = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "sheets"));
	is_str(sheets, "[\"Data\",\"Teckenf\xc3\xb6rklaring och metod\"]", "two sheets, Swedish");
	free(sheets);
	check("Data", 1, o, "[\"bup.nya_barn\",\"Antal nya barn\",\"0581-hageby\",\"Hageby\","
	      "\"2024Q1\",\"kvartal\",0,\"published\"]", "a zero is the number 0");
	check("Data", 2, o, "[\"bup.nya_barn\",\"Antal nya barn\",\"0581-hageby\",\"Hageby\","
	      "\"2024Q2\",\"kvartal\",\"..\",\"suppressed\"]", "a hidden cell is ..");
	check("Data", 3, o, "[\"bup.nya_barn\",\"Antal nya barn\",\"0581-hageby\",\"Hageby\","
	      "\"2024Q3\",\"kvartal\",\"..\",\"missing\"]", "a missing cell is .. too");
	check("Data", 5, o, "[\"bup.nya_barn\",\"Antal nya barn\",\"0581-hageby\",\"Hageby\","
	      "\"2024\",\"\xc3\xa5r\",1234,\"published\"]", "the year, a number");
	char *formats = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "value_formats"));
	ok(formats && strncmp(formats, "[\"#,##0;-#,##0;\\\"\xe2\x80\x93\\\"\",", 20) == 0 &&
	   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "value_formats")) == 3,
	   "every number, the zero too, shows a zero as \xe2\x80\x93 (%s)", formats);
	free(formats);
	const char *legend = "Teckenf\xc3\xb6rklaring och metod";
	check(legend, 1, o, "[\"\xe2\x80\x93\",\"noll\"]", "legend: \xe2\x80\x93 noll");
	check(legend, 12, o, "[\"k (minsta antal som visas)\",5]", "method: k");
	check(legend, 13, o, "[\"Avser l\xc3\xa4get (as_of)\",\"2025-06-01T00:00:00Z\"]",
	      "method: as_of");
	check(legend, 14, o, "[\"Dataversion\",42]", "method: the data version");
	check(legend, 15, o, "[\"Katalogversion\",3]", "method: the catalogue version");
	cJSON_Delete(o);
	buf_free(&book);
	return tap_done();
}
