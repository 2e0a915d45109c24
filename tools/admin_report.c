/* samlad-admin report --area CODE --year YYYY --out FILE [--lang en]:
 * writes the annual trend review of a municipality to a file, to send
 * ahead of the meeting. It is the same page as the aggregator's
 * GET /review/YEAR?area=CODE: the same reading (tables/review_load.h) of
 * the same published tables, the same computing (review.h) and the same
 * renderer (review_html.h), from the same libraries. Both read the same recorded table states (and
 * record the ones not yet recorded, as the aggregator would), so the file
 * equals the page when --alpha and --grace-days match the aggregator's. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "catalogue_db.h"
#include "load.h"
#include "period.h"
#include "review.h"
#include "review_html.h"
#include "review_load.h"
#include "rfc3339.h"
#include "timeline.h"

static const struct config_option report_options[] = {
	ADMIN_COMMON_OPTIONS,
	{ "area", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The municipality's code, e.g. 0581 (required)." },
	{ "year", CONFIG_INT, NULL, NULL, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR,
	  "The review year (required)." },
	{ "out", CONFIG_STRING, NULL, NULL, 0, 0,
	  "The HTML file to write (required); - writes to standard output." },
	{ "lang", CONFIG_STRING, "sv", NULL, 0, 0, "The page's language: sv or en." },
	{ "as-of", CONFIG_STRING, NULL, NULL, 0, 0,
	  "Show the data as it stood at this RFC 3339 time, e.g. 2025-01-31T00:00:00Z." },
	{ "alpha", CONFIG_STRING, "0.05", NULL, 0, 0,
	  "Significance level of a trend, as the aggregator's --alpha." },
	{ "grace-days", CONFIG_INT, "30", NULL, 0, 366,
	  "Days after a quarter's end a report is on time, as the aggregator's --grace-days." },
};

/* The checked command line. */
struct report_args {
	const char *area;          /* --area */
	int year;                  /* --year */
	const char *out;           /* --out */
	enum review_lang lang;     /* --lang */
	char as_of[RFC3339_MAX];   /* --as-of, canonical, or "" */
	double alpha;              /* --alpha */
};

/* Checks what the option table cannot; 0, or -1 after saying why. */
static int args_read(const struct config *cfg, struct report_args *a)
{
	const char *lang = config_str(cfg, "lang"), *as_of = config_str(cfg, "as-of");
	char *end;

	a->area = config_str(cfg, "area");
	a->out = config_str(cfg, "out");
	a->year = (int)config_int(cfg, "year");
	if (!a->area || !a->out || a->year == 0)
		return admin_error("--area, --year and --out are required");
	if (strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0)
		return admin_error("--lang '%s': expected sv or en", lang);
	a->lang = strcmp(lang, "en") == 0 ? REVIEW_EN : REVIEW_SV;
	a->as_of[0] = '\0';
	if (as_of && rfc3339_canonical(as_of, a->as_of, sizeof a->as_of) != 0)
		return admin_error("--as-of '%s' is not an RFC 3339 time", as_of);
	a->alpha = strtod(config_str(cfg, "alpha"), &end);
	if (*end != '\0' || !isfinite(a->alpha) || a->alpha <= 0 || a->alpha >= 1)
		return admin_error("--alpha '%s' is not a number between 0 and 1",
		                   config_str(cfg, "alpha"));
	if (a->year > period_year(period_current(time(NULL))))
		return admin_error("--year %d has not begun", a->year);
	return 0;
}

/* Writes the page to the file (or standard output); 0 or -1 after saying why. */
static int write_page(const char *path, const struct buf *page)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (!f)
		return admin_error("cannot write %s: %s", path, strerror(errno));
	bool ok = fwrite(page->data, 1, page->len, f) == page->len;
	if (f != stdout)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	if (!ok)
		return admin_error("cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Reads the review's input and computes the review (review_free, also on
 * failure). */
static enum agg_status review_read_build(const struct tables_ctx *ctx,
                                         const struct review_params *p, struct review *r)
{
	struct review_input in;
	enum agg_status st = AGG_FAILED;

	memset(r, 0, sizeof *r);
	if (review_plan(ctx->cat, p, &in) == 0)
		st = review_input_read(ctx, &in);
	if (st == AGG_OK)
		st = review_build(&in, p, r);
	review_input_free(&in);
	return st;
}

/* Gathers and renders the review into page; an admin_exit. */
static int report_make(const struct config *cfg, const struct report_args *a, struct db *db,
                       const struct catalogue *cat, struct buf *page)
{
	struct load_versions v;
	struct review r = { 0 };
	const struct cat_area *m = catalogue_area(cat, a->area);

	if (!m || m->parent >= 0) {
		admin_error("--area '%s' is not a municipality of the catalogue", a->area);
		return ADMIN_USAGE;
	}
	if (load_versions(db, a->as_of[0] ? a->as_of : NULL, &v) != DB_OK) {
		admin_db_error(db, "cannot read the data version");
		return ADMIN_FAIL;
	}
	if (v.future) {
		admin_error("--as-of %s is in the future", a->as_of);
		return ADMIN_USAGE;
	}
	if (!v.settled) {
		admin_error("--as-of %s: a submission is being stored at that time; run it again",
		            a->as_of);
		return ADMIN_FAIL;
	}
	struct timeline tl;
	if (timeline_init(&tl) != 0) {
		admin_error("out of memory");
		return ADMIN_FAIL;
	}
	struct tables_ctx ctx = { db, cat, &tl, v.at, v.recorded, NULL, v.flagged_from };
	struct review_params p = { .municipality = m, .year = a->year, .alpha = a->alpha,
	                           .grace_days = (int)config_int(cfg, "grace-days"),
	                           .as_of = a->as_of[0] ? a->as_of : NULL, .now = time(NULL) };
	int code = ADMIN_FAIL;
	if (timeline_refresh(&tl, db, v.catalogue) != DB_OK)
		admin_db_error(db, "cannot read the catalogue's history");
	else if (review_read_build(&ctx, &p, &r) != AGG_OK)
		admin_db_error(db, "cannot gather the review");
	else if (review_html(page, &r, a->lang) != 0)
		admin_error("out of memory rendering the review");
	else
		code = ADMIN_OK;
	review_free(&r);
	timeline_free(&tl);
	return code;
}

static int report_run(const struct config *cfg)
{
	struct report_args a;
	struct catalogue *cat = NULL;
	struct buf page = BUF_INIT;
	int code = ADMIN_FAIL;

	if (args_read(cfg, &a) != 0)
		return ADMIN_USAGE;
	struct db *db = admin_connect(cfg);
	if (!db)
		return ADMIN_FAIL;
	if (catalogue_load(db, &cat) != DB_OK)
		admin_db_error(db, "cannot load the catalogue");
	else
		code = report_make(cfg, &a, db, cat, &page);
	if (code == ADMIN_OK && write_page(a.out, &page) != 0)
		code = ADMIN_FAIL;
	if (code == ADMIN_OK && strcmp(a.out, "-") != 0)
		printf("wrote %s: %zu bytes\n", a.out, page.len);
	buf_free(&page);
	catalogue_free(cat);
	db_free(db);
	return code;
}

const struct admin_command admin_report = {
	.name = "report",
	.verb = NULL,
	.args = "",
	.nargs = 0,
	.summary = "write a municipality's annual trend review (the aggregator's /review page) to a file",
	.options = report_options,
	.noptions = ARRAY_LEN(report_options),
	.run = report_run,
};
