#include "imap-commands.h"
#include "imap-mailbox-op.h"
#include "postern/storage.h"

static int imap_rename_run(struct mailbox *box, struct mailbox *box2,
			   unsigned int param, bool *error_on_box2_r)
{
	int ret = mailbox_rename(box, box2);
	enum mail_error error;

	/* EXISTS is about the destination */
	if (ret < 0 && *mailbox_get_last_error(box, &error) == '\0')
		*error_on_box2_r = true;
	return ret;
}

/* RFC 9051 §6.3.6; renaming INBOX moves its messages (storage does). */
void imap_cmd_rename(struct imap_command *cmd)
{
	const char *from, *to;

	if (!imap_arg_get_astring(&cmd->args[0], &from) ||
	    !imap_arg_get_astring(&cmd->args[1], &to) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		imap_command_bad(cmd, "Invalid RENAME arguments.");
		return;
	}
	imap_mailbox_op_start(cmd, from, to, imap_rename_run, 0,
			      "Rename completed.");
}
