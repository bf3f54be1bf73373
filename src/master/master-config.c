#include "master-config.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>
#include <unistd.h>

const char postern_config_embedded_default[] =
	"# posternd's embedded default: localhost ports, data under ./var,\n"
	"# a self-signed certificate made on first run.\n"
	"data_dir = ./var\n"
	"\n"
	"[imap]\n"
	"listen = 127.0.0.1:1143\n"
	"listen_tls = 127.0.0.1:1993\n"
	"\n"
	"[pop3]\n"
	"listen = 127.0.0.1:1110\n"
	"listen_tls = 127.0.0.1:1995\n"
	"\n"
	"[lmtp]\n"
	"listen = 127.0.0.1:2424\n"
	"\n"
	"# the demo user has no home directory: mail under ./var too\n"
	"[storage]\n"
	"mail_location = maildir:./var/mail/%u\n"
	"\n"
	"# LMTP's demo@any.domain and IMAP's demo are one user\n"
	"[auth]\n"
	"username_format = %Ln\n";

static int master_check_log_level(const char *value, const char **error_r)
{
	enum log_level level;

	if (log_level_parse(value, &level) < 0) {
		*error_r = "must be debug, info, warning or error";
		return -1;
	}
	return 0;
}

#define MASTER_DEF(type, name, dflt)                                       \
	{                                                                  \
#name, type, offsetof(struct master_settings, name), dflt, \
			NULL, NULL                                         \
	}
static const struct setting_def master_setting_defs[] = {
	MASTER_DEF(SETTING_STR, data_dir, "./var"),
	MASTER_DEF(SETTING_STR, mail_user, ""),
	MASTER_DEF(SETTING_UINT, workers, "0"),
	{ "log_level", SETTING_STR, offsetof(struct master_settings, log_level),
	  "info", NULL, master_check_log_level },
	MASTER_DEF(SETTING_STR, hostname, ""),
	MASTER_DEF(SETTING_TIME, shutdown_timeout, "10s"),
	SETTING_DEFS_END
};

static void postern_config_init(struct postern_config *config)
{
	const struct {
		const char *name;
		const struct setting_def *defs;
		void *settings;
	} sections[] = {
		{ NULL, master_setting_defs, &config->master },
		{ "tls", tls_setting_defs, &config->tls },
		{ "imap", imap_setting_defs, &config->imap },
		{ "pop3", pop3_setting_defs, &config->pop3 },
		{ "lmtp", lmtp_setting_defs, &config->lmtp },
		{ "auth", auth_setting_defs, &config->auth },
		{ "storage", storage_setting_defs, &config->storage },
	};
	unsigned int i;

	memset(config, 0, sizeof(*config));
	config->pool = pool_create("config", 4096);
	for (i = 0; i < N_ELEMENTS(sections); i++) {
		config->section_storage[i].name = sections[i].name;
		config->section_storage[i].defs = sections[i].defs;
		config->section_storage[i].settings = sections[i].settings;
		config->sections[i] = &config->section_storage[i];
	}
	config->sections[i] = NULL;
	config_set_defaults(config->sections, config->pool);
}

/* Fills in what the defaults can't know until run time. */
static void postern_config_finish(struct postern_config *config)
{
	char host[256];

	if (config->master.hostname[0] == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			str_copy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = '\0';
		config->master.hostname = pool_strdup(config->pool, host);
	}
}

int postern_config_load(struct postern_config *config, const char *path,
			const char **error_r)
{
	int ret;

	postern_config_init(config);
	if (path == NULL && access("postern.conf", F_OK) == 0)
		path = "postern.conf";
	if (path == NULL) {
		config->source = "(embedded default)";
		config->is_embedded_default = true;
		ret = config_parse_string(
			config->source, postern_config_embedded_default,
			config->sections, config->pool, error_r);
	} else {
		config->source = pool_strdup(config->pool, path);
		ret = config_parse_file(path, config->sections, config->pool,
					error_r);
	}
	if (ret == 0)
		postern_config_finish(config);
	return ret;
}

int postern_config_load_text(struct postern_config *config, const char *text,
			     const char **error_r)
{
	postern_config_init(config);
	config->source = "(from master)";
	return config_parse_string(config->source, text, config->sections,
				   config->pool, error_r);
}

void postern_config_write(struct postern_config *config, FILE *out)
{
	config_print(out, config->sections);
}

void postern_config_free(struct postern_config *config)
{
	pool_destroy(&config->pool);
}
