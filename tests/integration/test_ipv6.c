/* Both services on IPv6: --listen [::1]:0 answers on the IPv6 loopback and
 * not on 127.0.0.1; --listen [::]:0 (dual stack) answers on ::1 and on
 * 127.0.0.1; 127.0.0.1:0 and 0.0.0.0:0 still answer on IPv4; a malformed
 * bracketed address ends the program with exit code 1 and says why. The
 * port is the kernel's choice, read from the program's "listening on" line.
 * Skips when this machine has no IPv6 loopback. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

static struct harness_db db;

/* True when a socket can be bound to ::1 (the loopback has IPv6). */
static bool ipv6_loopback(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool up = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;

	if (fd >= 0)
		close(fd);
	return up;
}

/* Starts program with --listen addr, stderr to log; returns its pid. */
static pid_t spawn(const char *program, const char *addr, const char *url, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(program, program, "--listen", addr, "--database-url", url, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The port of the "listening on ...:PORT" line in log, waiting for it up
 * to 15 s; 0 when the program ended or never said. */
static int port_from_log(pid_t pid, const char *log)
{
	for (int i = 0; i < 300; i++) {
		struct buf text = BUF_INIT;
		int port = 0;
		if (buf_read_file(&text, log, 1 << 20) == 0 && text.data) {
			const char *at = strstr(text.data, "listening on http://");
			if (at) {
				const char *end = strchr(at, '\n');
				const char *p = end ? end : at + strlen(at);
				while (p > at && *p != ':')
					p--;
				/* The line may end with " (IPv6 and IPv4)". */
				if (strncmp(p, "://", 3) != 0)
					port = atoi(p + 1);
			}
		}
		buf_free(&text);
		if (port > 0)
			return port;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 0;
		harness_sleep_ms(50);
	}
	return 0;
}

/* The status of GET http://HOST:PORT/healthz (0 when it failed). */
static long healthz(const char *host, int port)
{
	char url[96];
	struct http_result r;

	snprintf(url, sizeof url, "http://%s:%d/healthz", host, port);
	http_do("GET", url, NULL, NULL, NULL, 0, NULL, &r);
	long status = r.status;
	http_result_free(&r);
	return status;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* One service on one address; v6 and v4 say where it must answer. */
static void check(const char *name, const char *url, const char *addr, bool v6, bool v4)
{
	char program[64], log[256];

	snprintf(program, sizeof program, "%s/samlad-%s", name, name);
	snprintf(log, sizeof log, "%s/ipv6-%s-%d.log",
	         getenv("SAMLAD_BUILD_DIR") ? getenv("SAMLAD_BUILD_DIR") : "/tmp", name,
	         (int)getpid());
	pid_t pid = spawn(harness_program(program), addr, url, log);
	int port = port_from_log(pid, log);
	if (!ok(port > 0, "samlad-%s --listen %s started and logged its port", name, addr)) {
		stop(pid);
		return;
	}
	is_int(healthz("[::1]", port), v6 ? 200 : 0, "%s on %s: /healthz over ::1", name, addr);
	is_int(healthz("127.0.0.1", port), v4 ? 200 : 0, "%s on %s: /healthz over 127.0.0.1",
	       name, addr);
	stop(pid);
	unlink(log);
}

/* A bad --listen: exit code 1 and the reason on stderr. */
static void refused(const char *addr)
{
	const char *argv[] = { harness_program("collector/samlad-collector"), "--listen", addr,
	                       "--database-url", db.collector_url, NULL };
	struct buf err = BUF_INIT;

	is_int(harness_run(argv, NULL, NULL, NULL, &err), 1, "--listen %s: exit code 1", addr);
	ok(err.data && strstr(err.data, "is not HOST:PORT with an IPv4 HOST, localhost or [IPV6]"),
	   "--listen %s: the reason is logged", addr);
	buf_free(&err);
}

int main(void)
{
	if (!ipv6_loopback()) {
		printf("1..0 # SKIP this machine has no IPv6 loopback (cannot bind ::1)\n");
		return 0;
	}
	harness_db_create(&db, "ipv6");
	check("collector", db.collector_url, "[::1]:0", true, false);
	check("collector", db.collector_url, "[::]:0", true, true);
	check("collector", db.collector_url, "127.0.0.1:0", false, true);
	check("collector", db.collector_url, "0.0.0.0:0", false, true);
	check("aggregator", db.aggregator_url, "[::1]:0", true, false);
	check("aggregator", db.aggregator_url, "[::]:0", true, true);
	const char *bad[] = { "[::1]", "[::1]:", "[::1:8080", "::1:8080", "[zz]:8080",
	                      "[::1]:65536", "[::1]x:8080", "[]:8080", "[127.0.0.1]:8080" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		refused(bad[i]);
	harness_db_drop(&db);
	return tap_done();
}
