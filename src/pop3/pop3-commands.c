#include "pop3-commands.h"
#include "pool.h"
#include "pop3-auth.h"
#include "pop3-parse.h"
#include "pop3-settings.h"
#include "str.h"
#include "tls.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Message numbers ---- */

struct pop3_message *pop3_command_lookup(struct pop3_client *client,
					 uint32_t msgnum)
{
	struct pop3_message *msg;

	if (msgnum == 0 || msgnum > client->messages_count) {
		pop3_client_errf(client, "There's no message %" PRIu32 ".",
				 msgnum);
		return NULL;
	}
	msg = &client->messages[msgnum - 1];
	if (msg->deleted) {
		pop3_client_err(client, "Message is deleted.");
		return NULL;
	}
	return msg;
}

struct pop3_message *pop3_command_get_message(struct pop3_client *client,
					      const char *args)
{
	const char *error;
	uint32_t msgnum;

	if ((error = pop3_parse_msgnum(args, &msgnum)) != NULL) {
		pop3_client_err(client, error);
		return NULL;
	}
	return pop3_command_lookup(client, msgnum);
}

static uint32_t pop3_msgnum(struct pop3_client *client,
			    const struct pop3_message *msg)
{
	return (uint32_t)(msg - client->messages) + 1;
}

/* ---- Any state ---- */

static void pop3_capa_authorization(struct pop3_client *client)
{
	string_t *sasl = str_new(128, 4096);

	if (pop3_env->tls != NULL && !conn_is_tls(client->conn))
		pop3_client_send_line(client, "STLS");
	/* RFC 2449 §6.2: only where USER/PASS would be accepted */
	if (pop3_auth_plaintext_allowed(client))
		pop3_client_send_line(client, "USER");
	pop3_auth_append_mechs(client, sasl);
	if (str_len(sasl) > 0) {
		conn_printf(client->conn, "SASL%s\r\n", str_c(sasl));
	}
	str_free(&sasl);
}

static void pop3_cmd_capa(struct pop3_client *client, const char *args)
{
	/* RFC 2449 §5: a multi-line response */
	pop3_client_ok(client, "Capability list follows");
	pop3_client_send_line(client, "TOP");
	pop3_client_send_line(client, "UIDL");
	pop3_client_send_line(client, "RESP-CODES");
	pop3_client_send_line(client, "AUTH-RESP-CODE");
	pop3_client_send_line(client, "PIPELINING");
	if (client->state == POP3_STATE_AUTHORIZATION)
		pop3_capa_authorization(client);
	if (pop3_set->login_delay > 0) {
		conn_printf(client->conn, "LOGIN-DELAY %u\r\n",
			    pop3_set->login_delay);
	}
	pop3_client_send_line(client, "IMPLEMENTATION Postern");
	pop3_client_send_line(client, ".");
}

static void pop3_quit_work(struct pop3_client *client)
{
	const char **error_r = client->cmd_ctx;
	struct seq_range_set uids;

	seq_range_set_init(&uids, client->cmd_pool);
	for (uint32_t i = 0; i < client->messages_count; i++) {
		if (client->messages[i].deleted)
			seq_range_set_add(&uids, client->messages[i].uid);
	}
	if (!seq_range_set_is_empty(&uids) &&
	    mailbox_expunge(client->box, &uids, false, client->cmd_pool, NULL) <
		    0) {
		*error_r =
			pool_strdup(client->cmd_pool,
				    mailbox_get_last_error(client->box, NULL));
	}
	pop3_client_close_maildrop(client);
}

static void pop3_quit_done(struct pop3_client *client)
{
	const char **error_r = client->cmd_ctx;

	if (*error_r != NULL) {
		/* RFC 1939 §6 */
		pop3_client_errf(client,
				 "[SYS/TEMP] Some deleted messages were not "
				 "removed: %s",
				 *error_r);
	} else if (client->deleted_count > 0) {
		pop3_client_ok(client, "Logging out, messages deleted.");
	} else {
		pop3_client_ok(client, "Logging out.");
	}
	pop3_client_disconnect(client, "Logged out");
	pop3_client_command_end(client);
}

static void pop3_cmd_quit(struct pop3_client *client, const char *args)
{
	if (client->state == POP3_STATE_AUTHORIZATION) {
		pop3_client_ok(client, "Logging out.");
		pop3_client_disconnect(client, "Logged out");
		return;
	}
	/* RFC 1939 §6: the UPDATE state applies the DELEs */
	client->state = POP3_STATE_UPDATE;
	pop3_client_command_begin(client);
	client->cmd_ctx = p_new(client->cmd_pool, const char *, 1);
	pop3_client_run_work(client, pop3_quit_work, pop3_quit_done);
}

/* ---- AUTHORIZATION ---- */

static void pop3_cmd_stls(struct pop3_client *client, const char *args)
{
	if (conn_is_tls(client->conn)) {
		pop3_client_err(client, "TLS is already active.");
		return;
	}
	if (pop3_env->tls == NULL) {
		pop3_client_err(client, "TLS support isn't configured.");
		return;
	}
	/* RFC 2595 §4: nothing from before the handshake carries over */
	free(client->user_name);
	client->user_name = NULL;
	pop3_client_ok(client, "Begin TLS negotiation now.");
	if (conn_start_tls(client->conn, pop3_env->tls) < 0)
		pop3_client_disconnect(client, "TLS setup failed");
}

/* ---- TRANSACTION ---- */

static void pop3_cmd_stat(struct pop3_client *client, const char *args)
{
	pop3_client_okf(client, "%" PRIu32 " %" PRIu64,
			client->messages_count - client->deleted_count,
			client->total_size - client->deleted_size);
}

struct pop3_list_ctx {
	uint32_t next;
};

static void pop3_cmd_list_more(struct pop3_client *client)
{
	struct pop3_list_ctx *ctx = client->cmd_ctx;

	for (; ctx->next < client->messages_count; ctx->next++) {
		const struct pop3_message *msg = &client->messages[ctx->next];

		if (pop3_client_output_full(client)) {
			pop3_client_wait_output(client, pop3_cmd_list_more);
			return;
		}
		if (!msg->deleted)
			conn_printf(client->conn, "%" PRIu32 " %" PRIu64 "\r\n",
				    ctx->next + 1, msg->size);
	}
	pop3_client_send_line(client, ".");
	pop3_client_command_end(client);
}

static void pop3_cmd_list(struct pop3_client *client, const char *args)
{
	const struct pop3_message *msg;

	if (args[strspn(args, " ")] != '\0') {
		if ((msg = pop3_command_get_message(client, args)) != NULL)
			pop3_client_okf(client, "%" PRIu32 " %" PRIu64,
					pop3_msgnum(client, msg), msg->size);
		return;
	}
	pop3_client_okf(client, "%" PRIu32 " messages:",
			client->messages_count - client->deleted_count);
	pop3_client_command_begin(client);
	client->cmd_ctx = p_new(client->cmd_pool, struct pop3_list_ctx, 1);
	pop3_cmd_list_more(client);
}

static void pop3_cmd_dele(struct pop3_client *client, const char *args)
{
	struct pop3_message *msg = pop3_command_get_message(client, args);

	if (msg == NULL)
		return;
	msg->deleted = true;
	client->deleted_count++;
	client->deleted_size += msg->size;
	pop3_client_ok(client, "Marked to be deleted.");
}

static void pop3_cmd_noop(struct pop3_client *client, const char *args)
{
	pop3_client_ok(client, NULL);
}

static void pop3_cmd_rset(struct pop3_client *client, const char *args)
{
	/* RFC 1939 §5; the \Seen marks of RETR go too, as in Dovecot */
	for (uint32_t i = 0; i < client->messages_count; i++) {
		client->messages[i].deleted = false;
		client->messages[i].seen = false;
	}
	client->deleted_count = 0;
	client->deleted_size = 0;
	pop3_client_ok(client, NULL);
}

/* ---- Dispatch ---- */

enum pop3_command_flags {
	/* valid in the AUTHORIZATION state */
	POP3_CMD_AUTHORIZATION = 0x01,
	/* valid in the TRANSACTION state */
	POP3_CMD_TRANSACTION = 0x02,
};

static const struct pop3_command {
	const char *name;
	pop3_command_func_t *func;
	enum pop3_command_flags flags;
} pop3_commands[] = {
	{ "APOP", pop3_cmd_apop, POP3_CMD_AUTHORIZATION },
	{ "AUTH", pop3_cmd_auth, POP3_CMD_AUTHORIZATION },
	{ "CAPA", pop3_cmd_capa,
	  POP3_CMD_AUTHORIZATION | POP3_CMD_TRANSACTION },
	{ "DELE", pop3_cmd_dele, POP3_CMD_TRANSACTION },
	{ "LIST", pop3_cmd_list, POP3_CMD_TRANSACTION },
	{ "NOOP", pop3_cmd_noop, POP3_CMD_TRANSACTION },
	{ "PASS", pop3_cmd_pass, POP3_CMD_AUTHORIZATION },
	{ "QUIT", pop3_cmd_quit,
	  POP3_CMD_AUTHORIZATION | POP3_CMD_TRANSACTION },
	{ "RETR", pop3_cmd_retr, POP3_CMD_TRANSACTION },
	{ "RSET", pop3_cmd_rset, POP3_CMD_TRANSACTION },
	{ "STAT", pop3_cmd_stat, POP3_CMD_TRANSACTION },
	{ "STLS", pop3_cmd_stls, POP3_CMD_AUTHORIZATION },
	{ "TOP", pop3_cmd_top, POP3_CMD_TRANSACTION },
	{ "UIDL", pop3_cmd_uidl, POP3_CMD_TRANSACTION },
	{ "USER", pop3_cmd_user, POP3_CMD_AUTHORIZATION },
};

static const struct pop3_command *pop3_command_find(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(pop3_commands); i++) {
		if (strcmp(pop3_commands[i].name, name) == 0)
			return &pop3_commands[i];
	}
	return NULL;
}

void pop3_client_command(struct pop3_client *client, const char *line)
{
	char keyword[POP3_KEYWORD_MAX_LEN + 1];
	const struct pop3_command *cmd;
	const char *args;

	if (pop3_parse_command(line, keyword, &args) < 0 ||
	    (cmd = pop3_command_find(keyword)) == NULL) {
		client->bad_count++;
		pop3_client_err(client, "Unknown command.");
		return;
	}
	if (client->state == POP3_STATE_AUTHORIZATION &&
	    (cmd->flags & POP3_CMD_AUTHORIZATION) == 0) {
		client->bad_count++;
		pop3_client_err(client, "Not logged in.");
		return;
	}
	if (client->state != POP3_STATE_AUTHORIZATION &&
	    (cmd->flags & POP3_CMD_TRANSACTION) == 0) {
		client->bad_count++;
		pop3_client_err(client, "Already logged in.");
		return;
	}
	client->bad_count = 0;
	cmd->func(client, args);
	if (!client->cmd_running)
		pool_clear(client->cmd_pool);
}
