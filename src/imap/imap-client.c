#include "imap-client.h"
#include "imap-auth.h"
#include "imap-commands.h"
#include "imap-parser.h"
#include "imap-settings.h"
#include "imap-storage.h"
#include "str.h"
#include "strfuncs.h"
#include "xalloc.h"
#include "memory-trim.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Too many BAD replies in a row: the peer isn't speaking IMAP. */
#define IMAP_CLIENT_MAX_BAD_COMMANDS 20
#define IMAP_OUTPUT_LIMIT (256 * 1024)
/* Longest command name we look up. */
#define IMAP_COMMAND_NAME_MAX 32

const struct service_env *imap_env;
const struct imap_settings *imap_set;

static struct imap_client *imap_clients;
static unsigned int imap_clients_count;
static struct conn_settings imap_conn_set;
static struct imap_parser_settings imap_parser_set;

const struct imap_parser_settings *imap_client_parser_settings(void)
{
	return &imap_parser_set;
}

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

void imap_client_send_str(struct imap_client *client, const string_t *str)
{
	conn_write(client->conn, str->data, str->used);
}

void imap_client_input_pause(struct imap_client *client)
{
	if (client->input_paused)
		return;
	client->input_paused = true;
	conn_input_pause(client->conn);
}

void imap_client_input_resume(struct imap_client *client)
{
	if (!client->input_paused || client->disconnected)
		return;
	client->input_paused = false;
	conn_input_resume(client->conn);
}

void imap_client_disconnect(struct imap_client *client, const char *reason)
{
	if (client->disconnected)
		return;
	client->disconnected = true;
	client->state = IMAP_CLIENT_STATE_LOGOUT;
	log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s", reason);
	conn_close(client->conn, reason);
	if (client->cmd == NULL)
		imap_client_release_storage(client);
}

void imap_client_login(struct imap_client *client, const char *username,
		       struct mail_user *user)
{
	client->username = xstrdup(username);
	client->log.user = client->username;
	client->user = user;
	client->state = IMAP_CLIENT_STATE_AUTH;
	log_msg(LOG_LEVEL_INFO, &client->log, "Logged in");
}

static void imap_client_check_bad_count(struct imap_client *client)
{
	if (client->bad_count < IMAP_CLIENT_MAX_BAD_COMMANDS)
		return;
	imap_client_send_line(client, "* BYE Too many invalid IMAP commands.");
	imap_client_disconnect(client, "Too many invalid commands");
}

void imap_client_command_ended(struct imap_client *client)
{
	if (client->disconnected) {
		imap_client_release_storage(client);
		return;
	}
	imap_client_check_bad_count(client);
	if (client->disconnected)
		return;
	if (client->shutting_down) {
		imap_client_send_line(client, "* BYE Server shutting down.");
		imap_client_disconnect(client, "Server shutting down");
		return;
	}
	imap_client_input_resume(client);
}

/* ---- Reading commands ---- */

static void imap_client_bad_line(struct imap_client *client, const char *tag,
				 const char *text)
{
	client->bad_count++;
	imap_client_send_line(client, "%s BAD %s", tag, text);
	imap_client_check_bad_count(client);
}

/* Splits off the next SP-separated word of line[*pos..len). */
static bool imap_client_next_word(const char *line, size_t len, size_t *pos,
				  const char **word_r, size_t *word_len_r)
{
	size_t start = *pos, end = start;

	while (end < len && line[end] != ' ')
		end++;
	if (end == start)
		return false;
	*word_r = line + start;
	*word_len_r = end - start;
	*pos = end < len ? end + 1 : end;
	return true;
}

/* Finds the command named by the next word; handles the UID prefix. */
static const struct imap_command_def *
imap_client_find_command(const char *line, size_t len, size_t *pos, bool *uid_r)
{
	char name[IMAP_COMMAND_NAME_MAX + 1];
	const char *word;
	size_t word_len;

	*uid_r = false;
	for (;;) {
		if (!imap_client_next_word(line, len, pos, &word, &word_len) ||
		    word_len > IMAP_COMMAND_NAME_MAX)
			return NULL;
		memcpy(name, word, word_len);
		name[word_len] = '\0';
		if (*uid_r || !str_eq_icase(name, "UID"))
			return imap_command_find(name);
		*uid_r = true;
	}
}

static bool imap_client_state_allows(struct imap_client *client,
				     const struct imap_command_def *def)
{
	switch (client->state) {
	case IMAP_CLIENT_STATE_NOT_AUTH:
		return (def->flags & IMAP_CMD_FLAG_NOT_AUTH) != 0;
	case IMAP_CLIENT_STATE_AUTH:
		return (def->flags & IMAP_CMD_FLAG_AUTH) != 0;
	case IMAP_CLIENT_STATE_SELECTED:
		return (def->flags & IMAP_CMD_FLAG_SELECTED) != 0;
	case IMAP_CLIENT_STATE_LOGOUT:
		return false;
	}
	i_unreached();
}

static void imap_client_start_command(struct imap_client *client,
				      const char *line, size_t len)
{
	const struct imap_command_def *def;
	struct imap_command *cmd;
	const char *tag_start;
	size_t pos = 0, tag_len;
	char *tag;
	bool uid;

	if (!imap_client_next_word(line, len, &pos, &tag_start, &tag_len) ||
	    !imap_parser_is_valid_tag(tag_start, tag_len)) {
		imap_client_bad_line(client, "*",
				     "Error in IMAP command: invalid tag.");
		return;
	}
	if (pos == len) {
		imap_client_bad_line(client, "*",
				     "Error in IMAP command: missing command.");
		return;
	}
	tag = xstrndup(tag_start, tag_len);
	def = imap_client_find_command(line, len, &pos, &uid);
	if (def == NULL)
		imap_client_bad_line(client, tag, "Unknown command.");
	else if (uid && (def->flags & IMAP_CMD_FLAG_UID) == 0)
		imap_client_bad_line(client, tag, "Unknown UID command.");
	else if (!imap_client_state_allows(client, def))
		imap_client_bad_line(client, tag,
				     "Command not allowed in this state.");
	else {
		cmd = imap_command_new(client, tag, def);
		cmd->uid = uid;
		imap_command_parse_first(cmd, line + pos, len - pos);
	}
	free(tag);
}

static bool imap_client_read_command(struct imap_client *client)
{
	enum conn_read_result ret;
	const char *line;
	size_t len;

	ret = conn_read_line(client->conn, &line, &len);
	if (ret == CONN_READ_MORE)
		return false;
	if (ret == CONN_READ_TOO_LONG)
		imap_client_bad_line(client, "*",
				     "[TOOBIG] Command line too long.");
	else if (client->idle_tag != NULL)
		imap_idle_input_line(client, line, len);
	else if (len > 0)
		imap_client_start_command(client, line, len);
	return true;
}

static void imap_client_input(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);
	bool progress = true;

	while (progress && !client->disconnected && !client->input_paused) {
		if (client->cmd != NULL)
			progress = imap_command_input(client->cmd);
		else
			progress = imap_client_read_command(client);
	}
}

/* ---- Connection callbacks ---- */

static void imap_client_output_drained(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);
	struct imap_command *cmd = client->cmd;
	imap_command_callback_t *fn;

	if (cmd == NULL || cmd->drained_fn_ == NULL)
		return;
	fn = cmd->drained_fn_;
	cmd->drained_fn_ = NULL;
	fn(cmd);
}

static void imap_client_timeout(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);

	imap_client_send_line(client, "* BYE Disconnected for inactivity.");
	imap_client_disconnect(client, "Inactivity timeout");
	if (client->cmd != NULL && !client->cmd->working_)
		imap_client_abort_command(client);
}

/* The peer went away while a command waits for input or output: it
   releases what it holds and ends (a command doing work ends by itself). */
void imap_client_abort_command(struct imap_client *client)
{
	struct imap_command *cmd = client->cmd;

	if (cmd == NULL || cmd->working_ || cmd->ending_)
		return;
	cmd->drained_fn_ = NULL;
	if (cmd->abort_fn_ != NULL)
		cmd->abort_fn_(cmd);
	else
		imap_command_free(cmd);
}

static void imap_client_disconnected(struct conn *conn, const char *reason)
{
	struct imap_client *client = conn_get_context(conn);

	if (!client->disconnected) {
		client->disconnected = true;
		client->state = IMAP_CLIENT_STATE_LOGOUT;
		log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s",
			reason);
	}
	if (client->cmd != NULL)
		imap_client_abort_command(client);
	else
		imap_client_release_storage(client);
}

static void imap_client_destroy(struct conn *conn)
{
	struct imap_client *client = conn_get_context(conn);

	i_assert(client->cmd == NULL);
	i_assert(client->box == NULL && client->user == NULL &&
		 client->watch == NULL);
	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		imap_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	imap_clients_count--;
	free(client->idle_tag);
	free(client->username);
	free(client);
	memory_trim_soon();
}

static const struct conn_callbacks imap_client_callbacks = {
	.input = imap_client_input,
	.output_drained = imap_client_output_drained,
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
	imap_parser_settings_init_defaults(&imap_parser_set);
	imap_parser_set.max_literal_size = set->max_literal_size;
	imap_parser_set.literal_minus = set->literal_minus;
	imap_auth_init();
}

void imap_service_shutdown(void)
{
	for (struct imap_client *client = imap_clients; client != NULL;
	     client = client->next) {
		if (client->disconnected)
			continue;
		if (client->cmd != NULL) {
			/* RFC 9051 §7.1.5: BYE after the running command */
			client->shutting_down = true;
			continue;
		}
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
	imap_auth_deinit();
	imap_storage_deinit();
	imap_env = NULL;
	imap_set = NULL;
}
