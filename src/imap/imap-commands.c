#include "imap-commands.h"
#include "imap-client.h"
#include "imap-parser.h"
#include "pool.h"
#include "config.h"
#include "postern/storage.h"
#include "str.h"
#include "strfuncs.h"

#include <stdio.h>
#include <string.h>

/* Bytes of a discarded literal or a streamed literal read per call. */
#define IMAP_LITERAL_READ_SIZE (64 * 1024)

#define STATE_ANY IMAP_CMD_FLAG_ANY_STATE
#define STATE_AUTH IMAP_CMD_FLAG_AUTHENTICATED
#define STATE_SEL IMAP_CMD_FLAG_SELECTED

/* RFC 9051 §6: which state each command may run in. */
static const struct imap_command_def imap_commands[] = {
	{ "CAPABILITY", imap_cmd_capability,
	  STATE_ANY | IMAP_CMD_FLAG_NO_SYNC },
	{ "ENABLE", imap_cmd_enable,
	  IMAP_CMD_FLAG_AUTH | IMAP_CMD_FLAG_NO_SYNC },
	{ "ID", imap_cmd_id, STATE_ANY },
	{ "LOGOUT", imap_cmd_logout, STATE_ANY | IMAP_CMD_FLAG_NO_SYNC },
	{ "NOOP", imap_cmd_noop, STATE_ANY | IMAP_CMD_FLAG_SYNC_FULL },
	{ "STARTTLS", imap_cmd_starttls,
	  IMAP_CMD_FLAG_NOT_AUTH | IMAP_CMD_FLAG_NO_SYNC },
	{ "AUTHENTICATE", imap_cmd_authenticate,
	  IMAP_CMD_FLAG_NOT_AUTH | IMAP_CMD_FLAG_NO_SYNC },
	{ "LOGIN", imap_cmd_login,
	  IMAP_CMD_FLAG_NOT_AUTH | IMAP_CMD_FLAG_NO_SYNC },
	{ "APPEND", imap_cmd_append,
	  STATE_AUTH | IMAP_CMD_FLAG_LITERAL_STREAM },
	{ "CHECK", imap_cmd_check, STATE_SEL | IMAP_CMD_FLAG_SYNC_FULL },
	{ "CLOSE", imap_cmd_close,
	  STATE_SEL | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_NO_SYNC },
	{ "CREATE", imap_cmd_create, STATE_AUTH },
	{ "DELETE", imap_cmd_delete, STATE_AUTH },
	{ "COPY", imap_cmd_copy,
	  STATE_SEL | IMAP_CMD_FLAG_USES_SEQS | IMAP_CMD_FLAG_UID },
	{ "EXPUNGE", imap_cmd_expunge,
	  STATE_SEL | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_UID },
	{ "FETCH", imap_cmd_fetch,
	  STATE_SEL | IMAP_CMD_FLAG_USES_SEQS | IMAP_CMD_FLAG_UID },
	/* RFC 6851 §3.3: MOVE reports its own expunges, also without UID */
	{ "MOVE", imap_cmd_move,
	  STATE_SEL | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_UID },
	{ "SEARCH", imap_cmd_search,
	  STATE_SEL | IMAP_CMD_FLAG_USES_SEQS | IMAP_CMD_FLAG_UID },
	{ "STORE", imap_cmd_store,
	  STATE_SEL | IMAP_CMD_FLAG_USES_SEQS | IMAP_CMD_FLAG_UID },
	{ "EXAMINE", imap_cmd_examine,
	  STATE_AUTH | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_NO_SYNC },
	{ "IDLE", imap_cmd_idle, STATE_AUTH | IMAP_CMD_FLAG_SYNC_FULL },
	{ "LIST", imap_cmd_list, STATE_AUTH },
	{ "LSUB", imap_cmd_lsub, STATE_AUTH },
	{ "NAMESPACE", imap_cmd_namespace, STATE_AUTH },
	{ "RENAME", imap_cmd_rename, STATE_AUTH },
	{ "SELECT", imap_cmd_select,
	  STATE_AUTH | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_NO_SYNC },
	{ "STATUS", imap_cmd_status, STATE_AUTH },
	{ "SUBSCRIBE", imap_cmd_subscribe, STATE_AUTH },
	{ "UNSELECT", imap_cmd_unselect,
	  STATE_SEL | IMAP_CMD_FLAG_BREAKS_SEQS | IMAP_CMD_FLAG_NO_SYNC },
	{ "UNSUBSCRIBE", imap_cmd_unsubscribe, STATE_AUTH },
};

const struct imap_command_def *imap_command_find(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_commands); i++) {
		if (str_eq_icase(imap_commands[i].name, name))
			return &imap_commands[i];
	}
	return NULL;
}

struct imap_command *imap_command_new(struct imap_client *client,
				      const char *tag,
				      const struct imap_command_def *def)
{
	struct pool *pool = pool_create("imap command", 1024);
	struct imap_command *cmd = p_new(pool, struct imap_command, 1);

	i_assert(client->cmd == NULL);
	cmd->client = client;
	cmd->pool = pool;
	cmd->tag = pool_strdup(pool, tag);
	cmd->def = def;
	cmd->name = def->name;
	client->cmd = cmd;
	return cmd;
}

void imap_command_free(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;
	struct pool *pool = cmd->pool;

	i_assert(client->cmd == cmd && !cmd->working_);
	client->cmd = NULL;
	pool_destroy(&pool);
	imap_client_command_ended(client);
}

/* ---- Work on the thread pool ---- */

static unsigned int imap_command_sync_flags(const struct imap_command *cmd);

static void imap_command_work_cb(struct work_req *req)
{
	struct imap_command *cmd =
		CONTAINER_OF(req, struct imap_command, work_req_);

	cmd->work_fn_(cmd);
	if (cmd->final_work_ && (cmd->def->flags & IMAP_CMD_FLAG_NO_SYNC) == 0)
		imap_client_sync_in_work(cmd, imap_command_sync_flags(cmd));
}

static void imap_command_after_work_cb(struct work_req *req)
{
	struct imap_command *cmd =
		CONTAINER_OF(req, struct imap_command, work_req_);
	struct conn *conn = cmd->client->conn;

	cmd->working_ = false;
	cmd->final_work_ = false;
	cmd->done_fn_(cmd);
	conn_unref(&conn);
}

static void imap_command_queue_work(struct imap_command *cmd,
				    imap_command_callback_t *work,
				    imap_command_callback_t *done, bool final)
{
	i_assert(!cmd->working_);
	/* a synced view's changes must be reported before more work */
	i_assert(!imap_client_sync_is_pending(cmd));
	imap_client_input_pause(cmd->client);
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	cmd->work_fn_ = work;
	cmd->done_fn_ = done;
	cmd->final_work_ = final;
	cmd->working_ = true;
	conn_ref(cmd->client->conn);
	work_pool_queue(&cmd->work_req_, imap_command_work_cb,
			imap_command_after_work_cb);
}

void imap_command_run_work(struct imap_command *cmd,
			   imap_command_callback_t *work,
			   imap_command_callback_t *done)
{
	imap_command_queue_work(cmd, work, done, false);
}

void imap_command_run_final_work(struct imap_command *cmd,
				 imap_command_callback_t *work,
				 imap_command_callback_t *done)
{
	imap_command_queue_work(cmd, work, done, true);
}

void imap_command_work_ends_command(struct imap_command *cmd)
{
	i_assert(cmd->working_);
	cmd->final_work_ = true;
}

bool imap_command_is_aborted(const struct imap_command *cmd)
{
	return cmd->client->disconnected || conn_is_closing(cmd->client->conn);
}

/* ---- Output ---- */

bool imap_command_output_full(const struct imap_command *cmd)
{
	return conn_output_full(cmd->client->conn);
}

void imap_command_wait_output(struct imap_command *cmd,
			      imap_command_callback_t *next)
{
	if (!conn_output_full(cmd->client->conn) ||
	    imap_command_is_aborted(cmd)) {
		next(cmd);
		return;
	}
	cmd->drained_fn_ = next;
}

/* ---- Ending a command ---- */

void imap_command_set_sync_flags(struct imap_command *cmd, unsigned int flags)
{
	cmd->sync_flags_ |= flags;
}

static void imap_command_send_tagline(struct imap_command *cmd)
{
	if (cmd->tagline_ != NULL)
		imap_client_send_line(cmd->client, "%s", cmd->tagline_);
	imap_command_free(cmd);
}

static unsigned int imap_command_sync_flags(const struct imap_command *cmd)
{
	unsigned int flags = cmd->sync_flags_;

	/* RFC 9051 §7.5.1: no EXPUNGE during FETCH, STORE or SEARCH, as the
	   client's sequence numbers must stay valid; the UID variants may. */
	if ((cmd->def->flags & IMAP_CMD_FLAG_USES_SEQS) != 0 && !cmd->uid)
		flags |= MAILBOX_SYNC_FLAG_NO_EXPUNGES;
	/* Other sessions' changes, in any process, are in the index; only
	   mail dropped in by other programs needs a look at the files. That
	   look is for NOOP, CHECK and IDLE (and the watch's wake-ups), as
	   clients poll with those: every other command syncs from the index
	   alone. */
	if ((cmd->def->flags & IMAP_CMD_FLAG_SYNC_FULL) == 0)
		flags |= MAILBOX_SYNC_FLAG_FAST;
	return flags;
}

void imap_command_finish(struct imap_command *cmd, const char *tagline)
{
	i_assert(!cmd->ending_ && !cmd->working_);
	cmd->ending_ = true;
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	imap_client_input_pause(cmd->client);
	cmd->tagline_ =
		tagline == NULL ? NULL : pool_strdup(cmd->pool, tagline);
	if (imap_client_sync_is_pending(cmd)) {
		imap_client_sync(cmd, 0, imap_command_send_tagline);
		return;
	}
	if ((cmd->def->flags & IMAP_CMD_FLAG_NO_SYNC) != 0 ||
	    cmd->client->box == NULL || imap_command_is_aborted(cmd)) {
		imap_command_send_tagline(cmd);
		return;
	}
	imap_client_sync(cmd, imap_command_sync_flags(cmd),
			 imap_command_send_tagline);
}

static void imap_command_reply(struct imap_command *cmd, const char *status,
			       const char *text)
{
	if (strcmp(status, "BAD") == 0)
		cmd->client->bad_count++;
	else
		cmd->client->bad_count = 0;
	imap_command_finish(cmd, pool_printf(cmd->pool, "%s %s %s", cmd->tag,
					     status, text));
}

void imap_command_ok(struct imap_command *cmd, const char *text)
{
	imap_command_reply(cmd, "OK", text);
}

void imap_command_no(struct imap_command *cmd, const char *text)
{
	imap_command_reply(cmd, "NO", text);
}

void imap_command_bad(struct imap_command *cmd, const char *text)
{
	/* A BAD command did nothing: no sync, whatever the table says. */
	cmd->client->bad_count++;
	cmd->ending_ = true;
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	cmd->tagline_ = pool_printf(cmd->pool, "%s BAD %s", cmd->tag, text);
	if (imap_client_sync_is_pending(cmd))
		imap_client_sync(cmd, 0, imap_command_send_tagline);
	else
		imap_command_send_tagline(cmd);
}

#define IMAP_COMMAND_REPLYF(func)                                    \
	void func##f(struct imap_command *cmd, const char *fmt, ...) \
	{                                                            \
		va_list args;                                        \
		const char *text;                                    \
                                                                     \
		va_start(args, fmt);                                 \
		text = pool_vprintf(cmd->pool, fmt, args);           \
		va_end(args);                                        \
		func(cmd, text);                                     \
	}
IMAP_COMMAND_REPLYF(imap_command_ok)
IMAP_COMMAND_REPLYF(imap_command_no)
IMAP_COMMAND_REPLYF(imap_command_bad)

/* ---- Lines and literals read by the command ---- */

void imap_command_read_lines(struct imap_command *cmd,
			     imap_command_line_callback_t *fn)
{
	cmd->line_fn_ = fn;
	cmd->input_state_ = IMAP_CMD_INPUT_LINES;
	imap_client_input_resume(cmd->client);
}

void imap_command_stop_lines(struct imap_command *cmd)
{
	cmd->line_fn_ = NULL;
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	imap_client_input_pause(cmd->client);
}

void imap_command_set_abort(struct imap_command *cmd,
			    imap_command_callback_t *fn)
{
	cmd->abort_fn_ = fn;
}

void imap_command_get_literal(struct imap_command *cmd,
			      struct imap_command_literal *literal_r)
{
	struct imap_parser_literal lit;

	imap_parser_get_literal(cmd->parser_, &lit);
	literal_r->present = cmd->literal_present_;
	literal_r->size = lit.size;
	literal_r->literal8 = lit.literal8;
	literal_r->sync = lit.sync;
}

static void imap_command_literal_start(struct imap_command *cmd)
{
	struct imap_parser_literal lit;

	if (cmd->literal_started_)
		return;
	imap_parser_get_literal(cmd->parser_, &lit);
	cmd->literal_started_ = true;
	cmd->literal_left_ = lit.size;
	if (lit.sync)
		imap_client_send_line(cmd->client, "+ OK");
}

void imap_command_read_literal(struct imap_command *cmd,
			       imap_command_callback_t *fn)
{
	imap_command_literal_start(cmd);
	cmd->literal_fn_ = fn;
	cmd->input_state_ = IMAP_CMD_INPUT_STREAM_LITERAL;
	imap_client_input_resume(cmd->client);
}

uint64_t imap_command_literal_data(struct imap_command *cmd, size_t max_size,
				   const unsigned char **data_r, size_t *size_r)
{
	size_t want = max_size;

	if (want > cmd->literal_left_)
		want = (size_t)cmd->literal_left_;
	*size_r = 0;
	*data_r = NULL;
	if (want > 0 && conn_read_data(cmd->client->conn, want, data_r,
				       size_r) == CONN_READ_MORE)
		*size_r = 0;
	cmd->literal_left_ -= *size_r;
	return cmd->literal_left_;
}

void imap_command_literal_pause(struct imap_command *cmd)
{
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	imap_client_input_pause(cmd->client);
}

void imap_command_literal_end(struct imap_command *cmd,
			      imap_command_literal_next_t *next)
{
	i_assert(cmd->literal_left_ == 0);
	cmd->literal_started_ = false;
	cmd->literal_fn_ = NULL;
	cmd->literal_next_ = next;
	imap_parser_literal_streamed(cmd->parser_);
	cmd->input_state_ = IMAP_CMD_INPUT_STREAM_LINE;
	imap_client_input_resume(cmd->client);
}

void imap_command_literal_refuse(struct imap_command *cmd, const char *text)
{
	struct imap_parser_literal lit;
	const char *error;
	bool announced;

	imap_parser_get_literal(cmd->parser_, &lit);
	announced = cmd->literal_present_ ||
		    (imap_parser_get_error(cmd->parser_, &error) ==
			     IMAP_PARSE_ERROR_TOOBIG &&
		     lit.size > 0);
	cmd->tagline_ = pool_printf(cmd->pool, "%s NO %s", cmd->tag, text);
	if (!cmd->literal_started_ && (lit.sync || !announced)) {
		/* RFC 7889: refused before the client sent it */
		imap_command_finish(cmd, cmd->tagline_);
		return;
	}
	if (!cmd->literal_started_) {
		cmd->literal_started_ = true;
		cmd->literal_left_ = lit.size;
	}
	cmd->input_state_ = IMAP_CMD_INPUT_DISCARD_LITERAL;
	imap_client_input_resume(cmd->client);
}

/* ---- Input dispatch (called by imap-client.c) ---- */

/* The arguments are complete (or a streamed literal is next): run the
   handler. */
static void imap_command_run(struct imap_command *cmd)
{
	cmd->args = imap_parser_get_args(cmd->parser_);
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	imap_client_input_pause(cmd->client);
	cmd->def->handler(cmd);
}

void imap_command_parse_error(struct imap_command *cmd)
{
	struct imap_parser_literal lit;
	const char *text;

	if (imap_parser_get_error(cmd->parser_, &text) !=
	    IMAP_PARSE_ERROR_TOOBIG) {
		imap_command_badf(cmd, "Error in IMAP command %s: %s",
				  cmd->name, text);
		return;
	}
	imap_parser_get_literal(cmd->parser_, &lit);
	if (lit.size > 0 && !lit.sync)
		imap_command_literal_refuse(cmd, text);
	else
		imap_command_no(cmd, text);
}

static void imap_command_parse_result(struct imap_command *cmd,
				      enum imap_parser_result ret)
{
	struct imap_parser_literal lit;

	switch (ret) {
	case IMAP_PARSE_DONE:
	case IMAP_PARSE_LITERAL:
		cmd->literal_present_ = ret == IMAP_PARSE_LITERAL;
		imap_command_run(cmd);
		return;
	case IMAP_PARSE_MORE:
		imap_parser_get_literal(cmd->parser_, &lit);
		if (lit.sync)
			imap_client_send_line(cmd->client, "+ OK");
		cmd->input_state_ =
			imap_parser_literal_remaining(cmd->parser_) > 0
				? IMAP_CMD_INPUT_PARSE_LITERAL
				: IMAP_CMD_INPUT_PARSE_LINE;
		return;
	case IMAP_PARSE_ERROR:
		imap_command_parse_error(cmd);
		return;
	}
	i_unreached();
}

void imap_command_parse_first(struct imap_command *cmd, const char *args,
			      size_t len)
{
	enum imap_parser_flags flags = 0;

	if ((cmd->def->flags & IMAP_CMD_FLAG_LITERAL_STREAM) != 0)
		flags |= IMAP_PARSE_FLAG_LITERAL_STREAM;
	cmd->parser_ = imap_parser_create(cmd->pool,
					  imap_client_parser_settings(), flags);
	imap_command_parse_result(
		cmd, imap_parser_feed_line(cmd->parser_, args, len));
}

static bool imap_command_input_literal(struct imap_command *cmd)
{
	const unsigned char *data;
	size_t size;
	uint64_t left = imap_parser_literal_remaining(cmd->parser_);

	if (conn_read_data(cmd->client->conn,
			   left > IMAP_LITERAL_READ_SIZE
				   ? IMAP_LITERAL_READ_SIZE
				   : (size_t)left,
			   &data, &size) == CONN_READ_MORE)
		return false;
	(void)imap_parser_feed_literal(cmd->parser_, data, size);
	if (imap_parser_literal_remaining(cmd->parser_) == 0)
		cmd->input_state_ = IMAP_CMD_INPUT_PARSE_LINE;
	return true;
}

static bool imap_command_input_discard(struct imap_command *cmd)
{
	const unsigned char *data;
	size_t size;

	while (cmd->literal_left_ > 0) {
		(void)imap_command_literal_data(cmd, IMAP_LITERAL_READ_SIZE,
						&data, &size);
		if (size == 0)
			return false;
	}
	cmd->input_state_ = IMAP_CMD_INPUT_DISCARD_LINE;
	return true;
}

/* The rest of a refused command: a further non-synchronizing literal at
   its end is thrown away too. */
static void imap_command_discard_line(struct imap_command *cmd,
				      const char *line, size_t len)
{
	const char *brace =
		len > 0 && line[len - 1] == '}' ? strrchr(line, '{') : NULL;
	uint64_t size;

	if (brace != NULL && len >= 3 && line[len - 2] == '+' &&
	    str_n_to_uint64(brace + 1, (size_t)(line + len - 2 - brace - 1),
			    &size) == 0) {
		cmd->literal_left_ = size;
		cmd->input_state_ = IMAP_CMD_INPUT_DISCARD_LITERAL;
		return;
	}
	imap_command_finish(cmd, cmd->tagline_);
}

/* The line after a streamed literal: more arguments, perhaps another
   literal (MULTIAPPEND). */
static void imap_command_stream_line(struct imap_command *cmd, const char *line,
				     size_t len)
{
	enum imap_parser_result ret;

	ret = imap_parser_feed_line(cmd->parser_, line, len);
	cmd->input_state_ = IMAP_CMD_INPUT_NONE;
	imap_client_input_pause(cmd->client);
	if (ret == IMAP_PARSE_ERROR) {
		cmd->literal_next_(cmd, IMAP_COMMAND_LITERAL_NEXT_ERROR);
		return;
	}
	i_assert(ret == IMAP_PARSE_DONE || ret == IMAP_PARSE_LITERAL);
	cmd->args = imap_parser_get_args(cmd->parser_);
	cmd->literal_present_ = ret == IMAP_PARSE_LITERAL;
	cmd->literal_next_(cmd, ret == IMAP_PARSE_DONE
					? IMAP_COMMAND_LITERAL_NEXT_DONE
					: IMAP_COMMAND_LITERAL_NEXT_LITERAL);
}

static bool imap_command_input_line(struct imap_command *cmd)
{
	enum conn_read_result ret;
	const char *line;
	size_t len;

	ret = conn_read_line(cmd->client->conn, &line, &len);
	if (ret == CONN_READ_MORE)
		return false;
	if (ret == CONN_READ_TOO_LONG) {
		imap_command_bad(cmd, "[TOOBIG] Command line too long.");
		return true;
	}
	switch (cmd->input_state_) {
	case IMAP_CMD_INPUT_PARSE_LINE:
		imap_command_parse_result(
			cmd, imap_parser_feed_line(cmd->parser_, line, len));
		break;
	case IMAP_CMD_INPUT_STREAM_LINE:
		imap_command_stream_line(cmd, line, len);
		break;
	case IMAP_CMD_INPUT_LINES:
		cmd->line_fn_(cmd, line, len);
		break;
	case IMAP_CMD_INPUT_DISCARD_LINE:
		imap_command_discard_line(cmd, line, len);
		break;
	default:
		i_unreached();
	}
	return true;
}

bool imap_command_input(struct imap_command *cmd)
{
	switch (cmd->input_state_) {
	case IMAP_CMD_INPUT_NONE:
		imap_client_input_pause(cmd->client);
		return false;
	case IMAP_CMD_INPUT_PARSE_LITERAL:
		return imap_command_input_literal(cmd);
	case IMAP_CMD_INPUT_STREAM_LITERAL:
		cmd->literal_fn_(cmd);
		/* it read what was there, or paused */
		return false;
	case IMAP_CMD_INPUT_DISCARD_LITERAL:
		return imap_command_input_discard(cmd);
	case IMAP_CMD_INPUT_PARSE_LINE:
	case IMAP_CMD_INPUT_STREAM_LINE:
	case IMAP_CMD_INPUT_LINES:
	case IMAP_CMD_INPUT_DISCARD_LINE:
		return imap_command_input_line(cmd);
	}
	i_unreached();
}
