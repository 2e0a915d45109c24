/* GET /review/YEAR?area=CODE[&lang=en][&as_of=...]: the annual trend
 * review of one municipality as a self-contained HTML page (issue 4).
 * The handler has the http_handler signature; app is the struct
 * aggregator. */
#ifndef SAMLAD_REVIEW_GET_H
#define SAMLAD_REVIEW_GET_H

#include "http.h"

/* Sets the grace period (--grace-days) before the server starts: a report
 * that first arrives later than this many days after its quarter's end is
 * late. */
void review_configure(int grace_days);
void review_get(struct http_request *req, void *app);

#endif
