/* GET /submit/template.xlsx?quarter=2025Q3[&lang=en]: the quarter's
 * template workbook for the submitter's agency (template.c), a row per
 * permitted indicator and district with the value empty, as an
 * attachment named samlad-<agency>-<quarter>.xlsx. A bearer token
 * (Authorization) is judged as POST /v1/counts judges it (401, 403 JSON);
 * without one, the form's session cookie as GET /submit does (303 to
 * /login without a session). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "collector.h"
#include "grid.h"
#include "ingest.h"
#include "period.h"
#include "template.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The submitter, by token or by session. Returns -1 after answering. */
static int who_asks(struct collector *c, struct http_request *req, struct principal *who)
{
	if (http_header(req, "Authorization"))
		return collector_authenticate_submitter(c, req, who, "download the template");
	return collector_session_submitter(c, req, who);
}

/* Reads quarter's text (NULL when absent) into *period. Returns -1 after
 * answering 400. */
static int read_quarter(struct http_request *req, const char *text, int *period)
{
	char shown[CONFLICT_FIELD_MAX];

	if (!text || !*text) {
		http_reply_error(req, 400, "invalid_parameter", "give the quarter, "
		                 "quarter=2025Q3");
		return -1;
	}
	enum period_error e = period_parse_checked(text, time(NULL), period);
	if (e == PERIOD_OK)
		return 0;
	ingest_echo(shown, sizeof shown, text, strlen(text));
	http_reply_error(req, 400, "invalid_parameter", "quarter '%s': %s", shown,
	                 period_error_message(e));
	return -1;
}

/* Sends the workbook as an attachment. */
static void reply_workbook(struct http_request *req, const struct grid *g,
                           const struct buf *xlsx)
{
	char period[PERIOD_STRLEN], disposition[200];

	period_format(g->period, period);
	snprintf(disposition, sizeof disposition, "attachment; filename=\"samlad-%s-%s.xlsx\"",
	         g->agency ? g->agency->code : "agency", period);
	http_add_header(req, "Content-Disposition", disposition);
	http_reply(req, 200, XLSX_TYPE, xlsx->data, xlsx->len);
}

void template_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;
	struct grid g = GRID_INIT;
	struct buf xlsx = BUF_INIT;
	const char *lang = http_query(req, "lang");
	int period;

	if (who_asks(c, req, &who) != 0 ||
	    read_quarter(req, http_query(req, "quarter"), &period) != 0)
		return;
	struct catalogue *cat = catalogue_hold(&c->cat);
	if (!cat)
		collector_reply_unavailable(c, req);
	else if (grid_build(&g, cat, who.agency_id, period) != 0 ||
	         template_xlsx(&g, lang && strcmp(lang, "en") == 0, &xlsx) != 0)
		http_reply_error(req, 500, "internal_error", "the template could not be made");
	else
		reply_workbook(req, &g, &xlsx);
	grid_free(&g);
	buf_free(&xlsx);
}
