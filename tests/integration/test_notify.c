/* Readiness for systemd's Type=notify: with $NOTIFY_SOCKET set, both
 * services send READY=1 once they listen and STOPPING=1 when SIGTERM
 * stops them, each exactly once, and nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

/* The next datagram on fd ("" when none came within 15 s). */
static const char *next(int fd)
{
	static char got[128];
	ssize_t n = recv(fd, got, sizeof got - 1, 0);

	got[n > 0 ? n : 0] = '\0';
	return got;
}

static void check(const char *name, const char *url, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval limit = { .tv_sec = 15 };
	struct harness_proc p;
	char program[64];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0) {
		printf("Bail out! cannot bind %s: %s\n", path, strerror(errno));
		exit(1);
	}
	snprintf(program, sizeof program, "%s/samlad-%s", name, name);
	setenv("NOTIFY_SOCKET", path, 1);
	ok(harness_start(&p, harness_program(program), url, NULL) == 0, "%s started", name);
	unsetenv("NOTIFY_SOCKET");
	is_str(next(fd), "READY=1", "%s said READY=1", name);
	is_int(harness_stop(&p), 0, "%s stopped with exit code 0", name);
	is_str(next(fd), "STOPPING=1", "%s said STOPPING=1 on SIGTERM", name);
	is_int(recv(fd, (char[8]){ 0 }, 8, MSG_DONTWAIT), -1, "%s said nothing more", name);
	close(fd);
	unlink(path);
}

int main(void)
{
	struct harness_db db;
	char path[64];

	harness_db_create(&db, "notify");
	snprintf(path, sizeof path, "/tmp/samlad-notify-%d.sock", (int)getpid());
	check("collector", db.collector_url, path);
	check("aggregator", db.aggregator_url, path);
	harness_db_drop(&db);
	return tap_done();
}
