#ifndef POSTERN_IMAP_SETTINGS_H
#define POSTERN_IMAP_SETTINGS_H

#include "config.h"

struct imap_settings {
	char *listen;
	char *listen_tls;
	uint64_t max_line_length;
	unsigned int idle_timeout; /* seconds; RFC 9051 §5.4: >= 30 min */
};

extern const struct setting_def imap_setting_defs[];

#endif
