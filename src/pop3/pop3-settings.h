#ifndef POSTERN_POP3_SETTINGS_H
#define POSTERN_POP3_SETTINGS_H

/* The [pop3] section of postern.conf. */

#include "config.h"

#include <stdbool.h>

struct pop3_settings {
	char *listen;
	char *listen_tls;
	unsigned int idle_timeout; /* RFC 1939 §3: at least 10 minutes */
	/* UIDL values, Dovecot's pop3_uidl_format syntax (pop3-uidl.h). */
	char *uidl_format;
	/* RFC 2449 §6.5 LOGIN-DELAY: the least time between two logins of
	   a user; 0: no limit. */
	unsigned int login_delay;
	/* RETR marks the message \Seen (at QUIT, or when the session ends
	   without QUIT), as Dovecot does unless pop3_no_flag_updates. */
	bool mark_seen;
};

extern const struct setting_def pop3_setting_defs[];

#endif
