#include "auth.h"
#include "auth-base64.h"
#include "auth-protocol.h"
#include "auth-request.h"
#include "auth-server.h"
#include "array.h"
#include "conn.h"
#include "log.h"
#include "pool.h"
#include "sasl-mech.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The server side of Dovecot's auth-client protocol, as Postfix
   (xsasl_dovecot_server.c), Exim (auths/dovecot.c), doveadm and our own
   workers speak it. The server greets with VERSION, one MECH line per
   mechanism, SPID, CUID, COOKIE and DONE without waiting for the client;
   the client sends VERSION and CPID, then AUTH/CONT/CANCEL lines. A line
   we can't parse is a client bug: log it and close that connection. */

/* Requests open at once on one connection. */
#define AUTH_CLIENT_MAX_REQUESTS 1024

struct auth_client_connection {
	struct auth_server *server;
	struct auth_server_conn link;
	struct conn *conn;
	unsigned int cuid;
	unsigned int pid;
	bool version_received;
	ARRAY(struct auth_request *) requests;
};

static void auth_client_log_error(struct auth_client_connection *client,
				  const char *what, const char *line)
{
	char safe[128];

	log_sanitize(safe, sizeof(safe), line, strlen(line));
	log_error("auth-client (pid=%u cuid=%u): %s: %s", client->pid,
		  client->cuid, what, safe);
}

static void auth_client_send_handshake(struct auth_client_connection *client)
{
	struct auth *auth = client->server->auth;
	string_t *str = str_new(512, 16384);

	str_printfa(str, "VERSION\t%u\t%u\n", AUTH_CLIENT_PROTOCOL_MAJOR,
		    AUTH_CLIENT_PROTOCOL_MINOR);
	for (unsigned int i = 0; i < auth->n_mechs; i++) {
		str_printfa(str, "MECH\t%s", auth->mechs[i]->name);
		auth_mech_flags_append(str, auth->mechs[i]->flags);
		str_append_c(str, '\n');
	}
	str_printfa(str, "SPID\t%ld\nCUID\t%u\nCOOKIE\t", (long)getpid(),
		    client->cuid);
	for (unsigned int i = 0; i < sizeof(client->server->cookie); i++)
		str_printfa(str, "%02x", client->server->cookie[i]);
	str_append(str, "\nDONE\n");
	conn_write(client->conn, str_c(str), str_len(str));
	str_free(&str);
}

static ssize_t auth_client_find(struct auth_client_connection *client,
				unsigned int id)
{
	for (size_t i = 0; i < client->requests.count; i++) {
		if (client->requests.v[i]->info.id == id)
			return (ssize_t)i;
	}
	return -1;
}

static void auth_client_forget(struct auth_client_connection *client,
			       struct auth_request *request)
{
	for (size_t i = 0; i < client->requests.count; i++) {
		if (client->requests.v[i] == request) {
			array_delete(&client->requests, i);
			return;
		}
	}
}

static void auth_client_append_kv(string_t *str, const char *key,
				  const char *value)
{
	str_printfa(str, "\t%s=", key);
	auth_str_append_tabescaped(str, value);
}

static void auth_client_append_ok(string_t *str, struct auth_request *request)
{
	str_printfa(str, "OK\t%u", request->info.id);
	auth_client_append_kv(str, "user", request->user);
	if (request->original_user != NULL &&
	    strcmp(request->original_user, request->user) != 0 &&
	    request->master_user == NULL)
		auth_client_append_kv(str, "original_user",
				      request->original_user);
	if (request->master_user != NULL)
		auth_client_append_kv(str, "auth_user", request->master_user);
}

static void auth_client_append_fail(string_t *str, struct auth_request *request)
{
	str_printfa(str, "FAIL\t%u", request->info.id);
	if (request->user != NULL)
		auth_client_append_kv(str, "user", request->user);
	if (request->internal_failure)
		str_append(str, "\ttemp");
	else if (request->authz_failure)
		str_append(str, "\tauthz");
	if (request->user_disabled)
		str_append(str, "\tuser_disabled");
	if (request->fail_reason != NULL)
		auth_client_append_kv(str, "reason", request->fail_reason);
}

static void auth_client_reply_cb(struct auth_request *request,
				 enum auth_reply reply,
				 const unsigned char *data, size_t size,
				 void *context)
{
	struct auth_client_connection *client = context;
	string_t *str = str_new(256, AUTH_PROTOCOL_MAX_LINE * 2);

	switch (reply) {
	case AUTH_REPLY_CONTINUE:
		str_printfa(str, "CONT\t%u\t", request->info.id);
		auth_base64_encode(str, data, size);
		break;
	case AUTH_REPLY_OK:
		auth_client_append_ok(str, request);
		auth_client_forget(client, request);
		break;
	case AUTH_REPLY_FAIL:
		auth_client_append_fail(str, request);
		auth_client_forget(client, request);
		break;
	}
	str_append_c(str, '\n');
	conn_write(client->conn, str_c(str), str_len(str));
	str_free(&str);
}

static void auth_client_fail_id(struct auth_client_connection *client,
				unsigned int id, const char *reason)
{
	string_t *str = str_new(128, 1024);

	str_printfa(str, "FAIL\t%u", id);
	auth_client_append_kv(str, "reason", reason);
	str_append_c(str, '\n');
	conn_write(client->conn, str_c(str), str_len(str));
	str_free(&str);
}

static int auth_client_cmd_auth(struct auth_client_connection *client,
				char **args)
{
	struct auth *auth = client->server->auth;
	struct auth_request_info info;
	struct auth_request *request;
	const struct sasl_mech *mech;
	const char *error;

	if (auth_request_info_parse(args, &info, &error) < 0) {
		auth_client_log_error(client, error, args[0] ?: "");
		return -1;
	}
	if (auth_client_find(client, info.id) >= 0) {
		auth_client_log_error(client, "duplicate AUTH id", args[0]);
		return -1;
	}
	mech = auth_find_mech(auth, info.mech);
	if (mech == NULL) {
		auth_client_fail_id(client, info.id,
				    "Unsupported authentication mechanism");
		return 0;
	}
	if (client->requests.count >= AUTH_CLIENT_MAX_REQUESTS) {
		auth_client_fail_id(client, info.id, "Too many requests");
		return 0;
	}
	request = auth_request_new(auth, mech, &info, auth_client_reply_cb,
				   client);
	array_push(&client->requests, request);
	auth_request_start(request);
	return 0;
}

static int auth_client_cmd_cont(struct auth_client_connection *client,
				char **args)
{
	unsigned int id;
	ssize_t idx;

	if (args[0] == NULL || args[1] == NULL ||
	    str_to_uint(args[0], &id) < 0) {
		auth_client_log_error(client, "broken CONT", args[0] ?: "");
		return -1;
	}
	idx = auth_client_find(client, id);
	if (idx < 0) {
		auth_client_fail_id(client, id,
				    "Authentication request timed out");
		return 0;
	}
	auth_request_continue(client->requests.v[idx], args[1]);
	return 0;
}

static int auth_client_cmd_cancel(struct auth_client_connection *client,
				  char **args)
{
	unsigned int id;
	ssize_t idx;

	if (args[0] == NULL || str_to_uint(args[0], &id) < 0) {
		auth_client_log_error(client, "broken CANCEL", args[0] ?: "");
		return -1;
	}
	idx = auth_client_find(client, id);
	if (idx >= 0) {
		struct auth_request *request = client->requests.v[idx];

		array_delete(&client->requests, (size_t)idx);
		auth_request_abort(request);
	}
	return 0;
}

static int auth_client_handshake_line(struct auth_client_connection *client,
				      char **args)
{
	unsigned int major;

	if (!client->version_received) {
		if (strcmp(args[0], "VERSION") != 0 || args[1] == NULL ||
		    str_to_uint(args[1], &major) < 0 ||
		    major != AUTH_CLIENT_PROTOCOL_MAJOR) {
			auth_client_log_error(
				client, "client not compatible (no VERSION 1)",
				args[0]);
			return -1;
		}
		client->version_received = true;
		return 0;
	}
	if (args[1] == NULL || str_to_uint(args[1], &client->pid) < 0) {
		auth_client_log_error(client, "broken CPID", args[0]);
		return -1;
	}
	return 0;
}

/* Returns -1 when the connection must be closed. */
static int auth_client_handle_line(struct auth_client_connection *client,
				   const char *line)
{
	struct pool *pool = pool_create("auth client line", 1024);
	char **args = auth_split_line(pool, line);
	int ret;

	if (!client->version_received || strcmp(args[0], "CPID") == 0)
		ret = auth_client_handshake_line(client, args);
	else if (strcmp(args[0], "AUTH") == 0)
		ret = auth_client_cmd_auth(client, args + 1);
	else if (strcmp(args[0], "CONT") == 0)
		ret = auth_client_cmd_cont(client, args + 1);
	else if (strcmp(args[0], "CANCEL") == 0)
		ret = auth_client_cmd_cancel(client, args + 1);
	else {
		auth_client_log_error(client, "unknown command", line);
		ret = -1;
	}
	/* lines may carry passwords */
	pool_destroy(&pool);
	return ret;
}

static void auth_client_sweep(struct auth_server_conn *link, uint64_t now_msecs)
{
	struct auth_client_connection *client =
		CONTAINER_OF(link, struct auth_client_connection, link);

	for (size_t i = client->requests.count; i > 0; i--) {
		struct auth_request *request = client->requests.v[i - 1];

		if (!auth_request_is_timed_out(request, now_msecs))
			continue;
		log_info("auth-client (pid=%u): request %u timed out waiting "
			 "for the client",
			 client->pid, request->info.id);
		array_delete(&client->requests, i - 1);
		auth_client_fail_id(client, request->info.id,
				    "Authentication request timed out");
		auth_request_abort(request);
	}
}

static void auth_client_input(struct conn *conn)
{
	struct auth_client_connection *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while ((ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			auth_client_log_error(client, "line too long", "");
			conn_close(conn, "line too long");
			return;
		}
		if (strlen(line) != len) {
			auth_client_log_error(client, "NUL in line", line);
			conn_close(conn, "NUL in line");
			return;
		}
		if (auth_client_handle_line(client, line) < 0) {
			conn_close(conn, "protocol error");
			return;
		}
		if (conn_is_closing(conn))
			return;
	}
}

static void auth_client_abort_requests(struct auth_client_connection *client)
{
	while (client->requests.count > 0)
		auth_request_abort(array_pop(&client->requests));
}

static void auth_client_disconnected(struct conn *conn, const char *reason)
{
	struct auth_client_connection *client = conn_get_context(conn);

	if (client->requests.count > 0)
		log_info("auth-client (pid=%u) disconnected with %zu pending "
			 "requests: %s",
			 client->pid, client->requests.count, reason);
	auth_client_abort_requests(client);
}

static void auth_client_destroy(struct conn *conn)
{
	struct auth_client_connection *client = conn_get_context(conn);

	auth_client_abort_requests(client);
	array_free(&client->requests);
	auth_server_conn_unlink(client->server, &client->link);
	free(client);
}

static const struct conn_callbacks auth_client_callbacks = {
	.input = auth_client_input,
	.disconnected = auth_client_disconnected,
	.destroy = auth_client_destroy,
};

void auth_client_connection_accept(struct conn *conn, void *context)
{
	struct auth_server *server = context;
	struct auth_client_connection *client =
		xnew(struct auth_client_connection, 1);

	client->server = server;
	client->conn = conn;
	client->cuid = ++server->next_cuid;
	auth_server_conn_link(server, &client->link, conn);
	client->link.sweep = auth_client_sweep;
	conn_set_context(conn, client);
	conn_set_callbacks(conn, &auth_client_callbacks);
	conn_set_settings(conn, &auth_client_conn_settings);
	auth_client_send_handshake(client);
}
