/* The route counters and latency histograms: a table of series, a row per
 * route (and a last row for requests without one), a column per status of
 * STATUSES (and a last column for any other). */
#include "http_meters.h"

#include <stdio.h>
#include <stdlib.h>

/* The statuses a service answers (docs/architecture.md, "HTTP"); any other
 * is counted as status="other". */
static const unsigned STATUSES[] = {
	200, 201, 204, 303, 304, 400, 401, 403, 404, 405, 406, 409, 413, 415, 422,
	500, 501, 503,
};
#define NSTATUS (sizeof STATUSES / sizeof STATUSES[0])

/* Latency buckets, in seconds: answers take milliseconds, a cold review
 * or a large batch seconds. */
static const double BOUNDS[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

static const char *const COUNT_LABELS[] = { "method", "route", "status", NULL };
static const char *const TIME_LABELS[] = { "method", "route", NULL };

static const struct metric_spec REQUESTS = {
	.type = METRIC_COUNTER, .name = "samlad_http_requests_total",
	.help = "HTTP answers by route (method and path pattern of the route table; route "
	        "\"unmatched\" when none matched) and status.",
	.labels = COUNT_LABELS, .sparse = true,
};
static const struct metric_spec DURATION = {
	.type = METRIC_HISTOGRAM, .name = "samlad_http_request_duration_seconds",
	.help = "Seconds from a request's head to its answer, by route.",
	.labels = TIME_LABELS, .bounds = BOUNDS, .nbounds = sizeof BOUNDS / sizeof BOUNDS[0],
	.sparse = true,
};

struct http_meters {
	const struct http_route *routes; /* borrowed; the route table */
	size_t nroutes;                  /* its rows; row nroutes is "no route" */
	struct metric **counts;          /* owned array of borrowed series: (nroutes + 1) x
	                                  * (NSTATUS + 1) */
	struct metric **times;           /* owned array of borrowed series: nroutes + 1 */
};

/* Registers one row: the route's counters by status and its histogram. */
static void register_row(struct http_meters *hm, struct metric_family *count,
                         struct metric_family *time, size_t row)
{
	const char *method = row < hm->nroutes ? hm->routes[row].method : "any";
	const char *path = row < hm->nroutes ? hm->routes[row].path : "unmatched";
	char status[8];

	for (size_t col = 0; col <= NSTATUS; col++) {
		if (col < NSTATUS)
			snprintf(status, sizeof status, "%u", STATUSES[col]);
		else
			snprintf(status, sizeof status, "other");
		hm->counts[row * (NSTATUS + 1) + col] =
			metric_series(count, (const char *[]){ method, path, status });
	}
	hm->times[row] = metric_series(time, (const char *[]){ method, path });
}

struct http_meters *http_meters_new(struct metrics *m, const struct http_route *routes,
                                    size_t nroutes)
{
	struct http_meters *hm = m ? calloc(1, sizeof *hm) : NULL;

	if (!hm)
		return NULL;
	*hm = (struct http_meters){ routes, nroutes,
	                            calloc((nroutes + 1) * (NSTATUS + 1), sizeof *hm->counts),
	                            calloc(nroutes + 1, sizeof *hm->times) };
	struct metric_family *count = metrics_family(m, &REQUESTS);
	struct metric_family *time = metrics_family(m, &DURATION);
	for (size_t row = 0; hm->counts && hm->times && row <= nroutes; row++)
		register_row(hm, count, time, row);
	if (!hm->counts || !hm->times || metrics_failed(m)) {
		http_meters_free(hm);
		return NULL;
	}
	return hm;
}

void http_meters_free(struct http_meters *hm)
{
	if (!hm)
		return;
	free(hm->counts);
	free(hm->times);
	free(hm);
}

void http_meters_count(struct http_meters *hm, const struct http_route *route,
                       unsigned status, double seconds)
{
	if (!hm)
		return;
	size_t row = route ? (size_t)(route - hm->routes) : hm->nroutes, col = 0;
	while (col < NSTATUS && STATUSES[col] != status)
		col++;
	metric_inc(hm->counts[row * (NSTATUS + 1) + col]);
	metric_observe(hm->times[row], seconds);
}
