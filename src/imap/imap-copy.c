#include "imap-copy.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-seqset.h"
#include "imap-util.h"
#include "pool.h"
#include "str.h"

struct imap_copy_ctx {
	struct imap_seqset seqset;
	const char *dest_name;
	bool move;
	/* "uidvalidity src-uids dest-uids" for COPYUID, NULL if nothing was
	   copied */
	const char *copyuid;
	const char *bad;
	const char *error;
};

/* RFC 4315 §3: COPYUID uidvalidity source-uids dest-uids, in the same
   order. */
static const char *imap_copy_uid_text(struct pool *pool,
				      const struct mailbox_copy_result *result)
{
	string_t *str = str_new(128, SIZE_MAX);
	const char *text;

	str_printfa(str, "%u ", result->uidvalidity);
	(void)seq_range_set_write(&result->src_uids, str);
	str_append_c(str, ' ');
	(void)seq_range_set_write(&result->dest_uids, str);
	text = pool_strdup(pool, str_c(str));
	str_free(&str);
	return text;
}

static void imap_copy_to(struct imap_command *cmd, struct imap_copy_ctx *ctx,
			 const struct seq_range_set *uids, struct mailbox *dest)
{
	struct mailbox *src = cmd->client->box;
	struct mailbox_copy_result result;
	int ret = mailbox_exists(dest);

	if (ret <= 0) {
		/* RFC 9051 §6.4.7: TRYCREATE when the destination is
		   missing, whether or not messages were named */
		ctx->error =
			ret < 0 ? imap_mail_error_text(cmd->pool, dest)
				: pool_printf(cmd->pool,
					      "[TRYCREATE] Mailbox doesn't "
					      "exist: %s",
					      ctx->dest_name);
		return;
	}
	if (seq_range_set_is_empty(uids))
		return;
	if (mailbox_copy(src, uids, dest, ctx->move, cmd->pool, &result) < 0) {
		ctx->error = imap_mail_dest_error_text(cmd->pool, src);
		return;
	}
	if (!seq_range_set_is_empty(&result.src_uids))
		ctx->copyuid = imap_copy_uid_text(cmd->pool, &result);
}

static void imap_copy_work(struct imap_command *cmd)
{
	struct imap_copy_ctx *ctx = cmd->context;
	struct imap_client *client = cmd->client;
	struct seq_range_set uids;
	struct mailbox *dest;

	seq_range_set_init(&uids, cmd->pool);
	if (imap_seqset_to_uids(mailbox_get_uids(client->box), &ctx->seqset,
				cmd->uid, &client->search_saved, &uids,
				&ctx->bad) < 0)
		return;
	dest = mailbox_alloc(client->user, ctx->dest_name,
			     MAILBOX_FLAG_SAVE_ONLY, &client->log);
	imap_copy_to(cmd, ctx, &uids, dest);
	mailbox_free(&dest);
}

static void imap_copy_done(struct imap_command *cmd)
{
	struct imap_copy_ctx *ctx = cmd->context;

	if (ctx->bad != NULL) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, ctx->bad);
	} else if (ctx->error != NULL) {
		imap_command_no(cmd, ctx->error);
	} else if (ctx->copyuid == NULL) {
		imap_command_ok(cmd, ctx->move ? "No messages moved."
					       : "No messages copied.");
	} else if (ctx->move) {
		/* RFC 6851 §4.3: COPYUID comes before the expunges, which
		   the sync ending the command sends */
		imap_client_send_line(cmd->client,
				      "* OK [COPYUID %s] Moved UIDs.",
				      ctx->copyuid);
		imap_command_ok(cmd, "Move completed.");
	} else {
		imap_command_okf(cmd, "[COPYUID %s] Copy completed.",
				 ctx->copyuid);
	}
}

void imap_copy_run(struct imap_command *cmd, bool move)
{
	struct imap_copy_ctx *ctx = p_new(cmd->pool, struct imap_copy_ctx, 1);
	const char *set, *name, *error;

	if (!imap_arg_get_atom(&cmd->args[0], &set) ||
	    !imap_arg_get_astring(&cmd->args[1], &name) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2]) ||
	    imap_seqset_parse(cmd->pool, set, &ctx->seqset, &error) < 0) {
		imap_command_badf(cmd,
				  "Error in IMAP command %s: "
				  "Invalid arguments.",
				  cmd->name);
		return;
	}
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, name,
					  &ctx->dest_name, &error) < 0) {
		imap_command_no(cmd, error);
		return;
	}
	if (move && cmd->client->box_readonly) {
		imap_command_no(cmd, "Mailbox is read-only.");
		return;
	}
	ctx->move = move;
	cmd->context = ctx;
	imap_command_run_work(cmd, imap_copy_work, imap_copy_done);
}
