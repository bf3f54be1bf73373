#ifndef POSTERN_POP3_CLIENT_H
#define POSTERN_POP3_CLIENT_H

/* A POP3 session (RFC 1939, 2449, 2595, 5034) from greeting to QUIT.

   States: AUTHORIZATION until a login succeeds (pop3-auth.c, pop3-login.c),
   TRANSACTION on a snapshot of INBOX taken at login (pop3-commands.c,
   pop3-fetch.c), UPDATE while QUIT applies the DELEs. A dropped connection
   never reaches UPDATE: nothing is deleted.

   Commands: one at a time. A command that needs storage, the auth process
   or room in the output queue is "running": input is paused (pipelined
   commands wait, buffered), the storage part runs on the libuv thread
   pool (pop3_client_run_work()), and pop3_client_command_end() resumes
   input. A session is freed only in the conn's destroy callback; while it
   holds storage (or work runs) it holds a reference on its conn, and the
   storage is closed on the thread pool when the session ends
   (pop3_client_teardown()). */

#include "listener.h"
#include "log.h"
#include "postern/storage.h"
#include "service.h"
#include "session-id.h"

#include <stdbool.h>
#include <stdint.h>

struct auth_client_request;
struct auth_master_lookup;
struct mail_user;
struct mail_user_lock;
struct mailbox;
struct pool;
struct pop3_settings;

enum pop3_state {
	POP3_STATE_AUTHORIZATION,
	POP3_STATE_TRANSACTION,
	POP3_STATE_UPDATE,
};

/* One message of the maildrop as the session sees it: its number is its
   index + 1, fixed for the session (RFC 1939 §5). */
struct pop3_message {
	/* RFC 1939 §11: the size with CRLF line endings, before stuffing */
	uint64_t size;
	uint32_t uid;
	/* DELE: expunged at QUIT */
	bool deleted;
	/* RETR sent it whole: \Seen when the session ends */
	bool seen;
};

struct pop3_client;
typedef void pop3_client_func_t(struct pop3_client *client);

struct pop3_client {
	struct conn *conn;
	/* Lives as long as the session (user names, the UIDL string) */
	struct pool *pool;
	/* Cleared when a command ends */
	struct pool *cmd_pool;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct pop3_client *prev, *next;
	enum pop3_state state;
	unsigned int bad_count;
	unsigned int auth_failures;

	/* AUTHORIZATION: USER's name (heap), the SASL exchange, the
	   userdb lookup that follows it. */
	char *user_name;
	/* the greeting's APOP timestamp, NULL if APOP isn't offered */
	const char *apop_challenge;
	struct auth_client_request *auth_request;
	struct auth_master_lookup *userdb_lookup;
	/* an AUTH exchange waits for the client's next response line */
	bool sasl_waiting;

	/* TRANSACTION: the maildrop (touched only by work functions while
	   work runs, and by the loop thread otherwise). */
	struct mail_user *mail_user;
	struct mail_user_lock *lock;
	struct mailbox *box;
	uint32_t uidvalidity;
	struct pop3_message *messages;
	uint32_t messages_count;
	uint64_t total_size;
	uint32_t deleted_count;
	uint64_t deleted_size;
	/* the highest message number that RETR found expunged meanwhile */
	uint32_t last_expunged_msgnum;
	/* for the log line at the end: messages and bytes sent whole */
	uint32_t retr_count, top_count;
	uint64_t retr_bytes;

	/* The running command (see above). */
	void *cmd_ctx;
	/* frees what cmd_ctx holds, when the command ends or is abandoned */
	pop3_client_func_t *cmd_deinit;
	/* called from output_drained while the command waits for room */
	pop3_client_func_t *cmd_output_drained;
	/* uv_now() of the command's last progress (for the idle timeout) */
	uint64_t cmd_progress;
	pop3_client_func_t *work_func, *work_done;
	uv_work_t work;
	/* nesting of pop3_client_enter() */
	unsigned int depth;
	/* uv_now() when the connection came (the greeting's wait) */
	uint64_t connect_msecs;

	bool greeting_pending;
	bool cmd_running;
	bool work_running;
	/* the storage teardown was queued (or there was nothing to close) */
	bool teardown_started;
	/* we closed the conn, or the peer went away */
	bool disconnected;
	bool shutting_down;
};

extern const struct service_env *pop3_env;
extern const struct pop3_settings *pop3_set;

/* The service (see service.h). */
void pop3_service_init(const struct service_env *env,
		       const struct pop3_settings *set);
void pop3_service_deinit(void);
/* Graceful stop: idle sessions get "-ERR [SYS/TEMP] Server shutting down"
   at once; a running command finishes first. Nothing is expunged for a
   session that didn't reach QUIT. */
void pop3_service_shutdown(void);
unsigned int pop3_client_count(void);
listener_accept_callback_t pop3_client_accept;

/* Queues "+OK text" / "-ERR text" / a raw line, CRLF added. text may be
   NULL or "" for a bare "+OK" / "-ERR". */
void pop3_client_ok(struct pop3_client *client, const char *text);
void pop3_client_err(struct pop3_client *client, const char *text);
void pop3_client_send_line(struct pop3_client *client, const char *line);
/* printf-style "+OK ..." and "-ERR ...". */
void pop3_client_okf(struct pop3_client *client, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
void pop3_client_errf(struct pop3_client *client, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
/* Flushes what is queued and closes; the session ends (storage is closed
   on the thread pool, without expunging). reason is for the log. */
void pop3_client_disconnect(struct pop3_client *client, const char *reason);
/* Sends the greeting (once auth is ready, see pop3-auth.c). */
void pop3_client_send_greeting(struct pop3_client *client);

/* True while the output queue is over its limit, after pushing out what is
   buffered: a producer stops and continues from
   pop3_client_wait_output()'s callback. */
bool pop3_client_output_full(struct pop3_client *client);

/* Brackets every callback into the session from outside (conn, work,
   auth, timers): a disconnect noticed inside is acted on when the
   outermost one leaves, never under a running handler. */
void pop3_client_enter(struct pop3_client *client);
void pop3_client_leave(struct pop3_client *client);

/* Marks the command as running: input pauses until
   pop3_client_command_end(). */
void pop3_client_command_begin(struct pop3_client *client);
/* The running command is done: clears cmd_pool, then says goodbye if a
   shutdown came meanwhile, or closes the session if the peer went away,
   or resumes input. */
void pop3_client_command_end(struct pop3_client *client);
/* Runs work on the thread pool, then done on the loop thread, for the
   running command. The session (and its conn's memory) stays alive
   across it even if the peer disconnects; done can write (a no-op on a
   closed conn) and must end with pop3_client_command_end() or more work
   or output waiting. */
void pop3_client_run_work(struct pop3_client *client, pop3_client_func_t *work,
			  pop3_client_func_t *done);
/* Calls func once the output queue drains (the command keeps running). */
void pop3_client_wait_output(struct pop3_client *client,
			     pop3_client_func_t *func);

/* The session ends: closes the maildrop on the thread pool (applying
   \Seen marks, never DELEs), aborts auth requests. Called once the conn
   is closing and no command runs; idempotent. */
void pop3_client_teardown(struct pop3_client *client);
/* Frees the maildrop in a work function (the thread pool). */
void pop3_client_close_maildrop(struct pop3_client *client);

/* The RFC 2449/3206 response code for a storage error: "SYS/TEMP",
   "SYS/PERM", "IN-USE", or NULL for none (one switch, no default). */
const char *pop3_mail_error_code(enum mail_error error);

/* Runs one command line (pop3-commands.c). */
void pop3_client_command(struct pop3_client *client, const char *line);

#endif
