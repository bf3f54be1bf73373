#include "imap-client.h"
#include "imap-commands.h"
#include "imap-condstore.h"
#include "imap-search.h"
#include "imap-util.h"
#include "pool.h"
#include "str.h"

struct imap_search_cmd {
	struct imap_search_query query;
	/* SEARCHRES's saved result as the command began */
	struct seq_range_set saved;
	struct mail_search_result result;
	string_t *out;
	const char *error;
};

static void imap_search_cmd_work(struct imap_command *cmd)
{
	struct imap_search_cmd *ctx = cmd->context;
	struct mailbox *box = cmd->client->box;
	const struct seq_range_set *view = mailbox_get_uids(box);

	imap_search_resolve_seqsets(cmd->pool, &ctx->query, view, &ctx->saved);
	if (mailbox_search(box, ctx->query.keys, cmd->pool, &ctx->result) < 0) {
		ctx->error = imap_mail_error_text(cmd->pool, box);
		return;
	}
	ctx->out = str_new(1024, SIZE_MAX);
	imap_search_write_result(ctx->out, &ctx->query, cmd->tag, cmd->uid,
				 view, &ctx->result);
}

/* RFC 5182 §2.4: RETURN (SAVE) replaces the saved result, with the empty
   set when the search failed (NO or BAD). */
static void imap_search_cmd_save(struct imap_command *cmd,
				 struct imap_search_cmd *ctx)
{
	struct seq_range_set *saved = &cmd->client->search_saved;

	if ((ctx->query.ret & IMAP_SEARCH_RETURN_SAVE) == 0)
		return;
	seq_range_set_clear(saved);
	if (ctx->error == NULL && ctx->out != NULL)
		imap_search_saved_result(&ctx->query, &ctx->result.uids, saved);
}

static void imap_search_cmd_done(struct imap_command *cmd)
{
	struct imap_search_cmd *ctx = cmd->context;

	imap_search_cmd_save(cmd, ctx);
	if (ctx->error != NULL) {
		imap_command_no(cmd, ctx->error);
		return;
	}
	imap_client_send_str(cmd->client, ctx->out);
	str_free(&ctx->out);
	imap_command_ok(cmd, "Search completed.");
}

void imap_cmd_search(struct imap_command *cmd)
{
	struct imap_search_cmd *ctx =
		p_new(cmd->pool, struct imap_search_cmd, 1);
	const char *error;

	switch (imap_search_parse(cmd->pool, cmd->args,
				  imap_client_is_rev2(cmd->client), &ctx->query,
				  &error)) {
	case IMAP_SEARCH_PARSE_OK:
		break;
	case IMAP_SEARCH_PARSE_BAD:
		imap_search_cmd_save(cmd, ctx);
		imap_command_badf(cmd, "Error in IMAP command %s: %s.",
				  cmd->name, error);
		return;
	case IMAP_SEARCH_PARSE_BADCHARSET:
		imap_search_cmd_save(cmd, ctx);
		imap_command_no(cmd, "[BADCHARSET " IMAP_SEARCH_BADCHARSET_LIST
				     "] Unknown charset.");
		return;
	}
	if (ctx->query.has_modseq)
		imap_condstore_use(cmd);
	seq_range_set_init(&ctx->saved, cmd->pool);
	seq_range_set_copy(&ctx->saved, &cmd->client->search_saved);
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_search_cmd_work,
				    imap_search_cmd_done);
}
