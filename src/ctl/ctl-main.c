#include "ctl.h"
#include "ctl-auth-commands.h"
#include "ctl-storage-commands.h"
#include "auth.h"
#include "log.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static ctl_command_func_t ctl_cmd_help;

/* The storage subcommands get the [storage] settings and the userdb
   socket from the configuration. */
#define CTL_STORAGE_WRAPPER(name)                                             \
	static int ctl_cmd_##name(struct ctl_context *ctx, int argc,          \
				  char *argv[])                               \
	{                                                                     \
		const struct postern_config *config = ctx->config;            \
		const char *socket =                                          \
			auth_path(config->pool, config->master.data_dir,      \
				  config->auth.userdb_socket);                \
		return ctl_storage_cmd_##name(&config->storage, socket, argc, \
					      argv);                          \
	}
CTL_STORAGE_WRAPPER(mailbox)
CTL_STORAGE_WRAPPER(index)
CTL_STORAGE_WRAPPER(fetch)

static const struct ctl_command ctl_commands[] = {
	{ "auth", "auth test|lookup USER [-s SERVICE] [-a SOCKET]",
	  ctl_cmd_auth },
	{ "config", "config check|show", ctl_cmd_config },
	{ "fetch", "fetch USER MAILBOX UID", ctl_cmd_fetch },
	{ "help", "help", ctl_cmd_help },
	{ "index", "index rebuild USER [MAILBOX]", ctl_cmd_index },
	{ "mailbox",
	  "mailbox list|create|delete|rename|status USER [MAILBOX...]",
	  ctl_cmd_mailbox },
	{ "pw", "pw [-s SCHEME] [-u USER] | pw -l", ctl_cmd_pw },
	{ "user", "user add|passwd|del|list|show [NAME]", ctl_cmd_user },
};

static void ctl_usage(FILE *out)
{
	fprintf(out,
		"Usage: posternctl [-c FILE] COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < N_ELEMENTS(ctl_commands); i++)
		fprintf(out, "  %s\n", ctl_commands[i].usage);
}

static int ctl_cmd_help(struct ctl_context *ctx, int argc, char *argv[])
{
	ctl_usage(stdout);
	return EX_OK;
}

static const struct ctl_command *ctl_command_find(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(ctl_commands); i++) {
		if (strcmp(ctl_commands[i].name, name) == 0)
			return &ctl_commands[i];
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct postern_config config;
	struct ctl_context ctx = { .config = &config };
	const struct ctl_command *cmd;
	const char *error;
	int opt, ret;

	log_set_process_name("posternctl");
	log_set_level(LOG_LEVEL_WARNING);
	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return EX_OK;
		default:
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	cmd = ctl_command_find(argv[optind]);
	if (cmd == NULL) {
		fprintf(stderr, "posternctl: unknown command %s\n",
			argv[optind]);
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if (postern_config_load(&config, ctx.config_path, &error) < 0) {
		fprintf(stderr, "posternctl: %s\n", error);
		postern_config_free(&config);
		return EX_CONFIG;
	}
	ret = cmd->func(&ctx, argc - optind - 1, argv + optind + 1);
	postern_config_free(&config);
	return ret;
}
