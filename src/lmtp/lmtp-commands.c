#include "lmtp-client.h"
#include "lmtp-parse.h"
#include "lmtp-settings.h"
#include "lmtp-transaction.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <string.h>
#include <strings.h>

/* What a command needs of the session; checked before its check
   function, with 503 5.5.1 for a bad sequence. */
enum lmtp_cmd_flags {
	LMTP_CMD_NEEDS_LHLO = 0x01,
	LMTP_CMD_NEEDS_MAIL = 0x02,
	LMTP_CMD_NO_MAIL = 0x04,
	LMTP_CMD_NEEDS_RCPT = 0x08,
	LMTP_CMD_NO_ARGS = 0x10,
};

/* A command as OpenSMTPD's smtp_session.c splits it: check answers
   errors of syntax and sequence and returns false, or returns true after
   leaving what it parsed in the command context; proceed then does the
   work, synchronously or not. */
struct lmtp_cmd_ctx {
	struct pool *pool;
	const char *args;
	struct lmtp_address address;
	struct lmtp_mail_params mail;
	uint64_t bdat_size;
	bool bdat_last;
};

struct lmtp_command {
	const char *name;
	enum lmtp_cmd_flags flags;
	bool (*check)(struct lmtp_client *client, struct lmtp_cmd_ctx *ctx);
	void (*proceed)(struct lmtp_client *client, struct lmtp_cmd_ctx *ctx);
};

static void lmtp_reply_syntax(struct lmtp_client *client, const char *text)
{
	lmtp_client_reply(client, 501, LMTP_ESC_INVALID_ARGUMENTS, "%s", text);
}

/* ---- LHLO ---- */

static bool lmtp_check_lhlo(struct lmtp_client *client,
			    struct lmtp_cmd_ctx *ctx)
{
	if (ctx->args[0] == '\0' || strchr(ctx->args, ' ') != NULL) {
		lmtp_reply_syntax(client, "Syntax: LHLO <domain>");
		return false;
	}
	return true;
}

static void lmtp_proceed_lhlo(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	uint64_t max_size = lmtp_client_max_message_size();

	/* RFC 5321 §4.1.4: like RSET, and the name is replaced */
	lmtp_client_reset(client);
	free(client->helo);
	client->helo = xstrdup(ctx->args);
	conn_printf(client->conn, "250-%s\r\n", lmtp_env->hostname);
	if (lmtp_env->tls != NULL && !conn_is_tls(client->conn))
		lmtp_client_reply_line(client, "250-STARTTLS");
	lmtp_client_reply_line(client, "250-PIPELINING");
	lmtp_client_reply_line(client, "250-ENHANCEDSTATUSCODES");
	lmtp_client_reply_line(client, "250-8BITMIME");
	lmtp_client_reply_line(client, "250-CHUNKING");
	lmtp_client_reply_line(client, "250-SMTPUTF8");
	if (max_size > 0)
		conn_printf(client->conn, "250 SIZE %llu\r\n",
			    (unsigned long long)max_size);
	else
		lmtp_client_reply_line(client, "250 SIZE");
}

/* ---- MAIL ---- */

static bool lmtp_check_mail_params(struct lmtp_client *client,
				   struct lmtp_cmd_ctx *ctx,
				   const struct lmtp_param *params)
{
	uint64_t max_size = lmtp_client_max_message_size();
	const char *error;

	switch (lmtp_parse_mail_params(params, &ctx->mail, &error)) {
	case LMTP_PARAM_OK:
		break;
	case LMTP_PARAM_INVALID:
		lmtp_reply_syntax(client, "Invalid parameter value");
		return false;
	case LMTP_PARAM_UNKNOWN:
		lmtp_client_reply(client, 555, LMTP_ESC_INVALID_ARGUMENTS,
				  "Unsupported parameter");
		return false;
	case LMTP_PARAM_BODY_UNSUPPORTED:
		lmtp_client_reply(client, 555, LMTP_ESC_MEDIA_NOT_SUPPORTED,
				  "Unsupported BODY type");
		return false;
	}
	if (max_size > 0 && ctx->mail.size > max_size) {
		lmtp_client_reply(client, 552, LMTP_ESC_TOO_BIG,
				  "Message too big (limit %llu)",
				  (unsigned long long)max_size);
		return false;
	}
	return true;
}

static bool lmtp_check_mail(struct lmtp_client *client,
			    struct lmtp_cmd_ctx *ctx)
{
	struct lmtp_param *params;
	const char *error;

	switch (lmtp_parse_path(ctx->pool, ctx->args, "FROM:",
				LMTP_PARSE_ALLOW_NULL | LMTP_PARSE_ALLOW_UTF8,
				&ctx->address, &params, &error)) {
	case LMTP_PARSE_OK:
		break;
	case LMTP_PARSE_SYNTAX:
		lmtp_reply_syntax(client, error);
		return false;
	case LMTP_PARSE_NON_ASCII:
		i_unreached();
	}
	if (!lmtp_check_mail_params(client, ctx, params))
		return false;
	if (!ctx->mail.smtputf8 && ctx->address.localpart != NULL &&
	    lmtp_parse_path(ctx->pool, ctx->args,
			    "FROM:", LMTP_PARSE_ALLOW_NULL, &ctx->address,
			    &params, &error) == LMTP_PARSE_NON_ASCII) {
		lmtp_client_reply(client, 553, LMTP_ESC_NON_ASCII_ADDRESS, "%s",
				  error);
		return false;
	}
	return true;
}

static void lmtp_proceed_mail(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	struct lmtp_transaction *trans = lmtp_transaction_create();

	trans->from.localpart =
		ctx->address.localpart == NULL
			? NULL
			: pool_strdup(trans->pool, ctx->address.localpart);
	trans->from.domain =
		ctx->address.domain == NULL
			? NULL
			: pool_strdup(trans->pool, ctx->address.domain);
	trans->from_str = lmtp_address_to_string(trans->pool, &trans->from);
	trans->params = ctx->mail;
	client->trans = trans;
	lmtp_client_reply(client, 250, LMTP_ESC_ADDRESS_OTHER, "OK");
}

/* ---- RCPT ---- */

static bool lmtp_check_rcpt(struct lmtp_client *client,
			    struct lmtp_cmd_ctx *ctx)
{
	struct lmtp_transaction *trans = client->trans;
	enum lmtp_parse_flags flags = LMTP_PARSE_ALLOW_NO_DOMAIN;
	struct lmtp_param *params;
	const char *error;

	if (trans->params.smtputf8)
		flags |= LMTP_PARSE_ALLOW_UTF8;
	switch (lmtp_parse_path(ctx->pool, ctx->args, "TO:", flags,
				&ctx->address, &params, &error)) {
	case LMTP_PARSE_OK:
		break;
	case LMTP_PARSE_SYNTAX:
		lmtp_reply_syntax(client, error);
		return false;
	case LMTP_PARSE_NON_ASCII:
		lmtp_client_reply(client, 553, LMTP_ESC_NON_ASCII_ADDRESS, "%s",
				  error);
		return false;
	}
	if (lmtp_parse_rcpt_params(params, &error) != LMTP_PARAM_OK) {
		lmtp_client_reply(client, 555, LMTP_ESC_INVALID_ARGUMENTS,
				  "Unsupported parameter");
		return false;
	}
	if (++trans->rcpt_commands > lmtp_set->max_recipients) {
		lmtp_client_reply(client, 452, LMTP_ESC_TOO_MANY_RECIPIENTS,
				  "Too many recipients");
		return false;
	}
	return true;
}

static void lmtp_proceed_rcpt(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_rcpt_proceed(client, &ctx->address);
}

/* ---- DATA, BDAT ---- */

static bool lmtp_check_data(struct lmtp_client *client,
			    struct lmtp_cmd_ctx *ctx)
{
	if (client->trans->chunking) {
		lmtp_client_reply(client, 503, LMTP_ESC_INVALID_COMMAND,
				  "DATA after BDAT");
		return false;
	}
	return true;
}

static void lmtp_proceed_data(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reply_line(client,
			       "354 Start mail input; end with <CRLF>.<CRLF>");
	lmtp_data_begin(client);
}

/* RFC 3030 §2: a chunk is read even when its BDAT fails, so the reply to
   a failed BDAT comes after its bytes. */
static const char *lmtp_bdat_sequence_error(struct lmtp_client *client)
{
	struct lmtp_transaction *trans = client->trans;

	if (client->helo == NULL)
		return "Send LHLO first";
	if (trans == NULL)
		return "MAIL needed first";
	if (trans->rcpts_count == 0)
		return "No valid recipients";
	if (trans->chunking_failed)
		return "An earlier BDAT failed; RSET needed";
	return NULL;
}

static bool lmtp_check_bdat(struct lmtp_client *client,
			    struct lmtp_cmd_ctx *ctx)
{
	const char *error;

	if (lmtp_parse_bdat(ctx->args, &ctx->bdat_size, &ctx->bdat_last) < 0) {
		/* Without a size the chunk can't be skipped. */
		lmtp_reply_syntax(client, "Syntax: BDAT <size> [LAST]");
		return false;
	}
	error = lmtp_bdat_sequence_error(client);
	if (error != NULL) {
		lmtp_bdat_begin_discard(client, ctx->bdat_size, 503,
					LMTP_ESC_INVALID_COMMAND, error);
		return false;
	}
	return true;
}

static void lmtp_proceed_bdat(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_bdat_begin(client, ctx->bdat_size, ctx->bdat_last);
}

/* ---- the rest ---- */

static void lmtp_proceed_rset(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reset(client);
	lmtp_client_reply(client, 250, LMTP_ESC_OTHER, "OK");
}

static void lmtp_proceed_noop(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reply(client, 250, LMTP_ESC_OTHER, "OK");
}

static void lmtp_proceed_quit(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reply(client, 221, LMTP_ESC_OTHER, "Bye");
	lmtp_client_disconnect(client, "QUIT");
}

static void lmtp_proceed_vrfy(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	/* RFC 5321 §7.3: no address harvesting; RCPT answers instead */
	lmtp_client_reply(client, 502, LMTP_ESC_INVALID_COMMAND,
			  "VRFY command is disabled");
}

static void lmtp_proceed_help(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reply(client, 214, LMTP_ESC_OTHER,
			  "Commands: LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT "
			  "STARTTLS HELP (RFC 2033)");
}

static void lmtp_proceed_helo(struct lmtp_client *client,
			      struct lmtp_cmd_ctx *ctx)
{
	client->bad_count++;
	lmtp_client_reply(client, 500, LMTP_ESC_SYNTAX_ERROR,
			  "This is LMTP: use LHLO");
}

static bool lmtp_check_starttls(struct lmtp_client *client,
				struct lmtp_cmd_ctx *ctx)
{
	if (conn_is_tls(client->conn)) {
		lmtp_client_reply(client, 503, LMTP_ESC_INVALID_COMMAND,
				  "TLS already active");
		return false;
	}
	if (lmtp_env->tls == NULL) {
		lmtp_client_reply(client, 454, LMTP_ESC_SYSTEM_OTHER,
				  "TLS not available");
		return false;
	}
	return true;
}

static void lmtp_proceed_starttls(struct lmtp_client *client,
				  struct lmtp_cmd_ctx *ctx)
{
	lmtp_client_reply(client, 220, LMTP_ESC_OTHER, "Ready to start TLS");
	/* RFC 3207 §4.2: forget everything, LHLO again */
	lmtp_client_reset(client);
	free(client->helo);
	client->helo = NULL;
	if (conn_start_tls(client->conn, lmtp_env->tls) < 0)
		lmtp_client_disconnect(client, "TLS setup failed");
}

static const struct lmtp_command lmtp_commands[] = {
	{ "LHLO", 0, lmtp_check_lhlo, lmtp_proceed_lhlo },
	{ "MAIL", LMTP_CMD_NEEDS_LHLO | LMTP_CMD_NO_MAIL, lmtp_check_mail,
	  lmtp_proceed_mail },
	{ "RCPT", LMTP_CMD_NEEDS_LHLO | LMTP_CMD_NEEDS_MAIL, lmtp_check_rcpt,
	  lmtp_proceed_rcpt },
	{ "DATA",
	  LMTP_CMD_NEEDS_LHLO | LMTP_CMD_NEEDS_MAIL | LMTP_CMD_NEEDS_RCPT |
		  LMTP_CMD_NO_ARGS,
	  lmtp_check_data, lmtp_proceed_data },
	{ "BDAT", 0, lmtp_check_bdat, lmtp_proceed_bdat },
	{ "RSET", LMTP_CMD_NO_ARGS, NULL, lmtp_proceed_rset },
	{ "NOOP", 0, NULL, lmtp_proceed_noop },
	{ "QUIT", LMTP_CMD_NO_ARGS, NULL, lmtp_proceed_quit },
	{ "STARTTLS", LMTP_CMD_NO_ARGS | LMTP_CMD_NO_MAIL, lmtp_check_starttls,
	  lmtp_proceed_starttls },
	{ "VRFY", 0, NULL, lmtp_proceed_vrfy },
	{ "EXPN", 0, NULL, lmtp_proceed_vrfy },
	{ "HELP", 0, NULL, lmtp_proceed_help },
	{ "HELO", 0, NULL, lmtp_proceed_helo },
	{ "EHLO", 0, NULL, lmtp_proceed_helo },
};

static const struct lmtp_command *lmtp_command_find(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(lmtp_commands); i++) {
		if (strcasecmp(lmtp_commands[i].name, name) == 0)
			return &lmtp_commands[i];
	}
	return NULL;
}

/* The sequence rules of the flags; NULL if the command may run. */
static const char *lmtp_command_sequence_error(struct lmtp_client *client,
					       enum lmtp_cmd_flags flags)
{
	if ((flags & LMTP_CMD_NEEDS_LHLO) != 0 && client->helo == NULL)
		return "Send LHLO first";
	if ((flags & LMTP_CMD_NEEDS_MAIL) != 0 && client->trans == NULL)
		return "MAIL needed first";
	if ((flags & LMTP_CMD_NO_MAIL) != 0 && client->trans != NULL)
		return "Mail transaction in progress";
	if ((flags & LMTP_CMD_NEEDS_RCPT) != 0 &&
	    client->trans->rcpts_count == 0)
		return "No valid recipients";
	return NULL;
}

static bool lmtp_command_check(struct lmtp_client *client,
			       const struct lmtp_command *cmd,
			       struct lmtp_cmd_ctx *ctx)
{
	const char *error;

	/* BDAT checks its own sequence: its chunk must be read anyway */
	if (cmd->proceed != lmtp_proceed_bdat) {
		error = lmtp_command_sequence_error(client, cmd->flags);
		if (error != NULL) {
			lmtp_client_reply(client, 503, LMTP_ESC_INVALID_COMMAND,
					  "%s", error);
			return false;
		}
	}
	if ((cmd->flags & LMTP_CMD_NO_ARGS) != 0 && ctx->args[0] != '\0') {
		lmtp_client_reply(client, 501, LMTP_ESC_INVALID_ARGUMENTS,
				  "%s takes no arguments", cmd->name);
		return false;
	}
	return cmd->check == NULL || cmd->check(client, ctx);
}

void lmtp_client_command(struct lmtp_client *client, char *line)
{
	const struct lmtp_command *cmd;
	struct lmtp_cmd_ctx ctx;
	const char *verb;

	memset(&ctx, 0, sizeof(ctx));
	lmtp_parse_command(line, &verb, &ctx.args);
	cmd = lmtp_command_find(verb);
	if (cmd == NULL) {
		client->bad_count++;
		lmtp_client_reply(client, 500, LMTP_ESC_SYNTAX_ERROR,
				  "Unknown command");
		return;
	}
	if (cmd->proceed != lmtp_proceed_helo)
		client->bad_count = 0;
	ctx.pool = pool_create("lmtp command", 512);
	if (lmtp_command_check(client, cmd, &ctx))
		cmd->proceed(client, &ctx);
	pool_destroy(&ctx.pool);
}
