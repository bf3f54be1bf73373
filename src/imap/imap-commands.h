#ifndef POSTERN_IMAP_COMMANDS_H
#define POSTERN_IMAP_COMMANDS_H

/* The IMAP command framework: the dispatch table, the command being run,
   running storage work on the thread pool, long replies in pieces, and
   the tagged reply that ends a command (after the untagged updates).

   How to write a command
   ----------------------
   1. One file src/imap/cmd-<name>.c with one handler:

        void imap_cmd_noop(struct imap_command *cmd)

      and its row in imap-commands.c's table: { "NOOP", imap_cmd_noop,
      IMAP_CMD_FLAG_... }. The table's flags say in which states the
      command is allowed (the framework answers BAD otherwise) and what it
      does to sequence numbers; add the handler's declaration at the end of
      this file.

   2. The handler runs on the loop thread with cmd->args parsed (an
      EOL-terminated array, see imap-arg.h) and everything allocated from
      cmd->pool, which lives until the command ends. Check the arguments
      first: malformed ones get imap_command_bad(cmd, "text"), which ends
      the command.

   3. Anything that may block (every storage.h call except the watch
      functions) runs on the thread pool:

        static void cmd_foo_work(struct imap_command *cmd)  -- a pool thread
        static void cmd_foo_done(struct imap_command *cmd)  -- the loop
        ...
        imap_command_run_work(cmd, cmd_foo_work, cmd_foo_done);

      When done always ends the command, call imap_command_run_final_work()
      instead: the end-of-command sync then runs in the same thread-pool
      job, saving a round trip.

      Keep the work's inputs and results in a context struct allocated
      from cmd->pool (cmd->context). The work function must not write to
      the connection or touch the session except through cmd->client->box
      (and ->user): one command runs at a time, so they are the command's
      while it runs. done always runs, also when the peer went away
      meanwhile (imap_command_is_aborted(cmd) is then true): release what
      the work holds and end the command as usual; replies to a closed
      connection are dropped.

   4. End the command with exactly one of:
        imap_command_ok(cmd, "FOO completed.")   -- untagged updates
                                                    (EXISTS, EXPUNGE, ...)
                                                    first, then tagged OK
        imap_command_no(cmd, "[CODE] text")      -- likewise, tagged NO
        imap_command_bad(cmd, "text")            -- tagged BAD at once;
                                                    counts toward the
                                                    too-many-errors BYE
        imap_command_reply_mail_error(cmd, box)  -- NO with the storage
                                                    error's code and text
                                                    (imap-util.h)
      After this call cmd is gone (its pool too). The untagged updates
      follow the table's flags: a command with IMAP_CMD_FLAG_USES_SEQS and
      no UID prefix (FETCH, STORE, SEARCH, COPY) gets no EXPUNGE (RFC 9051
      §7.5.1); imap_command_set_sync_flags() adds others.

   5. Untagged responses: imap_client_send_line(client, "* 3 EXISTS") from
      the loop thread, or build a string_t and imap_client_send_str().

   6. Replies that can be long (FETCH 1:*) go out in pieces: produce a
      batch (on the thread pool if it reads storage), write it, and if
      imap_command_output_full(cmd), continue later from
      imap_command_wait_output(cmd, next_fn): next_fn runs on the loop once
      the connection's output queue has drained (at once if it isn't
      full). Never queue an unbounded reply: memory per session stays
      bounded by the conn's output limit plus one batch.

   7. Commands whose literals must not be held in memory (APPEND) set
      IMAP_CMD_FLAG_LITERAL_STREAM: the handler is called with the
      arguments before the first literal and reads it with
      imap_command_read_literal().

   8. A command that waits for input or output (not for work) while it
      holds storage objects sets imap_command_set_abort(cmd, fn): fn runs
      if the peer goes away meanwhile, releases them (it may run work) and
      ends the command.

   Helpers: imap-util.h (flag lists, date-times, storage errors as
   replies), imap-mailbox-name.h (mUTF-7/UTF-8 names), imap-sync.h
   (FLAGS, untagged FETCH FLAGS lines, whether MODSEQ is wanted). */

#include "imap-arg.h"
#include "macros.h"
#include "work-pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct pool;
struct imap_client;
struct imap_command;

typedef void imap_command_handler_t(struct imap_command *cmd);
typedef void imap_command_callback_t(struct imap_command *cmd);
/* What follows a streamed literal (see imap_command_literal_end()). */
enum imap_command_literal_next {
	IMAP_COMMAND_LITERAL_NEXT_DONE,
	IMAP_COMMAND_LITERAL_NEXT_LITERAL,
	IMAP_COMMAND_LITERAL_NEXT_ERROR,
};
typedef void imap_command_literal_next_t(struct imap_command *cmd,
					 enum imap_command_literal_next next);

enum imap_command_flags {
	/* States in which the command is allowed (RFC 9051 §6). */
	IMAP_CMD_FLAG_NOT_AUTH = 0x0001,
	IMAP_CMD_FLAG_AUTH = 0x0002,
	IMAP_CMD_FLAG_SELECTED = 0x0004,
	IMAP_CMD_FLAG_ANY_STATE = IMAP_CMD_FLAG_NOT_AUTH | IMAP_CMD_FLAG_AUTH |
				  IMAP_CMD_FLAG_SELECTED,
	IMAP_CMD_FLAG_AUTHENTICATED =
		IMAP_CMD_FLAG_AUTH | IMAP_CMD_FLAG_SELECTED,
	/* The command takes sequence numbers as arguments (or reports them):
	   without the UID prefix no EXPUNGE may be sent while it runs or
	   right after it (RFC 9051 §7.5.1). Dovecot's COMMAND_FLAG_USES_SEQS. */
	IMAP_CMD_FLAG_USES_SEQS = 0x0010,
	/* The command itself expunges or renumbers (EXPUNGE, CLOSE, MOVE):
	   it reports its own expunges. Dovecot's COMMAND_FLAG_BREAKS_SEQS. */
	IMAP_CMD_FLAG_BREAKS_SEQS = 0x0020,
	/* Allowed with a UID prefix (UID FETCH, ...). */
	IMAP_CMD_FLAG_UID = 0x0040,
	/* Literals are streamed by the command (APPEND), see step 7. */
	IMAP_CMD_FLAG_LITERAL_STREAM = 0x0080,
	/* The sync when the command ends looks for changes made to the mail
	   files by other programs (NOOP, CHECK, IDLE); other commands sync
	   from the index alone (MAILBOX_SYNC_FLAG_FAST), which has every
	   change made through storage by any process. */
	IMAP_CMD_FLAG_SYNC_FULL = 0x0100,
	/* No untagged updates after it (LOGOUT, STARTTLS, the state changes
	   that report the mailbox themselves: SELECT, EXAMINE, CLOSE). */
	IMAP_CMD_FLAG_NO_SYNC = 0x0200,
};

struct imap_command_def {
	const char *name;
	imap_command_handler_t *handler;
	enum imap_command_flags flags;
};

/* private: what the command reads from the client now. */
enum imap_command_input_state {
	IMAP_CMD_INPUT_NONE,            /* running: input paused */
	IMAP_CMD_INPUT_PARSE_LINE,      /* the next line of the arguments */
	IMAP_CMD_INPUT_PARSE_LITERAL,   /* a literal into the parser */
	IMAP_CMD_INPUT_STREAM_LITERAL,  /* a literal the command streams */
	IMAP_CMD_INPUT_STREAM_LINE,     /* the line after a streamed literal */
	IMAP_CMD_INPUT_LINES,           /* lines for line_fn_ */
	IMAP_CMD_INPUT_DISCARD_LITERAL, /* a refused literal, thrown away */
	IMAP_CMD_INPUT_DISCARD_LINE,    /* the rest of a refused command */
};

struct imap_command {
	struct imap_client *client;
	/* Everything of the command: args, context, results. Cleared when the
	   command ends. */
	struct pool *pool;
	const char *tag;
	/* The name as in the table ("FETCH"), without the UID prefix. */
	const char *name;
	const struct imap_command_def *def;
	/* "UID FETCH", "UID STORE", ... */
	bool uid;
	/* EOL-terminated, from pool. */
	const struct imap_arg *args;
	/* The handler's own state. */
	void *context;

	/* private: the framework's */
	enum imap_command_input_state input_state_;
	struct imap_parser *parser_;
	imap_command_callback_t *work_fn_, *done_fn_, *drained_fn_;
	imap_command_callback_t *literal_fn_, *abort_fn_;
	void (*line_fn_)(struct imap_command *cmd, const char *line,
			 size_t len);
	imap_command_literal_next_t *literal_next_;
	const char *tagline_;
	void *sync_ctx_;
	uint64_t literal_left_;
	struct work_req work_req_;
	unsigned int sync_flags_; /* enum mailbox_sync_flags */
	bool working_;
	bool ending_;
	bool final_work_;
	bool literal_started_;
	bool literal_present_;
};

/* NULL if no command has that name (ASCII case-insensitive). */
const struct imap_command_def *imap_command_find(const char *name);

/* Runs work on the thread pool, then done on the loop. Input from the
   client stays paused meanwhile and the session stays alive even if the
   peer disconnects. Don't call it twice at once. */
void imap_command_run_work(struct imap_command *cmd,
			   imap_command_callback_t *work,
			   imap_command_callback_t *done);
/* The same for the command's last piece of work: done must end the
   command (imap_command_ok/no/bad/finish). The sync that ends the command
   runs in the same thread-pool job right after work, saving a round trip
   through the thread pool; its untagged responses go out before the
   tagged reply as usual. Set extra sync flags before calling this. */
void imap_command_run_final_work(struct imap_command *cmd,
				 imap_command_callback_t *work,
				 imap_command_callback_t *done);
/* Called from a work function: its done will end the command, so the
   end-of-command sync runs in this job, as with run_final_work() (for
   commands that learn only while working that this piece is the last,
   e.g. a FETCH whose messages fit in one batch). */
void imap_command_work_ends_command(struct imap_command *cmd);
/* True if the peer has gone (or the session is being closed): skip
   further work, release resources and end the command. */
bool imap_command_is_aborted(const struct imap_command *cmd);

/* True while the connection's output queue is over its limit. */
bool imap_command_output_full(const struct imap_command *cmd);
/* Calls next on the loop once the output queue is below its limit; at
   once when it already is. */
void imap_command_wait_output(struct imap_command *cmd,
			      imap_command_callback_t *next);

/* Adds enum mailbox_sync_flags for the sync that ends this command
   (e.g. MAILBOX_SYNC_FLAG_FULL to rescan the mail files). */
void imap_command_set_sync_flags(struct imap_command *cmd, unsigned int flags);

/* Tagged replies: each ends the command (see step 4). text may start with
   a response code ("[TRYCREATE] ..."). */
void imap_command_ok(struct imap_command *cmd, const char *text);
void imap_command_no(struct imap_command *cmd, const char *text);
void imap_command_bad(struct imap_command *cmd, const char *text);
/* printf-style variants. */
void imap_command_okf(struct imap_command *cmd, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
void imap_command_nof(struct imap_command *cmd, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
void imap_command_badf(struct imap_command *cmd, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
/* Ends the command with no tagged reply of its own making: the sync, then
   tagline ("a1 OK [READ-WRITE] SELECT completed.") as given, whole; no
   tagged line for NULL. */
void imap_command_finish(struct imap_command *cmd, const char *tagline);

/* LITERAL_STREAM commands: after the handler was called (or after the
   previous literal), reads the literal that follows the arguments seen so
   far. fn is called on the loop each time data is available, with
   data_r and size_r set by imap_command_literal_data(); when the whole
   literal has been passed on, imap_command_literal_end() parses what
   follows it. See cmd-append.c. */
struct imap_command_literal {
	/* false: the arguments ended without a literal */
	bool present;
	uint64_t size;
	bool literal8;
	bool sync;
};
void imap_command_get_literal(struct imap_command *cmd,
			      struct imap_command_literal *literal_r);
/* Starts reading the literal (sends "+ OK" for a synchronizing one) and
   calls fn whenever bytes are buffered. */
void imap_command_read_literal(struct imap_command *cmd,
			       imap_command_callback_t *fn);
/* In fn: up to max_size bytes of the literal; 0 bytes when none are
   buffered now (fn is called again later). Returns the bytes still left
   after this piece. */
uint64_t imap_command_literal_data(struct imap_command *cmd, size_t max_size,
				   const unsigned char **data_r,
				   size_t *size_r);
/* Stops calling fn (e.g. while the piece is written on the thread pool);
   imap_command_read_literal() again to resume. */
void imap_command_literal_pause(struct imap_command *cmd);
/* After the whole literal: parses the rest of the command (the next line
   may hold more arguments and another literal) and calls next: with
   cmd->args set to the arguments after the literal at the end of the
   command (DONE) or before a further literal (LITERAL); on ERROR the
   command must release what it holds and end with
   imap_command_parse_error() (BAD, or NO [TOOBIG] after discarding). */
void imap_command_literal_end(struct imap_command *cmd,
			      imap_command_literal_next_t *next);
/* Ends the command after its arguments failed to parse: BAD with the
   parser's reason, or NO [TOOBIG] once an over-size literal was read and
   thrown away. */
void imap_command_parse_error(struct imap_command *cmd);
/* Throws the rest of the literal away (reading it if it is
   non-synchronizing and already announced) and ends the command with
   tagline "NO [TOOBIG] ..." or whatever text is given as NO. */
void imap_command_literal_refuse(struct imap_command *cmd, const char *text);

/* Commands that read lines from the client (AUTHENTICATE's responses):
   fn gets each line (without CRLF) until imap_command_stop_lines() or the
   end of the command. */
typedef void imap_command_line_callback_t(struct imap_command *cmd,
					  const char *line, size_t len);
void imap_command_read_lines(struct imap_command *cmd,
			     imap_command_line_callback_t *fn);
void imap_command_stop_lines(struct imap_command *cmd);

/* fn is called on the loop if the peer goes away while the command waits
   for input or output (not while work runs: done sees
   imap_command_is_aborted() then). fn must release what the command holds
   and end it. Without one the command just ends. */
void imap_command_set_abort(struct imap_command *cmd,
			    imap_command_callback_t *fn);

/* ---- Framework internals (imap-client.c, cmd-idle.c) ---- */

/* A command of client without a line from the client (IDLE's DONE, the
   sync of a wake-up): tag and name are copied. client->cmd is set. */
struct imap_command *imap_command_new(struct imap_client *client,
				      const char *tag,
				      const struct imap_command_def *def);
/* Frees the command and lets the session read its next one. */
void imap_command_free(struct imap_command *cmd);
/* Starts parsing a command's arguments: the rest of its first line. */
void imap_command_parse_first(struct imap_command *cmd, const char *args,
			      size_t len);
/* Reads the input the command waits for. Returns true if it made progress
   and may be called again at once, false if it needs more input or the
   command runs (input paused). */
bool imap_command_input(struct imap_command *cmd);

/* ---- Handlers ---- */
imap_command_handler_t imap_cmd_append;
imap_command_handler_t imap_cmd_authenticate;
imap_command_handler_t imap_cmd_capability;
imap_command_handler_t imap_cmd_check;
imap_command_handler_t imap_cmd_close;
imap_command_handler_t imap_cmd_create;
imap_command_handler_t imap_cmd_delete;
imap_command_handler_t imap_cmd_enable;
imap_command_handler_t imap_cmd_examine;
imap_command_handler_t imap_cmd_id;
imap_command_handler_t imap_cmd_idle;
imap_command_handler_t imap_cmd_list;
imap_command_handler_t imap_cmd_login;
imap_command_handler_t imap_cmd_logout;
imap_command_handler_t imap_cmd_lsub;
imap_command_handler_t imap_cmd_namespace;
imap_command_handler_t imap_cmd_noop;
imap_command_handler_t imap_cmd_rename;
imap_command_handler_t imap_cmd_select;
imap_command_handler_t imap_cmd_starttls;
imap_command_handler_t imap_cmd_status;
imap_command_handler_t imap_cmd_subscribe;
imap_command_handler_t imap_cmd_unselect;
imap_command_handler_t imap_cmd_unsubscribe;
/* The FETCH/SEARCH/STORE/COPY/MOVE/EXPUNGE branch adds its own here. */
imap_command_handler_t imap_cmd_copy;
imap_command_handler_t imap_cmd_expunge;
imap_command_handler_t imap_cmd_fetch;
imap_command_handler_t imap_cmd_move;
imap_command_handler_t imap_cmd_search;
imap_command_handler_t imap_cmd_store;

#endif
