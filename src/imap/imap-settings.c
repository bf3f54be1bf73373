#include "imap-settings.h"
#include "listener.h"

#include <stddef.h>

#define IMAP_DEF(type, name, dflt, check)                                      \
	{                                                                      \
#name, type, offsetof(struct imap_settings, name), dflt, NULL, \
			check                                                  \
	}
const struct setting_def imap_setting_defs[] = {
	IMAP_DEF(SETTING_STR, listen, "127.0.0.1:143", listen_addrs_check),
	IMAP_DEF(SETTING_STR, listen_tls, "", listen_addrs_check),
	IMAP_DEF(SETTING_SIZE, max_line_length, "64k", NULL),
	IMAP_DEF(SETTING_TIME, idle_timeout, "30m", NULL),
	IMAP_DEF(SETTING_SIZE, max_literal_size, "64k", NULL),
	IMAP_DEF(SETTING_SIZE, max_append_size, "100M", NULL),
	IMAP_DEF(SETTING_BOOL, literal_minus, "no", NULL),
	SETTING_DEFS_END
};
