#include "pop3-settings.h"
#include "listener.h"
#include "pop3-uidl.h"

#include <stddef.h>

#define POP3_DEF(type, name, dflt, check)                                      \
	{                                                                      \
#name, type, offsetof(struct pop3_settings, name), dflt, NULL, \
			check                                                  \
	}
const struct setting_def pop3_setting_defs[] = {
	POP3_DEF(SETTING_STR, listen, "127.0.0.1:110", listen_addrs_check),
	POP3_DEF(SETTING_STR, listen_tls, "", listen_addrs_check),
	POP3_DEF(SETTING_TIME, idle_timeout, "10m", NULL),
	POP3_DEF(SETTING_STR, uidl_format, POP3_UIDL_DEFAULT_FORMAT,
		 pop3_uidl_format_check),
	POP3_DEF(SETTING_TIME, login_delay, "0", NULL),
	POP3_DEF(SETTING_BOOL, mark_seen, "yes", NULL),
	SETTING_DEFS_END
};
