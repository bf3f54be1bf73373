#include "pop3-client.h"

#include <strings.h>

static void pop3_cmd_capa(struct pop3_client *client, const char *args)
{
	/* RFC 2449 §5: a multi-line response */
	pop3_client_ok(client, "Capability list follows");
	pop3_client_send_line(client, "TOP");
	pop3_client_send_line(client, "UIDL");
	pop3_client_send_line(client, "RESP-CODES");
	pop3_client_send_line(client, "PIPELINING");
	if (pop3_env->tls != NULL && !conn_is_tls(client->conn))
		pop3_client_send_line(client, "STLS");
	pop3_client_send_line(client, "IMPLEMENTATION Postern");
	pop3_client_send_line(client, ".");
}

static void pop3_cmd_quit(struct pop3_client *client, const char *args)
{
	pop3_client_ok(client, "Logging out.");
	pop3_client_disconnect(client, "Logged out");
}

static void pop3_cmd_noop(struct pop3_client *client, const char *args)
{
	/* RFC 1939: NOOP is a TRANSACTION state command */
	pop3_client_err(client, "Not logged in.");
}

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
	pop3_client_ok(client, "Begin TLS negotiation now.");
	if (conn_start_tls(client->conn, pop3_env->tls) < 0)
		pop3_client_disconnect(client, "TLS setup failed");
}

static const struct {
	const char *name;
	void (*handler)(struct pop3_client *client, const char *args);
} pop3_commands[] = {
	{ "CAPA", pop3_cmd_capa },
	{ "NOOP", pop3_cmd_noop },
	{ "QUIT", pop3_cmd_quit },
	{ "STLS", pop3_cmd_stls },
};

void pop3_client_command(struct pop3_client *client, const char *name,
			 const char *args)
{
	for (size_t i = 0; i < N_ELEMENTS(pop3_commands); i++) {
		if (strcasecmp(pop3_commands[i].name, name) == 0) {
			client->bad_count = 0;
			pop3_commands[i].handler(client, args);
			return;
		}
	}
	client->bad_count++;
	pop3_client_err(client, "Unknown command.");
}
