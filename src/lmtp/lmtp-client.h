#ifndef POSTERN_LMTP_CLIENT_H
#define POSTERN_LMTP_CLIENT_H

/* An LMTP session (RFC 2033) with a relay: the state machine over the
   connection. Commands run from a table (lmtp-commands.c) whose rows split
   a check (sequence and syntax, answered at once) from the proceeding
   (which may go to the userdb socket or the thread pool). While a command
   runs asynchronously, input is paused: pipelined commands wait in the
   connection's buffer and run in order afterwards, so replies stay in
   order (RFC 2920). */

#include "listener.h"
#include "lmtp-esc.h"
#include "log.h"
#include "service.h"
#include "session-id.h"

#include <stdbool.h>
#include <stdint.h>

struct lmtp_settings;
struct lmtp_transaction;
struct auth_master_client;
struct auth_master_lookup;
struct lmtp_rcpt_job;
struct lmtp_address;

enum lmtp_input_mode {
	LMTP_INPUT_COMMAND = 0,
	/* DATA: dot-stuffed lines up to "." */
	LMTP_INPUT_DATA,
	/* BDAT: bdat_remaining raw bytes */
	LMTP_INPUT_BDAT,
};

struct lmtp_client {
	struct conn *conn;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct lmtp_client *prev, *next;
	/* The LHLO name (for Received), NULL before LHLO */
	char *helo;
	unsigned int bad_count;

	enum lmtp_input_mode input_mode;
	/* BDAT: bytes of the chunk still to come; LAST was given; the chunk
	   is only read and thrown away (the command failed), then answered
	   with bdat_error_code. */
	uint64_t bdat_remaining;
	uint64_t bdat_size;
	bool bdat_last;
	bool bdat_discard;
	unsigned int bdat_error_code;
	enum lmtp_esc bdat_error_esc;
	const char *bdat_error_text;

	struct lmtp_transaction *trans;
	struct auth_master_lookup *lookup;
	struct lmtp_rcpt_job *rcpt_job;
	/* Thread-pool jobs in flight for this session (each holds a conn
	   reference) */
	unsigned int jobs;
	/* Input was paused because the message buffers are full. */
	bool data_paused;

	bool disconnected;
	/* A command is running: input paused, a conn reference held */
	bool cmd_running;
	/* Graceful stop: say 421 when the running command is done */
	bool shutting_down;
};

extern const struct service_env *lmtp_env;
extern const struct lmtp_settings *lmtp_set;

void lmtp_service_init(const struct service_env *env,
		       const struct lmtp_settings *set);
void lmtp_service_deinit(void);
/* Graceful stop: idle sessions get 421 4.3.2 at once; a session that is
   receiving or delivering a message finishes it, then gets the 421. */
void lmtp_service_shutdown(void);
unsigned int lmtp_client_count(void);
listener_accept_callback_t lmtp_client_accept;

/* The worker's client of the userdb socket (created on first use); NULL
   if no socket is configured. */
struct auth_master_client *lmtp_client_get_userdb(void);

/* Queues "<code> <x.y.z> <text>" with CRLF; the class digit of the
   enhanced code follows code. */
void lmtp_client_reply(struct lmtp_client *client, unsigned int code,
		       enum lmtp_esc esc, const char *fmt, ...)
	ATTR_FORMAT(4, 5);
/* Queues a reply line as it is (LHLO's lines, 354), adding CRLF. */
void lmtp_client_reply_line(struct lmtp_client *client, const char *line);
void lmtp_client_disconnect(struct lmtp_client *client, const char *reason);
/* Runs one command line. */
void lmtp_client_command(struct lmtp_client *client, char *line);

/* A command goes asynchronous: input pauses and the conn is referenced
   until lmtp_client_command_done(), which resumes input (or says 421 if
   the server is stopping). command_done may free the client. */
void lmtp_client_command_async(struct lmtp_client *client);
void lmtp_client_command_done(struct lmtp_client *client);

/* Queues work on the thread pool on behalf of client, holding a conn
   reference; the after-work callback must call lmtp_client_job_done()
   last (it may free the client). */
void lmtp_client_queue_job(struct lmtp_client *client, uv_work_t *work,
			   uv_work_cb work_cb, uv_after_work_cb done_cb);
void lmtp_client_job_done(struct lmtp_client *client);

/* Ends the current transaction (RSET, a new LHLO, STARTTLS, the end of a
   delivery, a disconnect). */
void lmtp_client_reset(struct lmtp_client *client);

/* lmtp-data.c: the input of DATA and BDAT, and the end of a message. */
void lmtp_data_input(struct lmtp_client *client);
void lmtp_bdat_input(struct lmtp_client *client);
/* Starts DATA's input, BDAT's chunk. */
void lmtp_data_begin(struct lmtp_client *client);
void lmtp_bdat_begin(struct lmtp_client *client, uint64_t size, bool last);
/* A BDAT that failed its check: its chunk is read and dropped, then
   answered with this reply. */
void lmtp_bdat_begin_discard(struct lmtp_client *client, uint64_t size,
			     unsigned int code, enum lmtp_esc esc,
			     const char *text);
/* The connection went away: drop what was being received. */
void lmtp_data_abort(struct lmtp_client *client);

/* lmtp-rcpt.c */
void lmtp_rcpt_proceed(struct lmtp_client *client,
		       struct lmtp_address *address);
void lmtp_rcpt_abort(struct lmtp_client *client);

/* The effective SIZE limit (0 = none). */
uint64_t lmtp_client_max_message_size(void);

#endif
