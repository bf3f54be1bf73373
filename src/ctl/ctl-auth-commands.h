#ifndef POSTERN_CTL_AUTH_COMMANDS_H
#define POSTERN_CTL_AUTH_COMMANDS_H

/* posternctl's account subcommands:
     user add|passwd|del|list|show   the user database of [auth] passdb
     pw -s SCHEME [-u USER] | pw -l  hash a password read from stdin
     auth test USER | auth lookup USER
                                     through the running auth process's
                                     sockets, as doveadm auth test/lookup */

#include "ctl.h"

#include <stdbool.h>
#include <stddef.h>

ctl_command_func_t ctl_cmd_user;
ctl_command_func_t ctl_cmd_pw;
ctl_command_func_t ctl_cmd_auth;

/* Reads a password: one line from stdin when from_stdin (or stdin is not
   a terminal), else from the terminal without echo (twice with confirm).
   Returns 0, or -1 after printing why. */
int ctl_read_password(bool from_stdin, bool confirm, char *buf, size_t size);
/* A path setting of [auth] made absolute against data_dir, from pool. */
const char *ctl_auth_path(struct ctl_context *ctx, struct pool *pool,
			  const char *path);

#endif
