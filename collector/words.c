/* The pages' words; see words.h. */
#include "words.h"

#include <string.h>
#include "compiler.h"

static const struct words SV = {
	.lang = "sv",
	.title = "Samlad: lämna uppgifter",
	.sign_in = "Logga in",
	.token = "Nyckel",
	.sign_in_help = "Logga in med er verksamhets inlämningsnyckel (den börjar med "
	                "<code>smd_</code>). Inloggningen gäller i",
	.hours = "timmar.",
	.no_token = "Skriv in en nyckel.",
	.bad_token = "Nyckeln gäller inte. Kontrollera att den kopierades hel.",
	.revoked = "Nyckeln är återkallad. Be om en ny.",
	.wrong_role = "Den här nyckeln får inte lämna uppgifter: logga in med en "
	              "verksamhets inlämningsnyckel, inte en analytikers eller administratörs.",
	.cross_site = "Formuläret skickades från en annan webbplats. Öppna sidan själv och "
	              "logga in här.",
	.form_type = "Skicka formuläret som application/x-www-form-urlencoded.",
	.unavailable = "Databasen svarar inte; försök igen om en stund.",
	.sign_out = "Logga ut",
	.signed_in_as = "Inloggad för",
	.quarter = "Kvartal",
	.choose = "Välj",
	.bad_quarter = "Kvartalet kan inte rapporteras",
	.indicator = "Indikator",
	.check = "Kontrollera",
	.submit = "Skicka",
	.state_new = "ny",
	.state_stored = "lagrad",
	.state_changed = "ändrad",
	.nothing = "–",
	.no_indicators = "Er verksamhet har inga indikatorer att rapportera.",
	.stored_receipt = "Sparat:",
	.checked_receipt = "Kontrollerat:",
	.n_created = "nya",
	.n_updated = "ändrade",
	.n_unchanged = "oförändrade",
	.submission = "Inlämning",
	.nothing_stored = "Inget har sparats än; tryck Skicka för att spara.",
	.errors = "Inget sparades. Rätta felen:",
	.other_quarter = "Välj ett annat kvartal",
	.upload = "Ladda upp en fil",
	.upload_help = "En CSV-fil med kolumnerna indicator, area, period, value, skilda med "
	               "komma eller semikolon: spara mallen i Excel som "
	               "\"CSV UTF-8 (kommaavgränsad) (*.csv)\".",
	.upload_button = "Ladda upp",
	.template_link = "Ladda ner mallen för kvartalet (xlsx)",
	.no_file = "Välj en fil att ladda upp.",
	.empty_form = "Fyll i minst ett värde.",
	.upload_type = "Skicka filen som multipart/form-data.",
	.spreadsheet = "Filen är en Excel-arbetsbok, inte CSV. Spara den i Excel som "
	               "\"CSV UTF-8 (kommaavgränsad) (*.csv)\" och ladda upp den filen.",
	.line = "rad",
};

static const struct words EN = {
	.lang = "en",
	.title = "Samlad: report counts",
	.sign_in = "Sign in",
	.token = "Token",
	.sign_in_help = "Sign in with your agency's submitter token (it begins with "
	                "<code>smd_</code>). The session lasts",
	.hours = "hours.",
	.no_token = "Enter a token.",
	.bad_token = "That token is not valid. Check that it was copied whole.",
	.revoked = "This token has been revoked. Ask for a new one.",
	.wrong_role = "This token may not report counts: sign in with an agency's "
	              "submitter token, not an analyst's or an admin's.",
	.cross_site = "This form was sent from another site. Open this page yourself and "
	              "sign in here.",
	.form_type = "Send the form as application/x-www-form-urlencoded.",
	.unavailable = "The database cannot be reached; try again shortly.",
	.sign_out = "Sign out",
	.signed_in_as = "Signed in for",
	.quarter = "Quarter",
	.choose = "Choose",
	.bad_quarter = "This quarter cannot be reported",
	.indicator = "Indicator",
	.check = "Check",
	.submit = "Submit",
	.state_new = "new",
	.state_stored = "stored",
	.state_changed = "changed",
	.nothing = "–",
	.no_indicators = "Your agency has no indicators to report.",
	.stored_receipt = "Stored:",
	.checked_receipt = "Checked:",
	.n_created = "new",
	.n_updated = "changed",
	.n_unchanged = "unchanged",
	.submission = "Submission",
	.nothing_stored = "Nothing is stored yet; press Submit to store it.",
	.errors = "Nothing was stored. Correct the errors:",
	.other_quarter = "Choose another quarter",
	.upload = "Upload a file",
	.upload_help = "A CSV file with the columns indicator, area, period, value, separated "
	               "by commas or semicolons: save the template in Excel as "
	               "\"CSV UTF-8 (kommaavgränsad) (*.csv)\".",
	.upload_button = "Upload",
	.template_link = "Download the quarter's template (xlsx)",
	.no_file = "Choose a file to upload.",
	.empty_form = "Enter at least one value.",
	.upload_type = "Send the file as multipart/form-data.",
	.spreadsheet = "The file is an Excel workbook, not CSV. Save it in Excel as "
	               "\"CSV UTF-8 (kommaavgränsad) (*.csv)\" and upload that file.",
	.line = "line",
};

const struct words *words_for(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? &EN : &SV;
}

/* A code or field name and its Swedish words. */
struct swedish {
	const char *name;       /* the conflict's code or the field's name */
	const char *sv;         /* what a Swedish page says */
};

/* The conflicts of docs/collector.md that a form or a file can cause. */
static const struct swedish CONFLICTS[] = {
	{ "negative_count", "Ett antal kan inte vara negativt; skriv 0 eller mer." },
	{ "fractional_count", "Ett antal är ett heltal, utan decimaler." },
	{ "count_too_large", "Talet är för stort för ett antal (högst 1 000 000 000)." },
	{ "wrong_type", "Skriv antalet med siffror." },
	{ "missing_field", "Raden saknar ett fält." },
	{ "unknown_field", "Raden har ett fält som inte finns i mallen." },
	{ "not_an_object", "Raden kan inte läsas." },
	{ "invalid_flag", "Markeringen ska vara break eller provisional." },
	{ "unknown_indicator", "Indikatorn finns inte i katalogen." },
	{ "not_permitted", "Er myndighet får inte rapportera indikatorn för området." },
	{ "unknown_area", "Området finns inte i katalogen." },
	{ "not_a_leaf_area", "Rapportera per delområde, inte för hela kommunen." },
	{ "invalid_period", "Kvartalet ska skrivas som 2025Q3." },
	{ "future_period", "Kvartalet har inte börjat än." },
	{ "period_too_early", "Kvartalet är för tidigt för indikatorn." },
	{ "period_before_area", "Området fanns inte ännu det kvartalet." },
	{ "period_after_area", "Området fanns inte längre det kvartalet." },
	{ "duplicate_key", "Samma indikator, område och kvartal finns två gånger." },
};

/* A batch's fields. */
static const struct swedish FIELDS[] = {
	{ "indicator", "indikator" }, { "area", "område" }, { "period", "kvartal" },
	{ "value", "värde" }, { "flag", "markering" }, { "row", "rad" },
};

static const char *swedish(const struct swedish *t, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].sv;
	return NULL;
}

const char *words_conflict(const struct words *w, const char *code, const char *english)
{
	const char *sv = w == &SV ? swedish(CONFLICTS, ARRAY_LEN(CONFLICTS), code) : NULL;

	return sv ? sv : english;
}

const char *words_field(const struct words *w, const char *field)
{
	const char *sv = w == &SV ? swedish(FIELDS, ARRAY_LEN(FIELDS), field) : NULL;

	return sv ? sv : field;
}
