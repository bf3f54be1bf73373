#ifndef POSTERN_LMTP_SETTINGS_H
#define POSTERN_LMTP_SETTINGS_H

/* The [lmtp] section of postern.conf. */

#include "config.h"

#include <stdbool.h>
#include <stdint.h>

struct lmtp_settings {
	char *listen;
	unsigned int idle_timeout; /* RFC 5321 §4.5.3.2.7: 5 minutes */
	/* Characters that separate a detail from the user in a local part
	   ("alice+lists"); the detail names the folder to deliver to. ""
	   turns this off. */
	char *recipient_delimiter;
	/* The SIZE advertised and enforced (0: no limit). */
	uint64_t max_message_size;
	/* RCPTs accepted per transaction; RFC 5321 §4.5.3.1.8 asks for at
	   least 100. */
	unsigned int max_recipients;
	/* How long RCPT waits for the userdb before answering 451 4.3.0. */
	unsigned int lookup_timeout;
	/* Over quota is a temporary failure (452 4.2.2) instead of a
	   permanent one (552 5.2.2), as Dovecot's quota_full_tempfail. */
	bool quota_full_tempfail;
};

extern const struct setting_def lmtp_setting_defs[];

#endif
