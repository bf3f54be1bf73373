#include "lmtp-settings.h"
#include "listener.h"

#include <stddef.h>

#define LMTP_DEF(type, name, dflt, check)                                      \
	{                                                                      \
#name, type, offsetof(struct lmtp_settings, name), dflt, NULL, \
			check                                                  \
	}
const struct setting_def lmtp_setting_defs[] = {
	LMTP_DEF(SETTING_STR, listen, "127.0.0.1:24", listen_addrs_check_unix),
	LMTP_DEF(SETTING_TIME, idle_timeout, "5m", NULL),
	LMTP_DEF(SETTING_STR, recipient_delimiter, "+", NULL),
	LMTP_DEF(SETTING_SIZE, max_message_size, "50M", NULL),
	LMTP_DEF(SETTING_UINT, max_recipients, "500", NULL),
	LMTP_DEF(SETTING_BOOL, quota_full_tempfail, "no", NULL),
	LMTP_DEF(SETTING_TIME, lookup_timeout, "30s", NULL),
	SETTING_DEFS_END
};
