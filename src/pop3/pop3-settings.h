#ifndef POSTERN_POP3_SETTINGS_H
#define POSTERN_POP3_SETTINGS_H

#include "config.h"

struct pop3_settings {
	char *listen;
	char *listen_tls;
	unsigned int idle_timeout; /* RFC 1939 §3: at least 10 minutes */
};

extern const struct setting_def pop3_setting_defs[];

#endif
