/* The deadline watchdog; see http_deadline.h. One thread wakes four times a
 * second and walks the list of open connections: a few thousand entries at
 * most, so a list is enough. Shutting a socket down (rather than closing
 * it) leaves the descriptor to libmicrohttpd, whose thread for the
 * connection sees the end of input and closes it the usual way. */
#include "http_deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

/* What the connection is waiting for. */
enum watch_phase {
	PHASE_HEAD,      /* the next request's head (or the TLS handshake) */
	PHASE_BODY,      /* the rest of the body */
	PHASE_ANSWERING, /* the server: no deadline */
};

struct http_watch {
	struct http_watch *prev, *next; /* the list of open connections */
	int fd;                         /* the connection's socket */
	enum watch_phase phase;         /* what the deadline is for */
	long long since_ms;             /* when that phase began (monotonic ms) */
	bool expired;                   /* shut down already: logged once */
	bool served;                    /* a request has been answered on it */
};

struct http_deadlines {
	pthread_mutex_t lock;     /* guards everything below */
	pthread_cond_t wake;      /* signalled to stop the thread */
	pthread_t thread;         /* the watchdog */
	struct http_watch *head;  /* open connections, newest first */
	unsigned head_s;          /* seconds allowed for a head */
	unsigned body_s;          /* seconds allowed for a body */
	bool stopping;            /* the thread is to end */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shuts down every connection past its deadline. Called with the lock. */
static void deadlines_sweep(struct http_deadlines *d)
{
	long long now = now_ms();

	for (struct http_watch *w = d->head; w; w = w->next) {
		unsigned limit = w->phase == PHASE_HEAD ? d->head_s : d->body_s;
		if (w->phase == PHASE_ANSWERING || w->expired ||
		    now - w->since_ms < (long long)limit * 1000)
			continue;
		w->expired = true;
		shutdown(w->fd, SHUT_RDWR);
		/* A kept-alive connection that falls silent after its answers is
		 * ordinary; one that never sent a whole request, or stalls in a
		 * body, is worth a line. */
		if (w->phase == PHASE_HEAD && w->served)
			log_debug("http connection closed: idle for %u s after its last answer", limit);
		else
			log_info("http connection closed: the request %s did not arrive within %u s",
			         w->phase == PHASE_HEAD ? "head" : "body", limit);
	}
}

static void *deadlines_run(void *arg)
{
	struct http_deadlines *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
		deadlines_sweep(d);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

struct http_deadlines *http_deadlines_start(unsigned head_s, unsigned body_s)
{
	struct http_deadlines *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->head_s = head_s;
	d->body_s = body_s;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	int rc = pthread_create(&d->thread, NULL, deadlines_run, d);
	if (rc != 0) {
		log_error("cannot start the deadline watchdog: %s", strerror(rc));
		http_deadlines_free(d);
		return NULL;
	}
	return d;
}

void http_deadlines_stop(struct http_deadlines *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
}

void http_deadlines_free(struct http_deadlines *d)
{
	if (!d)
		return;
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct http_watch *http_deadlines_watch(struct http_deadlines *d, int fd)
{
	struct http_watch *w = calloc(1, sizeof *w);

	if (!w) {
		log_error("out of memory: a connection goes without deadlines");
		return NULL;
	}
	w->fd = fd;
	w->phase = PHASE_HEAD;
	w->since_ms = now_ms();
	pthread_mutex_lock(&d->lock);
	w->next = d->head;
	if (d->head)
		d->head->prev = w;
	d->head = w;
	pthread_mutex_unlock(&d->lock);
	return w;
}

void http_deadlines_unwatch(struct http_deadlines *d, struct http_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&d->lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		d->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&d->lock);
	free(w);
}

/* Moves a connection to another phase, starting its clock; `answered`
 * marks that a request has been answered on it. */
static void watch_phase(struct http_deadlines *d, struct http_watch *w,
                        enum watch_phase phase, bool answered)
{
	if (!w)
		return;
	pthread_mutex_lock(&d->lock);
	w->phase = phase;
	w->served |= answered;
	w->since_ms = now_ms();
	pthread_mutex_unlock(&d->lock);
}

void http_watch_body(struct http_deadlines *d, struct http_watch *w)
{
	watch_phase(d, w, PHASE_BODY, false);
}

void http_watch_answering(struct http_deadlines *d, struct http_watch *w)
{
	watch_phase(d, w, PHASE_ANSWERING, false);
}

void http_watch_idle(struct http_deadlines *d, struct http_watch *w)
{
	watch_phase(d, w, PHASE_HEAD, true);
}
