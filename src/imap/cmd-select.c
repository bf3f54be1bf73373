#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-sync.h"
#include "imap-util.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

struct imap_select_ctx {
	const char *name;
	bool readonly;
	bool condstore;
	/* QRESYNC (RFC 7162 §3.2.5) */
	bool qresync;
	uint32_t qresync_uidvalidity;
	uint64_t qresync_modseq;
	struct seq_range_set qresync_uids;
	bool have_qresync_uids;

	struct mailbox *box;
	struct mailbox_status status;
	bool closed_old;
	const char *error;
	/* VANISHED (EARLIER) and FETCH lines of a QRESYNC resync */
	string_t *resync;
};

static int imap_select_parse_qresync(struct imap_command *cmd,
				     struct imap_select_ctx *ctx,
				     const struct imap_arg *arg)
{
	const struct imap_arg *params;
	unsigned int count;
	const char *str;

	if (!imap_arg_get_list(arg, &params, &count) || count < 2 ||
	    count > 4 || !imap_arg_get_atom(&params[0], &str) ||
	    str_to_uint32(str, &ctx->qresync_uidvalidity) < 0 ||
	    !imap_arg_get_atom(&params[1], &str) ||
	    str_to_uint64(str, &ctx->qresync_modseq) < 0)
		return -1;
	seq_range_set_init(&ctx->qresync_uids, cmd->pool);
	if (count >= 3) {
		/* the optional seq-match-data (4th) only narrows VANISHED;
		   sending the full answer is allowed */
		if (!imap_arg_get_atom(&params[2], &str) ||
		    seq_range_set_parse(&ctx->qresync_uids, str) < 0)
			return -1;
		ctx->have_qresync_uids = true;
	}
	ctx->qresync = true;
	return 0;
}

/* (CONDSTORE) or (QRESYNC (...)) */
static int imap_select_parse_params(struct imap_command *cmd,
				    struct imap_select_ctx *ctx,
				    const struct imap_arg *args)
{
	const struct imap_arg *params;
	unsigned int count;

	if (IMAP_ARG_IS_EOL(args))
		return 0;
	if (!imap_arg_get_list(args, &params, &count) ||
	    !IMAP_ARG_IS_EOL(&args[1]))
		return -1;
	for (unsigned int i = 0; i < count; i++) {
		if (imap_arg_atom_equals(&params[i], "CONDSTORE")) {
			ctx->condstore = true;
		} else if (imap_arg_atom_equals(&params[i], "QRESYNC") &&
			   i + 1 < count &&
			   (cmd->client->enabled & IMAP_ENABLED_QRESYNC) != 0) {
			if (imap_select_parse_qresync(cmd, ctx, &params[++i]) <
			    0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* QRESYNC: what changed since the client's modseq, as VANISHED (EARLIER)
   and FETCH lines. On the thread pool. */
static int imap_select_resync(struct imap_command *cmd,
			      struct imap_select_ctx *ctx)
{
	struct seq_range_set vanished, changed;
	struct mail_fetch_ctx *fetch;
	struct mail *mail;
	int ret;

	if (ctx->status.uidvalidity != ctx->qresync_uidvalidity)
		return 0;
	ctx->resync = str_new(1024, SIZE_MAX);
	if (mailbox_get_vanished_since(
		    ctx->box, ctx->qresync_modseq,
		    ctx->have_qresync_uids ? &ctx->qresync_uids : NULL,
		    cmd->pool, &vanished) < 0 ||
	    mailbox_get_changed_since(ctx->box, ctx->qresync_modseq, cmd->pool,
				      &changed) < 0)
		return -1;
	if (!seq_range_set_is_empty(&vanished)) {
		str_append(ctx->resync, "* VANISHED (EARLIER) ");
		(void)seq_range_set_write(&vanished, ctx->resync);
		str_append(ctx->resync, "\r\n");
	}
	fetch = mailbox_fetch_init(ctx->box, &changed,
				   MAIL_FETCH_FLAGS | MAIL_FETCH_MODSEQ);
	while ((ret = mailbox_fetch_next(fetch, &mail)) > 0) {
		imap_sync_append_fetch_flags(
			cmd->client, ctx->resync, mail_get_seq(mail),
			mail_get_uid(mail), mail_get_flags(mail),
			mail_get_keywords(mail), mail_get_modseq(mail));
	}
	if (mailbox_fetch_deinit(&fetch) < 0)
		ret = -1;
	return ret;
}

#define IMAP_SELECT_STATUS                                                \
	(STATUS_MESSAGES | STATUS_RECENT | STATUS_UIDNEXT |               \
	 STATUS_UIDVALIDITY | STATUS_FIRST_UNSEEN_SEQ | STATUS_KEYWORDS | \
	 STATUS_HIGHESTMODSEQ | STATUS_MAILBOXID)

static void imap_select_work(struct imap_command *cmd)
{
	struct imap_select_ctx *ctx = cmd->context;
	struct imap_client *client = cmd->client;
	enum mailbox_flags flags = 0;

	if (client->box != NULL) {
		imap_client_close_mailbox(client);
		ctx->closed_old = true;
	}
	if (ctx->readonly)
		flags |= MAILBOX_FLAG_READONLY;
	if (imap_client_is_rev2(client))
		flags |= MAILBOX_FLAG_NO_RECENT;
	ctx->box = mailbox_alloc(client->user, ctx->name, flags, &client->log);
	if (mailbox_open(ctx->box) < 0 ||
	    mailbox_get_status(ctx->box, IMAP_SELECT_STATUS, &ctx->status) <
		    0 ||
	    (ctx->qresync && imap_select_resync(cmd, ctx) < 0)) {
		ctx->error = imap_mail_error_text(cmd->pool, ctx->box);
		mailbox_free(&ctx->box);
	}
}

static void imap_select_send_status(struct imap_command *cmd,
				    struct imap_select_ctx *ctx)
{
	struct imap_client *client = cmd->client;
	const struct mailbox_status *status = &ctx->status;
	string_t *str = str_new(512, SIZE_MAX);

	imap_sync_send_flags(client, status->keywords,
			     status->allow_new_keywords, ctx->readonly);
	str_printfa(str, "* %u EXISTS\r\n", status->messages);
	if (!imap_client_is_rev2(client)) {
		str_printfa(str, "* %u RECENT\r\n", status->recent);
		if (status->first_unseen_seq != 0)
			str_printfa(str, "* OK [UNSEEN %u] First unseen.\r\n",
				    status->first_unseen_seq);
	}
	str_printfa(str, "* OK [UIDVALIDITY %u] UIDs valid.\r\n",
		    status->uidvalidity);
	str_printfa(str, "* OK [UIDNEXT %u] Predicted next UID.\r\n",
		    status->uidnext);
	if (imap_sync_want_modseq(client))
		str_printfa(str, "* OK [HIGHESTMODSEQ %llu] Highest.\r\n",
			    (unsigned long long)status->highest_modseq);
	str_printfa(str, "* OK [MAILBOXID (%s)] Ok.\r\n", status->mailbox_id);
	if (imap_client_is_rev2(client)) {
		/* RFC 9051 §6.3.2: the LIST response with the name */
		str_append(str, "* LIST () \"/\" ");
		imap_mailbox_name_write(client, str, ctx->name);
		str_append(str, "\r\n");
	}
	if (ctx->resync != NULL)
		str_append_n(str, ctx->resync->data, ctx->resync->used);
	imap_client_send_str(client, str);
	str_free(&str);
}

static void imap_select_done(struct imap_command *cmd)
{
	struct imap_select_ctx *ctx = cmd->context;
	struct imap_client *client = cmd->client;

	if (ctx->closed_old) {
		/* RFC 9051 §6.3.2, RFC 7162 §3.2.11 */
		imap_client_send_line(client, "* OK [CLOSED] Previous "
					      "mailbox closed.");
		client->state = IMAP_CLIENT_STATE_AUTH;
	}
	if (ctx->box == NULL) {
		if (ctx->resync != NULL)
			str_free(&ctx->resync);
		imap_command_no(cmd, ctx->error);
		return;
	}
	client->box = ctx->box;
	client->box_readonly = ctx->readonly;
	client->state = IMAP_CLIENT_STATE_SELECTED;
	client->highest_modseq = ctx->status.highest_modseq;
	if (ctx->condstore)
		client->condstore_used = true;
	imap_select_send_status(cmd, ctx);
	if (ctx->resync != NULL)
		str_free(&ctx->resync);
	imap_command_okf(cmd, "[%s] %s completed.",
			 ctx->readonly ? "READ-ONLY" : "READ-WRITE", cmd->name);
}

static void imap_select(struct imap_command *cmd, bool readonly)
{
	struct imap_select_ctx *ctx =
		p_new(cmd->pool, struct imap_select_ctx, 1);
	const char *name, *error;

	ctx->readonly = readonly;
	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    imap_select_parse_params(cmd, ctx, &cmd->args[1]) < 0) {
		imap_command_badf(cmd, "Invalid %s arguments.", cmd->name);
		return;
	}
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, name,
					  &ctx->name, &error) < 0) {
		imap_command_no(cmd, error);
		return;
	}
	cmd->context = ctx;
	imap_command_run_work(cmd, imap_select_work, imap_select_done);
}

void imap_cmd_select(struct imap_command *cmd)
{
	imap_select(cmd, false);
}

void imap_cmd_examine(struct imap_command *cmd)
{
	imap_select(cmd, true);
}
