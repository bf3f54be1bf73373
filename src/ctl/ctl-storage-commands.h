#ifndef POSTERN_CTL_STORAGE_COMMANDS_H
#define POSTERN_CTL_STORAGE_COMMANDS_H

/* posternctl's storage subcommands:
     mailbox list|create|delete|rename|status USER ...
     index rebuild USER [MAILBOX]
     fetch USER MAILBOX UID
   Each entry function gets the [storage] settings and the words after its
   name, prints results on stdout and errors on stderr, and returns a
   sysexits.h code (EX_USAGE, EX_NOUSER, EX_DATAERR for a missing mailbox
   or message, EX_CANTCREAT, EX_TEMPFAIL). USER is looked up on the
   userdb socket (its canonical name, home and mail location), as the
   workers do; without a socket (NULL, or posternd not running) the home
   comes from the system's password database. */

#include "postern/storage.h"

int ctl_storage_cmd_mailbox(const struct storage_settings *set,
			    const char *userdb_socket, int argc, char *argv[]);
int ctl_storage_cmd_index(const struct storage_settings *set,
			  const char *userdb_socket, int argc, char *argv[]);
int ctl_storage_cmd_fetch(const struct storage_settings *set,
			  const char *userdb_socket, int argc, char *argv[]);

/* Shared by the three: opens USER's storage. Returns 0, or an EX_ code
   after printing the error. */
int ctl_storage_user_open(const struct storage_settings *set,
			  const char *userdb_socket, const char *username,
			  struct mail_user **user_r);
/* The EX_ code for a storage error code. */
int ctl_storage_exit_code(enum mail_error code);

#endif
