/* The key space the cache tests post into, from the test catalogue: three
 * indicators, ten districts, two quarters. In code order (COLLATE "C"), so
 * that key order is the history's order. */
#ifndef SAMLAD_TEST_CACHE_KEYS_H
#define SAMLAD_TEST_CACHE_KEYS_H

static const char *const indicators[] = {
	"bup.aktuella_barn", "bup.npf_utredningar", "bup.nya_barn",
};
static const char *const areas[] = {
	"0182-alta", "0182-boo", "0182-fisksatra", "0182-saltsjobaden", "0182-sicklaon",
	"0581-hageby", "0581-klockaretorpet", "0581-marielund", "0581-navestad",
	"0581-skarblacka",
};
static const int periods[] = { 20231, 20232 };

#define NIND 3
#define NAREA 10
#define NPER 2
#define NKEYS (NIND * NAREA * NPER)

#endif
