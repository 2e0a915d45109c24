/* Early answers on the raw socket; see http_early.h. libmicrohttpd keeps
 * its sockets non-blocking, so every write and read here waits in poll. On
 * a TLS connection the same bytes go through the connection's GnuTLS
 * session, which libmicrohttpd's thread for this connection is not using
 * while it waits for the access handler that called us. */
#include "http_early.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* The connection's transport: a socket, and a TLS session or NULL. */
struct early_io {
	int fd;                   /* the socket */
	gnutls_session_t tls;     /* the session on it, or NULL for plain HTTP */
	struct timespec until;    /* when to give up (monotonic) */
};

/* Milliseconds left until io->until, at least 0. */
static int ms_left(const struct early_io *io)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (long long)(io->until.tv_sec - now.tv_sec) * 1000 +
	               (io->until.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Waits until the socket is ready for `events`; false on time-out. */
static bool wait_for(const struct early_io *io, short events)
{
	struct pollfd p = { io->fd, events, 0 };
	int ms = ms_left(io);

	if (ms == 0)
		return false;
	int rc = poll(&p, 1, ms);
	return rc > 0 || (rc < 0 && errno == EINTR);
}

/* A transfer's result as the callers read it: the bytes moved, 0 to wait
 * (the call would block or was interrupted), or -1 on failure. */
static long io_result(const struct early_io *io, ssize_t n)
{
	bool again = io->tls ? n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED
	                     : n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);

	return again ? 0 : n < 0 ? -1 : (long)n;
}

/* Writes some of data; returns bytes written, 0 to wait, -1 on failure. */
static long io_write(const struct early_io *io, const char *data, size_t len)
{
	return io_result(io, io->tls ? gnutls_record_send(io->tls, data, len)
	                             : send(io->fd, data, len, MSG_NOSIGNAL));
}

/* Reads and drops; returns bytes read, 0 to wait, -1 at the end or on failure. */
static long io_read(const struct early_io *io, char *scratch, size_t size)
{
	ssize_t n = io->tls ? gnutls_record_recv(io->tls, scratch, size)
	                    : recv(io->fd, scratch, size, 0);

	return n == 0 ? -1 : io_result(io, n);
}

static int write_all(const struct early_io *io, const char *data, size_t len)
{
	while (len > 0) {
		long n = io_write(io, data, len);
		if (n < 0)
			return -1;
		if (n == 0 && !wait_for(io, POLLOUT))
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads and drops until the client closes or a bound is reached. */
static void drain(const struct early_io *io)
{
	char scratch[16384];
	size_t total = 0;

	while (total < HTTP_DRAIN_BYTES) {
		/* GnuTLS may hold decrypted bytes that poll cannot see. */
		bool pending = io->tls && gnutls_record_check_pending(io->tls) > 0;
		if (!pending && !wait_for(io, POLLIN))
			return;
		long n = io_read(io, scratch, sizeof scratch);
		if (n < 0)
			return;
		total += (size_t)n;
	}
}

int http_early_answer(struct MHD_Connection *conn, const char *head,
                      const char *body, size_t len)
{
	const union MHD_ConnectionInfo *fd =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *tls =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	struct early_io io = { fd ? fd->connect_fd : -1, tls ? tls->tls_session : NULL,
	                       { 0, 0 } };

	if (io.fd < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &io.until);
	io.until.tv_sec += HTTP_DRAIN_MS / 1000;
	if (write_all(&io, head, strlen(head)) != 0 || write_all(&io, body, len) != 0)
		return -1;
	/* On plain HTTP the end of the answer is sent now, so the client need
	 * not wait for the draining to end; TLS has its own closing record,
	 * which libmicrohttpd sends when it closes. */
	if (!io.tls)
		shutdown(io.fd, SHUT_WR);
	drain(&io);
	return 0;
}
