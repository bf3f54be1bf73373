#include "imap-sync.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-util.h"
#include "pool.h"

struct imap_sync_ctx {
	unsigned int flags;
	imap_client_sync_callback_t *done;
	/* synced in the command's last work already: only send the result */
	bool ready;
	struct mailbox_sync_result result;
	struct mailbox_status status;
	int ret;
};

bool imap_sync_want_modseq(const struct imap_client *client)
{
	return (client->enabled & IMAP_ENABLED_CONDSTORE) != 0 ||
	       client->condstore_used;
}

void imap_sync_send_flags(struct imap_client *client,
			  const char *const *keywords, bool allow_new_keywords,
			  bool readonly)
{
	string_t *str = str_new(256, SIZE_MAX);

	str_append(str, "* FLAGS ");
	imap_write_flag_names(str, keywords, false);
	str_append(str, "\r\n* OK [PERMANENTFLAGS ");
	if (readonly)
		str_append(str, "()");
	else
		imap_write_flag_names(str, keywords, allow_new_keywords);
	str_append(str, "] Flags permitted.\r\n");
	imap_client_send_str(client, str);
	str_free(&str);
}

void imap_sync_append_fetch_flags(struct imap_client *client, string_t *dest,
				  uint32_t seq, uint32_t uid,
				  enum mail_flags flags,
				  const char *const *keywords, uint64_t modseq)
{
	str_append(dest, "* ");
	str_append_uint(dest, seq);
	str_append(dest, " FETCH (UID ");
	str_append_uint(dest, uid);
	str_append(dest, " FLAGS ");
	imap_write_flags(dest, flags, keywords);
	if (imap_sync_want_modseq(client)) {
		str_append(dest, " MODSEQ (");
		str_append_uint(dest, modseq);
		str_append_c(dest, ')');
	}
	str_append(dest, ")\r\n");
}

static void imap_sync_work(struct imap_command *cmd)
{
	struct imap_sync_ctx *ctx = cmd->sync_ctx_;
	struct mailbox *box = cmd->client->box;

	ctx->ret = mailbox_sync(box, ctx->flags, cmd->pool, &ctx->result);
	if (ctx->ret == 0 && ctx->result.keywords_changed &&
	    mailbox_get_status(box, STATUS_KEYWORDS, &ctx->status) < 0)
		ctx->result.keywords_changed = false;
}

static void imap_sync_append_expunges(struct imap_client *client,
				      const struct mailbox_sync_result *result,
				      string_t *out)
{
	if (result->expunges_count == 0)
		return;
	if ((client->enabled & IMAP_ENABLED_QRESYNC) != 0) {
		/* RFC 7162 §3.2.10 */
		str_append(out, "* VANISHED ");
		(void)seq_range_set_write(&result->expunged_uids, out);
		str_append(out, "\r\n");
		return;
	}
	for (unsigned int i = 0; i < result->expunges_count; i++)
		str_printfa(out, "* %u EXPUNGE\r\n", result->expunges[i].seq);
}

static void imap_sync_send(struct imap_command *cmd, struct imap_sync_ctx *ctx)
{
	struct imap_client *client = cmd->client;
	const struct mailbox_sync_result *result = &ctx->result;
	string_t *out = str_new(256, SIZE_MAX);

	imap_sync_append_expunges(client, result, out);
	if (result->keywords_changed) {
		imap_client_send_str(client, out);
		str_truncate(out, 0);
		imap_sync_send_flags(client, ctx->status.keywords,
				     ctx->status.allow_new_keywords,
				     client->box_readonly);
	}
	if (result->messages_changed)
		str_printfa(out, "* %u EXISTS\r\n", result->messages);
	if (result->recent_changed && !imap_client_is_rev2(client))
		str_printfa(out, "* %u RECENT\r\n", result->recent);
	for (unsigned int i = 0; i < result->changes_count; i++) {
		const struct mailbox_sync_change *change = &result->changes[i];

		imap_sync_append_fetch_flags(client, out, change->seq,
					     change->uid, change->flags,
					     change->keywords, change->modseq);
	}
	imap_client_send_str(client, out);
	str_free(&out);
	client->highest_modseq = result->highest_modseq;
}

static void imap_sync_done(struct imap_command *cmd)
{
	struct imap_sync_ctx *ctx = cmd->sync_ctx_;
	struct imap_client *client = cmd->client;

	cmd->sync_ctx_ = NULL;
	if (ctx->ret < 0) {
		log_msg(LOG_LEVEL_WARNING, &client->log,
			"Mailbox sync failed: %s",
			mailbox_get_last_error(client->box, NULL));
	} else if (ctx->result.mailbox_lost) {
		imap_client_send_line(client, "* BYE Mailbox was deleted or "
					      "replaced.");
		imap_client_disconnect(client, "Selected mailbox lost");
	} else if (!imap_command_is_aborted(cmd)) {
		imap_sync_send(cmd, ctx);
	}
	ctx->done(cmd);
}

void imap_client_sync_in_work(struct imap_command *cmd, unsigned int flags)
{
	struct imap_sync_ctx *ctx;

	if (cmd->client->box == NULL)
		return;
	ctx = p_new(cmd->pool, struct imap_sync_ctx, 1);
	ctx->flags = flags;
	cmd->sync_ctx_ = ctx;
	imap_sync_work(cmd);
	ctx->ready = true;
}

bool imap_client_sync_is_pending(const struct imap_command *cmd)
{
	const struct imap_sync_ctx *ctx = cmd->sync_ctx_;

	return ctx != NULL && ctx->ready;
}

void imap_client_sync(struct imap_command *cmd, unsigned int flags,
		      imap_client_sync_callback_t *done)
{
	struct imap_sync_ctx *ctx = cmd->sync_ctx_;

	if (ctx != NULL && ctx->ready) {
		/* imap_command_run_final_work() synced already */
		ctx->done = done;
		imap_sync_done(cmd);
		return;
	}
	if (cmd->client->box == NULL) {
		done(cmd);
		return;
	}
	ctx = p_new(cmd->pool, struct imap_sync_ctx, 1);
	ctx->flags = flags;
	ctx->done = done;
	cmd->sync_ctx_ = ctx;
	imap_command_run_work(cmd, imap_sync_work, imap_sync_done);
}
