#ifndef POSTERN_POP3_CLIENT_H
#define POSTERN_POP3_CLIENT_H

/* A POP3 session (RFC 1939) from greeting to QUIT. */

#include "listener.h"
#include "log.h"
#include "service.h"
#include "session-id.h"

struct pop3_settings;

struct pop3_client {
	struct conn *conn;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct pop3_client *prev, *next;
	unsigned int bad_count;
	bool disconnected;
};

extern const struct service_env *pop3_env;

void pop3_service_init(const struct service_env *env,
		       const struct pop3_settings *set);
void pop3_service_deinit(void);
void pop3_service_shutdown(void);
unsigned int pop3_client_count(void);
listener_accept_callback_t pop3_client_accept;

/* Queues "+OK text" / "-ERR text" / a raw line, CRLF added. */
void pop3_client_ok(struct pop3_client *client, const char *text);
void pop3_client_err(struct pop3_client *client, const char *text);
void pop3_client_send_line(struct pop3_client *client, const char *line);
void pop3_client_disconnect(struct pop3_client *client, const char *reason);

/* Runs one command line. */
void pop3_client_command(struct pop3_client *client, const char *name,
			 const char *args);

#endif
