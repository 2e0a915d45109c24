/* The aggregator's metrics (docs/operations.md, "Watch it"): the state
 * cache's size and use, the recorder's work and failures, the newest data
 * and catalogue version, the pool's failures and reconnects. Nothing about
 * the data itself: no values, no indicator or area in any label. Every
 * series is read when rendered, from the statistics the modules keep. */
#include "aggregator.h"
#include "state_cache.h"

static struct state_cache_stats cache_stats(void *app)
{
	struct state_cache_stats s;

	state_cache_stats(((struct aggregator *)app)->cache, &s);
	return s;
}

/* The recorder's statistics; zeros without one (--record-threads 0). */
static struct recorder_stats recorder_of(void *app)
{
	struct aggregator *a = app;
	struct recorder_stats s = { 0 };

	if (a->recorder)
		recorder_stats(a->recorder, &s);
	return s;
}

static int64_t cache_entries(void *app)
{
	return (int64_t)cache_stats(app).entries;
}

static int64_t cache_bytes(void *app)
{
	return (int64_t)cache_stats(app).bytes;
}

static int64_t cache_hits(void *app)
{
	return (int64_t)cache_stats(app).hits;
}

static int64_t cache_misses(void *app)
{
	return (int64_t)cache_stats(app).misses;
}

static int64_t recorded_tables(void *app)
{
	return (int64_t)recorder_of(app).tables;
}

static int64_t recorded_states(void *app)
{
	return (int64_t)recorder_of(app).states;
}

static int64_t record_failures(void *app)
{
	return (int64_t)recorder_of(app).failures;
}

static int64_t newest_data(void *app)
{
	return recorder_of(app).newest.data;
}

static int64_t recorded_data(void *app)
{
	return recorder_of(app).recorded.data;
}

static int64_t newest_catalogue(void *app)
{
	return recorder_of(app).newest.catalogue;
}


/* One series read when rendered. */
struct read_series {
	enum metric_type type;        /* counter or gauge */
	const char *name;             /* the metric's name */
	const char *help;             /* its sentence */
	int64_t (*read)(void *app);   /* its value */
};

static const struct read_series SERIES[] = {
	{ METRIC_GAUGE, "samlad_aggregator_cache_tables",
	  "Table states held in the state cache.", cache_entries },
	{ METRIC_GAUGE, "samlad_aggregator_cache_bytes",
	  "Bytes the state cache holds (its bound is --cache-mb).", cache_bytes },
	{ METRIC_COUNTER, "samlad_aggregator_cache_hits_total",
	  "Table reads answered by the state cache.", cache_hits },
	{ METRIC_COUNTER, "samlad_aggregator_cache_misses_total",
	  "Table reads the state cache could not answer.", cache_misses },
	{ METRIC_COUNTER, "samlad_aggregator_recorded_tables_total",
	  "Tables (an indicator in a municipality) protected and recorded by the recorder.",
	  recorded_tables },
	{ METRIC_COUNTER, "samlad_aggregator_recorded_states_total",
	  "Table states (a table in one year) the recorder recorded.", recorded_states },
	{ METRIC_COUNTER, "samlad_aggregator_record_failures_total",
	  "Tables whose protection or recording failed (tried again in the next round).",
	  record_failures },
	{ METRIC_GAUGE, "samlad_aggregator_data_version",
	  "The newest data version (submission id) the recorder saw; 0 before its first "
	  "round or without a recorder.", newest_data },
	{ METRIC_GAUGE, "samlad_aggregator_recorded_data_version",
	  "The data version every table is recorded up to (the watermark); reads of newer "
	  "data record their tables first.", recorded_data },
	{ METRIC_GAUGE, "samlad_aggregator_catalogue_version",
	  "The newest catalogue version the recorder saw; 0 before its first round or "
	  "without a recorder.", newest_catalogue },
};

int aggregator_meters_init(struct aggregator *a)
{
	if (!(a->metrics = metrics_new()))
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(SERIES); i++)
		(void)metrics_read(a->metrics, SERIES[i].type, SERIES[i].name, SERIES[i].help,
		                   SERIES[i].read, a);
	db_pool_metrics(a->pool, a->metrics);
	return metrics_failed(a->metrics) ? -1 : 0;
}
