/* Fuzzes modified UTF-7: whatever decodes must encode back to the same
   bytes, and whatever UTF-8 encodes must decode back to it. */

#include "charset.h"
#include "imap-utf7.h"
#include "log.h"
#include "str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_utf7_roundtrip(const char *input)
{
	string_t *utf8 = str_new(64, SIZE_MAX), *utf7 = str_new(64, SIZE_MAX);

	if (imap_utf7_to_utf8(input, utf8) == 0) {
		i_assert(charset_utf8_is_valid(utf8->data, utf8->used));
		if (imap_utf8_to_utf7(str_c(utf8), utf7) < 0 ||
		    strcmp(str_c(utf7), input) != 0)
			panic("mUTF-7 did not round-trip: %s", str_c(utf7));
	}
	str_free(&utf8);
	str_free(&utf7);
}

static void fuzz_utf8_roundtrip(const char *input)
{
	string_t *utf8 = str_new(64, SIZE_MAX), *utf7 = str_new(64, SIZE_MAX);

	if (imap_utf8_to_utf7(input, utf7) == 0) {
		i_assert(imap_utf7_is_valid(str_c(utf7)));
		if (imap_utf7_to_utf8(str_c(utf7), utf8) < 0 ||
		    strcmp(str_c(utf8), input) != 0)
			panic("UTF-8 did not round-trip");
	} else {
		i_assert(!charset_utf8_is_valid(input, strlen(input)));
	}
	str_free(&utf8);
	str_free(&utf7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = malloc(size + 1);

	memcpy(input, data, size);
	input[size] = '\0';
	fuzz_utf7_roundtrip(input);
	fuzz_utf8_roundtrip(input);
	free(input);
	return 0;
}
