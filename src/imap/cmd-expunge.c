#include "imap-client.h"
#include "imap-commands.h"
#include "imap-seqset.h"
#include "imap-util.h"
#include "pool.h"

struct imap_expunge_ctx {
	/* UID EXPUNGE (RFC 4315 §2.1): only these UIDs */
	struct imap_seqset seqset;
	bool have_seqset;
	const char *bad;
	const char *error;
};

static void imap_expunge_work(struct imap_command *cmd)
{
	struct imap_expunge_ctx *ctx = cmd->context;
	struct imap_client *client = cmd->client;
	struct seq_range_set uids;

	seq_range_set_init(&uids, cmd->pool);
	if (ctx->have_seqset &&
	    imap_seqset_to_uids(mailbox_get_uids(client->box), &ctx->seqset,
				true, &client->search_saved, &uids,
				&ctx->bad) < 0)
		return;
	if (ctx->have_seqset && seq_range_set_is_empty(&uids))
		return;
	if (mailbox_expunge(client->box, ctx->have_seqset ? &uids : NULL, true,
			    cmd->pool, NULL) < 0)
		ctx->error = imap_mail_error_text(cmd->pool, client->box);
}

static void imap_expunge_done(struct imap_command *cmd)
{
	struct imap_expunge_ctx *ctx = cmd->context;

	if (ctx->bad != NULL) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, ctx->bad);
	} else if (ctx->error != NULL) {
		imap_command_no(cmd, ctx->error);
	} else {
		/* the sync ending the command sends the EXPUNGE (or
		   VANISHED) responses */
		imap_command_ok(cmd, "Expunge completed.");
	}
}

void imap_cmd_expunge(struct imap_command *cmd)
{
	struct imap_expunge_ctx *ctx =
		p_new(cmd->pool, struct imap_expunge_ctx, 1);
	const char *set, *error;

	if (cmd->uid) {
		if (!imap_arg_get_atom(&cmd->args[0], &set) ||
		    !IMAP_ARG_IS_EOL(&cmd->args[1]) ||
		    imap_seqset_parse(cmd->pool, set, &ctx->seqset, &error) <
			    0) {
			imap_command_bad(cmd, "Error in IMAP command UID "
					      "EXPUNGE: Invalid arguments.");
			return;
		}
		ctx->have_seqset = true;
	} else if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		imap_command_bad(cmd, "EXPUNGE takes no arguments.");
		return;
	}
	if (cmd->client->box_readonly) {
		imap_command_no(cmd, "Mailbox is read-only.");
		return;
	}
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_expunge_work, imap_expunge_done);
}
