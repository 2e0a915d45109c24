/* The legend of published tables; see legend.h. */
#include "legend.h"

#include "flag.h"

static const struct legend_row rows[LEGEND_COUNT] = {
	[LEGEND_ZERO] = { "\xe2\x80\x93", "noll", "magnitude zero" },
	[LEGEND_NOT_AVAILABLE] = { "..", "uppgift inte tillgänglig eller för osäker för att anges "
	                                 "(här: dold för att skydda enskildas integritet, eller "
	                                 "inte rapporterad)",
	                           "data not available or too uncertain to be presented (here: "
	                           "hidden to protect privacy, or not reported)" },
	[LEGEND_PROVISIONAL] = { "*", "preliminär uppgift", "provisional figure" },
	[LEGEND_BREAK] = { "|", "brott i serien", "break in the series" },
};

const struct legend_row *legend_row(enum legend_symbol s)
{
	return &rows[s < LEGEND_COUNT ? s : LEGEND_NOT_AVAILABLE];
}

const char *legend_cell_symbol(enum point_status st, long long value)
{
	if (st != POINT_PUBLISHED)
		return rows[LEGEND_NOT_AVAILABLE].symbol;
	return value == 0 ? rows[LEGEND_ZERO].symbol : NULL;
}

const char *legend_flag_symbol(int flag)
{
	if (flag == FLAG_BREAK)
		return rows[LEGEND_BREAK].symbol;
	return flag == FLAG_PROVISIONAL ? rows[LEGEND_PROVISIONAL].symbol : NULL;
}
