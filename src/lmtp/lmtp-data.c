#include "lmtp-client.h"
#include "lmtp-headers.h"
#include "lmtp-settings.h"
#include "lmtp-transaction.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* The message of DATA or BDAT streams through two buffers: the loop thread
   decodes input into fill while a thread-pool job writes flush into every
   recipient's save, so that reading the network and writing the disk
   overlap and memory stays at two chunks whatever the message size. When
   both are busy, input pauses. The last job finishes the saves and
   commits them (one job per recipient when there are several, so that
   their fsyncs are shared by the storage's group commit); then each
   recipient gets its reply, in RCPT order (RFC 2033 §4.2). */

#define LMTP_DATA_CHUNK_SIZE (64 * 1024)

/* ---- replies after the message ---- */

static void lmtp_data_error_reply(enum mail_error error, unsigned int *code_r,
				  enum lmtp_esc *esc_r)
{
	switch (error) {
	case MAIL_ERROR_NONE:
		*code_r = 250;
		*esc_r = LMTP_ESC_OTHER;
		return;
	case MAIL_ERROR_NOQUOTA:
		*code_r = lmtp_set->quota_full_tempfail ? 452 : 552;
		*esc_r = LMTP_ESC_MAILBOX_FULL;
		return;
	case MAIL_ERROR_LIMIT:
		*code_r = 552;
		*esc_r = LMTP_ESC_TOO_BIG;
		return;
	case MAIL_ERROR_TEMP:
	case MAIL_ERROR_NOTPOSSIBLE:
	case MAIL_ERROR_PARAMS:
	case MAIL_ERROR_PERM:
	case MAIL_ERROR_NOTFOUND:
	case MAIL_ERROR_EXISTS:
	case MAIL_ERROR_EXPUNGED:
	case MAIL_ERROR_INUSE:
	case MAIL_ERROR_INVALIDDATA:
		*code_r = 451;
		*esc_r = LMTP_ESC_SYSTEM_OTHER;
		return;
	}
	i_unreached();
}

static void lmtp_data_reply_rcpt(struct lmtp_client *client,
				 struct lmtp_recipient *rcpt)
{
	const struct lmtp_delivery_result *result = &rcpt->result;
	unsigned int code;
	enum lmtp_esc esc;

	lmtp_data_error_reply(result->error, &code, &esc);
	if (result->error == MAIL_ERROR_NONE) {
		log_msg(LOG_LEVEL_INFO, &client->log,
			"<%s>: saved mail to %s (uid %u, %llu bytes)",
			rcpt->address_str, result->mailbox, result->uid,
			(unsigned long long)result->size);
		lmtp_client_reply(client, code, esc, "<%s> %s Saved",
				  rcpt->address_str, client->session_id);
		return;
	}
	log_msg(LOG_LEVEL_INFO, &client->log, "<%s>: delivery failed (%s): %s",
		rcpt->address_str, lmtp_delivery_error_name(result->error),
		result->error_text);
	lmtp_client_reply(client, code, esc, "<%s> %s", rcpt->address_str,
			  result->error_text);
}

/* The end of a message: with committed, every recipient's result is
   logged and answered (a write to a peer that went away meanwhile is
   dropped: the relay will deliver again, RFC 5321 §6.1). */
static void lmtp_data_finish(struct lmtp_client *client, bool committed)
{
	struct lmtp_transaction *trans = client->trans;

	for (unsigned int i = 0; committed && i < trans->rcpts_count; i++)
		lmtp_data_reply_rcpt(client, trans->rcpts[i]);
	lmtp_client_reset(client);
	lmtp_client_command_done(client);
}

/* ---- committing ---- */

/* Thread pool: the end of one recipient's copy. */
static void lmtp_data_commit_rcpt(struct lmtp_recipient *rcpt, bool too_big)
{
	struct lmtp_transaction *trans = rcpt->trans;

	if (too_big) {
		lmtp_delivery_fail(rcpt->delivery, MAIL_ERROR_LIMIT,
				   "Message too big");
	} else if (lmtp_quota_has_limits(&rcpt->quota) &&
		   lmtp_quota_exceeded(&rcpt->quota, trans->size)) {
		lmtp_delivery_fail(rcpt->delivery, MAIL_ERROR_NOQUOTA,
				   "Mailbox is full");
	}
	(void)lmtp_delivery_commit(&rcpt->delivery, &rcpt->result);
	lmtp_delivery_user_unref(&rcpt->user);
}

static void lmtp_data_commit_work_cb(uv_work_t *work)
{
	struct lmtp_recipient *rcpt =
		CONTAINER_OF(work, struct lmtp_recipient, work);

	lmtp_data_commit_rcpt(rcpt, rcpt->trans->too_big);
}

static void lmtp_data_commit_done(uv_work_t *work, int status)
{
	struct lmtp_recipient *rcpt =
		CONTAINER_OF(work, struct lmtp_recipient, work);
	struct lmtp_client *client = work->data;

	if (--rcpt->trans->pending_commits == 0)
		lmtp_data_finish(client, true);
	lmtp_client_job_done(client);
}

static void lmtp_data_commit_all(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;

	trans->pending_commits = trans->rcpts_count;
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		struct lmtp_recipient *rcpt = trans->rcpts[i];

		rcpt->work.data = client;
		lmtp_client_queue_job(client, &rcpt->work,
				      lmtp_data_commit_work_cb,
				      lmtp_data_commit_done);
	}
}

/* ---- writing ---- */

static void lmtp_data_begin_deliveries(struct lmtp_client *client,
				       struct lmtp_transaction *trans)
{
	trans->deliveries_begun = true;
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		struct lmtp_recipient *rcpt = trans->rcpts[i];
		struct lmtp_delivery_params params = {
			.user = rcpt->user,
			.mailbox = rcpt->mailbox,
			.header = rcpt->header,
			.header_size = rcpt->header_size,
			.size_hint = trans->params.size,
			.log_ctx = &client->log,
		};

		rcpt->delivery = lmtp_delivery_begin(&params);
	}
}

static void lmtp_data_flush_work_cb(uv_work_t *work)
{
	struct lmtp_client *client = work->data;
	struct lmtp_transaction *trans =
		CONTAINER_OF(work, struct lmtp_transaction, flush_work);
	buffer_t *flush = trans->flush;

	if (!trans->deliveries_begun)
		lmtp_data_begin_deliveries(client, trans);
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		lmtp_delivery_write(trans->rcpts[i]->delivery, flush->data,
				    flush->used);
	}
	buffer_clear(flush);
	if (trans->flush_final && trans->rcpts_count == 1)
		lmtp_data_commit_rcpt(trans->rcpts[0], trans->too_big);
}

static void lmtp_data_try_flush(struct lmtp_client *client);

static void lmtp_data_flush_done(uv_work_t *work, int status)
{
	struct lmtp_client *client = work->data;
	struct lmtp_transaction *trans =
		CONTAINER_OF(work, struct lmtp_transaction, flush_work);

	trans->flushing = false;
	if (trans->orphaned) {
		/* RSET (or a new LHLO) came while this chunk was written */
		lmtp_transaction_free(lmtp_env->loop, &trans);
	} else if (trans->flush_final) {
		if (trans->rcpts_count == 1)
			lmtp_data_finish(client, true);
		else
			lmtp_data_commit_all(client);
	} else if (conn_is_closing(client->conn)) {
		/* the end was read, but the peer is gone: no replies */
		if (trans->data_end)
			lmtp_data_finish(client, false);
	} else {
		if (client->data_paused) {
			client->data_paused = false;
			conn_input_resume(client->conn);
		}
		lmtp_data_try_flush(client);
	}
	lmtp_client_job_done(client);
}

/* Starts a write job if none runs and there is a chunk (or the end). */
static void lmtp_data_try_flush(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;
	buffer_t *tmp;

	if (trans->flushing || trans->flush_final)
		return;
	if (!trans->data_end && trans->fill->used < LMTP_DATA_CHUNK_SIZE)
		return;
	tmp = trans->flush;
	trans->flush = trans->fill;
	trans->fill = tmp;
	trans->flush_final = trans->data_end;
	trans->flushing = true;
	trans->flush_work.data = client;
	lmtp_client_queue_job(client, &trans->flush_work,
			      lmtp_data_flush_work_cb, lmtp_data_flush_done);
}

/* ---- input ---- */

static void lmtp_data_prepare(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;
	string_t *str = str_new(512, SIZE_MAX);
	struct lmtp_headers_params params = {
		.return_path = trans->from_str,
		.helo = client->helo,
		.remote_ip = conn_get_remote_ip(client->conn),
		.hostname = lmtp_env->hostname,
		.session_id = client->session_id,
		.tls = conn_is_tls(client->conn),
		.now = time(NULL),
	};

	trans->received = params.now;
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		struct lmtp_recipient *rcpt = trans->rcpts[i];

		str_truncate(str, 0);
		params.delivered_to = rcpt->address_str;
		lmtp_headers_append(str, &params);
		rcpt->header = pool_strdup(trans->pool, str_c(str));
		rcpt->header_size = str_len(str);
	}
	str_free(&str);
	/* + 2: a held-back CR and buffer_set_used()'s NUL */
	trans->fill = buffer_create(LMTP_DATA_CHUNK_SIZE + 2,
				    LMTP_DATA_CHUNK_SIZE + 2);
	trans->flush = buffer_create(LMTP_DATA_CHUNK_SIZE + 2,
				     LMTP_DATA_CHUNK_SIZE + 2);
}

/* Counts n more bytes of message in fill; past the limit they are
   dropped and the message will be refused. */
static void lmtp_data_account(struct lmtp_client *client, size_t n)
{
	struct lmtp_transaction *trans = client->trans;
	uint64_t max_size = lmtp_client_max_message_size();

	trans->size += n;
	if (max_size != 0 && trans->size > max_size && !trans->too_big) {
		trans->too_big = true;
		log_msg(LOG_LEVEL_INFO, &client->log,
			"Message over the size limit (%llu bytes)",
			(unsigned long long)max_size);
	}
	if (trans->too_big)
		buffer_set_used(trans->fill, trans->fill->used - n);
}

/* The end of the message: reply when the last job is done. Pipelined
   commands wait meanwhile. */
static void lmtp_data_end(struct lmtp_client *client)
{
	client->input_mode = LMTP_INPUT_COMMAND;
	client->trans->data_end = true;
	lmtp_client_command_async(client);
	lmtp_data_try_flush(client);
}

/* Room in fill, or a pause until the write job frees a buffer. */
static size_t lmtp_data_fill_space(struct lmtp_client *client)
{
	buffer_t *fill = client->trans->fill;

	if (fill->used < LMTP_DATA_CHUNK_SIZE)
		return LMTP_DATA_CHUNK_SIZE - fill->used;
	lmtp_data_try_flush(client);
	if (fill != client->trans->fill)
		return LMTP_DATA_CHUNK_SIZE; /* swapped */
	client->data_paused = true;
	conn_input_pause(client->conn);
	return 0;
}

void lmtp_data_begin(struct lmtp_client *client)
{
	lmtp_data_prepare(client);
	client->input_mode = LMTP_INPUT_DATA;
}

void lmtp_data_input(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;
	size_t space = lmtp_data_fill_space(client), consumed, out_size;
	const unsigned char *data;
	size_t size;

	if (space == 0)
		return;
	if (conn_read_data(client->conn, space, &data, &size) != CONN_READ_OK)
		return;
	/* one byte more: a held-back CR may come out first */
	consumed = lmtp_dot_decode(&trans->dot, data, size,
				   trans->fill->data + trans->fill->used,
				   &out_size);
	if (consumed < size)
		conn_input_unread(client->conn, size - consumed);
	buffer_set_used(trans->fill, trans->fill->used + out_size);
	lmtp_data_account(client, out_size);
	if (lmtp_dot_decoder_is_end(&trans->dot))
		lmtp_data_end(client);
	else
		(void)lmtp_data_fill_space(client);
}

/* ---- BDAT (RFC 3030) ---- */

static void lmtp_bdat_chunk_end(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;

	client->input_mode = LMTP_INPUT_COMMAND;
	if (client->bdat_discard) {
		client->bdat_discard = false;
		lmtp_client_reply(client, client->bdat_error_code,
				  client->bdat_error_esc, "%s",
				  client->bdat_error_text);
		return;
	}
	if (trans->too_big && !client->bdat_last) {
		trans->chunking_failed = true;
		lmtp_client_reply(client, 552, LMTP_ESC_TOO_BIG,
				  "Message too big");
		return;
	}
	if (client->bdat_last) {
		lmtp_data_end(client);
		return;
	}
	lmtp_client_reply(client, 250, LMTP_ESC_OTHER, "%llu octets received",
			  (unsigned long long)client->bdat_size);
}

void lmtp_bdat_begin(struct lmtp_client *client, uint64_t size, bool last)
{
	struct lmtp_transaction *trans = client->trans;

	if (!trans->chunking) {
		trans->chunking = true;
		lmtp_data_prepare(client);
	}
	client->input_mode = LMTP_INPUT_BDAT;
	client->bdat_remaining = size;
	client->bdat_size = size;
	client->bdat_last = last;
	if (size == 0)
		lmtp_bdat_chunk_end(client);
}

void lmtp_bdat_begin_discard(struct lmtp_client *client, uint64_t size,
			     unsigned int code, enum lmtp_esc esc,
			     const char *text)
{
	client->input_mode = LMTP_INPUT_BDAT;
	client->bdat_discard = true;
	client->bdat_remaining = size;
	client->bdat_size = size;
	client->bdat_last = false;
	client->bdat_error_code = code;
	client->bdat_error_esc = esc;
	client->bdat_error_text = text;
	if (size == 0)
		lmtp_bdat_chunk_end(client);
}

void lmtp_bdat_input(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;
	size_t max = client->bdat_remaining > LMTP_DATA_CHUNK_SIZE
			     ? LMTP_DATA_CHUNK_SIZE
			     : (size_t)client->bdat_remaining;
	const unsigned char *data;
	size_t size;

	if (!client->bdat_discard) {
		size_t space = lmtp_data_fill_space(client);

		if (space == 0)
			return;
		max = MIN(max, space);
	}
	if (conn_read_data(client->conn, max, &data, &size) != CONN_READ_OK)
		return;
	client->bdat_remaining -= size;
	if (!client->bdat_discard) {
		if (buffer_append(trans->fill, data, size) < 0)
			i_unreached();
		lmtp_data_account(client, size);
	}
	if (client->bdat_remaining == 0)
		lmtp_bdat_chunk_end(client);
	else if (!client->bdat_discard)
		(void)lmtp_data_fill_space(client);
}

void lmtp_data_abort(struct lmtp_client *client)
{
	if (client->input_mode != LMTP_INPUT_COMMAND && client->trans != NULL &&
	    !client->bdat_discard) {
		log_msg(LOG_LEVEL_INFO, &client->log,
			"Connection lost in the middle of a message "
			"(%llu bytes): nothing delivered",
			(unsigned long long)client->trans->size);
	}
}
