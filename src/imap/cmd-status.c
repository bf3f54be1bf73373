#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-status.h"
#include "imap-util.h"
#include "pool.h"

struct imap_status_ctx {
	const char *name;
	enum mailbox_status_items items;
	struct mailbox_status status;
	const char *error;
	string_t *out;
};

static void imap_status_work(struct imap_command *cmd)
{
	struct imap_status_ctx *ctx = cmd->context;
	struct mailbox *box = mailbox_alloc(cmd->client->user, ctx->name, 0,
					    &cmd->client->log);

	if (mailbox_get_status(box, ctx->items, &ctx->status) < 0) {
		ctx->error = imap_mail_error_text(cmd->pool, box);
	} else {
		ctx->out = str_new(256, SIZE_MAX);
		imap_status_append(cmd->client, ctx->out, ctx->name, ctx->items,
				   &ctx->status);
	}
	mailbox_free(&box);
}

static void imap_status_done(struct imap_command *cmd)
{
	struct imap_status_ctx *ctx = cmd->context;

	if (ctx->out == NULL) {
		imap_command_no(cmd, ctx->error);
		return;
	}
	imap_client_send_str(cmd->client, ctx->out);
	str_free(&ctx->out);
	imap_command_ok(cmd, "Status completed.");
}

void imap_cmd_status(struct imap_command *cmd)
{
	struct imap_status_ctx *ctx =
		p_new(cmd->pool, struct imap_status_ctx, 1);
	const struct imap_arg *list;
	const char *name, *error;

	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    !imap_arg_get_list(&cmd->args[1], &list, NULL) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2]) ||
	    imap_status_parse_items(list, &ctx->items) < 0) {
		imap_command_bad(cmd, "Invalid STATUS arguments.");
		return;
	}
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, name,
					  &ctx->name, &error) < 0) {
		imap_command_no(cmd, error);
		return;
	}
	if ((ctx->items & STATUS_HIGHESTMODSEQ) != 0)
		cmd->client->condstore_used = true;
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_status_work, imap_status_done);
}
