#ifndef POSTERN_IMAP_CLIENT_H
#define POSTERN_IMAP_CLIENT_H

/* An IMAP session: one per connection, from greeting to logout. */

#include "listener.h"
#include "log.h"
#include "service.h"
#include "session-id.h"

struct imap_settings;

struct imap_client {
	struct conn *conn;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct imap_client *prev, *next;

	/* BAD answers in a row; too many end the session. */
	unsigned int bad_count;
	bool disconnected;
	bool logging_out;
};

/* Process-wide state shared by IMAP sessions. */
extern const struct service_env *imap_env;
extern const struct imap_settings *imap_set;

void imap_service_init(const struct service_env *env,
		       const struct imap_settings *set);
void imap_service_deinit(void);
/* Graceful stop: every session gets "* BYE" and is closed. */
void imap_service_shutdown(void);
unsigned int imap_client_count(void);
listener_accept_callback_t imap_client_accept;

/* Queues one response line; CRLF is added. */
void imap_client_send_line(struct imap_client *client, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
/* Ends the session after what is queued has been sent. */
void imap_client_disconnect(struct imap_client *client, const char *reason);
/* The CAPABILITY list for the session's current state. */
const char *imap_client_capability(struct imap_client *client);

#endif
