/* The reminder mail: the keys an agency still owes (review_missing_keys,
 * by the matrix's own rule), and the exact text and headers of a small
 * case, a missing quarter and a partial one. */
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "period.h"
#include "reminder.h"
#include "review.h"
#include "tap.h"

#define BUP 1
#define NYA 100
#define AKT 200

/* Norrköping with three districts, Skärblacka only until 2024Q2. */
static struct cat_area areas[] = {
	{ 20, "0581", "Norrk\xC3\xB6ping", -1, 3, 0, 0 },
	{ 21, "0581-hageby", "Hageby", 0, 0, 0, 0 },
	{ 22, "0581-navestad", "Navestad", 0, 0, 0, 0 },
	{ 23, "0581-skarblacka", "Sk\xC3\xA4rblacka", 0, 0, 0, 20242 },
};

static struct cat_agency agencies[] = {
	{ BUP, "bup", "BUP (barn- och ungdomspsykiatrin)", "bup@region.example" },
};

static struct cat_indicator indicators[] = {
	{ NYA, "bup.nya_barn", 0, LEVEL_SPECIALISED, KIND_FLOW, "Antal nya barn", "New children", 0 },
	{ AKT, "bup.aktuella_barn", 0, LEVEL_SPECIALISED, KIND_STOCK, "Aktuella barn",
	  "Current children", 0 },
};

static struct cat_permission permissions[] = {
	{ BUP, NYA, 21 }, { BUP, NYA, 22 }, { BUP, NYA, 23 },
	{ BUP, AKT, 21 }, { BUP, AKT, 22 }, { BUP, AKT, 23 },
};

static struct catalogue cat = {
	1, 5, agencies, 1, areas, 4, indicators, 2, permissions, 6, NULL, NULL, 0,
};

static const struct reminder_envelope env = {
	"samlad@kommun.example", "bup@region.example", "Wed, 05 Nov 2025 08:00:00 +0000",
	"<1234@samlad.example>",
};

/* The missing keys of 2025Q3 (Skärblacka ended in 2024Q2) when Hageby's
 * bup.nya_barn arrived; in 2024Q1 Skärblacka is owed as well. */
static void test_missing(const struct layout *lay)
{
	struct review_key_id have[] = { { NYA, 21 }, { AKT, 99 } };
	struct review_key *k = NULL;
	size_t n = 0;

	ok(review_missing_keys(&cat, lay, BUP, 20253, have, 2, &k, &n) == 0, "missing keys found");
	is_int(n, 3, "three keys missing in 2025Q3");
	is_str(n == 3 ? k[0].indicator->code : "", "bup.aktuella_barn", "sorted by code: first");
	is_str(n == 3 ? k[0].area->code : "", "0581-hageby", "then by leaf");
	is_str(n == 3 ? k[1].area->code : "", "0581-navestad", "second");
	is_str(n == 3 ? k[2].indicator->code : "", "bup.nya_barn", "third's indicator");
	is_str(n == 3 ? k[2].area->code : "", "0581-navestad", "third's area");
	free(k);
	ok(review_missing_keys(&cat, lay, BUP, 20241, have, 2, &k, &n) == 0 && n == 5,
	   "Skärblacka is owed while active: 5 keys in 2024Q1");
	free(k);
	ok(review_missing_keys(&cat, lay, 7, 20253, have, 2, &k, &n) == 0 && n == 0 && !k,
	   "an agency without permissions owes nothing");
}

/* The whole message of a missing quarter, exactly. */
static void test_message_missing(struct reminder *r, struct review_report *rep)
{
	struct buf b = BUF_INIT;

	review_report_judge(rep, 0, 0, 30, period_end(20253) + 40 * 86400);
	ok(reminder_message(&b, r, &env) == 0, "the message is composed");
	is_str(b.data,
	       "From: samlad@kommun.example\r\n"
	       "To: bup@region.example\r\n"
	       "Subject: =?UTF-8?Q?P=C3=A5minnelse=3A_rapporten_f=C3=B6r_2025Q3_till_Samla?=\r\n"
	       " =?UTF-8?Q?d_=28Norrk=C3=B6ping=29?=\r\n"
	       "Date: Wed, 05 Nov 2025 08:00:00 +0000\r\n"
	       "Message-ID: <1234@samlad.example>\r\n"
	       "MIME-Version: 1.0\r\n"
	       "Content-Type: text/plain; charset=utf-8\r\n"
	       "Content-Transfer-Encoding: 8bit\r\n"
	       "\r\n"
	       "Hej!\r\n"
	       "\r\n"
	       "Samlad har inte fått någon rapport från BUP (barn- och\r\n"
	       "ungdomspsykiatrin) för 2025Q3 i Norrköping. Rapporten skulle ha kommit\r\n"
	       "senast 2025-10-30.\r\n"
	       "\r\n"
	       "Det här saknas (3 av 4 värden):\r\n"
	       "\r\n"
	       "- Aktuella barn (bup.aktuella_barn):\r\n"
	       "  Hageby, Navestad\r\n"
	       "- Antal nya barn (bup.nya_barn):\r\n"
	       "  Navestad\r\n"
	       "\r\n"
	       "Rapportera i formuläret:\r\n"
	       "http://collector/submit?quarter=2025Q3\r\n"
	       "\r\n"
	       "Har ni redan rapporterat kan ni bortse från det här meddelandet. Det\r\n"
	       "skickades automatiskt av Samlad; svara inte på det.\r\n",
	       "the message of a missing quarter, headers and text");
	buf_free(&b);
}

/* A partial quarter says so; the subject stands alone; the form's link
 * keeps a query the URL has. */
static void test_partial(struct reminder *r, struct review_report *rep)
{
	struct buf b = BUF_INIT;

	review_report_judge(rep, 1, period_end(20253), 0, period_end(20253) + 86400);
	ok(reminder_body(&b, r) == 0, "the body is composed");
	ok(strstr(b.data, "Samlad har fått en del av rapporten från BUP (barn- och\r\n"
	              "ungdomspsykiatrin) för 2025Q3 i Norrköping, men inte allt. Rapporten\r\n"
	              "skulle ha kommit senast 2025-09-30.\r\n") != NULL,
	   "a partial quarter: got some, not all; due the quarter's last day without grace");
	buf_reset(&b);
	ok(reminder_subject(&b, r) == 0, "the subject is composed");
	is_str(b.data, "Påminnelse: rapporten för 2025Q3 till Samlad (Norrköping)",
	       "the subject in UTF-8");
	buf_reset(&b);
	ok(reminder_form_link(&b, "https://c.example/submit?lang=sv", 20253) == 0 &&
	   strcmp(b.data, "https://c.example/submit?lang=sv&quarter=2025Q3") == 0,
	   "the quarter joins a query the form's URL has");
	buf_free(&b);
}

int main(void)
{
	struct layout lay;
	struct review_key_id have[] = { { NYA, 21 } };
	struct review_key *k = NULL;
	size_t n = 0;

	if (layout_make(&cat, &areas[0], &lay) != 0)
		abort();
	test_missing(&lay);
	if (review_missing_keys(&cat, &lay, BUP, 20253, have, 1, &k, &n) != 0)
		abort();
	struct review_report rep = { .period = 20253, .expected = 4 };
	struct reminder r = { &agencies[0], &areas[0], &rep, k, n, "http://collector/submit" };
	test_message_missing(&r, &rep);
	test_partial(&r, &rep);
	free(k);
	layout_free(&lay);
	return tap_done();
}
