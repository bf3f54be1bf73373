#include "imap-client.h"
#include "imap-commands.h"

void imap_cmd_capability(struct imap_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "CAPABILITY takes no arguments.");
		return;
	}
	imap_client_send_line(cmd->client, "* CAPABILITY %s",
			      imap_client_capability(cmd->client));
	imap_command_ok(cmd, "Capability completed.");
}
