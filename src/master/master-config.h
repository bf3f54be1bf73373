#ifndef POSTERN_MASTER_CONFIG_H
#define POSTERN_MASTER_CONFIG_H

/* The whole configuration of posternd: the top-level keys that belong to
   the master, and every module's section. Only the master knows all
   modules, so the list of sections lives here. */

#include "auth-settings.h"
#include "config.h"
#include "imap-settings.h"
#include "lmtp-settings.h"
#include "pop3-settings.h"
#include "postern/storage.h"
#include "tls.h"

#include <stdio.h>

struct master_settings {
	char *data_dir;
	char *mail_user;
	unsigned int workers;
	char *log_level;
	char *hostname;
	unsigned int shutdown_timeout;
};

struct postern_config {
	struct pool *pool;
	/* the file read, or "(embedded default)" */
	const char *source;
	/* No file was given or found: the demo setup applies. */
	bool is_embedded_default;
	struct master_settings master;
	struct tls_settings tls;
	struct imap_settings imap;
	struct pop3_settings pop3;
	struct lmtp_settings lmtp;
	struct auth_settings auth;
	struct storage_settings storage;
	struct setting_section section_storage[7];
	struct setting_section *sections[8];
};

/* Loads path; with path NULL, ./postern.conf if it exists, else the
   embedded default. Returns 0, or -1 with *error_r. */
int postern_config_load(struct postern_config *config, const char *path,
			const char **error_r);
/* Parses the text a master wrote with postern_config_write() (workers
   get the effective configuration this way, never a file that may have
   changed meanwhile). */
int postern_config_load_text(struct postern_config *config, const char *text,
			     const char **error_r);
void postern_config_write(struct postern_config *config, FILE *out);
void postern_config_free(struct postern_config *config);

/* The embedded default configuration text. */
extern const char postern_config_embedded_default[];

#endif
