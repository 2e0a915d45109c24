/* GET /submit[?quarter=2025Q3][&lang=en]: the form's page for a signed-in
 * submitter. Without a quarter the quarter picker; with one the grid of
 * the agency's permitted indicators by district, each cell pre-filled with
 * the stored value (the rows GET /v1/counts answers). Without a session
 * the browser goes to /login (303). */
#include <time.h>
#include "submit.h"

void submit_get(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct principal who;
	struct grid g = GRID_INIT;
	const struct words *w = words_for(http_query(req, "lang"));
	const char *quarter = http_query(req, "quarter");
	int period;

	if (collector_session_submitter(c, req, &who) != 0)
		return;
	if (!quarter || !*quarter) {
		struct submit_view v = { .w = w };
		submit_reply(c, req, 200, &v, who.agency_id);
		return;
	}
	if (submit_quarter(c, req, w, who.agency_id, quarter, &period) != 0 ||
	    submit_grid(c, req, who.agency_id, period, &g) != 0)
		goto done;
	struct submit_view v = { .w = w, .grid = &g };
	submit_reply(c, req, 200, &v, who.agency_id);
done:
	grid_free(&g);
}
