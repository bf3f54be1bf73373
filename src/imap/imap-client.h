#ifndef POSTERN_IMAP_CLIENT_H
#define POSTERN_IMAP_CLIENT_H

/* An IMAP session: one per connection, from greeting to logout.

   States (RFC 9051 §3): not authenticated -> authenticated (LOGIN,
   AUTHENTICATE) -> selected (SELECT, EXAMINE) -> logout. One command runs
   at a time: while it runs input is paused, and pipelined commands wait
   in the connection's input buffer (RFC 9051 §5.5 allows this: a server
   may always run commands one by one).

   Memory: between commands a session holds its struct, the conn's and
   the storage view's (UID ranges); no command pool, no parser. Idle and
   IDLE sessions therefore cost a few hundred bytes. */

#include "listener.h"
#include "log.h"
#include "macros.h"
#include "postern/seq-range.h"
#include "service.h"
#include "session-id.h"
#include "str.h"

#include <stdbool.h>
#include <stdint.h>

struct imap_settings;
struct imap_command;
struct mail_user;
struct mailbox;
struct mailbox_watch;

enum imap_client_state {
	IMAP_CLIENT_STATE_NOT_AUTH,
	IMAP_CLIENT_STATE_AUTH,
	IMAP_CLIENT_STATE_SELECTED,
	IMAP_CLIENT_STATE_LOGOUT,
};

/* What ENABLE turned on (RFC 5161). */
enum imap_client_enabled {
	IMAP_ENABLED_IMAP4REV2 = 0x01,
	IMAP_ENABLED_UTF8_ACCEPT = 0x02,
	IMAP_ENABLED_CONDSTORE = 0x04,
	IMAP_ENABLED_QRESYNC = 0x08,
};

struct imap_client {
	struct conn *conn;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct imap_client *prev, *next;

	enum imap_client_state state;
	enum imap_client_enabled enabled;
	/* The running command; NULL between commands. */
	struct imap_command *cmd;

	/* After login (heap). */
	char *username;
	struct mail_user *user;
	/* The selected mailbox (SELECTED state). */
	struct mailbox *box;
	/* The view's HIGHESTMODSEQ as last reported (CONDSTORE). */
	uint64_t highest_modseq;
	/* SEARCHRES (RFC 5182): the UIDs saved by SEARCH RETURN (SAVE),
	   heap-allocated; empty when none. Reset on SELECT. */
	struct seq_range_set search_saved;
	/* IDLE (cmd-idle.c): the command is not kept while idling, only its
	   tag (heap) and the watch on the mailbox. */
	char *idle_tag;
	struct mailbox_watch *watch;
	/* A wake-up came while its sync was running. */
	bool idle_wakeup_pending;

	/* BAD answers in a row; too many end the session. */
	unsigned int bad_count;
	/* The selected mailbox was opened read-only (EXAMINE). */
	bool box_readonly;
	/* A CONDSTORE-enabling command was used (RFC 7162 §3.1): FETCH
	   responses carry MODSEQ from now on. */
	bool condstore_used;
	bool input_paused;
	/* Storage objects are being released after the end. */
	bool releasing;
	bool disconnected;
	/* A graceful stop waits for the running command, then says BYE. */
	bool shutting_down;
};

/* Process-wide state shared by IMAP sessions. */
extern const struct service_env *imap_env;
extern const struct imap_settings *imap_set;

void imap_service_init(const struct service_env *env,
		       const struct imap_settings *set);
void imap_service_deinit(void);
/* Graceful stop: idle sessions get "* BYE" and are closed at once; a
   session running a command says BYE once the command has ended. */
void imap_service_shutdown(void);
unsigned int imap_client_count(void);
listener_accept_callback_t imap_client_accept;

/* Queues one response line; CRLF is added. Loop thread only. */
void imap_client_send_line(struct imap_client *client, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
/* Queues str's bytes as they are (CRLFs included by the caller). */
void imap_client_send_str(struct imap_client *client, const string_t *str);
/* Ends the session after what is queued has been sent. */
void imap_client_disconnect(struct imap_client *client, const char *reason);
/* The CAPABILITY list for the session's current state. */
const char *imap_client_capability(struct imap_client *client);
/* True for IMAP4rev2 sessions (ENABLE IMAP4rev2). */
static inline bool imap_client_is_rev2(const struct imap_client *client)
{
	return (client->enabled & IMAP_ENABLED_IMAP4REV2) != 0;
}
/* True if mailbox names and quoted strings may be UTF-8 (UTF8=ACCEPT or
   IMAP4rev2 enabled). */
static inline bool imap_client_utf8(const struct imap_client *client)
{
	return (client->enabled &
		(IMAP_ENABLED_IMAP4REV2 | IMAP_ENABLED_UTF8_ACCEPT)) != 0;
}

/* The session logged in as user (its reference is taken over): the state
   becomes authenticated. */
void imap_client_login(struct imap_client *client, const char *username,
		       struct mail_user *user);

/* ---- Framework internals ---- */

/* Input from the client: stop / go on reading (tracks the state). */
void imap_client_input_pause(struct imap_client *client);
void imap_client_input_resume(struct imap_client *client);
/* The running command ended (client->cmd is NULL again): BYE for a
   stopping service, release for a closed session, else read on. */
void imap_client_command_ended(struct imap_client *client);
/* The peer went away while a command waits for input or output: the
   command's abort callback releases what it holds and ends it. */
void imap_client_abort_command(struct imap_client *client);
/* Settings for a command's argument parser. */
const struct imap_parser_settings *imap_client_parser_settings(void);
/* cmd-idle.c: a line while idling. */
void imap_idle_input_line(struct imap_client *client, const char *line,
			  size_t len);
/* Releases storage objects (watch, mailbox, user) of a session that has
   ended; the session lives until that is done. */
void imap_client_release_storage(struct imap_client *client);

/* ---- The selected mailbox (imap-sync.c) ---- */

typedef void imap_client_sync_callback_t(struct imap_command *cmd);

/* Brings the selected mailbox's view up to date on the thread pool
   (mailbox_sync() with flags, enum mailbox_sync_flags) and sends the
   untagged updates it calls for, in RFC order: EXPUNGE (or VANISHED under
   QRESYNC), EXISTS, RECENT (IMAP4rev1), FLAGS and PERMANENTFLAGS when a
   keyword appeared, FETCH (FLAGS [MODSEQ]) of messages changed by other
   sessions; "* BYE" and the end of the session if the mailbox was lost.
   Then calls done on the loop. Without a selected mailbox done is called
   at once. MAILBOX_SYNC_FLAG_NO_EXPUNGES keeps expunges for later. */
void imap_client_sync(struct imap_command *cmd, unsigned int flags,
		      imap_client_sync_callback_t *done);
/* Framework internals for imap_command_run_final_work(): the sync done
   on the thread pool right after the command's work (a no-op without a
   selected mailbox); its result is sent by the next imap_client_sync(),
   whatever flags that one names. */
void imap_client_sync_in_work(struct imap_command *cmd, unsigned int flags);
bool imap_client_sync_is_pending(const struct imap_command *cmd);
/* Frees the selected mailbox (client->box = NULL, the saved search
   result emptied). May block: call it from a work function. The caller
   sets the state on the loop afterwards. */
void imap_client_close_mailbox(struct imap_client *client);

#endif
