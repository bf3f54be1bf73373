#include "imap-commands.h"

/* RFC 3501 §6.4.1; gone from IMAP4rev2, still accepted. Commits are
   durable when they return, so this is a NOOP with a full sync. */
void imap_cmd_check(struct imap_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "CHECK takes no arguments.");
		return;
	}
	imap_command_ok(cmd, "Check completed.");
}
