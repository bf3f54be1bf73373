#include "pop3-client.h"
#include "pop3-settings.h"
#include "xalloc.h"

#include <string.h>

#define POP3_CLIENT_MAX_BAD_COMMANDS 20
#define POP3_OUTPUT_LIMIT (256 * 1024)
/* RFC 2449 §4 allows 255 octets; SASL initial responses need more. */
#define POP3_MAX_LINE_LENGTH (16 * 1024)

const struct service_env *pop3_env;

static struct pop3_client *pop3_clients;
static unsigned int pop3_clients_count;
static struct conn_settings pop3_conn_set;

void pop3_client_send_line(struct pop3_client *client, const char *line)
{
	conn_write_str(client->conn, line);
	conn_write(client->conn, "\r\n", 2);
}

void pop3_client_ok(struct pop3_client *client, const char *text)
{
	conn_printf(client->conn, "+OK %s\r\n", text);
}

void pop3_client_err(struct pop3_client *client, const char *text)
{
	conn_printf(client->conn, "-ERR %s\r\n", text);
}

void pop3_client_disconnect(struct pop3_client *client, const char *reason)
{
	if (client->disconnected)
		return;
	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
	conn_close(client->conn, reason);
}

static void pop3_client_handle_line(struct pop3_client *client, char *line)
{
	char *args = strchr(line, ' ');

	if (args != NULL)
		*args++ = '\0';
	pop3_client_command(client, line, args != NULL ? args : "");
}

static void pop3_client_input(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while (!client->disconnected &&
	       (ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			client->bad_count++;
			pop3_client_err(client, "Line too long.");
		} else if (strlen(line) != len) {
			client->bad_count++;
			pop3_client_err(client, "NUL characters in command.");
		} else {
			pop3_client_handle_line(client, (char *)line);
		}
		if (client->bad_count >= POP3_CLIENT_MAX_BAD_COMMANDS) {
			pop3_client_err(client, "Too many bad commands.");
			pop3_client_disconnect(client, "Too many bad commands");
		}
	}
}

static void pop3_client_timeout(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);

	pop3_client_err(client, "Disconnected for inactivity.");
	pop3_client_disconnect(client, "Inactivity timeout");
}

static void pop3_client_disconnected(struct conn *conn, const char *reason)
{
	struct pop3_client *client = conn_get_context(conn);

	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
}

static void pop3_client_destroy(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);

	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		pop3_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	pop3_clients_count--;
	free(client);
}

static const struct conn_callbacks pop3_client_callbacks = {
	.input = pop3_client_input,
	.timeout = pop3_client_timeout,
	.disconnected = pop3_client_disconnected,
	.destroy = pop3_client_destroy,
};

void pop3_client_accept(struct conn *conn, void *context)
{
	struct pop3_client *client = xnew(struct pop3_client, 1);

	client->conn = conn;
	session_id_generate(client->session_id);
	client->log.service = "pop3";
	client->log.remote_ip = conn_get_remote_ip(conn);
	client->log.session_id = client->session_id;
	client->next = pop3_clients;
	if (pop3_clients != NULL)
		pop3_clients->prev = client;
	pop3_clients = client;
	pop3_clients_count++;
	conn_set_context(conn, client);
	conn_set_settings(conn, &pop3_conn_set);
	conn_set_callbacks(conn, &pop3_client_callbacks);
	pop3_client_ok(client, "Postern ready.");
}

void pop3_service_init(const struct service_env *env,
		       const struct pop3_settings *set)
{
	pop3_env = env;
	pop3_conn_set.max_line_length = POP3_MAX_LINE_LENGTH;
	pop3_conn_set.output_limit = POP3_OUTPUT_LIMIT;
	pop3_conn_set.idle_timeout_secs = set->idle_timeout;
}

void pop3_service_shutdown(void)
{
	for (struct pop3_client *client = pop3_clients; client != NULL;
	     client = client->next) {
		if (client->disconnected)
			continue;
		pop3_client_err(client, "[SYS/TEMP] Server shutting down.");
		pop3_client_disconnect(client, "Server shutting down");
	}
}

unsigned int pop3_client_count(void)
{
	return pop3_clients_count;
}

void pop3_service_deinit(void)
{
	pop3_env = NULL;
}
