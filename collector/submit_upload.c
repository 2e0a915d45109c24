/* POST /submit/upload: the form's file upload (multipart/form-data, the
 * session cookie; fields quarter, lang and file). libmicrohttpd's post
 * processor reads the parts (common/http.h, http_post_each); the file goes
 * exactly the way of POST /v1/counts with Content-Type text/csv
 * (batch.c), and the page shows the receipt or every conflict, with its
 * line, above the quarter's grid. */
#include <stdio.h>
#include <string.h>
#include "http_browser.h"
#include "submit.h"

#define MULTIPART_TYPE "multipart/form-data"
/* The longest quarter or lang value kept. */
#define SMALL_FIELD_MAX 32

/* What the parts held. */
struct upload {
	char quarter[SMALL_FIELD_MAX]; /* the quarter's text */
	char lang[SMALL_FIELD_MAX];    /* "en", else Swedish */
	struct buf file;               /* the file's bytes */
	bool has_file;                 /* a file part came with a name */
};

/* Appends a piece of a small field, cut at its room. */
static void small_append(char *field, const char *data, size_t size)
{
	size_t have = strlen(field), room = SMALL_FIELD_MAX - 1 - have;

	memcpy(field + have, data, size < room ? size : room);
	field[have + (size < room ? size : room)] = '\0';
}

static int part(void *ctx, const char *name, const char *filename, uint64_t offset,
                const char *data, size_t size)
{
	struct upload *u = ctx;

	(void)offset;
	if (strcmp(name, "file") == 0 && filename && *filename) {
		u->has_file = true;
		return buf_append(&u->file, data, size) == 0 ? 0 : -1;
	}
	if (strcmp(name, "quarter") == 0)
		small_append(u->quarter, data, size);
	else if (strcmp(name, "lang") == 0)
		small_append(u->lang, data, size);
	return 0;
}

/* Refuses a post from another site (403) or a body that is no multipart
 * form (415, 400). 0 when it is one, read into *u. */
static int read_upload(struct collector *c, struct http_request *req, int agency_id,
                       struct upload *u)
{
	const struct words *w = words_for(NULL);
	struct submit_view v = { .w = w };
	unsigned status = 400;

	if (strcmp(http_content_type(req), MULTIPART_TYPE) != 0) {
		v.error = w->upload_type;
		status = 415;
	} else if (http_post_each(req, part, u) != 0)
		v.error = "the form could not be read";
	else
		return 0;
	submit_reply(c, req, status, &v, agency_id);
	return -1;
}

void submit_upload(struct http_request *req, void *app)
{
	struct collector *c = app;
	struct upload u = { .quarter = "", .lang = "", .file = BUF_INIT };
	struct batch b = BATCH_INIT;
	struct grid g = GRID_INIT;
	int period;

	if (http_cross_site(req)) {
		struct submit_view v = { .w = words_for(NULL), .error = words_for(NULL)->cross_site };
		submit_reply(c, req, 403, &v, 0);
		return;
	}
	if (collector_session_submitter(c, req, &b.who) != 0 ||
	    read_upload(c, req, b.who.agency_id, &u) != 0)
		goto done;
	const struct words *w = words_for(u.lang);
	if (submit_quarter(c, req, w, b.who.agency_id, u.quarter, &period) != 0 ||
	    submit_grid(c, req, b.who.agency_id, period, &g) != 0)
		goto done;
	if (!u.has_file) {
		struct submit_view v = { .w = w, .grid = &g, .error = w->no_file };
		submit_reply(c, req, 400, &v, b.who.agency_id);
		goto done;
	}
	enum batch_outcome out = batch_run(c, &b, u.file.data ? u.file.data : "", u.file.len, true);
	submit_outcome(c, req, w, &b, out, &g, false);
done:
	batch_free(&b);
	grid_free(&g);
	buf_free(&u.file);
}
