/* Answers written straight to a connection's socket, outside
 * libmicrohttpd's state machine, for the requests that must be answered
 * before their body has been read and then closed: a body over the limit,
 * or framing that cannot be trusted. libmicrohttpd 0.9.75 cannot send an
 * answer while a body is arriving, and when it closes a connection whose
 * body is unread the kernel resets it, which throws the answer away on the
 * client's side before most clients have read it. So the answer goes out
 * here, and what the client still sends is read and dropped, bounded in
 * bytes and time, before the connection is closed. */
#ifndef SAMLAD_HTTP_EARLY_H
#define SAMLAD_HTTP_EARLY_H

#include <stddef.h>
#include <microhttpd.h>

/* What is read and dropped after an early answer, at the most. */
#define HTTP_DRAIN_BYTES (64u << 20)
#define HTTP_DRAIN_MS 5000

/* Sends `head` (status line and headers, ending in an empty line) and
 * `body` on the connection, then reads and drops what arrives until the
 * client closes or a bound is reached. Works on plain and TLS connections.
 * Returns 0 when the whole answer was written, -1 when the client was gone.
 * The caller then returns MHD_NO, which closes the connection. */
int http_early_answer(struct MHD_Connection *conn, const char *head,
                      const char *body, size_t len);

#endif
