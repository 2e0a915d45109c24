/* The collector's metrics (docs/operations.md, "Watch it"): rows stored by
 * class, batches refused by reason, the pool's failures and reconnects,
 * the current-value cache's size and use. Nothing about the data itself:
 * no values, no indicator or area in any label. */
#include <string.h>
#include "collector.h"
#include "store.h"

/* The error codes of POST /v1/counts (docs/collector.md), in the order of
 * collector_meters.refused; the last is any other. */
static const char *const REASONS[COLLECTOR_REASONS] = {
	"malformed_json", "malformed_csv", "invalid_body", "invalid_parameter",
	"unauthorized", "forbidden", "body_too_large", "unsupported_media_type",
	"validation_failed", "period_locked", "idempotency_key_reused",
	"database_unavailable", "internal_error", "other",
};

static const struct metric_spec COUNTS = {
	.type = METRIC_COUNTER, .name = "samlad_collector_rows_total",
	.help = "Rows of stored batches by class: created (a new key), updated (a new "
	        "value), unchanged (the value it had).",
	.labels = (const char *const[]){ "class", NULL },
};
static const struct metric_spec REFUSED = {
	.type = METRIC_COUNTER, .name = "samlad_collector_batches_refused_total",
	.help = "Batches refused, of POST /v1/counts and of the form, by the error code "
	        "(the form's: the code the API would have answered).",
	.labels = (const char *const[]){ "reason", NULL },
};

/* The cache's statistics; zeros when it is off (--cache-mb 0). */
static struct current_stats cache_stats(void *app)
{
	struct collector *c = app;
	struct current_stats s = { 0 };

	if (c->cache)
		current_stats(c->cache, &s);
	return s;
}

static int64_t cache_keys(void *app)
{
	return (int64_t)cache_stats(app).keys;
}

static int64_t cache_hits(void *app)
{
	return (int64_t)cache_stats(app).hits;
}

static int64_t cache_misses(void *app)
{
	return (int64_t)cache_stats(app).misses;
}

/* The current-value cache's series, read when rendered. */
static void cache_register(struct collector *c)
{
	(void)metrics_read(c->metrics, METRIC_GAUGE, "samlad_collector_cache_keys",
	                   "Keys in the current-value cache.", cache_keys, c);
	(void)metrics_read(c->metrics, METRIC_COUNTER, "samlad_collector_cache_hits_total",
	                   "Batches classified from the current-value cache.", cache_hits, c);
	(void)metrics_read(c->metrics, METRIC_COUNTER, "samlad_collector_cache_misses_total",
	                   "Batches classified by the database (the cache was off, stale "
	                   "or loading).", cache_misses, c);
}

int collector_meters_init(struct collector *c)
{
	struct collector_meters *m = &c->meters;

	if (!(c->metrics = metrics_new()))
		return -1;
	struct metric_family *counts = metrics_family(c->metrics, &COUNTS);
	m->created = metric_series(counts, (const char *[]){ "created" });
	m->updated = metric_series(counts, (const char *[]){ "updated" });
	m->unchanged = metric_series(counts, (const char *[]){ "unchanged" });
	struct metric_family *refused = metrics_family(c->metrics, &REFUSED);
	for (size_t i = 0; i < COLLECTOR_REASONS; i++)
		m->refused[i] = metric_series(refused, (const char *[]){ REASONS[i] });
	cache_register(c);
	db_pool_metrics(c->pool, c->metrics);
	return metrics_failed(c->metrics) ? -1 : 0;
}

void collector_count_stored(struct collector *c, const struct receipt *r)
{
	metric_add(c->meters.created, (uint64_t)r->created);
	metric_add(c->meters.updated, (uint64_t)r->updated);
	metric_add(c->meters.unchanged, (uint64_t)r->unchanged);
}

void collector_count_refused(struct collector *c, const char *reason)
{
	size_t i = 0;

	while (i < COLLECTOR_REASONS - 1 && strcmp(REASONS[i], reason) != 0)
		i++;
	metric_inc(c->meters.refused[i]);
}

void collector_answered(const struct http_request *req, void *app)
{
	const struct http_route *route = http_matched_route(req);

	if (!route || http_status(req) < 400 || strcmp(route->method, "POST") != 0 ||
	    strcmp(route->path, "/v1/counts") != 0)
		return;
	collector_count_refused(app, http_error_code(req));
}
