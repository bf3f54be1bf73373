#include "pop3-client.h"
#include "pool.h"
#include "pop3-auth.h"
#include "pop3-settings.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#define POP3_CLIENT_MAX_BAD_COMMANDS 20
#define POP3_OUTPUT_LIMIT (256 * 1024)
/* RFC 2449 §4 allows 255 octets; SASL responses need more. */
#define POP3_MAX_LINE_LENGTH (16 * 1024)

const struct service_env *pop3_env;
const struct pop3_settings *pop3_set;

static struct pop3_client *pop3_clients;
static unsigned int pop3_clients_count;
static struct conn_settings pop3_conn_set;

/* ---- Output ---- */

void pop3_client_send_line(struct pop3_client *client, const char *line)
{
	conn_write_str(client->conn, line);
	conn_write(client->conn, "\r\n", 2);
}

void pop3_client_ok(struct pop3_client *client, const char *text)
{
	if (text == NULL || text[0] == '\0')
		conn_write_str(client->conn, "+OK\r\n");
	else
		conn_printf(client->conn, "+OK %s\r\n", text);
}

void pop3_client_err(struct pop3_client *client, const char *text)
{
	if (text == NULL || text[0] == '\0')
		conn_write_str(client->conn, "-ERR\r\n");
	else
		conn_printf(client->conn, "-ERR %s\r\n", text);
}

static void pop3_client_vreply(struct pop3_client *client, const char *status,
			       const char *fmt, va_list args)
{
	char *text = pool_vprintf(client->cmd_pool, fmt, args);

	conn_printf(client->conn, "%s %s\r\n", status, text);
}

void pop3_client_okf(struct pop3_client *client, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	pop3_client_vreply(client, "+OK", fmt, args);
	va_end(args);
}

void pop3_client_errf(struct pop3_client *client, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	pop3_client_vreply(client, "-ERR", fmt, args);
	va_end(args);
}

bool pop3_client_output_full(struct pop3_client *client)
{
	if (!conn_output_full(client->conn))
		return false;
	/* Push out what is batched, so that the conn's own count is over
	   its limit (and output_drained will come) whenever we stop. */
	conn_flush(client->conn);
	return conn_output_full(client->conn);
}

/* ---- Storage errors ---- */

const char *pop3_mail_error_code(enum mail_error error)
{
	switch (error) {
	case MAIL_ERROR_NONE:
	case MAIL_ERROR_TEMP:
		return "SYS/TEMP";
	case MAIL_ERROR_INUSE:
		return "IN-USE";
	case MAIL_ERROR_EXPUNGED:
		return NULL;
	case MAIL_ERROR_NOTPOSSIBLE:
	case MAIL_ERROR_PARAMS:
	case MAIL_ERROR_PERM:
	case MAIL_ERROR_NOQUOTA:
	case MAIL_ERROR_NOTFOUND:
	case MAIL_ERROR_EXISTS:
	case MAIL_ERROR_LIMIT:
	case MAIL_ERROR_INVALIDDATA:
		return "SYS/PERM";
	}
	i_unreached();
}

/* ---- Entry points ----

   Every callback into a session (input, output drained, work done, auth
   replies, timers) runs between pop3_client_enter() and _leave(). A
   disconnect noticed inside one (even deep inside a write that failed) is
   handled when the outermost callback leaves, so that no handler has its
   state freed under it. */

void pop3_client_enter(struct pop3_client *client)
{
	client->depth++;
}

void pop3_client_leave(struct pop3_client *client)
{
	i_assert(client->depth > 0);
	if (--client->depth > 0 || !client->disconnected ||
	    client->work_running)
		return;
	/* A command waiting for the peer (output room, SASL response) or
	   for the auth process is abandoned. */
	if (client->cmd_running)
		pop3_client_command_end(client);
	pop3_client_teardown(client);
}

/* "Disconnected: reason", with what a logged-in session did. */
static void pop3_client_log_disconnect(struct pop3_client *client,
				       const char *reason)
{
	if (client->state == POP3_STATE_AUTHORIZATION) {
		log_msg(LOG_LEVEL_INFO, &client->log, "Disconnected: %s",
			reason);
		return;
	}
	log_msg(LOG_LEVEL_INFO, &client->log,
		"Disconnected: %s retr=%u/%" PRIu64 " top=%u del=%u/%u", reason,
		client->retr_count, client->retr_bytes, client->top_count,
		client->state == POP3_STATE_UPDATE ? client->deleted_count : 0,
		client->messages_count);
}

void pop3_client_disconnect(struct pop3_client *client, const char *reason)
{
	if (client->disconnected)
		return;
	client->disconnected = true;
	pop3_client_log_disconnect(client, reason);
	conn_close(client->conn, reason);
}

/* ---- Commands and work ---- */

void pop3_client_command_begin(struct pop3_client *client)
{
	i_assert(!client->cmd_running);
	client->cmd_running = true;
	client->cmd_progress = uv_now(pop3_env->loop);
	conn_input_pause(client->conn);
}

static void pop3_client_goodbye(struct pop3_client *client)
{
	pop3_client_err(client, "[SYS/TEMP] Server shutting down.");
	pop3_client_disconnect(client, "Server shutting down");
}

void pop3_client_command_end(struct pop3_client *client)
{
	i_assert(client->cmd_running && !client->work_running);
	if (client->cmd_deinit != NULL)
		client->cmd_deinit(client);
	client->cmd_deinit = NULL;
	client->cmd_output_drained = NULL;
	client->cmd_ctx = NULL;
	client->sasl_waiting = false;
	client->cmd_running = false;
	pool_clear(client->cmd_pool);
	if (client->disconnected)
		return; /* pop3_client_leave() tears down */
	if (client->shutting_down) {
		pop3_client_goodbye(client);
		return;
	}
	conn_input_resume(client->conn);
}

static void pop3_client_work_cb(uv_work_t *req)
{
	struct pop3_client *client = req->data;

	client->work_func(client);
}

static void pop3_client_work_done_cb(uv_work_t *req, int status)
{
	struct pop3_client *client = req->data;
	struct conn *conn = client->conn;

	/* Nothing cancels our work: a status would be a libuv bug. */
	i_assert(status == 0);
	pop3_client_enter(client);
	client->work_running = false;
	client->cmd_progress = uv_now(pop3_env->loop);
	client->work_done(client);
	pop3_client_leave(client);
	/* May free the session (the conn's destroy callback). */
	conn_unref(&conn);
}

void pop3_client_run_work(struct pop3_client *client, pop3_client_func_t *work,
			  pop3_client_func_t *done)
{
	i_assert(!client->work_running);
	client->work_running = true;
	client->work_func = work;
	client->work_done = done;
	client->work.data = client;
	conn_ref(client->conn);
	if (uv_queue_work(pop3_env->loop, &client->work, pop3_client_work_cb,
			  pop3_client_work_done_cb) < 0)
		i_unreached();
}

void pop3_client_wait_output(struct pop3_client *client,
			     pop3_client_func_t *func)
{
	i_assert(client->cmd_running);
	client->cmd_output_drained = func;
}

/* ---- Teardown ---- */

static void pop3_client_apply_seen(struct pop3_client *client,
				   struct pool *pool)
{
	struct mail_flag_update update = {
		.modify = MAIL_MODIFY_ADD,
		.flags = MAIL_SEEN,
	};
	struct mailbox_update_result result;
	struct seq_range_set uids;

	seq_range_set_init(&uids, pool);
	for (uint32_t i = 0; i < client->messages_count; i++) {
		if (client->messages[i].seen && !client->messages[i].deleted)
			seq_range_set_add(&uids, client->messages[i].uid);
	}
	if (seq_range_set_is_empty(&uids))
		return;
	if (mailbox_update_flags(client->box, &uids, &update, pool, &result) <
	    0) {
		log_msg(LOG_LEVEL_WARNING, &client->log,
			"Couldn't mark retrieved messages \\Seen: %s",
			mailbox_get_last_error(client->box, NULL));
	}
}

void pop3_client_close_maildrop(struct pop3_client *client)
{
	struct pool *pool;

	if (client->box != NULL && pop3_set->mark_seen) {
		pool = pool_create("pop3 seen", 0);
		pop3_client_apply_seen(client, pool);
		pool_destroy(&pool);
	}
	if (client->box != NULL)
		mailbox_free(&client->box);
	if (client->lock != NULL)
		mail_user_unlock(&client->lock);
	if (client->mail_user != NULL)
		mail_user_unref(&client->mail_user);
}

static void pop3_client_teardown_done(struct pop3_client *client)
{
}

void pop3_client_teardown(struct pop3_client *client)
{
	if (client->teardown_started)
		return;
	client->teardown_started = true;
	pop3_auth_abort(client);
	if (client->mail_user == NULL)
		return;
	/* DELEs are forgotten here: only QUIT expunges (RFC 1939 §6). */
	pop3_client_run_work(client, pop3_client_close_maildrop,
			     pop3_client_teardown_done);
}

/* ---- Input ---- */

static void pop3_client_bad_line(struct pop3_client *client, const char *text)
{
	if (client->sasl_waiting) {
		pop3_auth_sasl_response(client, NULL);
		return;
	}
	client->bad_count++;
	pop3_client_err(client, text);
}

static void pop3_client_handle_line(struct pop3_client *client,
				    enum conn_read_result ret, const char *line,
				    size_t len)
{
	if (ret == CONN_READ_TOO_LONG)
		pop3_client_bad_line(client, "Line too long.");
	else if (strlen(line) != len)
		pop3_client_bad_line(client, "NUL characters in command.");
	else if (client->sasl_waiting)
		pop3_auth_sasl_response(client, line);
	else
		pop3_client_command(client, line);
	if (client->bad_count >= POP3_CLIENT_MAX_BAD_COMMANDS) {
		pop3_client_err(client, "Too many bad commands.");
		pop3_client_disconnect(client, "Too many bad commands");
	}
}

static void pop3_client_input(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	pop3_client_enter(client);
	while (!client->disconnected &&
	       (!client->cmd_running || client->sasl_waiting)) {
		ret = conn_read_line(conn, &line, &len);
		if (ret == CONN_READ_MORE)
			break;
		pop3_client_handle_line(client, ret, line, len);
	}
	pop3_client_leave(client);
}

/* ---- Conn callbacks ---- */

static void pop3_client_output_drained(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);
	pop3_client_func_t *func = client->cmd_output_drained;

	if (func == NULL)
		return;
	pop3_client_enter(client);
	client->cmd_output_drained = NULL;
	client->cmd_progress = uv_now(pop3_env->loop);
	func(client);
	pop3_client_leave(client);
}

static void pop3_client_timeout(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);
	uint64_t idle_msecs = uv_now(pop3_env->loop) - client->cmd_progress;

	/* A long RETR to a slow reader is not idleness, while it moves. */
	if (client->cmd_running && !client->sasl_waiting &&
	    idle_msecs < pop3_conn_set.idle_timeout_secs * 1000ULL)
		return;
	/* RFC 1939 §3: no UPDATE state and no response, just close */
	pop3_client_enter(client);
	pop3_client_disconnect(client, "Inactivity timeout");
	pop3_client_leave(client);
}

static void pop3_client_disconnected(struct conn *conn, const char *reason)
{
	struct pop3_client *client = conn_get_context(conn);

	pop3_client_enter(client);
	if (!client->disconnected) {
		client->disconnected = true;
		pop3_client_log_disconnect(client, reason);
	}
	pop3_client_leave(client);
}

static void pop3_client_destroy(struct conn *conn)
{
	struct pop3_client *client = conn_get_context(conn);

	/* Work holds a conn reference, and the maildrop is closed by work
	   before the last one goes. */
	i_assert(!client->work_running && client->mail_user == NULL);
	pop3_auth_abort(client);
	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		pop3_clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	pop3_clients_count--;
	free(client->messages);
	free(client->user_name);
	pool_destroy(&client->cmd_pool);
	pool_destroy(&client->pool);
	free(client);
}

static const struct conn_callbacks pop3_client_callbacks = {
	.input = pop3_client_input,
	.output_drained = pop3_client_output_drained,
	.timeout = pop3_client_timeout,
	.disconnected = pop3_client_disconnected,
	.destroy = pop3_client_destroy,
};

/* ---- Sessions ---- */

void pop3_client_send_greeting(struct pop3_client *client)
{
	const char *challenge = pop3_auth_apop_challenge(client);

	client->greeting_pending = false;
	if (challenge == NULL)
		pop3_client_ok(client, "Postern ready.");
	else
		pop3_client_okf(client, "Postern ready. %s", challenge);
	conn_input_resume(client->conn);
}

void pop3_client_accept(struct conn *conn, void *context)
{
	struct pop3_client *client = xnew(struct pop3_client, 1);

	client->conn = conn;
	client->pool = pool_create("pop3 session", 1024);
	client->cmd_pool = pool_create("pop3 command", 1024);
	session_id_generate(client->session_id);
	client->log.service = "pop3";
	client->log.remote_ip = conn_get_remote_ip(conn);
	client->log.session_id = client->session_id;
	client->connect_msecs = uv_now(pop3_env->loop);
	client->next = pop3_clients;
	if (pop3_clients != NULL)
		pop3_clients->prev = client;
	pop3_clients = client;
	pop3_clients_count++;
	conn_set_context(conn, client);
	conn_set_settings(conn, &pop3_conn_set);
	conn_set_callbacks(conn, &pop3_client_callbacks);
	/* Nothing is read before the greeting. */
	conn_input_pause(conn);
	pop3_client_enter(client);
	pop3_auth_greet_when_ready(client);
	pop3_client_leave(client);
}

void pop3_service_init(const struct service_env *env,
		       const struct pop3_settings *set)
{
	pop3_env = env;
	pop3_set = set;
	pop3_conn_set.max_line_length = POP3_MAX_LINE_LENGTH;
	pop3_conn_set.output_limit = POP3_OUTPUT_LIMIT;
	pop3_conn_set.idle_timeout_secs = set->idle_timeout;
	pop3_auth_init(env);
}

static void pop3_client_shutdown(struct pop3_client *client)
{
	client->shutting_down = true;
	if (client->disconnected)
		return;
	if (client->sasl_waiting || client->greeting_pending) {
		/* waiting for the client is being idle */
		pop3_auth_abort(client);
	} else if (client->cmd_running) {
		/* pop3_client_command_end() says goodbye */
		return;
	}
	pop3_client_goodbye(client);
}

void pop3_service_shutdown(void)
{
	struct pop3_client *client, *next;

	for (client = pop3_clients; client != NULL; client = next) {
		next = client->next;
		pop3_client_enter(client);
		pop3_client_shutdown(client);
		pop3_client_leave(client);
	}
}

unsigned int pop3_client_count(void)
{
	return pop3_clients_count;
}

void pop3_service_deinit(void)
{
	/* Sessions still here when the stop timed out: nothing of theirs
	   may point into the auth clients freed below. */
	for (struct pop3_client *client = pop3_clients; client != NULL;
	     client = client->next)
		pop3_auth_abort(client);
	pop3_auth_deinit();
	pop3_env = NULL;
	pop3_set = NULL;
}
