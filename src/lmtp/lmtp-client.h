#ifndef POSTERN_LMTP_CLIENT_H
#define POSTERN_LMTP_CLIENT_H

/* An LMTP session (RFC 2033) with a relay. */

#include "listener.h"
#include "log.h"
#include "service.h"
#include "session-id.h"

struct lmtp_settings;

struct lmtp_client {
	struct conn *conn;
	struct log_ctx log;
	char session_id[SESSION_ID_LEN + 1];
	struct lmtp_client *prev, *next;
	unsigned int bad_count;
	bool disconnected;
	bool greeted; /* LHLO seen */
};

extern const struct service_env *lmtp_env;

void lmtp_service_init(const struct service_env *env,
		       const struct lmtp_settings *set);
void lmtp_service_deinit(void);
void lmtp_service_shutdown(void);
unsigned int lmtp_client_count(void);
listener_accept_callback_t lmtp_client_accept;

/* Queues "<code> <text>" with CRLF. */
void lmtp_client_reply(struct lmtp_client *client, const char *reply);
void lmtp_client_disconnect(struct lmtp_client *client, const char *reason);
void lmtp_client_command(struct lmtp_client *client, const char *name,
			 const char *args);

#endif
