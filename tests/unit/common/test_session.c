/* Unit tests of core/session.c: cookies made and checked with a fixed
 * key, forged, malformed, expired and signed-out cookies, and two sign-ins
 * of one token in one second being two sessions. */
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "tap.h"

#define NOW 1800000000
#define LIFE 3600

static const unsigned char key[SESSION_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

/* Counts the '.'-separated parts of a cookie. */
static int parts(const char *s)
{
	int n = 1;
	for (; *s; s++)
		n += *s == '.';
	return n;
}

static void test_round_trip(struct session_keeper *k)
{
	char c[SESSION_COOKIE_MAX], want[64];
	long long id = 0;

	is_int(session_make(k, 42, NOW, c, sizeof c), 0, "a session is made");
	snprintf(want, sizeof want, "42.%d.", NOW + LIFE);
	ok(strncmp(c, want, strlen(want)) == 0, "it starts with the token id and expiry (%s)", c);
	is_int(parts(c), 4, "id, expiry, nonce and MAC");
	is_int(strlen(c), strlen(want) + 16 + 1 + 43, "a 16-character nonce and a 43-character MAC");
	is_int(session_verify(k, c, NOW, &id), SESSION_OK, "it verifies");
	is_int(id, 42, "it names token 42");
	is_int(session_verify(k, c, NOW + LIFE - 1, &id), SESSION_OK, "valid a second before expiry");
	is_int(session_verify(k, c, NOW + LIFE, &id), SESSION_EXPIRED, "expired at its expiry");
	is_int(session_lifetime(k), LIFE, "the lifetime");
	is_int(session_make(k, 0, NOW, c, sizeof c), -1, "token id 0 is refused");
	is_int(session_make(k, 42, NOW, c, 20), -1, "a buffer too small is refused");
}

static void test_forged(struct session_keeper *k)
{
	char c[SESSION_COOKIE_MAX], f[SESSION_COOKIE_MAX + 8];
	long long id;
	struct session_keeper *other = session_keeper_new(LIFE);

	is_int(session_make(k, 7, NOW, c, sizeof c), 0, "a session for token 7");
	/* Another token id with the same expiry, nonce and MAC. */
	snprintf(f, sizeof f, "8%s", c + 1);
	is_int(session_verify(k, f, NOW, &id), SESSION_FORGED, "another id with the same MAC");
	snprintf(f, sizeof f, "%s", c);
	f[strlen(f) - 1] = f[strlen(f) - 1] == 'A' ? 'B' : 'A';
	is_int(session_verify(k, f, NOW, &id), SESSION_FORGED, "a changed MAC");
	snprintf(f, sizeof f, "%s", c);
	char *nonce = strchr(strchr(f, '.') + 1, '.') + 1;
	nonce[0] = nonce[0] == 'A' ? 'B' : 'A';
	is_int(session_verify(k, f, NOW, &id), SESSION_FORGED, "a changed nonce");
	/* A later expiry, MAC kept. */
	snprintf(f, sizeof f, "7.%d%s", NOW + LIFE + 1, strchr(strchr(c, '.') + 1, '.'));
	is_int(session_verify(k, f, NOW, &id), SESSION_FORGED, "a later expiry");
	ok(other != NULL, "a keeper with a random key");
	is_int(session_verify(other, c, NOW, &id), SESSION_FORGED,
	       "another process's key (a restart) does not know the cookie");
	session_keeper_free(other);
}

static void test_malformed(struct session_keeper *k)
{
	static const char *const bad[] = {
		"", "7", "7.1800003600", "7.1800003600.abc", "x.1800003600.AAAAAAAAAAAAAAAA.AAAA",
		"07.1800003600.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"7.1800003600.AAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"7.1800003600.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"7.1800003600.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"-7.1800003600.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"99999999999999999999.1800003600.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	long long id;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		is_int(session_verify(k, bad[i], NOW, &id), SESSION_MALFORMED, "malformed: '%s'",
		       bad[i]);
	is_int(session_verify(k, NULL, NOW, &id), SESSION_MALFORMED, "malformed: NULL");
}

static void test_end(struct session_keeper *k)
{
	char a[SESSION_COOKIE_MAX], b[SESSION_COOKIE_MAX], c[SESSION_COOKIE_MAX];
	long long id;

	is_int(session_make(k, 5, NOW, a, sizeof a), 0, "session a of token 5");
	is_int(session_make(k, 5, NOW, b, sizeof b), 0, "session b of token 5, the same second");
	ok(strcmp(a, b) != 0, "two sign-ins in one second are two cookies");
	session_end(k, a, NOW + 10);
	is_int(session_verify(k, a, NOW + 11, &id), SESSION_ENDED, "a signed out: refused");
	is_int(session_verify(k, b, NOW + 11, &id), SESSION_OK, "b, the same token and second: "
	       "still valid");
	is_int(session_make(k, 5, NOW + 10, c, sizeof c), 0, "signing in again after signing out");
	is_int(session_verify(k, c, NOW + 11, &id), SESSION_OK, "the new session is valid");
	session_end(k, "garbage", NOW);
	is_int(session_verify(k, b, NOW + 11, &id), SESSION_OK, "ending a malformed cookie "
	       "changes nothing");
	is_str(session_result_message(SESSION_ENDED), "the session was signed out: sign in again",
	       "the message of an ended session");
	is_str(session_result_message(SESSION_EXPIRED), "the session has expired: sign in again",
	       "the message of an expired session");
}

/* A full list of ended sessions forgets none of them: the one that makes
 * room raises the floor, so its cookie stays refused (it once worked again
 * after SESSION_ENDED_MAX other sign-outs). A small list shows the rule. */
static void test_end_full(void)
{
	enum { ROOM = 4 };
	struct session_keeper *k = session_keeper_with_key(key, LIFE, ROOM);
	char first[SESSION_COOKIE_MAX], same_time[SESSION_COOKIE_MAX], other[SESSION_COOKIE_MAX];
	char later[SESSION_COOKIE_MAX];
	long long id;

	if (!ok(k != NULL, "a keeper with room for %d ended sessions", ROOM))
		return;
	is_int(session_make(k, 7, NOW, first, sizeof first), 0, "a first session");
	is_int(session_make(k, 8, NOW, same_time, sizeof same_time), 0,
	       "another made in the same second");
	session_end(k, first, NOW + 1);
	for (int i = 0; i < ROOM; i++) {
		is_int(session_make(k, 9, NOW + 10 + i, other, sizeof other), 0, "other session %d", i);
		session_end(k, other, NOW + 10 + i);
	}
	is_int(session_verify(k, first, NOW + 20, &id), SESSION_ENDED,
	       "after %d other sign-outs the first signed-out cookie is still refused", ROOM);
	is_int(session_verify(k, other, NOW + 20, &id), SESSION_ENDED,
	       "the newest signed-out cookie is refused");
	is_int(session_verify(k, same_time, NOW + 20, &id), SESSION_ENDED,
	       "a session expiring no later than the forgotten one ends too");
	is_int(session_make(k, 10, NOW + 30, later, sizeof later), 0, "a session made later");
	is_int(session_verify(k, later, NOW + 31, &id), SESSION_OK, "  is valid");
	session_keeper_free(k);
}

int main(void)
{
	struct session_keeper *k = session_keeper_with_key(key, LIFE, SESSION_ENDED_MAX);

	ok(k != NULL, "a keeper with a fixed key");
	test_round_trip(k);
	test_forged(k);
	test_malformed(k);
	test_end(k);
	session_keeper_free(k);
	test_end_full();
	return tap_done();
}
