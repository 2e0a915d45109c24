/* Deadlines for what a client sends: the request head (and the TLS
 * handshake and the idle time before it) and the request body. A
 * connection that misses one is shut down, however steadily it trickles
 * bytes: libmicrohttpd's own timeout restarts at every byte received, so a
 * client sending one header line every few seconds would hold its
 * connection, and with it a thread, for as long as it liked. */
#ifndef SAMLAD_HTTP_DEADLINE_H
#define SAMLAD_HTTP_DEADLINE_H

#include "compiler.h"

struct http_deadlines;
struct http_watch;

/* Starts the watchdog thread. Returns NULL (logged) when it cannot. */
struct http_deadlines *http_deadlines_start(unsigned head_s, unsigned body_s) WUR;
/* Stops and joins the watchdog. The watches still registered stay valid
 * until http_deadlines_unwatch, which the server calls as each connection
 * closes; http_deadlines_free then frees the set. */
void http_deadlines_stop(struct http_deadlines *d);
void http_deadlines_free(struct http_deadlines *d);

/* A new connection: its head deadline starts now. `fd` is its socket,
 * which the watchdog shuts down when a deadline passes. NULL when memory
 * ran out (the connection then simply has no deadline). */
struct http_watch *http_deadlines_watch(struct http_deadlines *d, int fd);
/* The connection closed: forgets it (w may be NULL). Called before the
 * socket is closed, so the watchdog never touches a reused descriptor. */
void http_deadlines_unwatch(struct http_deadlines *d, struct http_watch *w);

/* The head is in: the body deadline starts now. */
void http_watch_body(struct http_deadlines *d, struct http_watch *w);
/* The body is in: the request is the server's to answer, without deadline. */
void http_watch_answering(struct http_deadlines *d, struct http_watch *w);
/* The answer is sent: the next request's head deadline starts now. */
void http_watch_idle(struct http_deadlines *d, struct http_watch *w);

#endif
