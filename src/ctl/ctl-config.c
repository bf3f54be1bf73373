#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* posternctl config check|show: the configuration was loaded (and so
   checked) before any subcommand runs. */
int ctl_cmd_config(struct ctl_context *ctx, int argc, char *argv[])
{
	if (argc == 1 && strcmp(argv[0], "check") == 0) {
		printf("%s: OK\n", ctx->config->source);
		return EX_OK;
	}
	if (argc == 1 && strcmp(argv[0], "show") == 0) {
		postern_config_write(ctx->config, stdout);
		return EX_OK;
	}
	fprintf(stderr, "Usage: posternctl config check|show\n");
	return EX_USAGE;
}
