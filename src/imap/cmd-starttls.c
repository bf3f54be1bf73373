#include "imap-client.h"
#include "imap-commands.h"

void imap_cmd_starttls(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;

	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "STARTTLS takes no arguments.");
		return;
	}
	if (conn_is_tls(client->conn)) {
		imap_command_bad(cmd, "TLS is already active.");
		return;
	}
	if (imap_env->tls == NULL) {
		imap_command_no(cmd, "TLS support isn't configured.");
		return;
	}
	imap_command_ok(cmd, "Begin TLS negotiation now.");
	/* Discards whatever the client pipelined after the command
	   (RFC 9051 §6.2.1: the client must wait for the tagged OK). */
	if (conn_start_tls(client->conn, imap_env->tls) < 0)
		imap_client_disconnect(client, "TLS setup failed");
}
