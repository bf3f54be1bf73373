#include "imap-commands.h"
#include "imap-mailbox-op.h"
#include "postern/storage.h"

static int imap_subscribe_run(struct mailbox *box, struct mailbox *box2,
			      unsigned int subscribe, bool *error_on_box2_r)
{
	return mailbox_set_subscribed(box, subscribe != 0);
}

static void imap_subscribe(struct imap_command *cmd, bool subscribe)
{
	const char *name;

	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[1])) {
		imap_command_badf(cmd, "Invalid %s arguments.", cmd->name);
		return;
	}
	imap_mailbox_op_start(cmd, name, NULL, imap_subscribe_run, subscribe,
			      subscribe ? "Subscribe completed."
					: "Unsubscribe completed.");
}

void imap_cmd_subscribe(struct imap_command *cmd)
{
	imap_subscribe(cmd, true);
}

void imap_cmd_unsubscribe(struct imap_command *cmd)
{
	imap_subscribe(cmd, false);
}
