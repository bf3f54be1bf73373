#ifndef POSTERN_LMTP_SETTINGS_H
#define POSTERN_LMTP_SETTINGS_H

#include "config.h"

struct lmtp_settings {
	char *listen;
	unsigned int idle_timeout; /* RFC 5321 §4.5.3.2.7: 5 minutes */
};

extern const struct setting_def lmtp_setting_defs[];

#endif
