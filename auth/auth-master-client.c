#include "auth-master-client.h"
#include "auth-protocol.h"
#include "array.h"
#include "conn.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct auth_master_lookup {
	struct auth_master_client *client;
	unsigned int id;
	char *line;
	bool sent;
	auth_master_user_callback_t *callback;
	void *context;
};

struct auth_master_client {
	uv_loop_t *loop;
	char *path;
	struct conn *conn;
	bool connected;
	unsigned int next_id;
	ARRAY(struct auth_master_lookup *) lookups;
	ARRAY(struct auth_master_lookup *) failed;
	uv_idle_t fail_idle;
};

static const struct conn_settings auth_master_client_settings = {
	.max_line_length = AUTH_PROTOCOL_MAX_LINE,
	.output_limit = 1024 * 1024,
};

const char *auth_master_field(char *const *fields, const char *key)
{
	return auth_fields_find(fields, key);
}

struct auth_master_client *auth_master_client_create(uv_loop_t *loop,
						     const char *socket_path)
{
	struct auth_master_client *client = xnew(struct auth_master_client, 1);

	client->loop = loop;
	client->path = xstrdup(socket_path);
	uv_idle_init(loop, &client->fail_idle);
	client->fail_idle.data = client;
	return client;
}

static void auth_master_lookup_free(struct auth_master_lookup *lookup)
{
	free(lookup->line);
	free(lookup);
}

static void auth_master_fail_idle_cb(uv_idle_t *idle)
{
	struct auth_master_client *client = idle->data;
	char *no_fields[] = { NULL };

	uv_idle_stop(idle);
	while (client->failed.count > 0) {
		struct auth_master_lookup *lookup = client->failed.v[0];

		array_delete(&client->failed, 0);
		lookup->callback(-1, NULL, no_fields, lookup->context);
		auth_master_lookup_free(lookup);
	}
}

static void auth_master_fail_all(struct auth_master_client *client)
{
	client->conn = NULL;
	client->connected = false;
	while (client->lookups.count > 0)
		array_push(&client->failed, array_pop(&client->lookups));
	if (client->failed.count > 0)
		uv_idle_start(&client->fail_idle, auth_master_fail_idle_cb);
}

static struct auth_master_lookup *
auth_master_take(struct auth_master_client *client, const char *id_str)
{
	unsigned int id;

	if (id_str == NULL || str_to_uint(id_str, &id) < 0)
		return NULL;
	for (size_t i = 0; i < client->lookups.count; i++) {
		struct auth_master_lookup *lookup = client->lookups.v[i];

		if (lookup->id == id) {
			array_delete(&client->lookups, i);
			return lookup;
		}
	}
	return NULL;
}

static void auth_master_handle_line(struct auth_master_client *client,
				    const char *line)
{
	struct pool *pool = pool_create("auth master reply", 1024);
	char **args = auth_split_line(pool, line);
	struct auth_master_lookup *lookup = NULL;
	int result = -1;

	if (strcmp(args[0], "USER") == 0 && args[1] != NULL && args[2] != NULL)
		result = 1;
	else if (strcmp(args[0], "NOTFOUND") == 0)
		result = 0;
	else if (strcmp(args[0], "FAIL") != 0)
		args[1] = NULL;
	if (args[1] != NULL)
		lookup = auth_master_take(client, args[1]);
	if (lookup != NULL) {
		lookup->callback(result, result == 1 ? args[2] : NULL,
				 result == 1 ? args + 3 : args + 2,
				 lookup->context);
		auth_master_lookup_free(lookup);
	}
	pool_destroy(&pool);
}

static void auth_master_input(struct conn *conn)
{
	struct auth_master_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while ((ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			conn_close(conn, "userdb sent a too long line");
			return;
		}
		auth_master_handle_line(client, line);
	}
}

static void auth_master_disconnected(struct conn *conn, const char *reason)
{
	struct auth_master_client *client = conn_get_context(conn);

	if (client == NULL)
		return;
	conn_set_context(conn, NULL);
	if (client->lookups.count > 0)
		log_error("userdb client: lost connection to %s: %s",
			  client->path, reason);
	auth_master_fail_all(client);
}

static void auth_master_destroy(struct conn *conn)
{
}

static const struct conn_callbacks auth_master_client_callbacks = {
	.input = auth_master_input,
	.disconnected = auth_master_disconnected,
	.destroy = auth_master_destroy,
};

static void auth_master_send_pending(struct auth_master_client *client)
{
	for (size_t i = 0; i < client->lookups.count; i++) {
		struct auth_master_lookup *lookup = client->lookups.v[i];

		if (!lookup->sent) {
			conn_write_str(client->conn, lookup->line);
			lookup->sent = true;
		}
	}
}

static void auth_master_connected_cb(struct conn *conn, int status)
{
	struct auth_master_client *client = conn_get_context(conn);

	if (client == NULL)
		return;
	if (status < 0) {
		log_error("userdb client: connect(%s) failed: %s", client->path,
			  uv_strerror(status));
		conn_set_context(conn, NULL);
		auth_master_fail_all(client);
		return;
	}
	client->connected = true;
	conn_printf(conn, "VERSION\t%u\t%u\n", AUTH_MASTER_PROTOCOL_MAJOR,
		    AUTH_MASTER_PROTOCOL_MINOR);
	auth_master_send_pending(client);
}

struct auth_master_lookup *
auth_master_user_lookup(struct auth_master_client *client, const char *name,
			const char *service,
			auth_master_user_callback_t *callback, void *context)
{
	struct auth_master_lookup *lookup = xnew(struct auth_master_lookup, 1);
	string_t *str = str_new(128, AUTH_PROTOCOL_MAX_LINE);

	lookup->client = client;
	lookup->id = ++client->next_id;
	lookup->callback = callback;
	lookup->context = context;
	str_printfa(str, "USER\t%u\t", lookup->id);
	auth_str_append_tabescaped(str, name);
	str_append(str, "\tservice=");
	auth_str_append_tabescaped(str, service);
	str_append_c(str, '\n');
	lookup->line = xstrdup(str_c(str));
	str_free(&str);
	array_push(&client->lookups, lookup);
	if (client->conn == NULL)
		client->conn =
			conn_connect_unix(client->loop, client->path,
					  &auth_master_client_settings,
					  &auth_master_client_callbacks, client,
					  auth_master_connected_cb);
	else if (client->connected)
		auth_master_send_pending(client);
	return lookup;
}

void auth_master_lookup_abort(struct auth_master_lookup **_lookup)
{
	struct auth_master_lookup *lookup = *_lookup;
	struct auth_master_client *client = lookup->client;

	*_lookup = NULL;
	for (size_t i = 0; i < client->lookups.count; i++) {
		if (client->lookups.v[i] == lookup)
			array_delete(&client->lookups, i);
	}
	for (size_t i = 0; i < client->failed.count; i++) {
		if (client->failed.v[i] == lookup)
			array_delete(&client->failed, i);
	}
	auth_master_lookup_free(lookup);
}

static void auth_master_close_cb(uv_handle_t *handle)
{
	struct auth_master_client *client = handle->data;

	free(client);
}

void auth_master_client_free(struct auth_master_client **_client)
{
	struct auth_master_client *client = *_client;

	*_client = NULL;
	while (client->lookups.count > 0)
		auth_master_lookup_free(array_pop(&client->lookups));
	while (client->failed.count > 0)
		auth_master_lookup_free(array_pop(&client->failed));
	if (client->conn != NULL) {
		conn_set_context(client->conn, NULL);
		conn_close(client->conn, "userdb client freed");
	}
	array_free(&client->lookups);
	array_free(&client->failed);
	free(client->path);
	uv_close((uv_handle_t *)&client->fail_idle, auth_master_close_cb);
}
