#include "lmtp-client.h"
#include "auth-master-client.h"
#include "lmtp-settings.h"
#include "lmtp-transaction.h"
#include "lmtp-user-cache.h"
#include "postern/storage.h"
#include "str.h"
#include "xalloc.h"

#include <stdarg.h>
#include <string.h>

#define LMTP_CLIENT_MAX_BAD_COMMANDS 20
#define LMTP_OUTPUT_LIMIT (256 * 1024)
/* RFC 5321 §4.5.3.1.4: 512 octets; be lenient with relays. */
#define LMTP_MAX_LINE_LENGTH (4 * 1024)

const struct service_env *lmtp_env;
const struct lmtp_settings *lmtp_set;

static struct lmtp_client *lmtp_clients;
static unsigned int lmtp_clients_count;
static struct conn_settings lmtp_conn_set;
static struct auth_master_client *lmtp_userdb;

struct auth_master_client *lmtp_client_get_userdb(void)
{
	const char *path = lmtp_env->auth_userdb_socket;

	if (lmtp_userdb == NULL && path != NULL && path[0] != '\0')
		lmtp_userdb = auth_master_client_create(lmtp_env->loop, path);
	return lmtp_userdb;
}

uint64_t lmtp_client_max_message_size(void)
{
	uint64_t lmtp_max = lmtp_set->max_message_size;
	uint64_t storage_max = lmtp_env->storage_set != NULL
				       ? lmtp_env->storage_set->max_message_size
				       : 0;

	if (lmtp_max == 0 || (storage_max != 0 && storage_max < lmtp_max))
		return storage_max;
	return lmtp_max;
}

void lmtp_client_reply(struct lmtp_client *client, unsigned int code,
		       enum lmtp_esc esc, const char *fmt, ...)
{
	string_t *str = str_new(128, 1024);
	va_list args;

	lmtp_esc_append(str, code, esc);
	va_start(args, fmt);
	str_vprintfa(str, fmt, args);
	va_end(args);
	str_append(str, "\r\n");
	conn_write(client->conn, str_c(str), str_len(str));
	str_free(&str);
}

void lmtp_client_reply_line(struct lmtp_client *client, const char *line)
{
	conn_write_str(client->conn, line);
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

void lmtp_client_reset(struct lmtp_client *client)
{
	lmtp_transaction_free(lmtp_env->loop, &client->trans);
}

void lmtp_client_command_async(struct lmtp_client *client)
{
	i_assert(!client->cmd_running);
	client->cmd_running = true;
	conn_ref(client->conn);
	conn_input_pause(client->conn);
}

static void lmtp_client_say_goodbye(struct lmtp_client *client)
{
	lmtp_client_reply(client, 421, LMTP_ESC_NOT_ACCEPTING,
			  "Server shutting down");
	lmtp_client_disconnect(client, "Server shutting down");
}

void lmtp_client_command_done(struct lmtp_client *client)
{
	struct conn *conn = client->conn;

	i_assert(client->cmd_running);
	client->cmd_running = false;
	if (!conn_is_closing(conn)) {
		if (client->shutting_down)
			lmtp_client_say_goodbye(client);
		else
			conn_input_resume(conn);
	}
	conn_unref(&conn);
}

void lmtp_client_queue_job(struct lmtp_client *client, uv_work_t *work,
			   uv_work_cb work_cb, uv_after_work_cb done_cb)
{
	client->jobs++;
	conn_ref(client->conn);
	if (uv_queue_work(lmtp_env->loop, work, work_cb, done_cb) != 0)
		panic("uv_queue_work() failed");
}

void lmtp_client_job_done(struct lmtp_client *client)
{
	struct conn *conn = client->conn;

	i_assert(client->jobs > 0);
	client->jobs--;
	conn_unref(&conn);
}

static void lmtp_client_bad_line(struct lmtp_client *client, const char *text)
{
	client->bad_count++;
	lmtp_client_reply(client, 500, LMTP_ESC_SYNTAX_ERROR, "%s", text);
}

static void lmtp_client_command_input(struct lmtp_client *client)
{
	enum conn_read_result ret;
	const char *line;
	size_t len;

	ret = conn_read_line(client->conn, &line, &len);
	if (ret == CONN_READ_MORE)
		return;
	if (ret == CONN_READ_TOO_LONG)
		lmtp_client_bad_line(client, "Line too long");
	else if (strlen(line) != len)
		lmtp_client_bad_line(client, "NUL characters in command");
	else
		lmtp_client_command(client, (char *)line);
	if (client->bad_count >= LMTP_CLIENT_MAX_BAD_COMMANDS) {
		lmtp_client_reply(client, 421, LMTP_ESC_INVALID_COMMAND,
				  "Too many bad commands");
		lmtp_client_disconnect(client, "Too many bad commands");
	}
}

static bool lmtp_client_can_read(struct lmtp_client *client)
{
	return !client->disconnected && !client->cmd_running &&
	       !client->data_paused && conn_input_pending(client->conn) > 0;
}

static void lmtp_client_input(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);
	size_t pending;

	while (lmtp_client_can_read(client)) {
		pending = conn_input_pending(conn);
		switch (client->input_mode) {
		case LMTP_INPUT_COMMAND:
			lmtp_client_command_input(client);
			break;
		case LMTP_INPUT_DATA:
			lmtp_data_input(client);
			break;
		case LMTP_INPUT_BDAT:
			lmtp_bdat_input(client);
			break;
		}
		if (conn_input_pending(conn) == pending)
			break; /* an incomplete line */
	}
}

static void lmtp_client_timeout(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);

	if (client->cmd_running || client->data_paused)
		return; /* waiting for our own work, not for the peer */
	lmtp_client_reply(client, 421, LMTP_ESC_NETWORK_TIMEOUT,
			  "Disconnected for inactivity");
	lmtp_client_disconnect(client, "Inactivity timeout");
}

static void lmtp_client_disconnected(struct conn *conn, const char *reason)
{
	struct lmtp_client *client = conn_get_context(conn);

	if (!client->disconnected) {
		client->disconnected = true;
		log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s",
			reason);
	}
	lmtp_rcpt_abort(client);
	lmtp_data_abort(client);
}

static void lmtp_client_destroy(struct conn *conn)
{
	struct lmtp_client *client = conn_get_context(conn);

	i_assert(client->jobs == 0);
	lmtp_rcpt_abort(client);
	lmtp_client_reset(client);
	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		lmtp_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	lmtp_clients_count--;
	free(client->helo);
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
	lmtp_set = set;
	lmtp_conn_set.max_line_length = LMTP_MAX_LINE_LENGTH;
	lmtp_conn_set.output_limit = LMTP_OUTPUT_LIMIT;
	lmtp_conn_set.idle_timeout_secs = set->idle_timeout;
	lmtp_user_cache_init(env->loop);
}

/* Busy: running a command, or in the middle of a message. */
static bool lmtp_client_is_busy(const struct lmtp_client *client)
{
	return client->cmd_running || client->input_mode != LMTP_INPUT_COMMAND;
}

void lmtp_service_shutdown(void)
{
	for (struct lmtp_client *client = lmtp_clients; client != NULL;
	     client = client->next) {
		if (client->disconnected)
			continue;
		if (lmtp_client_is_busy(client))
			client->shutting_down = true;
		else
			lmtp_client_say_goodbye(client);
	}
}

unsigned int lmtp_client_count(void)
{
	return lmtp_clients_count;
}

void lmtp_service_deinit(void)
{
	if (lmtp_userdb != NULL)
		auth_master_client_free(&lmtp_userdb);
	lmtp_user_cache_deinit();
	lmtp_env = NULL;
	lmtp_set = NULL;
}
