/* Small helpers of the series types; see series.h. */
#include "series.h"

#include <stdio.h>
#include <stdlib.h>
#include "period.h"

enum point_status point_status_of(enum dc_cell s)
{
	if (s == DC_PUBLISHED)
		return POINT_PUBLISHED;
	return s == DC_MISSING ? POINT_MISSING : POINT_SUPPRESSED;
}

const char *point_status_name(enum point_status s)
{
	switch (s) {
	case POINT_PUBLISHED:
		return "published";
	case POINT_SUPPRESSED:
		return "suppressed";
	case POINT_MISSING:
		break;
	}
	return "missing";
}

void series_period_format(enum series_freq freq, int period, char *buf)
{
	if (freq == FREQ_QUARTER)
		period_format(period, buf);
	else
		snprintf(buf, PERIOD_STRLEN, "%04u", (unsigned)period % 10000);
}

void series_clear(struct series *s)
{
	free(s->points);
	free(s->derived);
	s->points = NULL;
	s->derived = NULL;
	s->n = 0;
}
