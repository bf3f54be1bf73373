#include "lmtp-client.h"
#include "lmtp-settings.h"
#include "xalloc.h"

#include <string.h>

#define LMTP_CLIENT_MAX_BAD_COMMANDS 20
#define LMTP_OUTPUT_LIMIT (256 * 1024)
/* RFC 5321 §4.5.3.1.4: 512 octets; be lenient with relays. */
#define LMTP_MAX_LINE_LENGTH (4 * 1024)

const struct service_env *lmtp_env;

static struct lmtp_client *lmtp_clients;
static unsigned int lmtp_clients_count;
static struct conn_settings lmtp_conn_set;

void lmtp_client_reply(struct lmtp_client *client, const char *reply)
{
	conn_write_str(client->conn, reply);
	conn_write(client->conn, "\r\n", 2);
}

void lmtp_client_disconnect(struct lmtp_client *client, const char *reason)
{
	if (client->disconnected)
		return;
	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
	conn_close(client->conn, reason);
}

static void lmtp_client_handle_line(struct lmtp_client *client, char *line)
{
	char *args = strchr(line, ' ');

	if (args != NULL)
		*args++ = '\0';
	lmtp_client_command(client, line, args != NULL ? args : "");
}

static void lmtp_client_input(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while (!client->disconnected &&
	       (ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			client->bad_count++;
			lmtp_client_reply(client, "500 5.5.2 Line too long");
		} else if (strlen(line) != len) {
			client->bad_count++;
			lmtp_client_reply(
				client, "500 5.5.2 NUL characters in command");
		} else {
			lmtp_client_handle_line(client, (char *)line);
		}
		if (client->bad_count >= LMTP_CLIENT_MAX_BAD_COMMANDS) {
			lmtp_client_reply(client,
					  "421 4.7.0 Too many bad commands");
			lmtp_client_disconnect(client, "Too many bad commands");
		}
	}
}

static void lmtp_client_timeout(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);

	lmtp_client_reply(client, "421 4.4.2 Disconnected for inactivity");
	lmtp_client_disconnect(client, "Inactivity timeout");
}

static void lmtp_client_disconnected(struct conn *conn, const char *reason)
{
	struct lmtp_client *client = conn_get_context(conn);

	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
}

static void lmtp_client_destroy(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);

	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		lmtp_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	lmtp_clients_count--;
	free(client);
}

static const struct conn_callbacks lmtp_client_callbacks = {
	.input = lmtp_client_input,
	.timeout = lmtp_client_timeout,
	.disconnected = lmtp_client_disconnected,
	.destroy = lmtp_client_destroy,
};

void lmtp_client_accept(struct conn *conn, void *context)
{
	struct lmtp_client *client = xnew(struct lmtp_client, 1);

	client->conn = conn;
	session_id_generate(client->session_id);
	client->log.service = "lmtp";
	client->log.remote_ip = conn_get_remote_ip(conn);
	client->log.session_id = client->session_id;
	client->next = lmtp_clients;
	if (lmtp_clients != NULL)
		lmtp_clients->prev = client;
	lmtp_clients = client;
	lmtp_clients_count++;
	conn_set_context(conn, client);
	conn_set_settings(conn, &lmtp_conn_set);
	conn_set_callbacks(conn, &lmtp_client_callbacks);
	conn_printf(conn, "220 %s Postern LMTP\r\n", lmtp_env->hostname);
}

void lmtp_service_init(const struct service_env *env,
		       const struct lmtp_settings *set)
{
	lmtp_env = env;
	lmtp_conn_set.max_line_length = LMTP_MAX_LINE_LENGTH;
	lmtp_conn_set.output_limit = LMTP_OUTPUT_LIMIT;
	lmtp_conn_set.idle_timeout_secs = set->idle_timeout;
}

void lmtp_service_shutdown(void)
{
	for (struct lmtp_client *client = lmtp_clients; client != NULL;
	     client = client->next) {
		if (client->disconnected)
			continue;
		lmtp_client_reply(client, "421 4.3.2 Server shutting down");
		lmtp_client_disconnect(client, "Server shutting down");
	}
}

unsigned int lmtp_client_count(void)
{
	return lmtp_clients_count;
}

void lmtp_service_deinit(void)
{
	lmtp_env = NULL;
}
