/* The catalogue as a reference-counted snapshot: a reload (the holder's
 * swap) while a reader holds the old snapshot neither waits for the reader
 * nor changes what the reader sees, and the old snapshot lives until its
 * last reader lets go. Two threads, no database. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "catalogue.h"
#include "tap.h"

/* A catalogue of one area, as catalogue_load would hand it over (one
 * reference). */
static struct catalogue *snapshot_new(long long version, const char *area)
{
	struct catalogue *cat = calloc(1, sizeof *cat);
	if (!cat || !(cat->areas = calloc(1, sizeof *cat->areas)))
		abort();
	cat->version = version;
	cat->nareas = 1;
	cat->areas[0] = (struct cat_area){ .id = 1, .code = strdup(area), .name = strdup(area),
	                                   .parent = -1 };
	atomic_init(&cat->refs, 1);
	return cat;
}

/* What the two threads share; every member is guarded by mu. */
struct stage {
	pthread_mutex_t mu;               /* guards the rest */
	pthread_cond_t cv;                /* signalled at every step */
	struct catalogue_holder *holder;  /* the service's catalogue */
	struct catalogue *next;           /* what the reload swaps in */
	bool held;                        /* the reader holds its snapshot */
	bool swapped;                     /* the reload has returned */
	bool done;                        /* the main thread has looked: the reader may end */
	long long seen_before;            /* the reader's version before the reload */
	long long seen_after;             /* and after it */
	bool area_intact;                 /* the reader's area still reads "0581" */
};

static void stage_set(struct stage *s, bool *flag)
{
	pthread_mutex_lock(&s->mu);
	*flag = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Waits up to five seconds for a flag; false when it did not come. */
static bool stage_wait(struct stage *s, const bool *flag)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&s->mu);
	while (!*flag && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&s->cv, &s->mu, &until);
	bool got = *flag;
	pthread_mutex_unlock(&s->mu);
	return got;
}

/* A request: holds the snapshot across the whole reload, reading it. */
static void *reader(void *arg)
{
	struct stage *s = arg;
	struct catalogue *cat = catalogue_hold(s->holder);

	s->seen_before = cat ? cat->version : -1;
	stage_set(s, &s->held);
	stage_wait(s, &s->done);
	s->seen_after = cat ? cat->version : -1;
	s->area_intact = cat && strcmp(catalogue_area(cat, "0581")->name, "0581") == 0;
	catalogue_unref(cat);
	return NULL;
}

/* A reload: swaps in the next snapshot. */
static void *reload(void *arg)
{
	struct stage *s = arg;

	catalogue_holder_set(s->holder, s->next);
	stage_set(s, &s->swapped);
	return NULL;
}

static void test_reload_while_reading(void)
{
	struct catalogue_holder holder = CATALOGUE_HOLDER_INIT;
	struct stage s = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
	                   .holder = &holder };
	pthread_t r, l;

	ok(catalogue_hold(&holder) == NULL, "an empty holder holds nothing");
	struct catalogue *old = snapshot_new(1, "0581");
	catalogue_holder_set(&holder, old);
	s.next = snapshot_new(2, "0182");
	pthread_create(&r, NULL, reader, &s);
	ok(stage_wait(&s, &s.held), "the reader holds the snapshot");
	is_int(atomic_load(&old->refs), 2, "the holder and the reader hold the old snapshot");
	pthread_create(&l, NULL, reload, &s);
	ok(stage_wait(&s, &s.swapped), "the reload returns while the reader still holds the old "
	   "snapshot");
	pthread_join(l, NULL);
	is_int(atomic_load(&old->refs), 1, "after the reload only the reader holds the old one");
	struct catalogue *now = catalogue_hold(&holder);
	is_int(now ? now->version : -1, 2, "a new request gets the new snapshot");
	catalogue_unref(now);
	stage_set(&s, &s.done);
	pthread_join(r, NULL);
	is_int(s.seen_before, 1, "the reader saw version 1");
	is_int(s.seen_after, 1, "and still version 1 after the reload");
	ok(s.area_intact, "its areas are intact after the reload");
	catalogue_holder_destroy(&holder);
}

/* Many readers and reloads at once: every reader sees one whole snapshot
 * (its version matches its area's name) and nothing is freed early (a
 * sanitizer build would say). */
struct churn {
	struct catalogue_holder *holder;  /* shared */
	int bad;                          /* snapshots that did not agree with themselves */
};

static void *churn_reader(void *arg)
{
	struct churn *c = arg;
	char name[32];

	for (int i = 0; i < 20000; i++) {
		struct catalogue *cat = catalogue_hold(c->holder);
		snprintf(name, sizeof name, "v%lld", cat->version);
		if (strcmp(cat->areas[0].name, name) != 0)
			c->bad++;
		catalogue_unref(cat);
	}
	return NULL;
}

static void test_churn(void)
{
	struct catalogue_holder holder = CATALOGUE_HOLDER_INIT;
	struct churn c[2] = { { &holder, 0 }, { &holder, 0 } };
	pthread_t t[2];
	char name[32];

	catalogue_holder_set(&holder, snapshot_new(0, "v0"));
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn_reader, &c[i]);
	for (long long v = 1; v <= 2000; v++) {
		snprintf(name, sizeof name, "v%lld", v);
		catalogue_holder_set(&holder, snapshot_new(v, name));
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	is_int(c[0].bad + c[1].bad, 0, "every reader saw whole snapshots during 2000 reloads");
	catalogue_holder_destroy(&holder);
}

int main(void)
{
	test_reload_while_reading();
	test_churn();
	return tap_done();
}
