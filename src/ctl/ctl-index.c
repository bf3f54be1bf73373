#include "ctl-storage-commands.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* index rebuild USER [MAILBOX] */
int ctl_storage_cmd_index(const struct storage_settings *set,
			  const char *userdb_socket, int argc, char *argv[])
{
	struct mail_user *user;
	const char *error;
	int ret;

	if (argc < 2 || argc > 3 || strcmp(argv[0], "rebuild") != 0) {
		fprintf(stderr,
			"Usage: posternctl index rebuild USER [MAILBOX]\n");
		return EX_USAGE;
	}
	ret = ctl_storage_user_open(set, userdb_socket, argv[1], &user);
	if (ret != EX_OK)
		return ret;
	if (mail_user_rebuild_index(user, argc == 3 ? argv[2] : NULL, &error) <
	    0) {
		fprintf(stderr, "posternctl: rebuilding the index of %s: %s\n",
			argv[1], error);
		ret = EX_TEMPFAIL;
	}
	mail_user_unref(&user);
	return ret;
}
