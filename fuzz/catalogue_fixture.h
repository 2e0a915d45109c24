/* A small catalogue built by hand for the body harnesses, so that rows
 * that parse also reach every branch of validation: known and unknown
 * codes, leaves and municipalities, permitted and forbidden pairs, a
 * district that belongs to its tables from 2020Q2 only. The codes are
 * those of the seed corpus. */
#ifndef SAMLAD_FUZZ_CATALOGUE_FIXTURE_H
#define SAMLAD_FUZZ_CATALOGUE_FIXTURE_H

#include <time.h>
#include "catalogue.h"

/* 2024-11-15 00:00:00 UTC: the current quarter is 2024Q4. */
#define FIXTURE_NOW ((time_t)1731628800)
#define FIXTURE_AGENCY 1

/* Areas sorted by code; parents by index. */
static struct cat_area fixture_areas[] = {
	{ 10, "0182", "Nacka", -1, 1, 0, 0 },
	{ 11, "0182-boo", "Boo", 0, 0, 0, 0 },
	{ 20, "0581", "Norrk\xC3\xB6ping", -1, 2, 0, 0 },
	{ 21, "0581-hageby", "Hageby", 2, 0, 0, 0 },
	{ 22, "0581-navestad", "Navestad", 2, 0, 20202, 0 },
};

static struct cat_agency fixture_agencies[] = {
	{ 1, "bup", "BUP", NULL },
	{ 2, "soc", "Socialtj\xC3\xA4nsten", NULL },
};

static struct cat_indicator fixture_indicators[] = {
	{ 100, "bup.nya_barn", 0, LEVEL_SPECIALISED, KIND_FLOW, "Antal nya barn", "New children", 0 },
	{ 200, "soc.utredda", 1, LEVEL_FIRST_LINE, KIND_FLOW, "Utredda barn", "Children assessed", 0 },
};

/* Sorted by agency, indicator, area. */
static struct cat_permission fixture_permissions[] = {
	{ 1, 100, 21 },
	{ 1, 100, 22 },
	{ 2, 200, 21 },
};

static struct catalogue fixture_catalogue = {
	1, 5, fixture_agencies, 2, fixture_areas, 5, fixture_indicators, 2, fixture_permissions, 3,
	NULL, NULL, 0,
};

#endif
