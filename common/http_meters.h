/* The HTTP server's own metrics (metrics.h): every answer counted by its
 * route (the route table's method and path pattern, never the raw path)
 * and status, and timed by route, from the one place that writes the
 * access-log line (http.c). The series are registered at the server's
 * start, one per route and status that a service answers, so that counting
 * takes no lock and no allocation. */
#ifndef SAMLAD_HTTP_METERS_H
#define SAMLAD_HTTP_METERS_H

#include <stddef.h>
#include "http.h"
#include "metrics.h"

struct http_meters;

/* Registers samlad_http_requests_total and
 * samlad_http_request_duration_seconds in m for every route of the table
 * (borrowed; it outlives the meters) and for requests without a route.
 * NULL when m is NULL or a registration failed (then m has failed). */
struct http_meters *http_meters_new(struct metrics *m, const struct http_route *routes,
                                    size_t nroutes);
void http_meters_free(struct http_meters *hm);

/* Counts one answer: its route (NULL: none matched), status and seconds
 * since its head arrived. A NULL hm counts nothing. */
void http_meters_count(struct http_meters *hm, const struct http_route *route,
                       unsigned status, double seconds);

#endif
