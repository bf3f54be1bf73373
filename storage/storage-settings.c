#include "config.h"
#include "postern/storage.h"
#include "strfuncs.h"

#include <string.h>

static int storage_check_location(const char *value, const char **error_r)
{
	if (strchr(value, ':') == NULL) {
		*error_r = "must be FORMAT:PATH, e.g. maildir:~/Maildir";
		return -1;
	}
	return 0;
}

#define STORAGE_DEF(type, name, dflt)                                       \
	{                                                                   \
#name, type, offsetof(struct storage_settings, name), dflt, \
			NULL, NULL                                          \
	}
const struct setting_def storage_setting_defs[] = {
	{ "mail_location", SETTING_STR,
	  offsetof(struct storage_settings, mail_location), "maildir:~/Maildir",
	  NULL, storage_check_location },
	STORAGE_DEF(SETTING_STR, index_dir, ""),
	{ "fsync", SETTING_ENUM, offsetof(struct storage_settings, fsync),
	  "group", "group:always:never", NULL },
	STORAGE_DEF(SETTING_BOOL, autocreate, "yes"),
	STORAGE_DEF(SETTING_SIZE, max_message_size, "0"),
	SETTING_DEFS_END
};

void storage_settings_init_defaults(struct storage_settings *set)
{
	memset(set, 0, sizeof(*set));
	set->mail_location = (char *)"maildir:~/Maildir";
	set->index_dir = (char *)"";
	set->fsync = (char *)"group";
	set->autocreate = true;
}
