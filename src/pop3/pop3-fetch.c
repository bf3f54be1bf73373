#include "pop3-commands.h"
#include "pool.h"
#include "pop3-parse.h"
#include "pop3-settings.h"
#include "pop3-stuff.h"
#include "pop3-uidl.h"

#include <inttypes.h>
#include <string.h>

/* Message bytes rendered per thread-pool job: a RETR of any size is sent
   in pieces, each written once the previous one has gone out. */
#define POP3_FETCH_CHUNK (64 * 1024)
/* Messages per job of an UIDL listing. */
#define POP3_UIDL_BATCH 512

/* ---- RETR and TOP ---- */

struct pop3_fetch_ctx {
	uint32_t index;
	bool top;
	struct pop3_stuff stuff;
	/* the message bytes, mapped until the last piece is rendered */
	struct mail_data data;
	bool have_data;
	size_t offset;
	/* the rendered piece, written on the loop thread */
	buffer_t out;
	bool replied, finished, expunged;
	/* a storage failure before anything was sent */
	const char *error_code, *error_text;
};

/* Renders the next piece of the message into ctx->out. */
static void pop3_fetch_render(struct pop3_fetch_ctx *ctx)
{
	size_t n = MIN(POP3_FETCH_CHUNK, ctx->data.size - ctx->offset);

	ctx->offset += pop3_stuff_chunk(
		&ctx->stuff, ctx->data.data + ctx->offset, n, &ctx->out);
	if (ctx->stuff.done || ctx->offset == ctx->data.size) {
		pop3_stuff_finish(&ctx->stuff, &ctx->out);
		mail_data_release(&ctx->data);
		ctx->have_data = false;
		ctx->finished = true;
	}
}

static void pop3_fetch_render_work(struct pop3_client *client)
{
	pop3_fetch_render(client->cmd_ctx);
}

/* Maps the message, or notes why not. */
static void pop3_fetch_open(struct pop3_client *client,
			    struct pop3_fetch_ctx *ctx)
{
	struct seq_range_set uids;
	struct mail_fetch_ctx *fetch;
	struct mail *mail;
	enum mail_error error;
	int ret;

	seq_range_set_init(&uids, client->cmd_pool);
	seq_range_set_add(&uids, client->messages[ctx->index].uid);
	fetch = mailbox_fetch_init(client->box, &uids, MAIL_FETCH_DATA);
	ret = mailbox_fetch_next(fetch, &mail);
	if (ret > 0 && mail_get_data(mail, &ctx->data) == 0)
		ctx->have_data = true;
	if (mailbox_fetch_deinit(&fetch) < 0 && ret >= 0)
		ret = -1;
	if (ctx->have_data)
		return;
	error = MAIL_ERROR_EXPUNGED;
	if (ret != 0)
		ctx->error_text = pool_strdup(
			client->cmd_pool,
			mailbox_get_last_error(client->box, &error));
	ctx->expunged = error == MAIL_ERROR_EXPUNGED;
	ctx->error_code = pop3_mail_error_code(error);
}

static void pop3_fetch_open_work(struct pop3_client *client)
{
	struct pop3_fetch_ctx *ctx = client->cmd_ctx;

	pop3_fetch_open(client, ctx);
	if (ctx->have_data)
		pop3_fetch_render(ctx);
}

static void pop3_fetch_done(struct pop3_client *client);

static void pop3_fetch_continue(struct pop3_client *client)
{
	if (pop3_client_output_full(client)) {
		pop3_client_wait_output(client, pop3_fetch_continue);
		return;
	}
	pop3_client_run_work(client, pop3_fetch_render_work, pop3_fetch_done);
}

/* The first reply: +OK, or why the message can't be sent. Returns false
   if the command ended. */
static bool pop3_fetch_reply(struct pop3_client *client,
			     struct pop3_fetch_ctx *ctx)
{
	uint32_t msgnum = ctx->index + 1;

	if (ctx->expunged) {
		pop3_client_errf(client, "Message %" PRIu32 " expunged.",
				 msgnum);
		/* a client asking for it again and again is let go */
		if (client->last_expunged_msgnum >= msgnum)
			pop3_client_disconnect(client, "RETR of an expunged "
						       "message in a loop");
		client->last_expunged_msgnum = msgnum;
	} else if (ctx->error_text != NULL) {
		pop3_client_errf(client, "[%s] %s", ctx->error_code,
				 ctx->error_text);
	} else if (ctx->top) {
		pop3_client_ok(client, NULL);
		return true;
	} else {
		/* RFC 1939 §11: the size before byte-stuffing */
		pop3_client_okf(client, "%" PRIu64 " octets",
				client->messages[ctx->index].size);
		return true;
	}
	pop3_client_command_end(client);
	return false;
}

static void pop3_fetch_done(struct pop3_client *client)
{
	struct pop3_fetch_ctx *ctx = client->cmd_ctx;

	if (client->disconnected) {
		pop3_client_command_end(client);
		return;
	}
	if (!ctx->replied) {
		ctx->replied = true;
		if (!pop3_fetch_reply(client, ctx))
			return;
	}
	conn_write(client->conn, ctx->out.data, ctx->out.used);
	buffer_clear(&ctx->out);
	if (!ctx->finished) {
		pop3_fetch_continue(client);
		return;
	}
	if (ctx->top) {
		client->top_count++;
	} else {
		client->messages[ctx->index].seen = true;
		client->retr_count++;
		client->retr_bytes += client->messages[ctx->index].size;
	}
	pop3_client_command_end(client);
}

static void pop3_fetch_deinit(struct pop3_client *client)
{
	struct pop3_fetch_ctx *ctx = client->cmd_ctx;

	/* Only when the peer left mid-message; an unmap doesn't wait for the
	   disk, so it may run on the loop thread. */
	if (ctx->have_data)
		mail_data_release(&ctx->data);
	buffer_deinit(&ctx->out);
}

static void pop3_fetch_start(struct pop3_client *client,
			     const struct pop3_message *msg, bool top,
			     uint64_t lines)
{
	struct pop3_fetch_ctx *ctx =
		p_new(client->cmd_pool, struct pop3_fetch_ctx, 1);

	ctx->index = (uint32_t)(msg - client->messages);
	ctx->top = top;
	if (top)
		pop3_stuff_init_top(&ctx->stuff, lines);
	else
		pop3_stuff_init(&ctx->stuff);
	buffer_init(&ctx->out, 2 * POP3_FETCH_CHUNK + 16);
	pop3_client_command_begin(client);
	client->cmd_ctx = ctx;
	client->cmd_deinit = pop3_fetch_deinit;
	pop3_client_run_work(client, pop3_fetch_open_work, pop3_fetch_done);
}

void pop3_cmd_retr(struct pop3_client *client, const char *args)
{
	const struct pop3_message *msg = pop3_command_get_message(client, args);

	if (msg != NULL)
		pop3_fetch_start(client, msg, false, 0);
}

void pop3_cmd_top(struct pop3_client *client, const char *args)
{
	const struct pop3_message *msg;
	const char *error;
	uint32_t msgnum;
	uint64_t lines;

	if ((error = pop3_parse_top_args(args, &msgnum, &lines)) != NULL) {
		pop3_client_err(client, error);
		return;
	}
	if ((msg = pop3_command_lookup(client, msgnum)) != NULL)
		pop3_fetch_start(client, msg, true, lines);
}

/* ---- UIDL ---- */

struct pop3_uidl_ctx {
	/* the messages [next, end) are listed next */
	uint32_t next, end;
	/* UIDL without an argument: a multi-line listing */
	bool all;
	bool replied;
	/* "n uidl" lines of the batch */
	string_t *out;
	/* UIDL n: the message was expunged meanwhile */
	bool missing;
	const char *error;
};

/* The messages of the batch that are in the maildrop, as UIDs. */
static void pop3_uidl_batch_uids(struct pop3_client *client,
				 const struct pop3_uidl_ctx *ctx,
				 uint32_t batch_end, struct seq_range_set *uids)
{
	seq_range_set_init(uids, client->cmd_pool);
	for (uint32_t i = ctx->next; i < batch_end; i++) {
		if (!client->messages[i].deleted)
			seq_range_set_add(uids, client->messages[i].uid);
	}
}

/* Appends "n uidl" for mail, the message at or after *index. */
static int pop3_uidl_append_mail(struct pop3_client *client,
				 struct pop3_uidl_ctx *ctx, struct mail *mail,
				 uint32_t *index)
{
	struct mail_pop3_uidl uidl;
	uint32_t uid = mail_get_uid(mail);
	enum mail_error error;

	while (*index < ctx->end && client->messages[*index].uid != uid)
		(*index)++;
	/* fetch gives the asked UIDs in ascending order, as the snapshot */
	i_assert(*index < ctx->end);
	if (mail_get_pop3_uidl(mail, &uidl) < 0) {
		(void)mailbox_get_last_error(client->box, &error);
		return error == MAIL_ERROR_EXPUNGED ? 0 : -1;
	}
	if (uidl.uidvalidity == 0)
		uidl.uidvalidity = client->uidvalidity;
	str_printfa(ctx->out, "%" PRIu32 " ", *index + 1);
	pop3_uidl_append(ctx->out, pop3_set->uidl_format, &uidl);
	str_append(ctx->out, "\r\n");
	return 0;
}

static void pop3_uidl_work(struct pop3_client *client)
{
	struct pop3_uidl_ctx *ctx = client->cmd_ctx;
	uint32_t batch_end = MIN(ctx->end, ctx->next + POP3_UIDL_BATCH);
	uint32_t index = ctx->next;
	struct seq_range_set uids;
	struct mail_fetch_ctx *fetch;
	struct mail *mail;
	int ret;

	pop3_uidl_batch_uids(client, ctx, batch_end, &uids);
	fetch = mailbox_fetch_init(client->box, &uids, MAIL_FETCH_POP3_UIDL);
	while ((ret = mailbox_fetch_next(fetch, &mail)) > 0) {
		if (pop3_uidl_append_mail(client, ctx, mail, &index) < 0) {
			ret = -1;
			break;
		}
	}
	if (mailbox_fetch_deinit(&fetch) < 0 || ret < 0) {
		ctx->error =
			pool_strdup(client->cmd_pool,
				    mailbox_get_last_error(client->box, NULL));
	}
	ctx->missing = str_len(ctx->out) == 0;
	ctx->next = batch_end;
}

static void pop3_uidl_done(struct pop3_client *client);

static void pop3_uidl_continue(struct pop3_client *client)
{
	if (pop3_client_output_full(client)) {
		pop3_client_wait_output(client, pop3_uidl_continue);
		return;
	}
	pop3_client_run_work(client, pop3_uidl_work, pop3_uidl_done);
}

/* UIDL n: "+OK n uidl" on one line. */
static void pop3_uidl_one_done(struct pop3_client *client,
			       struct pop3_uidl_ctx *ctx)
{
	if (ctx->error != NULL) {
		pop3_client_errf(client, "[SYS/TEMP] %s", ctx->error);
	} else if (ctx->missing) {
		pop3_client_errf(client, "Message %" PRIu32 " expunged.",
				 ctx->end);
	} else {
		/* without the CRLF of the listing line */
		str_truncate(ctx->out, str_len(ctx->out) - 2);
		pop3_client_ok(client, str_c(ctx->out));
	}
	pop3_client_command_end(client);
}

static void pop3_uidl_done(struct pop3_client *client)
{
	struct pop3_uidl_ctx *ctx = client->cmd_ctx;

	if (!ctx->all) {
		pop3_uidl_one_done(client, ctx);
		return;
	}
	if (ctx->error != NULL) {
		/* A listing cut short would look like fewer messages: the
		   client had better see the connection fail. */
		log_msg(LOG_LEVEL_ERROR, &client->log, "UIDL failed: %s",
			ctx->error);
		if (!ctx->replied)
			pop3_client_errf(client, "[SYS/TEMP] %s", ctx->error);
		pop3_client_disconnect(client, "UIDL failed");
		pop3_client_command_end(client);
		return;
	}
	if (!ctx->replied) {
		ctx->replied = true;
		pop3_client_ok(client, NULL);
	}
	conn_write(client->conn, str_c(ctx->out), str_len(ctx->out));
	str_truncate(ctx->out, 0);
	if (ctx->next < ctx->end && !client->disconnected) {
		pop3_uidl_continue(client);
		return;
	}
	pop3_client_send_line(client, ".");
	pop3_client_command_end(client);
}

static void pop3_uidl_deinit(struct pop3_client *client)
{
	struct pop3_uidl_ctx *ctx = client->cmd_ctx;

	str_free(&ctx->out);
}

void pop3_cmd_uidl(struct pop3_client *client, const char *args)
{
	const struct pop3_message *msg = NULL;
	struct pop3_uidl_ctx *ctx;

	if (args[strspn(args, " ")] != '\0') {
		msg = pop3_command_get_message(client, args);
		if (msg == NULL)
			return;
	}
	ctx = p_new(client->cmd_pool, struct pop3_uidl_ctx, 1);
	ctx->all = msg == NULL;
	ctx->next = ctx->all ? 0 : (uint32_t)(msg - client->messages);
	ctx->end = ctx->all ? client->messages_count : ctx->next + 1;
	ctx->out = str_new(POP3_UIDL_BATCH * 32, POP3_UIDL_BATCH * 96);
	pop3_client_command_begin(client);
	client->cmd_ctx = ctx;
	client->cmd_deinit = pop3_uidl_deinit;
	pop3_client_run_work(client, pop3_uidl_work, pop3_uidl_done);
}
