#include "imap-commands.h"

void imap_cmd_noop(struct imap_command *cmd)
{
	if (cmd->args[0] != '\0') {
		imap_command_bad(cmd, "NOOP takes no arguments.");
		return;
	}
	imap_command_ok(cmd, "NOOP completed.");
}
