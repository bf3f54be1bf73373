#include "imap-mailbox-op.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-util.h"
#include "pool.h"
#include "postern/storage.h"

struct imap_mailbox_op_ctx {
	imap_mailbox_op_t *op;
	unsigned int param;
	const char *ok_text;
	const char *names[2];
	const char *error;
	int ret;
};

static void imap_mailbox_op_work(struct imap_command *cmd)
{
	struct imap_mailbox_op_ctx *ctx = cmd->context;
	struct mail_user *user = cmd->client->user;
	struct mailbox *box, *box2 = NULL;
	bool error_on_box2 = false;

	box = mailbox_alloc(user, ctx->names[0], 0, &cmd->client->log);
	if (ctx->names[1] != NULL)
		box2 = mailbox_alloc(user, ctx->names[1], 0, &cmd->client->log);
	ctx->ret = ctx->op(box, box2, ctx->param, &error_on_box2);
	if (ctx->ret < 0)
		ctx->error = imap_mail_error_text(cmd->pool,
						  error_on_box2 ? box2 : box);
	if (box2 != NULL)
		mailbox_free(&box2);
	mailbox_free(&box);
}

static void imap_mailbox_op_done(struct imap_command *cmd)
{
	struct imap_mailbox_op_ctx *ctx = cmd->context;

	if (ctx->ret < 0)
		imap_command_no(cmd, ctx->error);
	else
		imap_command_ok(cmd, ctx->ok_text);
}

void imap_mailbox_op_start(struct imap_command *cmd, const char *name,
			   const char *name2, imap_mailbox_op_t *op,
			   unsigned int param, const char *ok_text)
{
	struct imap_mailbox_op_ctx *ctx =
		p_new(cmd->pool, struct imap_mailbox_op_ctx, 1);
	const char *error;

	ctx->op = op;
	ctx->param = param;
	ctx->ok_text = ok_text;
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, name,
					  &ctx->names[0], &error) < 0 ||
	    (name2 != NULL &&
	     imap_mailbox_name_from_client(cmd->client, cmd->pool, name2,
					   &ctx->names[1], &error) < 0)) {
		imap_command_no(cmd, error);
		return;
	}
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_mailbox_op_work,
				    imap_mailbox_op_done);
}
