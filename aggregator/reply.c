/* Replies shared by the aggregator's handlers: errors, CSV, and the
 * formats several endpoints send (xlsx, SDMX-JSON, SDMX-CSV). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aggregator.h"
#include "hex.h"
#include "sdmx.h"
#include "service.h"
#include "xlsx.h"

void aggregator_reply_unavailable(struct aggregator *a, struct http_request *req)
{
	service_reply_unavailable(req, a->retry_after_s);
}

void aggregator_reply_failure(struct aggregator *a, struct http_request *req,
                              enum agg_status st, const char *what)
{
	if (st == AGG_UNAVAILABLE)
		aggregator_reply_unavailable(a, req);
	else
		http_reply_error(req, 500, "internal_error", "%s could not be made", what);
}

void aggregator_reply_csv(struct http_request *req, struct buf *csv, int built)
{
	if (built != 0 || buf_failed(csv) || !csv->data) {
		buf_free(csv);
		http_reply_error(req, 500, "internal_error", "out of memory building the CSV");
		return;
	}
	size_t len = csv->len;
	http_reply_owned(req, 200, "text/csv; charset=utf-8", buf_steal(csv), len);
}

void aggregator_reply_xlsx(struct http_request *req, const struct read_ctx *rc,
                           const struct xlsx_answer *x)
{
	struct xlsx_method m = { x->k, x->as_of && *x->as_of ? x->as_of : NULL, rc->v.at.data,
	                         rc->v.at.catalogue };
	struct buf book = BUF_INIT;
	char disposition[256];

	if (render_xlsx(x->rows, x->n, x->style, &m, &book) != 0 || !book.data) {
		buf_free(&book);
		http_reply_error(req, 500, "internal_error", "the workbook could not be made");
		return;
	}
	snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", x->filename);
	http_add_header(req, "Content-Disposition", disposition);
	size_t len = book.len;
	http_reply_owned(req, 200, query_format_type(FORMAT_XLSX), buf_steal(&book), len);
}

int aggregator_sdmx_meta(struct http_request *req, struct sdmx_meta_text *out)
{
	unsigned char rnd[8];
	time_t now = time(NULL);
	struct tm tm;

	if (crypto_random(rnd, sizeof rnd) != 0) {
		http_reply_error(req, 500, "internal_error", "no randomness for the message id");
		return -1;
	}
	memcpy(out->id, "samlad-", 7);
	hex_encode(rnd, sizeof rnd, out->id + 7);
	gmtime_r(&now, &tm);
	strftime(out->prepared, sizeof out->prepared, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

void aggregator_as_of_param(const char *as_of, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	if (!as_of || !*as_of || size < sizeof "&as_of=")
		return;
	o = (size_t)snprintf(out, size, "&as_of=");
	/* '+' in an offset would read as a space: encode it. */
	for (const char *p = as_of; *p && o + 4 < size; p++) {
		if (*p == '+') {
			memcpy(out + o, "%2B", 3);
			o += 3;
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
}

void aggregator_reply_sdmx(struct http_request *req, cJSON *msg)
{
	char *text = msg ? cJSON_PrintUnformatted(msg) : NULL;

	cJSON_Delete(msg);
	if (!text) {
		http_reply_error(req, 500, "internal_error", "out of memory building the message");
		return;
	}
	http_reply_owned(req, 200, SDMX_MEDIA_TYPE, text, strlen(text));
}

void aggregator_reply_sdmx_csv(struct http_request *req, const struct data_row *rows, size_t n)
{
	struct buf csv = BUF_INIT;

	if (sdmx_csv(rows, n, &csv) != 0 || !csv.data) {
		buf_free(&csv);
		http_reply_error(req, 500, "internal_error", "out of memory building the CSV");
		return;
	}
	size_t len = csv.len;
	http_reply_owned(req, 200, SDMX_CSV_MEDIA_TYPE, buf_steal(&csv), len);
}
