/* A line chart as inline SVG, pure: text in, text out.
 *
 * The chart knows only what it is given, and it is given only published
 * values: a point that disclosure control hid arrives as SVG_HIDDEN with no
 * value at all, so no hidden count can reach the drawing, a tooltip or an
 * attribute. Hidden and missing points break the line (a gap, never a
 * drop to zero) and carry a marker of their own in a rail above the plot:
 * ".." on a grey band for hidden, "–" for not reported. A point without a
 * value of its own kind (e.g. a moving total whose window is incomplete)
 * is SVG_BLANK: a gap without a marker.
 *
 * Every chart has a <title> and a <desc>, axes with labels and ticks, and
 * role="img" so that a screen reader announces it as one image. */
#ifndef SAMLAD_SVG_H
#define SAMLAD_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "compiler.h"
#include "numfmt.h"

/* What one point of a line is. */
enum svg_mark {
	SVG_VALUE,    /* a published value, drawn */
	SVG_HIDDEN,   /* suppressed: a gap with the hidden marker */
	SVG_MISSING,  /* not reported: a gap with the missing marker */
	SVG_BLANK,    /* no value and nothing to mark: a plain gap */
};

/* One line of the chart. */
struct svg_line {
	const char *label;           /* for the point tooltips; borrowed */
	const enum svg_mark *marks;  /* n marks; borrowed */
	const double *values;        /* n values, read only where marks[i] is SVG_VALUE; borrowed */
	bool secondary;              /* drawn thin and dashed (e.g. the moving annual total),
	                              * against the right axis when the chart has one */
	bool markers;                /* the rail shows this line's hidden and missing points */
};

/* A chart over n categories on the x axis (e.g. quarters). */
struct svg_chart {
	const char *title;               /* the <title>; borrowed */
	const char *desc;                /* the <desc>; borrowed */
	const char *x_label;             /* the x axis' caption; borrowed */
	const char *y_label;             /* the y axis' caption; borrowed */
	const char *y2_label;            /* the right axis' caption, or NULL for no right
	                                  * axis (secondary lines then use the left one) */
	const char *const *x_ticks;      /* n point names ("2024Q3"), for tooltips; borrowed */
	const char *const *x_groups;     /* n group names ("2024") or NULL entries: a label
	                                  * is drawn where a group starts; borrowed */
	size_t n;                        /* categories */
	const struct svg_line *lines;    /* nlines lines; borrowed */
	size_t nlines;                   /* lines */
	int width;                       /* the viewBox width in px */
	int height;                      /* the viewBox height in px */
	bool small;                      /* a small multiple: fewer ticks, smaller text */
	enum numfmt_lang lang;           /* the number format of the ticks and tooltips */
};

/* Appends the <svg> element; 0, or -1 when the buffer has failed (now or
 * before: see buf_failed). */
int svg_line_chart(struct buf *b, const struct svg_chart *c);

/* The colour line l is drawn in ("#1f4e79"), for a key beside the chart;
 * the colours repeat after four lines. */
const char *svg_line_colour(size_t l);

/* The top of the y axis for values up to max: a 1, 2 or 5 times a power
 * of ten at or above max, at least 1; *step gets the tick step (a fifth
 * or a quarter of it, a whole number). Exposed for tests. */
double svg_axis_top(double max, double *step);

#endif
