/* The names of the flags; see flag.h. */
#include "flag.h"

#include <string.h>

static const char *const names[] = {
	[FLAG_NONE] = NULL,
	[FLAG_PROVISIONAL] = "provisional",
	[FLAG_BREAK] = "break",
};

const char *flag_name(enum flag f)
{
	return (unsigned)f <= FLAG_MAX ? names[f] : NULL;
}

int flag_parse(const char *text, size_t len)
{
	for (int f = FLAG_NONE + 1; f <= FLAG_MAX; f++)
		if (strlen(names[f]) == len && memcmp(names[f], text, len) == 0)
			return f;
	return -1;
}

enum flag flag_combine(enum flag a, enum flag b)
{
	return a > b ? a : b;
}
