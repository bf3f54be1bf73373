#include "imap-client.h"
#include "imap-commands.h"

void imap_cmd_logout(struct imap_command *cmd)
{
	if (cmd->args[0] != '\0') {
		imap_command_bad(cmd, "LOGOUT takes no arguments.");
		return;
	}
	/* RFC 9051 §6.1.3: BYE before the tagged OK. */
	imap_client_send_line(cmd->client, "* BYE Logging out");
	imap_command_ok(cmd, "Logout completed.");
	imap_client_disconnect(cmd->client, "Logged out");
}
