#ifndef POSTERN_AUTH_SERVER_H
#define POSTERN_AUTH_SERVER_H

/* The auth process's sockets: the Dovecot auth-client protocol socket
   (auth-client-connection.c) and the auth-master style userdb socket
   (auth-master-connection.c), both over conn.h. */

#include <stdbool.h>
#include <stdint.h>

struct auth;
struct conn;

struct auth_server {
	struct auth *auth;
	/* open connections of both kinds, for shutdown */
	struct auth_server_conn *conns;
	unsigned int next_cuid;
	unsigned char cookie[16];
};

/* Links every connection so that shutdown can close them. */
struct auth_server_conn {
	struct auth_server_conn *prev, *next;
	struct conn *conn;
	/* drops requests that waited too long for the client; optional */
	void (*sweep)(struct auth_server_conn *link, uint64_t now_msecs);
};

void auth_server_conn_link(struct auth_server *server,
			   struct auth_server_conn *link, struct conn *conn);
void auth_server_conn_unlink(struct auth_server *server,
			     struct auth_server_conn *link);
/* Runs every connection's sweep (a timer calls this). */
void auth_server_sweep(struct auth_server *server);
/* Closes every connection (shutdown). */
void auth_server_close_all(struct auth_server *server);

/* listener_accept_callback_t for each socket; context is the server. */
void auth_client_connection_accept(struct conn *conn, void *context);
void auth_master_connection_accept(struct conn *conn, void *context);

/* The conn settings each socket's listener should use. */
extern const struct conn_settings auth_client_conn_settings;
extern const struct conn_settings auth_master_conn_settings;

#endif
