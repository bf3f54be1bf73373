#include "imap-client.h"
#include "imap-commands.h"

/* RFC 2342: one personal namespace, no shared or other users' ones. */
void imap_cmd_namespace(struct imap_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "NAMESPACE takes no arguments.");
		return;
	}
	imap_client_send_line(cmd->client,
			      "* NAMESPACE ((\"\" \"/\")) NIL NIL");
	imap_command_ok(cmd, "Namespace completed.");
}
