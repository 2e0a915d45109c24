/* Session cookies signed with HMAC-SHA256; see session.h. */
#include "session.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "auth.h"
#include "base64url.h"
#include "log.h"

/* Characters of the MAC's text: 32 bytes in unpadded base64url. */
#define MAC_CHARS 43
/* The most digits of the id and of the expiry. */
#define ID_DIGITS 19
#define EXPIRY_DIGITS 20
/* Random bytes of a session's nonce, and their base64url characters. */
#define NONCE_BYTES 12
#define NONCE_CHARS 16

/* A signed-out session, refused until it would have expired. */
struct ended_session {
	char mac[MAC_CHARS + 1];  /* the cookie's MAC text */
	time_t expiry;            /* when the cookie expires anyway */
};

struct session_keeper {
	unsigned char key[SESSION_KEY_BYTES]; /* the HMAC key; never leaves the process */
	unsigned lifetime_s;                  /* how long a new session lasts */
	pthread_mutex_t lock;                 /* guards ended, nended and floor */
	struct ended_session *ended;          /* owned; ended_max entries */
	size_t nended;                        /* entries in use */
	size_t ended_max;                     /* entries allocated */
	time_t floor;                         /* cookies expiring by then are refused */
};

/* The parts of a cookie value. */
struct cookie_parts {
	long long token_id;        /* the token it names */
	long long expiry;          /* Unix seconds */
	size_t signed_len;         /* length of "<id>.<expiry>.<nonce>", the signed text */
	const char *mac;           /* points at the MAC text in the cookie */
};

/* The MAC text of `text` under the keeper's key. Returns 0 or -1. */
static int mac_text(const struct session_keeper *k, const char *text, size_t len,
                    char out[MAC_CHARS + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!HMAC(EVP_sha256(), k->key, sizeof k->key, (const unsigned char *)text, len,
	          md, &mdlen) || mdlen != 32)
		return -1;
	base64url_encode(md, 32, out);
	OPENSSL_cleanse(md, sizeof md);
	return 0;
}

struct session_keeper *session_keeper_with_key(const unsigned char key[SESSION_KEY_BYTES],
                                               unsigned lifetime_s, size_t ended_max)
{
	struct session_keeper *k = ended_max ? calloc(1, sizeof *k) : NULL;

	if (!k)
		return NULL;
	k->ended_max = ended_max;
	k->ended = calloc(ended_max, sizeof *k->ended);
	if (!k->ended || pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k->ended);
		free(k);
		return NULL;
	}
	memcpy(k->key, key, SESSION_KEY_BYTES);
	k->lifetime_s = lifetime_s;
	return k;
}

struct session_keeper *session_keeper_new(unsigned lifetime_s)
{
	unsigned char key[SESSION_KEY_BYTES];

	if (crypto_random(key, sizeof key) != 0)
		return NULL;
	struct session_keeper *k = session_keeper_with_key(key, lifetime_s, SESSION_ENDED_MAX);
	OPENSSL_cleanse(key, sizeof key);
	return k;
}

void session_keeper_free(struct session_keeper *k)
{
	if (!k)
		return;
	OPENSSL_cleanse(k->key, sizeof k->key);
	pthread_mutex_destroy(&k->lock);
	free(k->ended);
	free(k);
}

unsigned session_lifetime(const struct session_keeper *k)
{
	return k->lifetime_s;
}

int session_make(const struct session_keeper *k, long long token_id, time_t now,
                 char *out, size_t size)
{
	unsigned char rnd[NONCE_BYTES];
	char nonce[NONCE_CHARS + 1], mac[MAC_CHARS + 1];
	long long expiry = (long long)now + k->lifetime_s;

	if (token_id <= 0 || crypto_random(rnd, sizeof rnd) != 0)
		return -1;
	base64url_encode(rnd, sizeof rnd, nonce);
	int n = snprintf(out, size, "%lld.%lld.%s", token_id, expiry, nonce);
	if (n <= 0 || (size_t)n >= size || mac_text(k, out, (size_t)n, mac) != 0)
		return -1;
	int m = snprintf(out + n, size - (size_t)n, ".%s", mac);
	return m > 0 && (size_t)m < size - (size_t)n ? 0 : -1;
}

/* Reads a number (auth_read_number) that `stop` ends; returns the number
 * of characters read, or 0. */
static size_t read_number(const char *s, size_t max, char stop, long long *out)
{
	size_t n = auth_read_number(s, max, out);

	return n > 0 && s[n] == stop ? n : 0;
}

/* Splits a cookie value; returns 0 or -1 when it is not of the form. */
static int cookie_split(const char *cookie, struct cookie_parts *p)
{
	size_t a = read_number(cookie, ID_DIGITS, '.', &p->token_id);

	if (a == 0)
		return -1;
	size_t b = read_number(cookie + a + 1, EXPIRY_DIGITS, '.', &p->expiry);
	if (b == 0)
		return -1;
	const char *nonce = cookie + a + 1 + b + 1;
	if (base64url_span(nonce) != NONCE_CHARS || nonce[NONCE_CHARS] != '.')
		return -1;
	p->signed_len = a + 1 + b + 1 + NONCE_CHARS;
	p->mac = cookie + p->signed_len + 1;
	return strlen(p->mac) == MAC_CHARS && base64url_span(p->mac) == MAC_CHARS ? 0 : -1;
}

/* True when the MAC is on the ended list. Call with the lock held. */
static bool is_ended(const struct session_keeper *k, const char *mac)
{
	for (size_t i = 0; i < k->nended; i++)
		if (CRYPTO_memcmp(k->ended[i].mac, mac, MAC_CHARS) == 0)
			return true;
	return false;
}

enum session_result session_verify(struct session_keeper *k, const char *cookie,
                                   time_t now, long long *token_id)
{
	struct cookie_parts p;
	char want[MAC_CHARS + 1];

	if (!cookie || strlen(cookie) >= SESSION_COOKIE_MAX || cookie_split(cookie, &p) != 0)
		return SESSION_MALFORMED;
	if (mac_text(k, cookie, p.signed_len, want) != 0 ||
	    CRYPTO_memcmp(want, p.mac, MAC_CHARS) != 0)
		return SESSION_FORGED;
	if (p.expiry <= (long long)now)
		return SESSION_EXPIRED;
	pthread_mutex_lock(&k->lock);
	bool ended = p.expiry <= (long long)k->floor || is_ended(k, p.mac);
	pthread_mutex_unlock(&k->lock);
	if (ended)
		return SESSION_ENDED;
	*token_id = p.token_id;
	return SESSION_OK;
}

/* Drops entries whose cookie has expired. Call with the lock held. */
static void prune_expired(struct session_keeper *k, time_t now)
{
	size_t kept = 0;

	for (size_t i = 0; i < k->nended; i++)
		if (k->ended[i].expiry > now)
			k->ended[kept++] = k->ended[i];
	k->nended = kept;
}

/* The slot for a new entry when the list is full: the one expiring first. */
static size_t soonest_slot(const struct session_keeper *k)
{
	size_t best = 0;

	for (size_t i = 1; i < k->nended; i++)
		if (k->ended[i].expiry < k->ended[best].expiry)
			best = i;
	return best;
}

void session_end(struct session_keeper *k, const char *cookie, time_t now)
{
	struct cookie_parts p;
	long long id;

	if (session_verify(k, cookie, now, &id) != SESSION_OK || cookie_split(cookie, &p) != 0)
		return;
	pthread_mutex_lock(&k->lock);
	prune_expired(k, now);
	size_t slot = k->nended;
	if (slot == k->ended_max) {
		/* The entry that makes room stays refused through the floor. */
		slot = soonest_slot(k);
		if (k->ended[slot].expiry > k->floor)
			k->floor = k->ended[slot].expiry;
		log_warn("the list of %zu ended sessions is full: every session expiring by "
		         "%lld now ends too", k->ended_max, (long long)k->floor);
	} else
		k->nended++;
	memcpy(k->ended[slot].mac, p.mac, MAC_CHARS + 1);
	k->ended[slot].expiry = (time_t)p.expiry;
	pthread_mutex_unlock(&k->lock);
}

const char *session_result_message(enum session_result r)
{
	static const char *const messages[] = {
		[SESSION_OK] = "valid session",
		[SESSION_MALFORMED] = "malformed session cookie: sign in again",
		[SESSION_FORGED] = "unknown session (the server may have restarted): sign in again",
		[SESSION_EXPIRED] = "the session has expired: sign in again",
		[SESSION_ENDED] = "the session was signed out: sign in again",
	};

	return messages[r];
}

enum auth_result session_principal(struct session_keeper *k, struct db *db,
                                   const char *cookie, time_t now,
                                   struct principal *who, const char **why)
{
	long long id = 0;
	struct auth_token_row row;
	enum session_result sr = session_verify(k, cookie, now, &id);

	*why = NULL;
	if (sr != SESSION_OK) {
		*why = session_result_message(sr);
		return AUTH_UNKNOWN;
	}
	if (auth_token_load(db, id, &row) != DB_OK)
		return AUTH_UNAVAILABLE;
	enum auth_result r = auth_verdict(&row, NULL, who);
	if (r != AUTH_OK)
		*why = auth_result_message(r);
	return r;
}
