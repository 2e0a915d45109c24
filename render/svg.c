/* Inline SVG line charts; see svg.h. Coordinates are whole pixels of the
 * viewBox, so the same data always gives the same text. */
#include "svg.h"
#include "legend.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The plot's margins inside the viewBox. */
struct frame {
	double left;    /* x of the y axis */
	double right;   /* x of the plot's right edge */
	double top;     /* y of the plot's top edge (below the marker rail) */
	double bottom;  /* y of the x axis */
	double ymax;    /* the value at the top edge */
	double ystep;   /* between y ticks */
	bool has_right; /* secondary lines have an axis of their own on the right */
	double ymax2;   /* the right axis' value at the top edge */
	double ystep2;  /* between its ticks */
	int fs;         /* the font size of the ticks' labels */
};

/* The colours of the lines: the first strong, the rest quieter. */
static const char *const COLOURS[] = { "#1f4e79", "#c55a11", "#548235", "#7030a0" };

const char *svg_line_colour(size_t l)
{
	return COLOURS[l % ARRAY_LEN(COLOURS)];
}

/* The largest drawn value of the lines on one axis (`right`: the
 * secondary lines of a chart with a right axis). */
static double max_value(const struct svg_chart *c, bool right)
{
	double max = 0;

	for (size_t l = 0; l < c->nlines; l++)
		for (size_t i = 0; i < c->n; i++)
			if ((c->y2_label && c->lines[l].secondary) == right)
			if (c->lines[l].marks[i] == SVG_VALUE && c->lines[l].values[i] > max)
				max = c->lines[l].values[i];
	return max;
}

double svg_axis_top(double max, double *step)
{
	double raw = max / 4 > 1 ? max / 4 : 1;
	double p = pow(10, floor(log10(raw)));
	double s = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
	double top = ceil(max / s) * s;

	*step = s;
	return top < s ? s : top;
}

static struct frame frame_of(const struct svg_chart *c)
{
	struct frame f;

	f.has_right = c->y2_label != NULL;
	f.left = c->small ? 34 : 58;
	f.right = c->width - (f.has_right ? 58 : c->small ? 6 : 12);
	f.top = c->small ? 16 : 22;
	f.bottom = c->height - (c->small ? 22 : 40);
	f.ymax = svg_axis_top(max_value(c, false), &f.ystep);
	f.ymax2 = svg_axis_top(max_value(c, true), &f.ystep2);
	f.fs = c->small ? 9 : 11;
	return f;
}

/* The x of category i (centred in its slot). */
static double x_of(const struct frame *f, size_t n, size_t i)
{
	double w = (f->right - f->left) / (double)(n ? n : 1);
	return f->left + w * ((double)i + 0.5);
}

/* The y of a value on the left axis, or on the right one when `right`. */
static double y_of(const struct frame *f, double v, bool right)
{
	return f->bottom - (f->bottom - f->top) * (v / (right ? f->ymax2 : f->ymax));
}

/* True when line l is drawn against the right axis. */
static bool on_right(const struct frame *f, const struct svg_line *ln)
{
	return f->has_right && ln->secondary;
}

/* The opening tag, <title> and <desc>. */
static void chart_open(struct buf *b, const struct svg_chart *c)
{
	buf_htmlf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	          "class=\"chart%s\" role=\"img\"><title>%s</title><desc>%s</desc>\n", c->width,
	          c->height, c->small ? " small" : "", c->title, c->desc);
}

/* The y axis with its ticks, grid lines and caption. */
static void y_axis(struct buf *b, const struct svg_chart *c, const struct frame *f)
{
	char num[NUMFMT_MAX];

	buf_printf(b, "<g class=\"axis\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	           "y2=\"%.0f\" stroke=\"#444\"/>\n", f->left, f->top, f->left, f->bottom);
	for (double v = 0; v <= f->ymax + f->ystep / 2; v += f->ystep) {
		double y = y_of(f, v, false);
		numfmt_real(num, v, 0, false, c->lang);
		buf_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
		           "stroke=\"#ddd\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"%d\" "
		           "text-anchor=\"end\">%s</text>\n", f->left, y, f->right, y,
		           f->left - 4, y + f->fs / 3.0, f->fs, num);
	}
	double mid = (f->top + f->bottom) / 2;
	if (!c->small)
		buf_htmlf(b, "<text x=\"12\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" "
		          "transform=\"rotate(-90 12 %.0f)\">%s</text>", mid, mid, c->y_label);
	buf_puts(b, "</g>\n");
}

/* The right axis of the secondary lines, with its ticks and caption. */
static void y2_axis(struct buf *b, const struct svg_chart *c, const struct frame *f)
{
	char num[NUMFMT_MAX];

	if (!f->has_right)
		return;
	buf_printf(b, "<g class=\"axis axis2\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	           "y2=\"%.0f\" stroke=\"#c55a11\" stroke-dasharray=\"5 3\"/>\n", f->right,
	           f->top, f->right, f->bottom);
	for (double v = 0; v <= f->ymax2 + f->ystep2 / 2; v += f->ystep2) {
		double y = y_of(f, v, true);
		numfmt_real(num, v, 0, false, c->lang);
		buf_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
		           "stroke=\"#c55a11\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
		           "fill=\"#c55a11\">%s</text>\n", f->right, y, f->right + 3, y,
		           f->right + 5, y + 11 / 3.0, num);
	}
	double mid = (f->top + f->bottom) / 2, x = c->width - 8;
	buf_htmlf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#c55a11\" "
	          "text-anchor=\"middle\" transform=\"rotate(90 %.0f %.0f)\">%s</text></g>\n", x, mid,
	          x, mid, c->y2_label);
}

/* The x axis: a tick per category, a label where a group starts. */
static void x_axis(struct buf *b, const struct svg_chart *c, const struct frame *f)
{
	buf_printf(b, "<g class=\"axis\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	           "y2=\"%.0f\" stroke=\"#444\"/>\n", f->left, f->bottom, f->right, f->bottom);
	for (size_t i = 0; i < c->n; i++) {
		double x = x_of(f, c->n, i);
		bool group = c->x_groups && c->x_groups[i];
		/* A small multiple has a tick per group only: it stays light. */
		if (!c->small || group)
			buf_printf(b, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
			           "stroke=\"#444\"/>", x, f->bottom, x, f->bottom + 3);
		/* A small multiple labels every other group so that they fit. */
		if (!group || (c->small && i % 8 != 0))
			continue;
		buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"%d\">", x - 2,
		           f->bottom + f->fs + 4, f->fs);
		buf_htmlf(b, "%s</text>", c->x_groups[i]);
	}
	if (!c->small)
		buf_htmlf(b, "<text x=\"%.0f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s"
		          "</text>", (f->left + f->right) / 2, c->height - 6, c->x_label);
	buf_puts(b, "</g>\n");
}

/* The rail's marker of one hidden or missing point, with its band. The
 * tooltip names the period and the status, never a value. */
static void rail_marker(struct buf *b, const struct svg_chart *c, const struct frame *f,
                        size_t i, enum svg_mark m)
{
	double w = (f->right - f->left) / (double)c->n, x = x_of(f, c->n, i);
	bool hidden = m == SVG_HIDDEN;

	if (hidden)
		buf_printf(b, "<rect class=\"band-hidden\" x=\"%.1f\" y=\"%.0f\" "
		           "width=\"%.1f\" height=\"%.0f\" fill=\"#bbb\" "
		           "fill-opacity=\"0.35\"/>", x - w / 2, f->top, w, f->bottom - f->top);
	else
		buf_printf(b, "<line class=\"band-missing\" x1=\"%.1f\" y1=\"%.0f\" "
		           "x2=\"%.1f\" y2=\"%.0f\" stroke=\"#999\" "
		           "stroke-dasharray=\"2 3\"/>", x, f->top, x, f->bottom);
	/* Neither a hidden nor an unreported quarter is zero: both are "..",
	 * not available (legend.h); the band tells them apart. */
	const char *mark = legend_cell_symbol(hidden ? POINT_SUPPRESSED : POINT_MISSING, 0);
	buf_printf(b, "<text class=\"%s\" x=\"%.1f\" y=\"%.0f\" font-size=\"%d\" "
	           "text-anchor=\"middle\"><title>", hidden ? "mark-hidden" : "mark-missing",
	           x, f->top - 4, f->fs);
	buf_htmlf(b, "%s: %s</title>%s</text>\n", c->x_ticks[i], mark, mark);
}

/* The markers of the lines that want them: one per category at most. */
static void rail(struct buf *b, const struct svg_chart *c, const struct frame *f)
{
	for (size_t i = 0; i < c->n; i++) {
		enum svg_mark m = SVG_VALUE;
		for (size_t l = 0; l < c->nlines && m == SVG_VALUE; l++)
			if (c->lines[l].markers &&
			    (c->lines[l].marks[i] == SVG_HIDDEN || c->lines[l].marks[i] == SVG_MISSING))
				m = c->lines[l].marks[i];
		if (m != SVG_VALUE)
			rail_marker(b, c, f, i, m);
	}
}

/* The path of one line: a new subpath after every gap. */
static void line_path(struct buf *b, const struct svg_chart *c, const struct frame *f,
                      size_t l)
{
	const struct svg_line *ln = &c->lines[l];
	bool pen = false, any = false;

	for (size_t i = 0; i < c->n; i++) {
		if (ln->marks[i] != SVG_VALUE) {
			pen = false;
			continue;
		}
		if (!any)
			buf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s d=\"",
			           svg_line_colour(l), ln->secondary ? "1.2" : (c->small ? "1.5" : "2"),
			           ln->secondary ? " stroke-dasharray=\"5 3\"" : "");
		any = true;
		buf_printf(b, "%s%.1f %.1f ", pen ? "L" : "M", x_of(f, c->n, i),
		           y_of(f, ln->values[i], on_right(f, ln)));
		pen = true;
	}
	if (any)
		buf_puts(b, "\"/>\n");
}

/* A dot per published point of a primary line, with its tooltip; a lone
 * point between two gaps would otherwise not show at all. */
static void line_dots(struct buf *b, const struct svg_chart *c, const struct frame *f,
                      size_t l)
{
	const struct svg_line *ln = &c->lines[l];
	char num[NUMFMT_MAX];

	if (ln->secondary)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (ln->marks[i] != SVG_VALUE)
			continue;
		double x = x_of(f, c->n, i), y = y_of(f, ln->values[i], on_right(f, ln));
		/* A small multiple's values are in the table under it; its dots
		 * carry no tooltip, which keeps a 30-indicator page light. */
		if (c->small) {
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%s\"/>", x, y,
			           COLOURS[l % ARRAY_LEN(COLOURS)]);
			continue;
		}
		numfmt_real(num, ln->values[i], ln->values[i] == floor(ln->values[i]) ? 0 : 1, false,
		            c->lang);
		buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>",
		           x, y, COLOURS[l % ARRAY_LEN(COLOURS)]);
		buf_htmlf(b, "%s, %s: %s</title></circle>", ln->label, c->x_ticks[i], num);
	}
	buf_puts(b, "\n");
}

int svg_line_chart(struct buf *b, const struct svg_chart *c)
{
	struct frame f = frame_of(c);

	chart_open(b, c);
	rail(b, c, &f);
	y_axis(b, c, &f);
	y2_axis(b, c, &f);
	x_axis(b, c, &f);
	for (size_t l = 0; l < c->nlines; l++) {
		line_path(b, c, &f, l);
		line_dots(b, c, &f, l);
	}
	buf_puts(b, "</svg>\n");
	return buf_failed(b) ? -1 : 0;
}
