/* The form's words: every conflict a batch can have gets a Swedish
 * sentence on a Swedish page, and the API's English one on an English page. */
#include <string.h>
#include "words.h"
#include "tap.h"

/* Every code conflicts_add is given in ingest.c and validate.c. */
static const char *const CODES[] = {
	"count_too_large", "duplicate_key", "fractional_count", "future_period",
	"invalid_flag", "invalid_period", "missing_field", "negative_count",
	"not_a_leaf_area", "not_an_object", "not_permitted", "period_after_area",
	"period_before_area", "period_too_early", "unknown_area", "unknown_field",
	"unknown_indicator", "wrong_type",
};

int main(void)
{
	const struct words *sv = words_for(NULL), *en = words_for("en");
	const char *english = "the API's sentence";

	for (size_t i = 0; i < sizeof CODES / sizeof *CODES; i++) {
		const char *s = words_conflict(sv, CODES[i], english);
		ok(s != english && s[0] >= 'A' && s[0] <= 'Z' && s[strlen(s) - 1] == '.',
		   "%s: a Swedish sentence (%s)", CODES[i], s);
		ok(words_conflict(en, CODES[i], english) == english, "%s: English as the API", CODES[i]);
	}
	is_str(words_conflict(sv, "negative_count", english),
	       "Ett antal kan inte vara negativt; skriv 0 eller mer.", "negative_count's words");
	ok(words_conflict(sv, "a_new_code", english) == english,
	   "a code with no Swedish sentence: the API's");
	is_str(words_field(sv, "value"), "värde", "value is värde");
	is_str(words_field(sv, "period"), "kvartal", "period is kvartal");
	is_str(words_field(en, "value"), "value", "in English, value");
	is_str(words_field(sv, "colour"), "colour", "an unknown field as given");
	is_str(sv->line, "rad", "a line is a rad");
	return tap_done();
}
