#include "imap-client.h"
#include "imap-commands.h"
#include "imap-settings.h"
#include "str.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Too many BAD replies in a row: the peer isn't speaking IMAP. */
#define IMAP_CLIENT_MAX_BAD_COMMANDS 20
#define IMAP_OUTPUT_LIMIT (256 * 1024)

const struct service_env *imap_env;
const struct imap_settings *imap_set;

static struct imap_client *imap_clients;
static unsigned int imap_clients_count;
static struct conn_settings imap_conn_set;

void imap_client_send_line(struct imap_client *client, const char *fmt, ...)
{
	char small[1024];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(small, sizeof(small) - 2, fmt, args);
	va_end(args);
	if (len < 0 || (size_t)len >= sizeof(small) - 2) {
		string_t *str = str_new(2048, SIZE_MAX);

		va_start(args, fmt);
		str_vprintfa(str, fmt, args);
		va_end(args);
		str_append(str, "\r\n");
		conn_write(client->conn, str->data, str->used);
		str_free(&str);
		return;
	}
	memcpy(small + len, "\r\n", 2);
	conn_write(client->conn, small, (size_t)len + 2);
}

const char *imap_client_capability(struct imap_client *client)
{
	static char capability[256];
	bool tls_offered = imap_env->tls != NULL && !conn_is_tls(client->conn);

	snprintf(capability, sizeof(capability),
		 "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE%s LOGINDISABLED",
		 tls_offered ? " STARTTLS" : "");
	return capability;
}

void imap_client_disconnect(struct imap_client *client, const char *reason)
{
	if (client->disconnected)
		return;
	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
	conn_close(client->conn, reason);
}

/* Splits "tag SP name [SP args]". Returns false for a line that has no
   valid tag (RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">). */
static bool imap_client_split_command(char *line, struct imap_command *cmd)
{
	char *space = strchr(line, ' ');
	char *name_end;

	if (space == NULL || space == line)
		return false;
	for (const char *p = line; p < space; p++) {
		if (*p <= ' ' || *p >= 0x7f ||
		    strchr("(){%*\"\\+]", *p) != NULL)
			return false;
	}
	*space = '\0';
	cmd->tag = line;
	cmd->name = space + 1;
	name_end = strchr(cmd->name, ' ');
	if (name_end != NULL) {
		*name_end = '\0';
		cmd->args = name_end + 1;
	} else {
		cmd->args = "";
	}
	return true;
}

static void imap_client_handle_line(struct imap_client *client, char *line)
{
	struct imap_command cmd = { .client = client };
	const struct imap_command_def *def;

	if (!imap_client_split_command(line, &cmd)) {
		client->bad_count++;
		imap_client_send_line(client, "* BAD Error in IMAP command: "
					      "missing tag or command.");
		return;
	}
	def = imap_command_find(cmd.name);
	if (def == NULL) {
		imap_command_bad(&cmd, "Unknown command.");
		return;
	}
	def->handler(&cmd);
}

static void imap_client_input(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while (!client->disconnected &&
	       (ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG) {
			client->bad_count++;
			imap_client_send_line(
				client,
				"* BAD [TOOBIG] Command line too long.");
		} else if (strlen(line) != len) {
			client->bad_count++;
			imap_client_send_line(
				client,
				"* BAD NUL characters in command line.");
		} else {
			imap_client_handle_line(client, (char *)line);
		}
		if (client->bad_count >= IMAP_CLIENT_MAX_BAD_COMMANDS) {
			imap_client_send_line(
				client,
				"* BYE Too many invalid IMAP commands.");
			imap_client_disconnect(client,
					       "Too many invalid commands");
		}
	}
}

static void imap_client_timeout(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);

	imap_client_send_line(client, "* BYE Disconnected for inactivity.");
	imap_client_disconnect(client, "Inactivity timeout");
}

static void imap_client_disconnected(struct conn *conn, const char *reason)
{
	struct imap_client *client = conn_get_context(conn);

	client->disconnected = true;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
}

static void imap_client_destroy(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);

	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		imap_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	imap_clients_count--;
	free(client);
}

static const struct conn_callbacks imap_client_callbacks = {
	.input = imap_client_input,
	.timeout = imap_client_timeout,
	.disconnected = imap_client_disconnected,
	.destroy = imap_client_destroy,
};

void imap_client_accept(struct conn *conn, void *context)
{
	struct imap_client *client = xnew(struct imap_client, 1);

	client->conn = conn;
	session_id_generate(client->session_id);
	client->log.service = "imap";
	client->log.remote_ip = conn_get_remote_ip(conn);
	client->log.session_id = client->session_id;
	client->next = imap_clients;
	if (imap_clients != NULL)
		imap_clients->prev = client;
	imap_clients = client;
	imap_clients_count++;
	conn_set_context(conn, client);
	conn_set_settings(conn, &imap_conn_set);
	conn_set_callbacks(conn, &imap_client_callbacks);
	log_msg(LOG_LEVEL_DEBUG, &client->log, "Connected");
	imap_client_send_line(client, "* OK [CAPABILITY %s] Postern ready.",
			      imap_client_capability(client));
}

void imap_service_init(const struct service_env *env,
		       const struct imap_settings *set)
{
	imap_env = env;
	imap_set = set;
	imap_conn_set.max_line_length = set->max_line_length;
	imap_conn_set.output_limit = IMAP_OUTPUT_LIMIT;
	imap_conn_set.idle_timeout_secs = set->idle_timeout;
}

void imap_service_shutdown(void)
{
	for (struct imap_client *client = imap_clients; client != NULL;
	     client = client->next) {
		if (client->disconnected)
			continue;
		imap_client_send_line(client, "* BYE Server shutting down.");
		imap_client_disconnect(client, "Server shutting down");
	}
}

unsigned int imap_client_count(void)
{
	return imap_clients_count;
}

void imap_service_deinit(void)
{
	imap_env = NULL;
	imap_set = NULL;
}
