#ifndef POSTERN_CTL_STORAGE_COMMANDS_H
#define POSTERN_CTL_STORAGE_COMMANDS_H

/* posternctl's storage subcommands:
     mailbox list|create|delete|rename|status USER ...
     index rebuild USER [MAILBOX]
     fetch USER MAILBOX UID
   Each entry function gets the [storage] settings and the words after its
   name, prints results on stdout and errors on stderr, and returns a
   sysexits.h code (EX_USAGE, EX_NOUSER, EX_DATAERR for a missing mailbox
   or message, EX_CANTCREAT, EX_TEMPFAIL). The user's home comes from the
   password database (getpwnam) when mail_location needs one, until the
   userdb client (auth_master_user_lookup) replaces that. */

#include "postern/storage.h"

int ctl_storage_cmd_mailbox(const struct storage_settings *set, int argc,
			    char *argv[]);
int ctl_storage_cmd_index(const struct storage_settings *set, int argc,
			  char *argv[]);
int ctl_storage_cmd_fetch(const struct storage_settings *set, int argc,
			  char *argv[]);

/* Shared by the three: opens USER's storage. Returns 0, or an EX_ code
   after printing the error. */
int ctl_storage_user_open(const struct storage_settings *set,
			  const char *username, struct mail_user **user_r);
/* The EX_ code for a storage error code. */
int ctl_storage_exit_code(enum mail_error code);

#endif
