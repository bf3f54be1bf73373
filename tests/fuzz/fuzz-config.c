/* Parses the input as a postern.conf against a table with every setting
   type and a section. */
#include "config.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_settings {
	char *str;
	unsigned int num;
	bool flag;
	uint64_t size;
	unsigned int secs;
	char *choice;
};

#define FDEF(type, name)                                                       \
	{                                                                      \
#name, type, offsetof(struct fuzz_settings, name), NULL, NULL, \
			NULL                                                   \
	}
static const struct setting_def fuzz_defs[] = {
	FDEF(SETTING_STR, str),
	FDEF(SETTING_UINT, num),
	FDEF(SETTING_BOOL, flag),
	FDEF(SETTING_SIZE, size),
	FDEF(SETTING_TIME, secs),
	{ "choice", SETTING_ENUM, offsetof(struct fuzz_settings, choice), NULL,
	  "a:bb:ccc", NULL },
	SETTING_DEFS_END
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_settings top, sect;
	struct setting_section top_section = { NULL, fuzz_defs, &top };
	struct setting_section sub_section = { "sub", fuzz_defs, &sect };
	struct setting_section *const sections[] = { &top_section, &sub_section,
						     NULL };
	struct pool *pool = pool_create("fuzz", 0);
	char *text = pool_strndup(pool, data, size);
	const char *error;

	/* !include would read files: keep the fuzzer off the disk */
	if (strstr(text, "!include") == NULL) {
		config_set_defaults(sections, pool);
		(void)config_parse_string("fuzz.conf", text, sections, pool,
					  &error);
	}
	pool_destroy(&pool);
	return 0;
}
