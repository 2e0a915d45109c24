/* notify_send: the datagram reaches a socket named by a path and by an
 * abstract name; without $NOTIFY_SOCKET nothing is sent; a name that is
 * neither, or a socket nobody listens on, is an error. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "tap.h"

/* A datagram socket bound to name (a path, or '@' and an abstract name). */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	socklen_t salen = name[0] == '@' ? (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)
	                                 : (socklen_t)sizeof sa;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) != 0) {
		printf("Bail out! cannot bind %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return fd;
}

/* What arrived on fd, without waiting. */
static const char *received(int fd)
{
	static char got[64];
	ssize_t n = recv(fd, got, sizeof got - 1, MSG_DONTWAIT);

	got[n > 0 ? n : 0] = '\0';
	return got;
}

int main(void)
{
	char path[64], abstract[64];

	snprintf(path, sizeof path, "/tmp/samlad-notify-%d.sock", (int)getpid());
	snprintf(abstract, sizeof abstract, "@samlad-notify-%d", (int)getpid());
	unlink(path);
	int fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(notify_send("READY=1"), 1, "sent to a socket's path");
	is_str(received(fd), "READY=1", "the path's socket got READY=1");
	int afd = listener(abstract);
	setenv("NOTIFY_SOCKET", abstract, 1);
	is_int(notify_send("STOPPING=1"), 1, "sent to an abstract name");
	is_str(received(afd), "STOPPING=1", "the abstract socket got STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	is_int(notify_send("READY=1"), 0, "without NOTIFY_SOCKET nothing is sent");
	setenv("NOTIFY_SOCKET", "", 1);
	is_int(notify_send("READY=1"), 0, "an empty NOTIFY_SOCKET counts as unset");
	is_str(received(fd), "", "and nothing arrived");
	const char *bad[] = { "relative.sock", "@", "/" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		errno = 0;
		is_int(notify_send("READY=1"), -1, "NOTIFY_SOCKET=%s is refused", bad[i]);
	}
	setenv("NOTIFY_SOCKET", "/tmp/samlad-notify-nobody.sock", 1);
	is_int(notify_send("READY=1"), -1, "a socket nobody listens on is an error");
	is_int(errno, ENOENT, "errno says it is not there");
	close(fd);
	close(afd);
	unlink(path);
	return tap_done();
}
