#include "imap-client.h"
#include "imap-commands.h"
#include "postern/storage.h"

static void imap_close_work(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;

	/* RFC 9051 §6.4.1: expunge \Deleted silently (no EXPUNGE
	   responses), unless read-only; errors don't stop the close */
	if (cmd->context != NULL && !client->box_readonly)
		(void)mailbox_expunge(client->box, NULL, true, cmd->pool, NULL);
	imap_client_close_mailbox(client);
}

static void imap_close_done(struct imap_command *cmd)
{
	cmd->client->state = IMAP_CLIENT_STATE_AUTH;
	imap_command_okf(cmd, "%s completed.", cmd->name);
}

static void imap_close(struct imap_command *cmd, bool expunge)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_badf(cmd, "%s takes no arguments.", cmd->name);
		return;
	}
	/* any non-NULL context means "expunge" */
	cmd->context = expunge ? cmd : NULL;
	imap_command_run_work(cmd, imap_close_work, imap_close_done);
}

void imap_cmd_close(struct imap_command *cmd)
{
	imap_close(cmd, true);
}

/* RFC 3691 */
void imap_cmd_unselect(struct imap_command *cmd)
{
	imap_close(cmd, false);
}
