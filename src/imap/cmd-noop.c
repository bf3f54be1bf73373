#include "imap-commands.h"

void imap_cmd_noop(struct imap_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "NOOP takes no arguments.");
		return;
	}
	/* the table's SYNC_FULL flag makes the sync look at the mail files */
	imap_command_ok(cmd, "NOOP completed.");
}
