#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-settings.h"
#include "imap-util.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* Bytes of a message collected before they go to storage on the thread
   pool: memory per APPEND stays at this, whatever the message size. */
#define IMAP_APPEND_CHUNK_SIZE (256 * 1024)

struct imap_append_ctx {
	const char *name;
	struct mailbox *box;
	struct mailbox_transaction *trans;
	struct mail_save *save;
	struct mail_save_params params;
	unsigned char *chunk;
	size_t chunk_used;
	bool last_chunk;
	int ret;
	const char *error;
	bool dest_error;
	struct mail_transaction_commit_result result;
};

static void imap_append_read(struct imap_command *cmd);
static void imap_append_next(struct imap_command *cmd,
			     enum imap_command_literal_next next);

static uint64_t imap_append_max_size(void)
{
	uint64_t max = imap_set->max_append_size;
	uint64_t storage_max =
		imap_env->storage_set == NULL
			? 0
			: imap_env->storage_set->max_message_size;

	return storage_max != 0 && storage_max < max ? storage_max : max;
}

/* On the thread pool: records the error and drops the transaction. */
static void imap_append_fail(struct imap_command *cmd,
			     struct imap_append_ctx *ctx)
{
	enum mail_error error;

	ctx->ret = -1;
	(void)mailbox_get_last_error(ctx->box, &error);
	ctx->dest_error = error == MAIL_ERROR_NOTFOUND;
	ctx->error =
		ctx->dest_error
			? pool_printf(cmd->pool, "[TRYCREATE] %s",
				      mailbox_get_last_error(ctx->box, NULL))
			: imap_mail_error_text(cmd->pool, ctx->box);
	if (ctx->save != NULL)
		mailbox_save_abort(&ctx->save);
	if (ctx->trans != NULL)
		mailbox_transaction_rollback(&ctx->trans);
	mailbox_free(&ctx->box);
}

static void imap_append_abort_work(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	if (ctx->box != NULL) {
		if (ctx->save != NULL)
			mailbox_save_abort(&ctx->save);
		if (ctx->trans != NULL)
			mailbox_transaction_rollback(&ctx->trans);
		mailbox_free(&ctx->box);
	}
}

static void imap_append_abort_done(struct imap_command *cmd)
{
	imap_command_free(cmd);
}

static void imap_append_refuse_done(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	imap_command_literal_refuse(cmd, ctx->error);
}

/* Drops what was saved so far (MULTIAPPEND is all or nothing), then
   refuses the literal that follows with NO text. */
static void imap_append_refuse(struct imap_command *cmd, const char *text)
{
	struct imap_append_ctx *ctx = cmd->context;

	ctx->error = text;
	if (ctx->box == NULL) {
		imap_command_literal_refuse(cmd, text);
		return;
	}
	imap_command_run_work(cmd, imap_append_abort_work,
			      imap_append_refuse_done);
}

static void imap_append_bad_done(struct imap_command *cmd)
{
	imap_command_bad(cmd, "Invalid APPEND arguments.");
}

/* The session went away in the middle of a literal. */
static void imap_append_abort(struct imap_command *cmd)
{
	imap_command_run_work(cmd, imap_append_abort_work,
			      imap_append_abort_done);
}

/* On the thread pool: starts saving the message (and the transaction,
   at the first one). Returns 0, or -1 after imap_append_fail(). */
static int imap_append_begin(struct imap_command *cmd,
			     struct imap_append_ctx *ctx)
{
	if (ctx->box == NULL) {
		ctx->box = mailbox_alloc(cmd->client->user, ctx->name,
					 MAILBOX_FLAG_SAVE_ONLY,
					 &cmd->client->log);
		ctx->trans = mailbox_transaction_begin(ctx->box);
	}
	if (mailbox_save_begin(ctx->trans, &ctx->params, &ctx->save) < 0) {
		imap_append_fail(cmd, ctx);
		return -1;
	}
	return 0;
}

static void imap_append_begin_work(struct imap_command *cmd)
{
	(void)imap_append_begin(cmd, cmd->context);
}

/* On the thread pool: the collected chunk goes to storage, and the
   message is finished after its last one. A non-synchronizing literal's
   save begins here, with its first chunk: nothing can be refused before
   its bytes arrive anyway, and that saves a thread-pool round trip.
   Returns 0, or -1 after imap_append_fail(). */
static int imap_append_write(struct imap_command *cmd,
			     struct imap_append_ctx *ctx)
{
	if (ctx->ret < 0)
		return -1;
	if (ctx->save == NULL && imap_append_begin(cmd, ctx) < 0)
		return -1;
	if (mailbox_save_write(ctx->save, ctx->chunk, ctx->chunk_used) < 0 ||
	    (ctx->last_chunk && mailbox_save_finish(&ctx->save) < 0)) {
		imap_append_fail(cmd, ctx);
		return -1;
	}
	ctx->chunk_used = 0;
	return 0;
}

static void imap_append_begin_done(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	if (ctx->ret < 0) {
		imap_command_literal_refuse(cmd, ctx->error);
		return;
	}
	imap_command_read_literal(cmd, imap_append_read);
}

static void imap_append_write_work(struct imap_command *cmd)
{
	(void)imap_append_write(cmd, cmd->context);
}

static void imap_append_write_done(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	if (ctx->ret < 0) {
		imap_command_literal_refuse(cmd, ctx->error);
		return;
	}
	imap_command_read_literal(cmd, imap_append_read);
}

/* Collects literal bytes; a full chunk goes to storage. The last piece
   waits until what follows the literal is parsed: at the end of the
   command it is written in the commit's own job (imap_append_next()). */
static void imap_append_read(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;
	const unsigned char *data;
	uint64_t left;
	size_t size;

	do {
		left = imap_command_literal_data(
			cmd, IMAP_APPEND_CHUNK_SIZE - ctx->chunk_used, &data,
			&size);
		if (size == 0)
			break;
		memcpy(ctx->chunk + ctx->chunk_used, data, size);
		ctx->chunk_used += size;
	} while (size > 0 && left > 0 &&
		 ctx->chunk_used < IMAP_APPEND_CHUNK_SIZE);
	if (left > 0 && ctx->chunk_used < IMAP_APPEND_CHUNK_SIZE)
		return; /* wait for more input */
	imap_command_literal_pause(cmd);
	if (left == 0) {
		ctx->last_chunk = true;
		imap_command_literal_end(cmd, imap_append_next);
		return;
	}
	imap_command_run_work(cmd, imap_append_write_work,
			      imap_append_write_done);
}

/* [(flags)] [date-time] before a message's literal. Returns 0, or -1 with
   *error_r for a BAD. */
static int imap_append_parse_message(struct imap_command *cmd,
				     const struct imap_arg *args,
				     struct mail_save_params *params,
				     const char **error_r)
{
	const struct imap_arg *list;
	const char *date;

	memset(params, 0, sizeof(*params));
	if (imap_arg_get_list(args, &list, NULL)) {
		if (imap_parse_flags(list, cmd->pool, &params->flags,
				     &params->keywords, error_r) < 0)
			return -1;
		args++;
	}
	if (imap_arg_get_string(args, &date)) {
		if (!imap_parse_datetime(date, &params->received_date,
					 &params->received_tz_offset)) {
			*error_r = "Invalid date-time.";
			return -1;
		}
		args++;
	}
	/* RFC 6855 §4: UTF8 (~{n}), the parser left the atom */
	if (imap_arg_atom_equals(args, "UTF8") && imap_client_utf8(cmd->client))
		args++;
	if (!IMAP_ARG_IS_EOL(args)) {
		*error_r = "Invalid APPEND arguments.";
		return -1;
	}
	return 0;
}

/* Arguments before a literal are parsed: check the message and start
   saving it. */
static void imap_append_message(struct imap_command *cmd,
				const struct imap_arg *args)
{
	struct imap_append_ctx *ctx = cmd->context;
	struct imap_command_literal lit;
	const char *error;

	imap_command_get_literal(cmd, &lit);
	if (!lit.present) {
		if (ctx->box == NULL)
			imap_command_bad(cmd, "Invalid APPEND arguments.");
		else
			imap_command_run_work(cmd, imap_append_abort_work,
					      imap_append_bad_done);
		return;
	}
	if (imap_append_parse_message(cmd, args, &ctx->params, &error) < 0) {
		/* the client may already be sending a non-sync literal */
		imap_append_refuse(cmd, error);
		return;
	}
	if (lit.size > imap_append_max_size()) {
		/* RFC 7889 §4: refused before a sync literal is sent */
		imap_append_refuse(cmd, "[TOOBIG] Message too large.");
		return;
	}
	if (lit.size == 0) {
		imap_append_refuse(cmd, "Empty message.");
		return;
	}
	ctx->params.size_hint = lit.size;
	ctx->last_chunk = false;
	if (!lit.sync) {
		/* the save begins with the first chunk's write */
		imap_command_read_literal(cmd, imap_append_read);
		return;
	}
	/* RFC 7888 §5: a mailbox that doesn't exist is refused before the
	   client sends the literal */
	imap_command_run_work(cmd, imap_append_begin_work,
			      imap_append_begin_done);
}

/* The last message's last chunk, then the commit: one job. */
static void imap_append_commit_work(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	if (imap_append_write(cmd, ctx) < 0)
		return;
	if (mailbox_transaction_commit(&ctx->trans, cmd->pool, &ctx->result) <
	    0)
		imap_append_fail(cmd, ctx);
	else
		mailbox_free(&ctx->box);
}

/* MULTIAPPEND (RFC 3502): the message before the next one is finished
   first. */
static void imap_append_finish_work(struct imap_command *cmd)
{
	(void)imap_append_write(cmd, cmd->context);
}

static void imap_append_finish_done(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;

	if (ctx->ret < 0) {
		/* nothing of a failed MULTIAPPEND is kept */
		imap_command_literal_refuse(cmd, ctx->error);
		return;
	}
	imap_append_message(cmd, cmd->args);
}

static void imap_append_commit_done(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx = cmd->context;
	string_t *uids;

	if (ctx->ret < 0) {
		imap_command_no(cmd, ctx->error);
		return;
	}
	/* RFC 4315 APPENDUID */
	uids = str_new(64, SIZE_MAX);
	(void)seq_range_set_write(&ctx->result.saved_uids, uids);
	imap_command_okf(cmd, "[APPENDUID %u %s] Append completed.",
			 ctx->result.uidvalidity, str_c(uids));
	str_free(&uids);
}

static void imap_append_parse_error_done(struct imap_command *cmd)
{
	imap_command_parse_error(cmd);
}

/* After a message: the command ends, another message follows
   (MULTIAPPEND, RFC 3502), or the rest doesn't parse. */
static void imap_append_next(struct imap_command *cmd,
			     enum imap_command_literal_next next)
{
	switch (next) {
	case IMAP_COMMAND_LITERAL_NEXT_DONE:
		if (!IMAP_ARG_IS_EOL(cmd->args)) {
			imap_command_run_work(cmd, imap_append_abort_work,
					      imap_append_bad_done);
			return;
		}
		imap_command_run_final_work(cmd, imap_append_commit_work,
					    imap_append_commit_done);
		return;
	case IMAP_COMMAND_LITERAL_NEXT_LITERAL:
		imap_command_run_work(cmd, imap_append_finish_work,
				      imap_append_finish_done);
		return;
	case IMAP_COMMAND_LITERAL_NEXT_ERROR:
		/* nothing of a failed MULTIAPPEND is kept */
		imap_command_run_work(cmd, imap_append_abort_work,
				      imap_append_parse_error_done);
		return;
	}
	i_unreached();
}

void imap_cmd_append(struct imap_command *cmd)
{
	struct imap_append_ctx *ctx =
		p_new(cmd->pool, struct imap_append_ctx, 1);
	const char *name, *error;

	cmd->context = ctx;
	imap_command_set_abort(cmd, imap_append_abort);
	if (!imap_arg_get_astring(&cmd->args[0], &name)) {
		imap_command_bad(cmd, "Invalid APPEND arguments.");
		return;
	}
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, name,
					  &ctx->name, &error) < 0) {
		imap_command_literal_refuse(cmd, error);
		return;
	}
	ctx->chunk = pool_alloc(cmd->pool, IMAP_APPEND_CHUNK_SIZE);
	imap_append_message(cmd, &cmd->args[1]);
}
