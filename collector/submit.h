/* What the form's handlers (submit_get.c, submit_post.c, submit_upload.c)
 * share: the grid of a quarter loaded with the stored values (the rows
 * GET /v1/counts answers), the quarter read from a request, and the reply
 * with the page. */
#ifndef SAMLAD_SUBMIT_H
#define SAMLAD_SUBMIT_H

#include "batch.h"
#include "collector.h"
#include "grid.h"
#include "submit_page.h"

/* Reads `text` as a quarter that may be reported now into *period. On
 * failure it has answered 400 with the picker and a message, and returns
 * -1. */
int submit_quarter(struct collector *c, struct http_request *req, const struct words *w,
                   int agency_id, const char *text, int *period) WUR;

/* The grid of the agency's quarter with its stored values. On failure it
 * has answered (503, 500) and returns -1; *g is grid_free's either way. */
int submit_grid(struct collector *c, struct http_request *req, int agency_id, int period,
                struct grid *g) WUR;

/* Replies with the page (submit_page) and the pages' security headers;
 * the agency's name comes from the grid's catalogue, or from the current
 * one for the picker. */
void submit_reply(struct collector *c, struct http_request *req, unsigned status,
                  struct submit_view *v, int agency_id);

/* Shows a batch's outcome with the grid: the receipt, or every conflict
 * (with on_cells, beside the cell of its row's indicator and area, a row
 * of no cell above the grid; else above the grid with its line), or the
 * locked periods (beside the cells that would change them). After a
 * stored submission the grid is read again. Answers. */
void submit_outcome(struct collector *c, struct http_request *req, const struct words *w,
                    struct batch *b, enum batch_outcome out, struct grid *g, bool on_cells);

#endif
