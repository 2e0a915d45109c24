/* samlad-admin demo-data --out DIR: writes DIR/<agency>.csv with synthetic
 * quarterly counts for every indicator and district each agency may report,
 * ready to be posted through the collector (samlad-push).
 *
 * A value depends only on the indicator code, the area code and the quarter
 * (never on database ids, the clock or rand()), so the same catalogue gives
 * byte-identical files and overlapping ranges agree. A series is a base
 * level times a yearly season times a linear trend (rising, falling or
 * flat) times noise, rounded with a dither; arithmetic is in integers so no
 * floating-point rounding can differ between machines. One or two series per
 * district are sparse (a base of 1.5 to 3.5) so that small counts, the ones
 * disclosure control must hide, occur naturally; about one quarter in forty
 * is left out, as a late or missing report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "admin.h"
#include "admin_demo.h"
#include "buf.h"
#include "catalogue.h"
#include "catalogue_db.h"
#include "csv.h"
#include "period.h"

/* Trends are measured from this quarter, whatever --from says. */
#define DEMO_ANCHOR 20191
/* One quarter in this many is missing. */
#define DEMO_MISSING_ONE_IN 40

static const struct config_option demo_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "out", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Folder to write <agency>.csv into, created if missing (required)." },
	{ "from", CONFIG_STRING, "2019Q1", NULL, 0, 0, "First quarter written." },
	{ "to", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Last quarter written; default the last quarter that has ended." },
};

/* Season at full amplitude, per mille, by quarter: the summer quarter is
 * quiet, the first busy. The four sum to zero. */
static const int season_pm[4] = { 100, 50, -200, 50 };

/* splitmix64's finaliser: spreads every input bit over the output. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* FNV-1a of a string (with its NUL, so "a"+"bc" differs from "ab"+"c"),
 * continuing from h. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	} while (*s++);
	return h;
}

uint64_t demo_hash(const char *a, const char *b)
{
	return mix(hash_str(hash_str(0xcbf29ce484222325ULL, a), b));
}

/* A number in [0, n) drawn for one quarter of a series; `salt` separates
 * the draws made for different purposes. */
static uint64_t draw(uint64_t series, int period, unsigned salt, uint64_t n)
{
	return mix(series ^ mix(((uint64_t)(unsigned)period << 8) | salt)) % n;
}

/* A series is sparse when its hash ranks among the lowest one or two of all
 * indicators in its area. */
static bool is_sparse(const struct catalogue *cat, const struct cat_area *area, uint64_t h)
{
	size_t rank = 0;
	size_t nsparse = 1 + (demo_hash("", area->code) & 1);

	for (size_t i = 0; i < cat->nindicators; i++)
		rank += demo_hash(cat->indicators[i].code, area->code) < h;
	return rank < nsparse;
}

static void series_init(const struct catalogue *cat, struct demo_series *s)
{
	uint64_t h = demo_hash(s->indicator->code, s->area->code);
	bool sparse = is_sparse(cat, s->area, h);

	/* Small counts vary more, relative to their level, than large ones. */
	s->hash = h;
	s->base_milli = sparse ? 1500 + (int64_t)(h % 2001) : 6000 + (int64_t)((h >> 12) % 54001);
	s->noise_pm = sparse ? 450 : 80;
	switch ((h >> 32) % 3) {
	case 0: s->slope_pm = 20 + (int64_t)((h >> 40) % 61); break;
	case 1: s->slope_pm = -20 - (int64_t)((h >> 40) % 61); break;
	default: s->slope_pm = 0; break;
	}
	s->season_pct = 30 + (int64_t)((h >> 48) % 71);
}

long long demo_series_value(const struct demo_series *s, int period)
{
	if (draw(s->hash, period, 1, DEMO_MISSING_ONE_IN) == 0)
		return -1;
	int64_t t = period_index(period) - period_index(DEMO_ANCHOR);
	int64_t season = season_pm[period_quarter(period) - 1] * s->season_pct / 100;
	int64_t trend = 1000 + s->slope_pm * t / 4;
	int64_t noise = (int64_t)draw(s->hash, period, 2, 2 * (uint64_t)s->noise_pm + 1) - s->noise_pm;
	int64_t v = s->base_milli;

	v = v * (1000 + season) / 1000;
	v = v * (trend < 100 ? 100 : trend) / 1000;
	v = v * (1000 + noise) / 1000;
	return (long long)((v + (int64_t)draw(s->hash, period, 3, 1000)) / 1000);
}

static int series_cmp(const void *a, const void *b)
{
	const struct demo_series *x = a, *y = b;
	int c = strcmp(x->indicator->code, y->indicator->code);
	return c ? c : strcmp(x->area->code, y->area->code);
}

int demo_plan_agency(const struct catalogue *cat, const struct cat_agency *agency,
                     struct demo_plan *plan)
{
	plan->n = 0;
	plan->series = calloc(cat->npermissions + 1, sizeof *plan->series);
	if (!plan->series)
		return -1;
	for (size_t i = 0; i < cat->npermissions; i++) {
		const struct cat_permission *p = &cat->permissions[i];
		if (p->agency_id != agency->id)
			continue;
		struct demo_series *s = &plan->series[plan->n];
		s->indicator = catalogue_indicator_by_id(cat, p->indicator_id);
		s->area = catalogue_area_by_id(cat, p->area_id);
		if (!s->indicator || !s->area)
			continue;
		series_init(cat, s);
		plan->n++;
	}
	qsort(plan->series, plan->n, sizeof *plan->series, series_cmp);
	return 0;
}

/* Appends the header and every present quarter of every series. */
static int render_plan(const struct demo_plan *plan, int from, int to,
                       struct buf *out, size_t *rows)
{
	static const char *const header[4] = { "indicator", "area", "period", "value" };
	char period[PERIOD_STRLEN], value[24];

	*rows = 0;
	csv_write_record(out, header, 4);
	for (size_t i = 0; i < plan->n; i++) {
		const struct demo_series *s = &plan->series[i];
		for (int p = from; p <= to; p = period_add(p, 1)) {
			long long v = demo_series_value(s, p);
			if (v < 0)
				continue;
			period_format(p, period);
			snprintf(value, sizeof value, "%lld", v);
			const char *const fields[4] = { s->indicator->code, s->area->code, period, value };
			csv_write_record(out, fields, 4);
			(*rows)++;
		}
	}
	return buf_failed(out) ? -1 : 0;
}

/* Writes data to path through a temporary file and a rename, so a reader
 * never sees half a file. */
static int write_file(const char *path, const struct buf *data)
{
	struct buf tmp = BUF_INIT;
	FILE *fp = NULL;

	if (buf_printf(&tmp, "%s.tmp", path) != 0 || !(fp = fopen(tmp.data, "wb")))
		goto fail;
	if (data->len && fwrite(data->data, 1, data->len, fp) != data->len)
		goto fail;
	int closed = fclose(fp);
	fp = NULL;
	if (closed != 0 || rename(tmp.data, path) != 0)
		goto fail;
	buf_free(&tmp);
	return 0;
fail:
	admin_error("cannot write %s: %s", path, strerror(errno));
	if (fp)
		fclose(fp);
	if (tmp.data)
		remove(tmp.data);
	buf_free(&tmp);
	return -1;
}

/* Writes DIR/<agency>.csv; an agency permitted nothing gets no file. */
static int write_agency(const struct catalogue *cat, const struct cat_agency *agency,
                        const char *dir, int from, int to)
{
	struct demo_plan plan = { NULL, 0 };
	struct buf path = BUF_INIT, data = BUF_INIT;
	size_t rows = 0;
	int rc = -1;

	if (demo_plan_agency(cat, agency, &plan) != 0 ||
	    buf_printf(&path, "%s/%s.csv", dir, agency->code) != 0 ||
	    render_plan(&plan, from, to, &data, &rows) != 0) {
		admin_error("out of memory");
		goto done;
	}
	if (plan.n == 0) {
		fprintf(stderr, "%s: permitted no indicator in any area; no file written\n", agency->code);
		rc = 0;
	} else if (write_file(path.data, &data) == 0) {
		printf("wrote %s: %zu series, %zu rows\n", path.data, plan.n, rows);
		rc = 0;
	}
done:
	free(plan.series);
	buf_free(&path);
	buf_free(&data);
	return rc;
}

/* Reads one quarter option; the collector takes nothing in the future. */
static int parse_quarter(const char *option, const char *text, time_t now, int *out)
{
	enum period_error e = period_parse_checked(text, now, out);
	if (e == PERIOD_OK)
		return 0;
	admin_error("demo-data: --%s \"%s\": %s", option, text, period_error_message(e));
	return -1;
}

/* Reads --out, --from and --to. */
static int demo_options_read(const struct config *cfg, const char **dir, int *from, int *to)
{
	const char *to_text = config_str(cfg, "to");
	time_t now = time(NULL);

	*dir = config_str(cfg, "out");
	if (!*dir || !(*dir)[0])
		return admin_error("demo-data: --out DIR is required");
	if (parse_quarter("from", config_str(cfg, "from"), now, from) != 0)
		return -1;
	*to = period_last_finished(now);
	if (to_text && parse_quarter("to", to_text, now, to) != 0)
		return -1;
	if (*from > *to)
		return admin_error("demo-data: --from is after --to");
	return 0;
}

static int demo_run(const struct config *cfg)
{
	const char *dir;
	int from, to, code = ADMIN_FAIL;
	struct catalogue *cat = NULL;
	struct db *db = NULL;

	if (demo_options_read(cfg, &dir, &from, &to) != 0)
		return ADMIN_USAGE;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		admin_error("cannot create %s: %s", dir, strerror(errno));
		return ADMIN_FAIL;
	}
	if (!(db = admin_connect(cfg)))
		goto done;
	if (catalogue_load(db, &cat) != DB_OK) {
		admin_db_error(db, "cannot read the catalogue");
		goto done;
	}
	code = ADMIN_OK;
	for (size_t i = 0; i < cat->nagencies && code == ADMIN_OK; i++)
		if (write_agency(cat, &cat->agencies[i], dir, from, to) != 0)
			code = ADMIN_FAIL;
done:
	catalogue_free(cat);
	db_free(db);
	return code;
}

const struct admin_command admin_demo_data = {
	.name = "demo-data",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "write deterministic synthetic counts, one CSV per agency, from the catalogue",
	.options = demo_options,
	.noptions = ARRAY_LEN(demo_options),
	.run = demo_run,
};
