/* Browser sessions of both programs: the value of the samlad_session cookie is
 *     <token id>.<expiry, Unix seconds>.<nonce>.<base64url HMAC-SHA256(key, "<id>.<expiry>.<nonce>")>
 * The nonce is 12 random bytes (16 base64url characters), so that two
 * sign-ins of one token in the same second are two sessions: signing one
 * out must not end the other.
 * The key is 32 random bytes made when the program starts and never stored,
 * so every session ends when the program restarts. The MAC is compared in
 * constant time. A cookie names only the token's id: whether the token is
 * still valid (not revoked, a reader's role) is asked of the database on
 * every request, as for a bearer token.
 *
 * Signing out puts the cookie's MAC on a list of ended sessions, kept until
 * the cookie would have expired anyway, so a copied cookie stops working
 * at once rather than at its expiry. The list is bounded; when it is full,
 * the entry expiring first makes room, and every cookie expiring no later
 * than it is refused from then on (the floor): a sign-out is never
 * forgotten, at the price of ending the oldest sessions early. */
#ifndef SAMLAD_SESSION_H
#define SAMLAD_SESSION_H

#include <stddef.h>
#include <time.h>
#include "auth.h"
#include "compiler.h"
#include "db.h"

#define SESSION_COOKIE_NAME "samlad_session"
#define SESSION_KEY_BYTES 32
/* Room for "<19 digits>.<20 digits>.<16 characters>.<43 characters>" and a NUL. */
#define SESSION_COOKIE_MAX 112
/* Ended sessions remembered at most; beyond it the one expiring first
 * raises the floor (see above, and logged). Each entry is about 50 bytes. */
#define SESSION_ENDED_MAX 65536

enum session_result {
	SESSION_OK = 0,
	SESSION_MALFORMED,  /* not of the cookie's form */
	SESSION_FORGED,     /* the MAC does not match: not made by this process */
	SESSION_EXPIRED,    /* past its expiry */
	SESSION_ENDED,      /* signed out */
};

struct session_keeper;

/* A keeper with a fresh random key; sessions last lifetime_s seconds.
 * NULL when randomness or memory failed. Free with session_keeper_free. */
struct session_keeper *session_keeper_new(unsigned lifetime_s) WUR;
/* The same with a given key and room for ended_max ended sessions, for
 * tests. */
struct session_keeper *session_keeper_with_key(const unsigned char key[SESSION_KEY_BYTES],
                                               unsigned lifetime_s, size_t ended_max) WUR;
void session_keeper_free(struct session_keeper *k);
/* Seconds a new session lasts (the cookie's Max-Age). */
unsigned session_lifetime(const struct session_keeper *k);

/* Writes the cookie value of a new session for token_id into out
 * (SESSION_COOKIE_MAX bytes) with a fresh random nonce. Returns 0 or -1. */
int session_make(const struct session_keeper *k, long long token_id, time_t now,
                 char *out, size_t size) WUR;
/* Checks a cookie value; on SESSION_OK *token_id is the token it names. */
enum session_result session_verify(struct session_keeper *k, const char *cookie,
                                   time_t now, long long *token_id) WUR;
/* Ends the session of a valid cookie (an invalid one is ignored). */
void session_end(struct session_keeper *k, const char *cookie, time_t now);
/* A short English reason for a result, for a 401 message. */
const char *session_result_message(enum session_result r);

/* Who a session cookie speaks for: the cookie is verified, then its
 * token's row is read on `db` and judged by auth_verdict without a secret
 * (the signature proved that its holder had it), so a revoked token's
 * sessions end at once. On AUTH_OK *who is the token's principal; on
 * another result but AUTH_UNAVAILABLE, *why says why in a sentence. Both
 * programs' sign-ins share it (aggregator/login.c, collector/login.c). */
enum auth_result session_principal(struct session_keeper *k, struct db *db,
                                   const char *cookie, time_t now,
                                   struct principal *who, const char **why) WUR;

#endif
