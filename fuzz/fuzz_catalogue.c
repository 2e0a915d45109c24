/* The catalogue files samlad-admin imports: the input is the four files
 * (agencies, areas, indicators, permissions) separated by form feeds; each
 * is copied into a buffer of exactly its size and read by
 * catalogue_files_parse, and then the references between them are checked
 * as for a real import. */
#include "catalogue_files.h"
#include "fuzz.h"

/* Parses one file's text from a copy of exactly len bytes. */
static void parse_one(struct catalogue_files *cf, enum cf_file file, const uint8_t *text,
                      size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	if (len)
		memcpy(copy, text, len);
	if (catalogue_files_parse(cf, file, copy, len) != 0)
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalogue_files *cf = catalogue_files_new();
	size_t start = 0;
	int file = 0;

	if (!cf)
		return 0;
	for (size_t i = 0; i <= size && file < CF_NFILES; i++) {
		if (i < size && data[i] != '\f')
			continue;
		parse_one(cf, (enum cf_file)file++, data + start, i - start);
		start = i + 1;
	}
	if (catalogue_files_validate(cf) != 0)
		abort();
	catalogue_files_free(cf);
	return 0;
}
