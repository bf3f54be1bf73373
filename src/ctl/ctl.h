#ifndef POSTERN_CTL_H
#define POSTERN_CTL_H

/* posternctl: the operator's tool. Each subcommand is a row in the table
   of ctl-main.c, implemented in its own ctl-<topic>.c. */

#include "master-config.h"

struct ctl_context {
	struct postern_config *config;
	/* as given with -c, or NULL for the default lookup */
	const char *config_path;
};

/* A subcommand gets the words after its name. Returns the exit status
   (sysexits.h codes where they fit). */
typedef int ctl_command_func_t(struct ctl_context *ctx, int argc, char *argv[]);

struct ctl_command {
	const char *name;
	const char *usage;
	ctl_command_func_t *func;
};

ctl_command_func_t ctl_cmd_config;

#endif
