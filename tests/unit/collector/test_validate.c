/* Validation against a catalogue built by hand: every catalogue conflict by
 * its exact code, field and index, their order, merging with ingest's
 * conflicts, repeated keys across both period spellings, and the rows a
 * valid batch resolves to. */
#include <stdlib.h>
#include <string.h>
#include "catalogue.h"
#include "ingest.h"
#include "tap.h"
#include "validate.h"

/* 2024-11-15 00:00:00 UTC: the current quarter is 2024Q4. */
#define NOW ((time_t)1731628800)

#define BUP 1   /* agency ids */
#define SOC 2
#define NYA_BARN 100 /* indicator ids */
#define UTREDDA 200

/* Areas sorted by code; parents by index. 0581 and 0182 have districts,
 * 9999 is a municipality without any (so a leaf). Skärblacka belongs to
 * its tables from 2020Q2 to 2024Q2 only. */
static struct cat_area areas[] = {
	{ 10, "0182", "Nacka", -1, 1, 0, 0 },
	{ 11, "0182-boo", "Boo", 0, 0, 0, 0 },
	{ 20, "0581", "Norrk\xC3\xB6ping", -1, 3, 0, 0 },
	{ 21, "0581-hageby", "Hageby", 2, 0, 0, 0 },
	{ 22, "0581-navestad", "Navestad", 2, 0, 0, 0 },
	{ 23, "0581-skarblacka", "Sk\xC3\xA4rblacka", 2, 0, 20202, 20242 },
	{ 30, "9999", "Ensam", -1, 0, 0, 0 },
};

static struct cat_agency agencies[] = {
	{ BUP, "bup", "BUP", NULL },
	{ SOC, "soc", "Socialtj\xC3\xA4nsten", NULL },
};

static struct cat_indicator indicators[] = {
	{ NYA_BARN, "bup.nya_barn", 0, LEVEL_SPECIALISED, KIND_FLOW, "Antal nya barn", "New children", 0 },
	{ UTREDDA, "soc.utredda", 1, LEVEL_FIRST_LINE, KIND_FLOW, "Utredda barn", "Children assessed", 0 },
};

/* Sorted by agency, indicator, area. BUP may report for every leaf but
 * 0182-boo; SOC only for Hageby. */
static struct cat_permission permissions[] = {
	{ BUP, NYA_BARN, 21 },
	{ BUP, NYA_BARN, 22 },
	{ BUP, NYA_BARN, 23 },
	{ BUP, NYA_BARN, 30 },
	{ SOC, UTREDDA, 21 },
};

static struct catalogue cat = {
	1, 5, agencies, 2, areas, 7, indicators, 2, permissions, 5, NULL, NULL, 0,
};

/* A batch read from a JSON or CSV body and validated. */
struct checked {
	struct raw_batch rows;  /* what ingest read */
	struct conflicts found; /* ingest's conflicts */
	struct validation v;    /* the verdict */
	int rc;                 /* validate_batch's answer */
};

static void checked_free(struct checked *c)
{
	raw_batch_free(&c->rows);
	conflicts_free(&c->found);
	validation_free(&c->v);
}

static void check(struct checked *c, bool csv, int agency, const char *body)
{
	struct ingest_error err;
	*c = (struct checked){ RAW_BATCH_INIT, CONFLICTS_INIT, VALIDATION_INIT, -1 };
	enum ingest_status st = csv ? ingest_csv(body, strlen(body), &c->rows, &c->found, &err)
	                            : ingest_json(body, strlen(body), &c->rows, &c->found, &err);
	if (st != INGEST_OK) {
		diag("ingest failed: %s", st == INGEST_REJECTED ? err.message : "memory");
		return;
	}
	c->rc = validate_batch(&c->rows, &c->found, &cat, agency, NOW, &c->v);
}

#define ROW(ind, area, period, value) "{\"indicator\":\"" ind "\",\"area\":\"" area \
	"\",\"period\":\"" period "\",\"value\":" value "}"
#define BATCH(rows) "{\"counts\":[" rows "]}"

/* One conflict expected in a validated batch. */
struct want {
	size_t index;       /* its row */
	const char *field;  /* its field */
	const char *code;   /* its code */
};

/* The batch's conflicts are exactly `want`, in that order. */
static void conflicts_are(const char *name, const struct checked *c,
                          const struct want *want, size_t n)
{
	is_int(c->rc, 0, "%s: validated", name);
	is_int(c->v.conflicts.n, n, "  %zu conflicts", n);
	for (size_t i = 0; i < n && i < c->v.conflicts.n; i++) {
		const struct conflict *k = &c->v.conflicts.items[i];
		is_int(k->index, want[i].index, "  #%zu index %zu", i, want[i].index);
		is_str(k->field, want[i].field, "  #%zu field %s", i, want[i].field);
		is_str(k->code, want[i].code, "  #%zu code %s", i, want[i].code);
	}
}

/* A one-row batch (for BUP) whose only conflict is (field, code); the
 * message must contain `part`. */
static void one(const char *body, const char *field, const char *code, const char *part)
{
	struct checked c;
	struct want w = { 0, field, code };

	check(&c, false, BUP, body);
	conflicts_are(code, &c, &w, 1);
	is_int(c.v.invalid_rows, 1, "  one invalid row");
	ok(c.v.rows == NULL, "  no rows come out");
	if (c.v.conflicts.n == 1 && !ok(strstr(c.v.conflicts.items[0].message, part) != NULL,
	                                "  message mentions '%s'", part))
		diag("message: %s", c.v.conflicts.items[0].message);
	checked_free(&c);
}

static void test_single_conflicts(void)
{
	one(BATCH(ROW("bup.gamla_barn", "0581-hageby", "2024Q3", "1")), "indicator",
	    "unknown_indicator", "indicator 'bup.gamla_barn' is not in the catalogue");
	one(BATCH(ROW("BUP.nya_barn", "0581-hageby", "2024Q3", "1")), "indicator",
	    "unknown_indicator", "'BUP.nya_barn'");
	one(BATCH(ROW("", "0581-hageby", "2024Q3", "1")), "indicator", "unknown_indicator", "''");
	one(BATCH(ROW("bup.nya_barn", "0581-klockaretorpet", "2024Q3", "1")), "area",
	    "unknown_area", "area '0581-klockaretorpet' is not in the catalogue");
	one(BATCH(ROW("bup.nya_barn", "0581", "2024Q3", "1")), "area", "not_a_leaf_area",
	    "area '0581' has 3 districts");
	one(BATCH(ROW("bup.nya_barn", "0182-boo", "2024Q3", "1")), "indicator", "not_permitted",
	    "not permitted to report indicator 'bup.nya_barn' for area '0182-boo'");
	one(BATCH(ROW("soc.utredda", "0581-hageby", "2024Q3", "1")), "indicator",
	    "not_permitted", "'soc.utredda'");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q5", "1")), "period", "invalid_period",
	    "period '2024Q5' is not a quarter");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "2024q3", "1")), "period", "invalid_period",
	    "'2024q3'");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "2024-3", "1")), "period", "invalid_period",
	    "YYYYQn or YYYY-Qn");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "", "1")), "period", "invalid_period", "''");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "1999Q4", "1")), "period",
	    "period_too_early", "period '1999Q4' is before 2000Q1");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "2025Q1", "1")), "period", "future_period",
	    "period '2025Q1' is after the current quarter, 2024Q4");
	one(BATCH(ROW("bup.nya_barn", "0581-hageby", "2025-Q1", "1")), "period", "future_period",
	    "'2025-Q1'");
	one(BATCH(ROW("bup.nya_barn", "0581-skarblacka", "2020Q1", "1")), "period",
	    "period_before_area", "area '0581-skarblacka' is counted from 2020Q2; period 2020Q1 "
	    "is before it");
	one(BATCH(ROW("bup.nya_barn", "0581-skarblacka", "2024-Q3", "1")), "period",
	    "period_after_area", "area '0581-skarblacka' is counted until 2024Q2; period 2024Q3 "
	    "is after it");
}

/* The first and the last period of an area are its own: both accepted. */
static void test_area_periods(void)
{
	struct checked c;

	check(&c, false, BUP, BATCH(ROW("bup.nya_barn", "0581-skarblacka", "2020Q2", "3") ","
	      ROW("bup.nya_barn", "0581-skarblacka", "2024Q2", "4")));
	conflicts_are("skarblacka's first and last period", &c, NULL, 0);
	is_int(c.v.nrows, 2, "  both rows come out");
	checked_free(&c);
}

static void test_good_batch(void)
{
	struct checked c;

	check(&c, false, BUP, BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "12") ","
	      ROW("bup.nya_barn", "0581-hageby", "2024-Q2", "0") ","
	      ROW("bup.nya_barn", "9999", "2024Q4", "1000000000") ","
	      ROW("bup.nya_barn", "0581-navestad", "2000Q1", "3")));
	is_int(c.rc, 0, "good batch validated");
	is_int(c.v.conflicts.n, 0, "  no conflicts");
	is_int(c.v.invalid_rows, 0, "  no invalid rows");
	is_int(c.v.nrows, 4, "  four rows");
	ok(c.v.rows != NULL, "  rows come out");
	if (c.v.rows) {
		const struct valid_row *r = c.v.rows;
		ok(r[0].indicator_id == NYA_BARN && r[0].area_id == 21 && r[0].period == 20243 &&
		   r[0].value == 12, "  row 0 resolved (100, 21, 20243, 12)");
		is_int(r[1].period, 20242, "  2024-Q2 stored canonically as 20242");
		is_int(r[1].value, 0, "  row 1 value 0");
		ok(r[2].area_id == 30 && r[2].period == 20244 && r[2].value == 1000000000,
		   "  a municipality without districts is a leaf; the current quarter is accepted");
		is_int(r[3].period, 20001, "  2000Q1 accepted");
	}
	checked_free(&c);

	check(&c, true, SOC, "area,value,period,indicator\r\n0581-hageby,4,2024-Q1,soc.utredda\r\n");
	ok(c.rc == 0 && c.v.conflicts.n == 0 && c.v.rows && c.v.rows[0].indicator_id == UTREDDA &&
	   c.v.rows[0].period == 20241, "csv batch of another agency validated and resolved");
	checked_free(&c);
}

static void test_repeats(void)
{
	struct checked c;
	static const struct want w[] = {
		{ 2, "row", "duplicate_key" },
		{ 3, "row", "duplicate_key" },
		{ 5, "row", "duplicate_key" },
	};

	check(&c, false, BUP, BATCH(ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1") ","
	      ROW("bup.nya_barn", "0581-hageby", "2024Q2", "1") ","
	      ROW("bup.nya_barn", "0581-hageby", "2024-Q3", "2") ","
	      ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1") ","
	      ROW("bup.nya_barn", "0581-navestad", "2024Q3", "1") ","
	      ROW("bup.nya_barn", "0581-navestad", "2024Q3", "1")));
	conflicts_are("repeated keys", &c, w, 3);
	is_int(c.v.invalid_rows, 3, "  three invalid rows");
	if (c.v.conflicts.n == 3) {
		is_str(c.v.conflicts.items[0].message, "indicator 'bup.nya_barn', area '0581-hageby' "
		       "and period 2024Q3 already appear at index 0",
		       "  the message names the key and the first index");
		ok(strstr(c.v.conflicts.items[1].message, "at index 0") != NULL,
		   "  a third occurrence also names index 0");
		ok(strstr(c.v.conflicts.items[2].message, "at index 4") != NULL,
		   "  another key names its own first index");
	}
	checked_free(&c);

	/* Rows without a usable key are not repeats of anything. */
	check(&c, false, BUP, BATCH(ROW("x", "0581-hageby", "2024Q3", "1") ","
	      ROW("x", "0581-hageby", "2024Q3", "1") ","
	      ROW("bup.nya_barn", "0581-hageby", "2030Q1", "1") ","
	      ROW("bup.nya_barn", "0581-hageby", "2030Q1", "1")));
	static const struct want w2[] = {
		{ 0, "indicator", "unknown_indicator" }, { 1, "indicator", "unknown_indicator" },
		{ 2, "period", "future_period" }, { 3, "period", "future_period" },
	};
	conflicts_are("rows without a usable key", &c, w2, 4);
	checked_free(&c);
}

static void test_order_and_merge(void)
{
	struct checked c;
	static const struct want w[] = {
		{ 0, "value", "negative_count" },
		{ 1, "row", "not_an_object" },
		{ 2, "indicator", "unknown_indicator" },
		{ 2, "area", "unknown_area" },
		{ 2, "period", "invalid_period" },
		{ 2, "value", "fractional_count" },
		{ 2, "colour", "unknown_field" },
		{ 3, "indicator", "wrong_type" },
		{ 3, "area", "not_a_leaf_area" },
		{ 3, "period", "missing_field" },
		{ 4, "row", "duplicate_key" },
		{ 4, "value", "count_too_large" },
	};

	check(&c, false, BUP, BATCH(
	      ROW("bup.nya_barn", "0581-hageby", "2024Q3", "-1") ","
	      "\"row\","
	      "{\"colour\":\"red\",\"value\":1.5,\"period\":\"Q3\",\"area\":\"nowhere\","
	      "\"indicator\":\"nothing\"},"
	      "{\"area\":\"0581\",\"indicator\":false,\"value\":1},"
	      ROW("bup.nya_barn", "0581-hageby", "2024Q3", "1000000001") ","
	      ROW("bup.nya_barn", "0581-navestad", "2024Q3", "1")));
	conflicts_are("conflicts ordered by index, then indicator, area, period, value", &c, w,
	              sizeof w / sizeof w[0]);
	is_int(c.v.invalid_rows, 5, "  five of six rows invalid");
	is_int(c.v.nrows, 6, "  six rows");
	ok(c.v.rows == NULL, "  no rows come out");
	checked_free(&c);
}

static void test_csv_lines(void)
{
	struct checked c;
	static const struct want w[] = {
		{ 1, "area", "unknown_area" },
		{ 1, "value", "negative_count" },
		{ 2, "area", "not_a_leaf_area" },
	};

	check(&c, true, BUP, "indicator,area,period,value\n"
	      "bup.nya_barn,0581-hageby,2024Q3,1\n"
	      "bup.nya_barn,\"no\nwhere\",2024Q3,-1\n"
	      "bup.nya_barn,0182,2024Q3,1\n");
	conflicts_are("csv conflicts", &c, w, 3);
	if (c.v.conflicts.n == 3) {
		is_int(c.v.conflicts.items[0].line, 3, "  the catalogue's conflict carries line 3");
		is_int(c.v.conflicts.items[1].line, 3, "  ingest's conflict carries line 3");
		is_int(c.v.conflicts.items[2].line, 5, "  the next row starts on line 5");
		is_str(c.v.conflicts.items[0].message, "area 'no?where' is not in the catalogue",
		       "  a newline in an echoed value is replaced");
	}
	checked_free(&c);
}

static void test_limit(void)
{
	struct checked c;
	size_t n = CONFLICT_LIMIT + 7, len = 0;
	char *body = malloc(32 + n * 80);

	if (!body)
		return;
	len += (size_t)sprintf(body, "indicator,area,period,value\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(body + len, "nope,0581-hageby,2024Q3,%s\n", i % 2 ? "1" : "-1");
	check(&c, true, BUP, body);
	is_int(c.rc, 0, "a batch of %zu bad rows validated", n);
	is_int(c.v.invalid_rows, n, "  every row counted invalid");
	/* Rows 0..6665 hold 9999 conflicts; row 6666 (two) is kept whole. */
	is_int(c.v.conflicts.n, CONFLICT_LIMIT + 1, "  conflicts kept up to the limit, whole rows");
	ok(c.v.conflicts.n > 0 && c.v.conflicts.items[c.v.conflicts.n - 1].index == 6666,
	   "  the last kept row is index 6666");
	ok(c.v.conflicts.omitted > 0, "  the rest counted as omitted (%zu)", c.v.conflicts.omitted);
	is_int(c.v.conflicts.n + c.v.conflicts.omitted, n + (n + 1) / 2,
	       "  kept plus omitted is every conflict");
	checked_free(&c);
	free(body);
}

int main(void)
{
	test_single_conflicts();
	test_area_periods();
	test_good_batch();
	test_repeats();
	test_order_and_merge();
	test_csv_lines();
	test_limit();
	return tap_done();
}
