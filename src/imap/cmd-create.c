#include "imap-commands.h"
#include "imap-mailbox-op.h"
#include "pool.h"
#include "postern/storage.h"

#include <string.h>

static int imap_create_run(struct mailbox *box, struct mailbox *box2,
			   unsigned int special_use, bool *error_on_box2_r)
{
	return mailbox_create(box, (enum mailbox_special_use)special_use);
}

/* RFC 6154 §3: CREATE name (USE (\Drafts ...)). Returns 0, or -1 for an
   unknown attribute. */
static int imap_create_parse_use(const struct imap_arg *args,
				 enum mailbox_special_use *use_r)
{
	const struct imap_arg *params, *attrs;
	unsigned int count, n_attrs;
	const char *attr;

	*use_r = 0;
	if (IMAP_ARG_IS_EOL(args))
		return 0;
	if (!imap_arg_get_list(args, &params, &count) || count != 2 ||
	    !imap_arg_atom_equals(&params[0], "USE") ||
	    !imap_arg_get_list(&params[1], &attrs, &n_attrs) ||
	    !IMAP_ARG_IS_EOL(&args[1]))
		return -2;
	for (unsigned int i = 0; i < n_attrs; i++) {
		enum mailbox_special_use bit = 0;

		if (imap_arg_get_atom(&attrs[i], &attr))
			bit = mailbox_special_use_parse(attr);
		if (bit == 0)
			return -1;
		*use_r |= bit;
	}
	return 0;
}

void imap_cmd_create(struct imap_command *cmd)
{
	enum mailbox_special_use use;
	const char *name;
	char *trimmed;
	size_t len;
	int ret;

	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    (ret = imap_create_parse_use(&cmd->args[1], &use)) == -2) {
		imap_command_bad(cmd, "Invalid CREATE arguments.");
		return;
	}
	if (ret < 0) {
		imap_command_no(cmd, "[USEATTR] Unsupported special-use "
				     "attribute.");
		return;
	}
	/* RFC 9051 §6.3.4: a trailing separator only says that the client
	   means to create children; the name is without it. */
	trimmed = pool_strdup(cmd->pool, name);
	len = strlen(trimmed);
	if (len > 1 && trimmed[len - 1] == MAILBOX_HIERARCHY_SEP)
		trimmed[len - 1] = '\0';
	imap_mailbox_op_start(cmd, trimmed, NULL, imap_create_run, use,
			      "Create completed.");
}
