/* The catalogue file reader: the test catalogue passes, and every kind of
 * bad input is reported with its exact "file:line: reason", without
 * cascading into errors about rows that are fine. Each case starts from a
 * small valid catalogue and replaces one file. */
#include <stdlib.h>
#include <string.h>

#include "catalogue_files.h"
#include "tap.h"

static const char base_agencies[] =
	"code,name\n"
	"bup,BUP\n"
	"soc,Socialtjänsten BoU\n";

static const char base_areas[] =
	"code,name,parent\n"
	"0581-hageby,Hageby,0581\n"
	"0581,Norrköping,\n"
	"0581-navestad,Navestad,0581\n";

static const char base_indicators[] =
	"code,agency,level,kind,name_sv,name_en,suppress_below\n"
	"bup.nya_barn,bup,specialised,flow,Antal nya barn,New children,\n"
	"soc.placerade,soc,specialised,stock,Antalet barn placerade utanför hemmet,"
	"Children placed outside the home,10\n";

static const char base_permissions[] =
	"agency,indicator,area\n"
	"bup,bup.nya_barn,0581\n"
	"soc,soc.placerade,0581-hageby\n";

/* Parses and validates the four texts; NULL stands for the base file. */
static struct catalogue_files *check(const char *agencies, const char *areas,
                                     const char *indicators, const char *permissions)
{
	const char *text[CF_NFILES] = {
		agencies ? agencies : base_agencies,
		areas ? areas : base_areas,
		indicators ? indicators : base_indicators,
		permissions ? permissions : base_permissions,
	};
	struct catalogue_files *cf = catalogue_files_new();
	if (!cf)
		abort();
	for (int f = 0; f < CF_NFILES; f++)
		if (catalogue_files_parse(cf, (enum cf_file)f, text[f], strlen(text[f])) != 0)
			abort();
	if (catalogue_files_validate(cf) != 0)
		abort();
	return cf;
}

/* Asserts exactly these errors, in this order, then frees cf. */
static void expect(const char *name, struct catalogue_files *cf,
                   const char *const *want, size_t n)
{
	is_int(cf->nerrors, n, "%s: %zu error(s)", name, n);
	for (size_t i = 0; i < cf->nerrors; i++)
		is_str(cf->errors[i].text, i < n ? want[i] : NULL, "%s: error %zu", name, i + 1);
	catalogue_files_free(cf);
}

#define EXPECT(name, cf, ...) do { \
	static const char *const want_[] = { __VA_ARGS__ }; \
	expect(name, cf, want_, ARRAY_LEN(want_)); \
} while (0)

static void expect_none(const char *name, struct catalogue_files *cf)
{
	expect(name, cf, NULL, 0);
}

static void test_valid(void)
{
	struct catalogue_files *cf = check(NULL, NULL, NULL, NULL);

	is_int(cf->nerrors, 0, "base: no errors");
	is_int(cf->nagencies, 2, "base: 2 agencies");
	is_int(cf->nareas, 3, "base: 3 areas");
	is_int(cf->nindicators, 2, "base: 2 indicators");
	is_int(cf->npermissions, 2, "base: 2 permissions");
	is_str(cf->agencies[1].name, "Socialtjänsten BoU", "base: UTF-8 name kept");
	is_str(cf->areas[1].parent, "", "base: a municipality has an empty parent");
	is_int(cf->indicators[0].level, LEVEL_SPECIALISED, "base: level parsed");
	is_int(cf->indicators[0].kind, KIND_FLOW, "base: flow parsed");
	is_int(cf->indicators[1].kind, KIND_STOCK, "base: stock parsed");
	is_int(cf->indicators[0].suppress_below, 0, "base: empty suppress_below is 0");
	is_int(cf->indicators[1].suppress_below, 10, "base: suppress_below 10");
	is_int(cf->permissions[1].line, 3, "base: permission line numbers count the header");
	/* Hageby is first in the file but its parent must be written first. */
	ok(cf->area_order != NULL, "base: area order set");
	is_str(cf->areas[cf->area_order[0]].code, "0581", "base: the municipality is ordered first");
	is_str(cf->areas[cf->area_order[1]].code, "0581-hageby", "base: then districts in file order");
	catalogue_files_free(cf);
}

static int count_level(const struct catalogue_files *cf, enum indicator_level level)
{
	int n = 0;
	for (size_t i = 0; i < cf->nindicators; i++)
		n += cf->indicators[i].level == level;
	return n;
}

static const struct cf_area *find_area(const struct catalogue_files *cf, const char *code)
{
	for (size_t i = 0; i < cf->nareas; i++)
		if (strcmp(cf->areas[i].code, code) == 0)
			return &cf->areas[i];
	return NULL;
}

static void test_demo(void)
{
	const char *src = getenv("SAMLAD_SOURCE_DIR");
	char dir[4096];
	struct catalogue_files *cf = catalogue_files_new();

	snprintf(dir, sizeof dir, "%s/tests/fixtures/catalogue", src ? src : ".");
	if (!cf || catalogue_files_read_dir(cf, dir) != 0 || catalogue_files_validate(cf) != 0)
		abort();
	for (size_t i = 0; i < cf->nerrors; i++)
		diag("%s", cf->errors[i].text);
	is_int(cf->nerrors, 0, "demo: no errors");
	is_int(cf->nagencies, 13, "demo: 13 agencies");
	is_int(cf->nareas, 12, "demo: 2 municipalities and 10 districts");
	is_int(cf->nindicators, 27, "demo: every indicator of DOMAIN.md");
	is_int(count_level(cf, LEVEL_FIRST_LINE), 17, "demo: 13 Nacka + 4 Norrköping first-line");
	is_int(count_level(cf, LEVEL_SPECIALISED), 10, "demo: 10 specialised");
	is_int(cf->npermissions, 54, "demo: each indicator in both municipalities");
	const struct cf_area *alta = find_area(cf, "0182-alta");
	ok(alta && strcmp(alta->name, "Älta") == 0 && strcmp(alta->parent, "0182") == 0,
	   "demo: Älta is a district of Nacka");
	const struct cf_area *skb = find_area(cf, "0581-skarblacka");
	ok(skb && strcmp(skb->name, "Skärblacka") == 0, "demo: Skärblacka spelled in Swedish");
	catalogue_files_free(cf);
}

static void test_columns(void)
{
	EXPECT("unknown column", check(NULL,
		"code,name,parent,colour\n"
		"0581,Norrköping,,blue\n"
		"0581-hageby,Hageby,0581,red\n", NULL, NULL),
		"areas.csv:1: unknown column \"colour\"");
	/* The rows cannot be read, so references into areas.csv are not
	 * reported as dangling on top. */
	EXPECT("missing column", check(NULL,
		"code,name\n"
		"0581,Norrköping\n", NULL, NULL),
		"areas.csv:1: missing column \"parent\"");
	EXPECT("duplicate column", check(
		"code,name,name\n"
		"bup,BUP,BUP\n", NULL, NULL, NULL),
		"agencies.csv:1: duplicate column \"name\"");
	expect_none("columns in another order", check(NULL,
		"parent,code,name\n"
		",0581,Norrköping\n"
		"0581,0581-hageby,Hageby\n", NULL, NULL));
	EXPECT("wrong field count", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"0581-navestad,Navestad\n"
		"0581-eneby,Eneby,0581,extra\n", NULL, NULL),
		"areas.csv:4: expected 3 fields, found 2",
		"areas.csv:5: expected 3 fields, found 4");
	EXPECT("empty file", check("", NULL, NULL, NULL),
		"agencies.csv:1: no header row");
}

/* first_period and last_period may be left out, left empty, or be quarters
 * in either form, the first not after the last. */
static void test_area_periods(void)
{
	struct catalogue_files *cf = catalogue_files_new();
	const char *areas =
		"code,name,parent,last_period,first_period\n"
		"0581,Norrköping,,,\n"
		"0581-hageby,Hageby,0581,2026Q4,2020-Q2\n"
		"0581-eneby,Eneby,0581,,2027Q1\n";

	if (!cf || catalogue_files_parse(cf, CF_AREAS, areas, strlen(areas)) != 0)
		abort();
	is_int(cf->nerrors, 0, "periods: no errors");
	const struct cf_area *h = find_area(cf, "0581-hageby"), *e = find_area(cf, "0581-eneby");
	ok(h && h->first_period == 20202 && h->last_period == 20264,
	   "periods: hageby from 2020Q2 to 2026Q4, columns in any order");
	ok(e && e->first_period == 20271 && e->last_period == 0, "periods: eneby open-ended");
	ok(find_area(cf, "0581")->first_period == 0, "periods: empty is no bound");
	catalogue_files_free(cf);
	EXPECT("bad periods", check(NULL,
		"code,name,parent,first_period,last_period\n"
		"0581,Norrköping,,2024Q5,\n"
		"0581-hageby,Hageby,0581,1999Q4,2020Q1\n"
		"0581-b,B,0581,2025Q1,2024Q4\n"
		"0581-c,C,0581,,soon\n", NULL, NULL),
		"areas.csv:2: invalid first_period \"2024Q5\": expected empty or a quarter such as "
		"2024Q3, from 2000Q1 on",
		"areas.csv:3: invalid first_period \"1999Q4\": expected empty or a quarter such as "
		"2024Q3, from 2000Q1 on",
		"areas.csv:4: first_period 2025Q1 is after last_period 2024Q4",
		"areas.csv:5: invalid last_period \"soon\": expected empty or a quarter such as "
		"2024Q3, from 2000Q1 on");
}

static void test_duplicates(void)
{
	EXPECT("duplicate area", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"0581-navestad,Navestad,0581\n"
		"0581-hageby,Hageby igen,0581\n", NULL, NULL),
		"areas.csv:5: duplicate code \"0581-hageby\"");
	EXPECT("duplicate agency", check(
		"code,name\n"
		"bup,BUP\n"
		"soc,Socialtjänsten\n"
		"bup,BUP igen\n", NULL, NULL, NULL),
		"agencies.csv:4: duplicate code \"bup\"");
	EXPECT("duplicate indicator", check(NULL, NULL,
		"code,agency,level,kind,name_sv,name_en,suppress_below\n"
		"bup.nya_barn,bup,specialised,flow,Nya,New,\n"
		"soc.placerade,soc,specialised,stock,Placerade,Placed,\n"
		"bup.nya_barn,bup,specialised,flow,Nya,New,\n", NULL),
		"indicators.csv:4: duplicate code \"bup.nya_barn\"");
	EXPECT("duplicate permission", check(NULL, NULL, NULL,
		"agency,indicator,area\n"
		"bup,bup.nya_barn,0581\n"
		"soc,soc.placerade,0581-hageby\n"
		"bup,bup.nya_barn,0581\n"),
		"permissions.csv:4: duplicate permission (bup, bup.nya_barn, 0581)");
}

static void test_references(void)
{
	EXPECT("dangling parent", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0582\n", NULL, NULL),
		"areas.csv:3: unknown parent \"0582\"");
	EXPECT("dangling agency in indicators", check(NULL, NULL,
		"code,agency,level,kind,name_sv,name_en,suppress_below\n"
		"bup.nya_barn,bvc,specialised,flow,Nya,New,\n"
		"soc.placerade,soc,specialised,stock,Placerade,Placed,\n", NULL),
		"indicators.csv:2: unknown agency \"bvc\"");
	EXPECT("dangling references in permissions", check(NULL, NULL, NULL,
		"agency,indicator,area\n"
		"bup,bup.gamla_barn,0581\n"
		"soc,soc.placerade,0581-eneby\n"
		"bvc,bup.nya_barn,0581\n"),
		"permissions.csv:2: unknown indicator \"bup.gamla_barn\"",
		"permissions.csv:3: unknown area \"0581-eneby\"",
		"permissions.csv:4: unknown agency \"bvc\"");
	EXPECT("empty reference", check(NULL, NULL, NULL,
		"agency,indicator,area\n"
		"bup,,0581\n"),
		"permissions.csv:2: empty field \"indicator\"");
}

static void test_cycles(void)
{
	EXPECT("cycle a -> b -> a", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"a,A,b\n"
		"b,B,a\n", NULL, NULL),
		"areas.csv:4: cycle in the area tree: a -> b -> a");
	EXPECT("area its own parent", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"c,C,c\n", NULL, NULL),
		"areas.csv:4: cycle in the area tree: c -> c");
	/* d hangs off the cycle e -> f -> g -> e: only the cycle is reported,
	 * once, named from its first row. */
	EXPECT("cycle reached through a tail", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"d,D,f\n"
		"g,G,e\n"
		"e,E,f\n"
		"f,F,g\n", NULL, NULL),
		"areas.csv:5: cycle in the area tree: g -> e -> f -> g");
}

static const char *indicator_with(const char *level, const char *kind, const char *suppress)
{
	static char text[512];
	snprintf(text, sizeof text,
	         "code,agency,level,kind,name_sv,name_en,suppress_below\n"
	         "bup.nya_barn,bup,specialised,flow,Nya,New,\n"
	         "soc.placerade,soc,%s,%s,Placerade,Placed,%s\n", level, kind, suppress);
	return text;
}

static void test_enums(void)
{
	EXPECT("bad kind", check(NULL, NULL, indicator_with("specialised", "sum", ""), NULL),
		"indicators.csv:3: invalid kind \"sum\": expected flow or stock");
	EXPECT("bad level", check(NULL, NULL, indicator_with("basic", "stock", ""), NULL),
		"indicators.csv:3: invalid level \"basic\": expected first_line or specialised");
	EXPECT("level is case-sensitive", check(NULL, NULL, indicator_with("First_line", "stock", ""), NULL),
		"indicators.csv:3: invalid level \"First_line\": expected first_line or specialised");
	static const char *const bad[] = { "0", "-1", "x", "1001", "1.5", " 5", "+3", "00000007" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char want[160], name[64];
		snprintf(want, sizeof want, "indicators.csv:3: invalid suppress_below \"%s\": "
		         "expected empty or an integer from 1 to 1000", bad[i]);
		snprintf(name, sizeof name, "suppress_below \"%s\"", bad[i]);
		const char *const w[] = { want };
		expect(name, check(NULL, NULL, indicator_with("specialised", "stock", bad[i]), NULL), w, 1);
	}
	struct catalogue_files *cf = check(NULL, NULL, indicator_with("first_line", "stock", "1000"), NULL);
	is_int(cf->nerrors, 0, "suppress_below 1000 is accepted");
	is_int(cf->indicators[1].suppress_below, 1000, "suppress_below 1000 parsed");
	is_int(cf->indicators[1].level, LEVEL_FIRST_LINE, "first_line parsed");
	catalogue_files_free(cf);
	cf = check(NULL, NULL, indicator_with("first_line", "stock", "1"), NULL);
	is_int(cf->indicators[1].suppress_below, 1, "suppress_below 1 accepted");
	catalogue_files_free(cf);
}

static void test_codes(void)
{
	char code64[65], code65[66];
	memset(code64, 'a', 64);
	code64[64] = '\0';
	memset(code65, 'a', 65);
	code65[65] = '\0';

	ok(catalogue_code_valid("0581-hageby"), "code 0581-hageby valid");
	ok(catalogue_code_valid("bup.nya_barn"), "code bup.nya_barn valid");
	ok(catalogue_code_valid(code64), "a 64-character code is valid");
	ok(!catalogue_code_valid(code65), "a 65-character code is not");
	ok(!catalogue_code_valid(""), "the empty code is not");
	ok(!catalogue_code_valid("-x"), "a code cannot start with '-'");
	ok(!catalogue_code_valid("Bup"), "upper case is not allowed");
	ok(!catalogue_code_valid("älta"), "non-ASCII letters are not allowed");

	EXPECT("bad area codes", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"0581 Eneby,Eneby,0581\n"
		"_x,X,0581\n"
		"0581/ljura,Ljura,0581\n", NULL, NULL),
		"areas.csv:4: invalid code \"0581 Eneby\": expected 1 to 64 of a-z, 0-9, "
		"'.', '_', '-', starting with a-z or 0-9",
		"areas.csv:5: invalid code \"_x\": expected 1 to 64 of a-z, 0-9, "
		"'.', '_', '-', starting with a-z or 0-9",
		"areas.csv:6: invalid code \"0581/ljura\": expected 1 to 64 of a-z, 0-9, "
		"'.', '_', '-', starting with a-z or 0-9");
	/* A bad code is reported once: references to it do not dangle too. */
	EXPECT("bad agency code", check(
		"code,name\n"
		"BUP,BUP\n"
		"soc,Soc\n", NULL,
		"code,agency,level,kind,name_sv,name_en,suppress_below\n"
		"bup.nya_barn,BUP,specialised,flow,Nya,New,\n", ""
		"agency,indicator,area\n"),
		"agencies.csv:2: invalid code \"BUP\": expected 1 to 64 of a-z, 0-9, "
		"'.', '_', '-', starting with a-z or 0-9");
}

/* The optional contact column: a functional mailbox, or empty. */
static void test_contacts(void)
{
	char local65[80], long_domain[300];
	memset(local65, 'a', 65);
	strcpy(local65 + 65, "@x.example");
	memset(long_domain, 'a', 250);
	strcpy(long_domain + 250, "@b.se");

	ok(catalogue_contact_valid("bup@region.example"), "bup@region.example valid");
	ok(catalogue_contact_valid("Familje.Radgivning+q3@kommun-x.example.se"),
	   "dots, plus, hyphens and upper case valid");
	ok(!catalogue_contact_valid(""), "the empty address is not");
	ok(!catalogue_contact_valid("bup"), "no @ is not");
	ok(!catalogue_contact_valid("bup@localhost"), "a one-label domain is not");
	ok(!catalogue_contact_valid("@region.example"), "an empty local part is not");
	ok(!catalogue_contact_valid("a@@region.example"), "two @ are not");
	ok(!catalogue_contact_valid(".bup@region.example"), "a leading dot is not");
	ok(!catalogue_contact_valid("b..up@region.example"), "two dots in a row are not");
	ok(!catalogue_contact_valid("bup@region..example"), "an empty label is not");
	ok(!catalogue_contact_valid("bup@-region.example"), "a label starting with - is not");
	ok(!catalogue_contact_valid("bup@region-.example"), "a label ending with - is not");
	ok(!catalogue_contact_valid("Bup Nacka <bup@region.example>"), "a display name is not");
	ok(!catalogue_contact_valid("bup@region.example\r\nBcc: x@y.se"),
	   "a header injection is not");
	ok(!catalogue_contact_valid("bvc@regiön.example"), "non-ASCII is not");
	ok(!catalogue_contact_valid(local65), "a 65-character local part is not");
	ok(!catalogue_contact_valid(long_domain), "an address over 254 bytes is not");

	struct catalogue_files *cf = check(
		"code,name,contact\n"
		"bup,BUP,bup@region.example\n"
		"soc,Soc,\n", NULL, NULL, NULL);
	is_int(cf->nerrors, 0, "a contact and an empty one: no error");
	is_str(cf->agencies[0].contact, "bup@region.example", "the contact is kept");
	is_str(cf->agencies[1].contact, "", "an empty contact is \"\"");
	catalogue_files_free(cf);
	cf = check(NULL, NULL, NULL, NULL);
	is_str(cf->agencies[0].contact, "", "without the column every contact is \"\"");
	catalogue_files_free(cf);
	EXPECT("bad contacts", check(
		"contact,code,name\n"
		"bup at region.example,bup,BUP\n"
		"soc@kommun,soc,Soc\n", NULL, NULL, NULL),
		"agencies.csv:2: invalid contact \"bup at region.example\": expected empty or a "
		"mail address such as bup@region.example",
		"agencies.csv:3: invalid contact \"soc@kommun\": expected empty or a "
		"mail address such as bup@region.example");
}

static void test_fields(void)
{
	EXPECT("empty name", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,,0581\n", NULL, NULL),
		"areas.csv:3: empty field \"name\"");
	EXPECT("invalid UTF-8", check(
		"code,name\n"
		"bup,BUP\n"
		"soc,Socialtj\xe4nsten\n", NULL, NULL, NULL),
		"agencies.csv:3: field \"name\" is not valid UTF-8");
	EXPECT("overlong UTF-8", check(
		"code,name\n"
		"bup,B\xc0\xafP\n"
		"soc,Soc\n", NULL, NULL, NULL),
		"agencies.csv:2: field \"name\" is not valid UTF-8");

	char agencies[1024];
	int n = snprintf(agencies, sizeof agencies, "code,name\nbup,");
	for (int i = 0; i < 200; i++)
		n += snprintf(agencies + n, sizeof agencies - (size_t)n, "å");
	snprintf(agencies + n, sizeof agencies - (size_t)n, "\nsoc,Soc\n");
	expect_none("200 characters (400 bytes) is the longest name", check(agencies, NULL, NULL, NULL));
	snprintf(agencies + n, sizeof agencies - (size_t)n, "x\nsoc,Soc\n");
	EXPECT("201 characters is too long", check(agencies, NULL, NULL, NULL),
		"agencies.csv:2: field \"name\" is longer than 200 characters");
	expect_none("quoted fields with commas and quotes", check(
		"code,name\n"
		"bup,\"BUP, \"\"barnpsykiatri\"\"\"\n"
		"soc,Soc\n", NULL, NULL, NULL));
}

static void test_malformed(void)
{
	EXPECT("unterminated quote", check(NULL,
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,\"Hageby,0581\n", NULL, NULL),
		"areas.csv:3: malformed CSV: unterminated quoted field");
}

static void test_many(void)
{
	/* Errors from every file are all reported, sorted by file and line. */
	EXPECT("errors everywhere", check(
		"code,name\n"
		"bup,BUP\n"
		"soc,\n",
		"code,name,parent\n"
		"0581,Norrköping,\n"
		"0581-hageby,Hageby,0581\n"
		"0581-hageby,Hageby,0581\n",
		indicator_with("specialised", "sum", "0"),
		"agency,indicator,area\n"
		"bup,bup.nya_barn,0999\n"
		"soc,soc.placerade,0581\n"
		"x,bup.nya_barn,0581\n"),
		"agencies.csv:3: empty field \"name\"",
		"areas.csv:4: duplicate code \"0581-hageby\"",
		"indicators.csv:3: invalid kind \"sum\": expected flow or stock",
		"indicators.csv:3: invalid suppress_below \"0\": expected empty or an integer from 1 to 1000",
		"permissions.csv:2: unknown area \"0999\"",
		"permissions.csv:4: unknown agency \"x\"");
}

static void test_missing_dir(void)
{
	struct catalogue_files *cf = catalogue_files_new();
	if (!cf || catalogue_files_read_dir(cf, "/nonexistent-samlad") != 0 ||
	    catalogue_files_validate(cf) != 0)
		abort();
	EXPECT("missing directory", cf,
		"agencies.csv: cannot read /nonexistent-samlad/agencies.csv: No such file or directory",
		"areas.csv: cannot read /nonexistent-samlad/areas.csv: No such file or directory",
		"indicators.csv: cannot read /nonexistent-samlad/indicators.csv: No such file or directory",
		"permissions.csv: cannot read /nonexistent-samlad/permissions.csv: No such file or directory");
}

int main(void)
{
	test_valid();
	test_demo();
	test_columns();
	test_area_periods();
	test_duplicates();
	test_references();
	test_cycles();
	test_enums();
	test_codes();
	test_contacts();
	test_fields();
	test_malformed();
	test_many();
	test_missing_dir();
	return tap_done();
}
