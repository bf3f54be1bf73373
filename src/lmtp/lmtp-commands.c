#include "lmtp-client.h"

#include <strings.h>

static void lmtp_cmd_lhlo(struct lmtp_client *client, const char *args)
{
	if (args[0] == '\0') {
		lmtp_client_reply(client, "501 5.5.4 LHLO needs a domain");
		return;
	}
	client->greeted = true;
	conn_printf(client->conn, "250-%s\r\n", lmtp_env->hostname);
	if (lmtp_env->tls != NULL && !conn_is_tls(client->conn))
		lmtp_client_reply(client, "250-STARTTLS");
	lmtp_client_reply(client, "250-8BITMIME");
	lmtp_client_reply(client, "250-ENHANCEDSTATUSCODES");
	lmtp_client_reply(client, "250 PIPELINING");
}

static void lmtp_cmd_noop(struct lmtp_client *client, const char *args)
{
	lmtp_client_reply(client, "250 2.0.0 OK");
}

static void lmtp_cmd_rset(struct lmtp_client *client, const char *args)
{
	lmtp_client_reply(client, "250 2.0.0 OK");
}

static void lmtp_cmd_quit(struct lmtp_client *client, const char *args)
{
	lmtp_client_reply(client, "221 2.0.0 Bye");
	lmtp_client_disconnect(client, "QUIT");
}

static void lmtp_cmd_starttls(struct lmtp_client *client, const char *args)
{
	if (conn_is_tls(client->conn)) {
		lmtp_client_reply(client, "503 5.5.1 TLS already active");
		return;
	}
	if (lmtp_env->tls == NULL) {
		lmtp_client_reply(client, "454 4.7.0 TLS not available");
		return;
	}
	lmtp_client_reply(client, "220 2.0.0 Ready to start TLS");
	/* RFC 3207 §4.2: forget everything, LHLO again */
	client->greeted = false;
	if (conn_start_tls(client->conn, lmtp_env->tls) < 0)
		lmtp_client_disconnect(client, "TLS setup failed");
}

static const struct {
	const char *name;
	void (*handler)(struct lmtp_client *client, const char *args);
} lmtp_commands[] = {
	{ "LHLO", lmtp_cmd_lhlo },         { "NOOP", lmtp_cmd_noop },
	{ "QUIT", lmtp_cmd_quit },         { "RSET", lmtp_cmd_rset },
	{ "STARTTLS", lmtp_cmd_starttls },
};

void lmtp_client_command(struct lmtp_client *client, const char *name,
			 const char *args)
{
	for (size_t i = 0; i < N_ELEMENTS(lmtp_commands); i++) {
		if (strcasecmp(lmtp_commands[i].name, name) == 0) {
			client->bad_count = 0;
			lmtp_commands[i].handler(client, args);
			return;
		}
	}
	client->bad_count++;
	lmtp_client_reply(client, "500 5.5.2 Unknown command");
}
