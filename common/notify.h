/* The service manager's readiness protocol (systemd's sd_notify, without
 * libsystemd): one datagram of "KEY=VALUE" lines to the Unix socket named
 * by $NOTIFY_SOCKET, a path or, after '@', an abstract name. */
#ifndef SAMLAD_NOTIFY_H
#define SAMLAD_NOTIFY_H

/* Sends state (e.g. "READY=1") when $NOTIFY_SOCKET is set. Returns 1 when
 * sent, 0 when no manager asked for it, -1 when the socket is named but the
 * datagram could not be sent (errno says why). */
int notify_send(const char *state);

#endif
