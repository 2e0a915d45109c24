/* The readiness datagram; see notify.h. */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Fills sa from $NOTIFY_SOCKET; returns the address length, or 0 when the
 * name is not a path or an abstract name, or is too long. */
static socklen_t notify_address(const char *name, struct sockaddr_un *sa)
{
	size_t len = strlen(name);

	if ((name[0] != '/' && name[0] != '@') || len < 2 || len >= sizeof sa->sun_path)
		return 0;
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, len);
	/* An abstract name starts with a NUL byte and is not NUL-terminated. */
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	return (socklen_t)sizeof *sa;
}

int notify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	int rc = -1;

	if (!name || !*name)
		return 0;
	salen = notify_address(name, &sa);
	if (salen == 0) {
		errno = EINVAL;
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) ==
	    (ssize_t)strlen(state))
		rc = 1;
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
