#include "auth-client.h"
#include "auth-base64.h"
#include "auth-protocol.h"
#include "array.h"
#include "conn.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct auth_client_mech {
	char *name;
	enum auth_mech_flags flags;
};

struct auth_client_request {
	struct auth_client *client;
	unsigned int id;
	/* the AUTH line, kept until the connection is up */
	char *pending_line;
	auth_client_request_callback_t *callback;
	void *context;
};

struct auth_client {
	uv_loop_t *loop;
	char *path;
	struct conn *conn;
	bool connected;
	bool handshake_done;
	unsigned int next_id;
	ARRAY(struct auth_client_request *) requests;
	ARRAY(struct auth_client_mech) mechs;
	string_t *mech_names;
	/* requests that failed before being sent, answered from the loop */
	uv_idle_t fail_idle;
	/* auth_client_connect()'s callback, until the handshake ends */
	auth_client_ready_callback_t *ready_callback;
	void *ready_context;
	ARRAY(struct auth_client_request *) failed;
};

static const struct conn_settings auth_client_settings = {
	.max_line_length = AUTH_PROTOCOL_MAX_LINE,
	.output_limit = 1024 * 1024,
};

struct auth_client *auth_client_create(uv_loop_t *loop, const char *socket_path)
{
	struct auth_client *client = xnew(struct auth_client, 1);

	client->loop = loop;
	client->path = xstrdup(socket_path);
	client->mech_names = str_new(128, 16384);
	uv_idle_init(loop, &client->fail_idle);
	client->fail_idle.data = client;
	return client;
}

static void auth_client_request_free(struct auth_client_request *request)
{
	free(request->pending_line);
	free(request);
}

static void auth_client_remove(struct auth_client *client,
			       struct auth_client_request *request)
{
	for (size_t i = 0; i < client->requests.count; i++) {
		if (client->requests.v[i] == request) {
			array_delete(&client->requests, i);
			return;
		}
	}
}

static struct auth_client_request *auth_client_find(struct auth_client *client,
						    unsigned int id)
{
	for (size_t i = 0; i < client->requests.count; i++) {
		if (client->requests.v[i]->id == id)
			return client->requests.v[i];
	}
	return NULL;
}

/* Ends request with a local temporary failure. */
static void auth_client_request_tempfail(struct auth_client_request *request,
					 const char *reason)
{
	char *fields[] = { NULL };
	struct auth_client_result result = {
		.type = AUTH_CLIENT_RESULT_FAIL,
		.reason = reason,
		.temp = true,
		.fields = fields,
	};

	request->callback(request, &result, request->context);
	auth_client_request_free(request);
}

static void auth_client_fail_idle_cb(uv_idle_t *idle)
{
	struct auth_client *client = idle->data;

	uv_idle_stop(idle);
	while (client->failed.count > 0) {
		struct auth_client_request *request = client->failed.v[0];

		array_delete(&client->failed, 0);
		auth_client_request_tempfail(
			request, "Connection lost to authentication server");
	}
}

/* Fails every request from the loop (not from inside the caller). */
static void auth_client_fail_all(struct auth_client *client)
{
	while (client->requests.count > 0)
		array_push(&client->failed, array_pop(&client->requests));
	if (client->failed.count > 0)
		uv_idle_start(&client->fail_idle, auth_client_fail_idle_cb);
}

static void auth_client_parse_mech(struct auth_client *client, char **args)
{
	struct auth_client_mech *mech;

	if (args[1] == NULL)
		return;
	mech = array_push_new(&client->mechs);
	mech->name = xstrdup(args[1]);
	mech->flags = auth_mech_flags_parse(args + 2);
	if (str_len(client->mech_names) > 0)
		str_append_c(client->mech_names, ' ');
	str_append(client->mech_names, args[1]);
}

static void auth_client_flush_pending(struct auth_client *client)
{
	for (size_t i = 0; i < client->requests.count; i++) {
		struct auth_client_request *request = client->requests.v[i];

		if (request->pending_line != NULL) {
			conn_write_str(client->conn, request->pending_line);
			free(request->pending_line);
			request->pending_line = NULL;
		}
	}
}

static void auth_client_reply(struct auth_client *client, char **args,
			      enum auth_client_result_type type)
{
	struct auth_client_result result = { .type = type };
	struct auth_client_request *request;
	unsigned int id;

	if (args[1] == NULL || str_to_uint(args[1], &id) < 0 ||
	    (request = auth_client_find(client, id)) == NULL)
		return;
	if (type == AUTH_CLIENT_RESULT_CONTINUE) {
		result.challenge = args[2] != NULL ? args[2] : "";
		result.fields = args + (args[2] != NULL ? 3 : 2);
		request->callback(request, &result, request->context);
		return;
	}
	result.fields = args + 2;
	result.user = auth_fields_find(args + 2, "user");
	result.reason = auth_fields_find(args + 2, "reason");
	result.temp = auth_fields_find(args + 2, "temp") != NULL;
	result.authz = auth_fields_find(args + 2, "authz") != NULL;
	result.user_disabled =
		auth_fields_find(args + 2, "user_disabled") != NULL;
	auth_client_remove(client, request);
	request->callback(request, &result, request->context);
	auth_client_request_free(request);
}

/* Tells auth_client_connect()'s caller that waiting is over, whether the
   handshake finished or the connection failed. */
static void auth_client_notify_ready(struct auth_client *client)
{
	auth_client_ready_callback_t *callback = client->ready_callback;

	client->ready_callback = NULL;
	if (callback != NULL)
		callback(client->ready_context);
}

static void auth_client_handle_line(struct auth_client *client,
				    const char *line)
{
	struct pool *pool = pool_create("auth client reply", 1024);
	char **args = auth_split_line(pool, line);

	if (strcmp(args[0], "MECH") == 0) {
		auth_client_parse_mech(client, args);
	} else if (strcmp(args[0], "DONE") == 0) {
		client->handshake_done = true;
		auth_client_notify_ready(client);
	} else if (strcmp(args[0], "OK") == 0) {
		auth_client_reply(client, args, AUTH_CLIENT_RESULT_OK);
	} else if (strcmp(args[0], "FAIL") == 0) {
		auth_client_reply(client, args, AUTH_CLIENT_RESULT_FAIL);
	} else if (strcmp(args[0], "CONT") == 0) {
		auth_client_reply(client, args, AUTH_CLIENT_RESULT_CONTINUE);
	} else if (strcmp(args[0], "VERSION") == 0 && args[1] != NULL &&
		   strcmp(args[1], "1") != 0) {
		log_error("auth client: server speaks protocol version %s",
			  args[1]);
		conn_close(client->conn, "protocol version mismatch");
	}
	pool_destroy(&pool);
}

static void auth_client_input(struct conn *conn)
{
	struct auth_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while ((ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			conn_close(conn, "auth server sent a too long line");
			return;
		}
		auth_client_handle_line(client, line);
		if (conn_is_closing(conn))
			return;
	}
}

static void auth_client_reset(struct auth_client *client)
{
	client->conn = NULL;
	client->connected = false;
	client->handshake_done = false;
	for (size_t i = 0; i < client->mechs.count; i++)
		free(client->mechs.v[i].name);
	array_clear(&client->mechs);
	str_truncate(client->mech_names, 0);
}

static void auth_client_disconnected(struct conn *conn, const char *reason)
{
	struct auth_client *client = conn_get_context(conn);

	if (client == NULL)
		return;
	if (client->requests.count > 0)
		log_error("auth client: lost connection to %s: %s",
			  client->path, reason);
	auth_client_reset(client);
	auth_client_fail_all(client);
	conn_set_context(conn, NULL);
}

static void auth_client_conn_destroy(struct conn *conn)
{
}

static const struct conn_callbacks auth_client_conn_callbacks = {
	.input = auth_client_input,
	.disconnected = auth_client_disconnected,
	.destroy = auth_client_conn_destroy,
};

static void auth_client_connected_cb(struct conn *conn, int status)
{
	struct auth_client *client = conn_get_context(conn);

	if (client == NULL)
		return;
	if (status < 0) {
		log_error("auth client: connect(%s) failed: %s", client->path,
			  uv_strerror(status));
		conn_set_context(conn, NULL);
		auth_client_reset(client);
		auth_client_fail_all(client);
		auth_client_notify_ready(client);
		return;
	}
	client->connected = true;
	conn_printf(conn, "VERSION\t%u\t%u\nCPID\t%ld\n",
		    AUTH_CLIENT_PROTOCOL_MAJOR, AUTH_CLIENT_PROTOCOL_MINOR,
		    (long)getpid());
	auth_client_flush_pending(client);
}

static void auth_client_open(struct auth_client *client)
{
	client->conn = conn_connect_unix(
		client->loop, client->path, &auth_client_settings,
		&auth_client_conn_callbacks, client, auth_client_connected_cb);
}

static char *auth_client_format_auth(unsigned int id,
				     const struct auth_client_request_params *p)
{
	struct auth_request_info info = {
		.id = id,
		.mech = p->mech,
		.service = p->service,
		.local_ip = p->local_ip,
		.remote_ip = p->remote_ip,
		.local_port = p->local_port,
		.remote_port = p->remote_port,
		.secured = p->secured,
		.valid_client_cert = p->valid_client_cert,
		.nologin = p->nologin,
		.session_id = p->session_id,
		.cert_username = p->cert_username,
		.initial_resp = p->initial_resp,
	};
	string_t *str = str_new(256, AUTH_PROTOCOL_MAX_LINE * 2), *cb = NULL;
	char *line;

	if (p->cbind_data != NULL) {
		cb = str_new(64, 1024);
		auth_base64_encode(cb, p->cbind_data, p->cbind_size);
		info.cbind_tls_exporter = str_c(cb);
	}
	auth_request_info_append(str, &info);
	str_append_c(str, '\n');
	line = xstrdup(str_c(str));
	str_free(&str);
	str_free(&cb);
	return line;
}

struct auth_client_request *
auth_client_request_start(struct auth_client *client,
			  const struct auth_client_request_params *params,
			  auth_client_request_callback_t *callback,
			  void *context)
{
	struct auth_client_request *request =
		xnew(struct auth_client_request, 1);

	request->client = client;
	request->id = ++client->next_id;
	if (request->id == 0)
		request->id = client->next_id = 1;
	request->callback = callback;
	request->context = context;
	request->pending_line = auth_client_format_auth(request->id, params);
	array_push(&client->requests, request);
	if (client->conn == NULL)
		auth_client_open(client);
	else if (client->connected)
		auth_client_flush_pending(client);
	return request;
}

void auth_client_request_continue(struct auth_client_request *request,
				  const char *response_b64)
{
	struct auth_client *client = request->client;

	if (client->conn == NULL || !client->connected)
		return;
	conn_printf(client->conn, "CONT\t%u\t%s\n", request->id, response_b64);
}

void auth_client_request_abort(struct auth_client_request **_request)
{
	struct auth_client_request *request = *_request;
	struct auth_client *client = request->client;

	*_request = NULL;
	for (size_t i = 0; i < client->failed.count; i++) {
		if (client->failed.v[i] == request) {
			array_delete(&client->failed, i);
			auth_client_request_free(request);
			return;
		}
	}
	if (client->conn != NULL && client->connected &&
	    request->pending_line == NULL)
		conn_printf(client->conn, "CANCEL\t%u\n", request->id);
	auth_client_remove(client, request);
	auth_client_request_free(request);
}

void auth_client_connect(struct auth_client *client,
			 auth_client_ready_callback_t *callback, void *context)
{
	client->ready_callback = callback;
	client->ready_context = context;
	if (client->handshake_done)
		auth_client_notify_ready(client);
	else if (client->conn == NULL)
		auth_client_open(client);
}

bool auth_mech_needs_tls(const char *mech)
{
	return str_ends(mech, "-PLUS");
}

bool auth_client_mech_is_private(const struct auth_client *client,
				 const char *mech)
{
	for (size_t i = 0; i < client->mechs.count; i++) {
		if (str_eq_icase(client->mechs.v[i].name, mech))
			return (client->mechs.v[i].flags &
				AUTH_MECH_FLAG_PRIVATE) != 0;
	}
	return false;
}

bool auth_client_is_connected(const struct auth_client *client)
{
	return client->handshake_done;
}

const char *auth_client_get_mechs(const struct auth_client *client)
{
	return str_c(client->mech_names);
}

bool auth_client_mech_is_usable(const struct auth_client *client,
				const char *mech, bool secured,
				bool allow_plaintext)
{
	for (size_t i = 0; i < client->mechs.count; i++) {
		const struct auth_client_mech *m = &client->mechs.v[i];

		if (!str_eq_icase(m->name, mech))
			continue;
		return (m->flags & AUTH_MECH_FLAG_PLAINTEXT) == 0 || secured ||
		       allow_plaintext;
	}
	return false;
}

static void auth_client_idle_close_cb(uv_handle_t *handle)
{
	struct auth_client *client = handle->data;

	array_free(&client->failed);
	free(client);
}

void auth_client_free(struct auth_client **_client)
{
	struct auth_client *client = *_client;

	*_client = NULL;
	while (client->requests.count > 0)
		auth_client_request_free(array_pop(&client->requests));
	while (client->failed.count > 0)
		auth_client_request_free(array_pop(&client->failed));
	if (client->conn != NULL) {
		conn_set_context(client->conn, NULL);
		conn_close(client->conn, "auth client freed");
	}
	auth_client_reset(client);
	array_free(&client->requests);
	array_free(&client->mechs);
	str_free(&client->mech_names);
	free(client->path);
	uv_close((uv_handle_t *)&client->fail_idle, auth_client_idle_close_cb);
}
