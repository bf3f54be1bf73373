#include "imap-commands.h"
#include "imap-mailbox-op.h"
#include "postern/storage.h"

static int imap_delete_run(struct mailbox *box, struct mailbox *box2,
			   unsigned int param, bool *error_on_box2_r)
{
	return mailbox_delete(box);
}

void imap_cmd_delete(struct imap_command *cmd)
{
	const char *name;

	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[1])) {
		imap_command_bad(cmd, "Invalid DELETE arguments.");
		return;
	}
	imap_mailbox_op_start(cmd, name, NULL, imap_delete_run, 0,
			      "Delete completed.");
}
