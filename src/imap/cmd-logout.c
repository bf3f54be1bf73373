#include "imap-client.h"
#include "imap-commands.h"

void imap_cmd_logout(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;

	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "LOGOUT takes no arguments.");
		return;
	}
	/* RFC 9051 §6.1.3: BYE before the tagged OK. */
	imap_client_send_line(client, "* BYE Logging out");
	client->state = IMAP_CLIENT_STATE_LOGOUT;
	imap_command_ok(cmd, "Logout completed.");
	imap_client_disconnect(client, "Logged out");
}
