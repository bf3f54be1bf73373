#ifndef POSTERN_IMAP_SETTINGS_H
#define POSTERN_IMAP_SETTINGS_H

#include "config.h"

struct imap_settings {
	char *listen;
	char *listen_tls;
	uint64_t max_line_length;
	unsigned int idle_timeout; /* seconds; RFC 9051 §5.4: >= 30 min */
	/* Literals read into memory (LOGIN, SEARCH strings): RFC 7889 TOOBIG
	   beyond. */
	uint64_t max_literal_size;
	/* Largest message APPEND accepts (storage's max_message_size, when
	   set, applies too). */
	uint64_t max_append_size;
	/* Advertise LITERAL- instead of LITERAL+ (RFC 7888): non-synchronizing
	   literals over 4096 bytes are refused. */
	bool literal_minus;
};

extern const struct setting_def imap_setting_defs[];

#endif
