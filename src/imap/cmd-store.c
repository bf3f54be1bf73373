#include "imap-client.h"
#include "imap-commands.h"
#include "imap-condstore.h"
#include "imap-seqset.h"
#include "imap-sync.h"
#include "imap-util.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

/* RFC 7162 §7: mod-sequence-valzer is at most 2^63-1. */
#define IMAP_STORE_MODSEQ_MAX INT64_MAX

struct imap_store_cmd {
	struct imap_seqset seqset;
	struct mail_flag_update update;
	bool silent;
	bool want_modseq;
	struct mailbox_update_result result;
	string_t *out;
	/* [MODIFIED set] (RFC 7162 §3.1.3), NULL if none */
	const char *modified;
	const char *bad;
	const char *error;
};

/* FETCH responses for the messages the STORE changed: FLAGS, and MODSEQ
   under CONDSTORE. With .SILENT only MODSEQ, which RFC 7162 §3.1.3 wants
   sent even then. */
static void imap_store_cmd_write(struct imap_command *cmd,
				 struct imap_store_cmd *ctx)
{
	const struct mailbox_update_result *result = &ctx->result;

	for (unsigned int i = 0; i < result->messages_count; i++) {
		const struct mail_flag_result *msg = &result->messages[i];

		if (!msg->changed)
			continue;
		if (!ctx->silent) {
			imap_sync_append_fetch_flags(
				cmd->client, ctx->out, msg->seq, msg->uid,
				msg->flags, msg->keywords, msg->modseq);
		} else if (ctx->want_modseq) {
			str_append(ctx->out, "* ");
			str_append_uint(ctx->out, msg->seq);
			str_append(ctx->out, " FETCH (");
			if (cmd->uid) {
				str_append(ctx->out, "UID ");
				str_append_uint(ctx->out, msg->uid);
				str_append_c(ctx->out, ' ');
			}
			str_append(ctx->out, "MODSEQ (");
			str_append_uint(ctx->out, msg->modseq);
			str_append(ctx->out, "))\r\n");
		}
	}
}

/* MODIFIED lists UIDs for UID STORE, sequence numbers for STORE. */
static void imap_store_cmd_modified(struct imap_command *cmd,
				    struct imap_store_cmd *ctx,
				    const struct seq_range_set *view)
{
	const struct seq_range_set *uids = &ctx->result.modified_uids;
	struct seq_range_set seqs;
	string_t *str;

	if (seq_range_set_is_empty(uids))
		return;
	str = str_new(128, SIZE_MAX);
	if (cmd->uid) {
		(void)seq_range_set_write(uids, str);
	} else {
		seq_range_set_init(&seqs, cmd->pool);
		imap_seqset_uids_to_seqs(view, uids, &seqs);
		(void)seq_range_set_write(&seqs, str);
	}
	ctx->modified = pool_strdup(cmd->pool, str_c(str));
	str_free(&str);
}

static void imap_store_cmd_work(struct imap_command *cmd)
{
	struct imap_store_cmd *ctx = cmd->context;
	struct mailbox *box = cmd->client->box;
	const struct seq_range_set *view = mailbox_get_uids(box);
	struct seq_range_set uids;

	seq_range_set_init(&uids, cmd->pool);
	if (imap_seqset_to_uids(view, &ctx->seqset, cmd->uid,
				&cmd->client->search_saved, &uids,
				&ctx->bad) < 0)
		return;
	if (seq_range_set_is_empty(&uids))
		return;
	if (mailbox_update_flags(box, &uids, &ctx->update, cmd->pool,
				 &ctx->result) < 0) {
		ctx->error = imap_mail_error_text(cmd->pool, box);
		return;
	}
	ctx->out = str_new(1024, SIZE_MAX);
	imap_store_cmd_write(cmd, ctx);
	imap_store_cmd_modified(cmd, ctx, view);
}

static void imap_store_cmd_done(struct imap_command *cmd)
{
	struct imap_store_cmd *ctx = cmd->context;

	if (ctx->bad != NULL) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, ctx->bad);
		return;
	}
	if (ctx->error != NULL) {
		imap_command_no(cmd, ctx->error);
		return;
	}
	if (ctx->out != NULL) {
		imap_client_send_str(cmd->client, ctx->out);
		str_free(&ctx->out);
	}
	if (ctx->modified != NULL) {
		imap_command_okf(cmd, "[MODIFIED %s] Conditional STORE failed.",
				 ctx->modified);
	} else if (ctx->result.some_expunged && !cmd->uid) {
		/* RFC 2180 §4.2.1 */
		imap_command_no(cmd, "[EXPUNGEISSUED] Some of the messages "
				     "no longer exist.");
	} else {
		imap_command_ok(cmd, "Store completed.");
	}
}

/* (UNCHANGEDSINCE modseq) (RFC 7162 §3.1.3). Returns the next argument,
   or NULL on error. */
static const struct imap_arg *
imap_store_parse_modifiers(const struct imap_arg *args,
			   struct mail_flag_update *update)
{
	const struct imap_arg *list;
	const char *str;

	if (!imap_arg_get_list(args, &list, NULL))
		return args;
	if (!imap_arg_atom_equals(&list[0], "UNCHANGEDSINCE") ||
	    !imap_arg_get_atom(&list[1], &str) ||
	    str_to_uint64(str, &update->unchanged_since) < 0 ||
	    update->unchanged_since > IMAP_STORE_MODSEQ_MAX ||
	    !IMAP_ARG_IS_EOL(&list[2]))
		return NULL;
	update->use_unchanged_since = true;
	return args + 1;
}

/* [+|-]FLAGS[.SILENT]. Returns 0, or -1. */
static int imap_store_parse_item(const char *item, struct imap_store_cmd *ctx)
{
	ctx->update.modify = MAIL_MODIFY_REPLACE;
	if (*item == '+' || *item == '-') {
		ctx->update.modify =
			*item == '+' ? MAIL_MODIFY_ADD : MAIL_MODIFY_REMOVE;
		item++;
	}
	if (!str_begins_icase(item, "FLAGS"))
		return -1;
	item += 5;
	ctx->silent = str_eq_icase(item, ".SILENT");
	return ctx->silent || *item == '\0' ? 0 : -1;
}

/* seqset [(UNCHANGEDSINCE n)] item (flags) | flag...  Returns 0, or -1
   with *error_r. */
static int imap_store_parse(struct imap_command *cmd,
			    struct imap_store_cmd *ctx, const char **error_r)
{
	const struct imap_arg *args = cmd->args, *flags;
	const char *str;

	if (!imap_arg_get_atom(&args[0], &str) ||
	    imap_seqset_parse(cmd->pool, str, &ctx->seqset, error_r) < 0) {
		*error_r = "Invalid sequence set.";
		return -1;
	}
	args = imap_store_parse_modifiers(args + 1, &ctx->update);
	if (args == NULL || !imap_arg_get_atom(&args[0], &str) ||
	    imap_store_parse_item(str, ctx) < 0) {
		*error_r = "Invalid arguments.";
		return -1;
	}
	if (IMAP_ARG_IS_EOL(&args[1])) {
		*error_r = "Missing flags.";
		return -1;
	}
	if (imap_arg_get_list(&args[1], &flags, NULL)) {
		if (!IMAP_ARG_IS_EOL(&args[2])) {
			*error_r = "Invalid arguments.";
			return -1;
		}
	} else {
		flags = &args[1];
	}
	return imap_parse_flags(flags, cmd->pool, &ctx->update.flags,
				&ctx->update.keywords, error_r);
}

void imap_cmd_store(struct imap_command *cmd)
{
	struct imap_store_cmd *ctx = p_new(cmd->pool, struct imap_store_cmd, 1);
	const char *error;

	if (imap_store_parse(cmd, ctx, &error) < 0) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s",
				  cmd->name, error);
		return;
	}
	if (cmd->client->box_readonly) {
		imap_command_no(cmd, "Mailbox is read-only.");
		return;
	}
	if (ctx->update.use_unchanged_since)
		imap_condstore_use(cmd);
	ctx->want_modseq = imap_sync_want_modseq(cmd->client);
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_store_cmd_work,
				    imap_store_cmd_done);
}
