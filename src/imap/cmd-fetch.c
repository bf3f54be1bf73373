#include "imap-client.h"
#include "imap-commands.h"
#include "imap-condstore.h"
#include "imap-fetch.h"
#include "imap-seqset.h"
#include "imap-sync.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* Output produced per thread-pool job. With the conn's output limit this
   bounds a session's memory during a FETCH of any size. */
#define IMAP_FETCH_BATCH_SIZE (64 * 1024)

struct imap_fetch_cmd {
	struct imap_seqset seqset;
	struct imap_fetch_query query;
	enum imap_fetch_flags flags;
	struct imap_fetch_ctx *fetch;
	enum imap_fetch_result result;
	string_t *out;
	/* a BAD found on the thread pool (a sequence number past the end) */
	const char *bad;
	/* "OK ..." or "NO ..." */
	const char *reply;
};

/* CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4, §3.2.6). */
static int imap_fetch_cmd_modseq(struct imap_command *cmd,
				 struct imap_fetch_cmd *ctx,
				 struct seq_range_set *uids)
{
	struct mailbox *box = cmd->client->box;
	struct seq_range_set changed, known, vanished;

	if (ctx->query.vanished) {
		seq_range_set_init(&known, cmd->pool);
		imap_seqset_resolve_star(
			&ctx->seqset, seq_range_set_max(mailbox_get_uids(box)),
			&known);
		if (mailbox_get_vanished_since(box, ctx->query.changedsince,
					       &known, cmd->pool,
					       &vanished) < 0)
			return -1;
		if (!seq_range_set_is_empty(&vanished)) {
			str_append(ctx->out, "* VANISHED (EARLIER) ");
			(void)seq_range_set_write(&vanished, ctx->out);
			str_append(ctx->out, "\r\n");
		}
	}
	if (mailbox_get_changed_since(box, ctx->query.changedsince, cmd->pool,
				      &changed) < 0)
		return -1;
	seq_range_set_intersect(uids, &changed);
	return 0;
}

/* The last batch ends the command: its sync runs in the same job. */
static void imap_fetch_cmd_batch(struct imap_command *cmd,
				 struct imap_fetch_cmd *ctx)
{
	ctx->result =
		imap_fetch_more(ctx->fetch, ctx->out, IMAP_FETCH_BATCH_SIZE);
	if (ctx->result != IMAP_FETCH_MORE) {
		ctx->reply = imap_fetch_end(&ctx->fetch);
		imap_command_work_ends_command(cmd);
	}
}

static void imap_fetch_cmd_begin_work(struct imap_command *cmd)
{
	struct imap_fetch_cmd *ctx = cmd->context;
	struct mailbox *box = cmd->client->box;
	struct seq_range_set uids;

	seq_range_set_init(&uids, cmd->pool);
	if (imap_seqset_to_uids(mailbox_get_uids(box), &ctx->seqset, cmd->uid,
				&cmd->client->search_saved, &uids,
				&ctx->bad) < 0)
		return;
	if (ctx->query.changedsince_set &&
	    imap_fetch_cmd_modseq(cmd, ctx, &uids) < 0) {
		ctx->result = IMAP_FETCH_ERROR;
		ctx->reply = pool_printf(cmd->pool, "NO %s",
					 mailbox_get_last_error(box, NULL));
		return;
	}
	ctx->fetch = imap_fetch_begin(cmd->pool, box, &ctx->query, &uids,
				      ctx->flags);
	imap_fetch_cmd_batch(cmd, ctx);
}

static void imap_fetch_cmd_batch_work(struct imap_command *cmd)
{
	imap_fetch_cmd_batch(cmd, cmd->context);
}

static void imap_fetch_cmd_end_work(struct imap_command *cmd)
{
	struct imap_fetch_cmd *ctx = cmd->context;

	ctx->reply = imap_fetch_end(&ctx->fetch);
}

static void imap_fetch_cmd_reply(struct imap_command *cmd)
{
	struct imap_fetch_cmd *ctx = cmd->context;

	str_free(&ctx->out);
	if (strncmp(ctx->reply, "OK ", 3) == 0)
		imap_command_ok(cmd, ctx->reply + 3);
	else
		imap_command_no(cmd, ctx->reply + 3);
}

static void imap_fetch_cmd_batch_done(struct imap_command *cmd);

static void imap_fetch_cmd_continue(struct imap_command *cmd)
{
	if (imap_command_is_aborted(cmd)) {
		imap_command_run_work(cmd, imap_fetch_cmd_end_work,
				      imap_fetch_cmd_reply);
		return;
	}
	imap_command_run_work(cmd, imap_fetch_cmd_batch_work,
			      imap_fetch_cmd_batch_done);
}

static void imap_fetch_cmd_batch_done(struct imap_command *cmd)
{
	struct imap_fetch_cmd *ctx = cmd->context;

	if (ctx->bad != NULL) {
		str_free(&ctx->out);
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, ctx->bad);
		return;
	}
	imap_client_send_str(cmd->client, ctx->out);
	str_truncate(ctx->out, 0);
	if (ctx->fetch == NULL) {
		imap_fetch_cmd_reply(cmd);
		return;
	}
	/* stops producing while the client reads slowly, so that the
	   session holds at most the conn's output limit and one batch */
	imap_command_wait_output(cmd, imap_fetch_cmd_continue);
}

static enum imap_fetch_flags imap_fetch_cmd_flags(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;
	enum imap_fetch_flags flags = 0;

	if (cmd->uid)
		flags |= IMAP_FETCH_FLAG_UID;
	if (imap_sync_want_modseq(client))
		flags |= IMAP_FETCH_FLAG_CONDSTORE;
	if (imap_client_is_rev2(client))
		flags |= IMAP_FETCH_FLAG_IMAP4REV2;
	return flags;
}

void imap_cmd_fetch(struct imap_command *cmd)
{
	struct imap_fetch_cmd *ctx = p_new(cmd->pool, struct imap_fetch_cmd, 1);
	enum imap_fetch_parse_flags parse_flags = 0;
	const char *set, *error;

	if (cmd->uid)
		parse_flags |= IMAP_FETCH_PARSE_FLAG_UID;
	if ((cmd->client->enabled & IMAP_ENABLED_QRESYNC) != 0)
		parse_flags |= IMAP_FETCH_PARSE_FLAG_QRESYNC;
	if (!imap_arg_get_atom(&cmd->args[0], &set) ||
	    imap_seqset_parse(cmd->pool, set, &ctx->seqset, &error) < 0) {
		imap_command_badf(cmd,
				  "Error in IMAP command %s: "
				  "Invalid sequence set.",
				  cmd->name);
		return;
	}
	if (imap_fetch_query_parse(cmd->pool, &cmd->args[1], parse_flags,
				   &ctx->query, &error) < 0) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, error);
		return;
	}
	if (imap_fetch_query_uses_condstore(&ctx->query))
		imap_condstore_use(cmd);
	ctx->flags = imap_fetch_cmd_flags(cmd);
	ctx->out = str_new(IMAP_FETCH_BATCH_SIZE + 4096, SIZE_MAX);
	cmd->context = ctx;
	imap_command_run_work(cmd, imap_fetch_cmd_begin_work,
			      imap_fetch_cmd_batch_done);
}
