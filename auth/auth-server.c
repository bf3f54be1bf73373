#include "auth-server.h"
#include "auth-protocol.h"
#include "conn.h"

#include <uv.h>

const struct conn_settings auth_client_conn_settings = {
	.max_line_length = AUTH_PROTOCOL_MAX_LINE,
	/* Dovecot stops reading requests past 50 KB of unread replies */
	.output_limit = 50 * 1024,
	.idle_timeout_secs = 0,
};

const struct conn_settings auth_master_conn_settings = {
	.max_line_length = AUTH_PROTOCOL_MAX_LINE,
	.output_limit = 256 * 1024,
	.idle_timeout_secs = 0,
};

void auth_server_conn_link(struct auth_server *server,
			   struct auth_server_conn *link, struct conn *conn)
{
	link->conn = conn;
	link->sweep = NULL;
	link->prev = NULL;
	link->next = server->conns;
	if (server->conns != NULL)
		server->conns->prev = link;
	server->conns = link;
}

void auth_server_conn_unlink(struct auth_server *server,
			     struct auth_server_conn *link)
{
	if (link->prev != NULL)
		link->prev->next = link->next;
	else
		server->conns = link->next;
	if (link->next != NULL)
		link->next->prev = link->prev;
	link->prev = link->next = NULL;
}

void auth_server_sweep(struct auth_server *server)
{
	uint64_t now = uv_hrtime() / 1000000;
	struct auth_server_conn *link, *next;

	for (link = server->conns; link != NULL; link = next) {
		next = link->next;
		if (link->sweep != NULL)
			link->sweep(link, now);
	}
}

void auth_server_close_all(struct auth_server *server)
{
	for (struct auth_server_conn *link = server->conns; link != NULL;
	     link = link->next)
		conn_close(link->conn, "auth process shutting down");
}
