#include "imap-auth.h"
#include "auth-client.h"
#include "auth-master-client.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-storage.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

struct imap_auth_ctx {
	struct imap_command *cmd;
	struct auth_client_request *request;
	struct auth_master_lookup *lookup;
	const char *username;
};

static struct auth_client *imap_auth_client;
static struct auth_master_client *imap_auth_master;

static struct auth_client *imap_auth_get_client(void)
{
	if (imap_auth_client == NULL && imap_env->auth_client_socket != NULL) {
		imap_auth_client = auth_client_create(
			imap_env->loop, imap_env->auth_client_socket);
		/* at once, so that greetings can list the mechanisms */
		auth_client_connect(imap_auth_client, NULL, NULL);
	}
	return imap_auth_client;
}

void imap_auth_init(void)
{
	(void)imap_auth_get_client();
}

bool imap_auth_plaintext_allowed(struct imap_client *client)
{
	return imap_env->allow_plaintext || conn_is_secured(client->conn);
}

void imap_auth_append_capability(struct imap_client *client, string_t *dest)
{
	struct auth_client *auth = imap_auth_get_client();
	bool secured = conn_is_secured(client->conn);
	const char *mechs;
	char **names;
	struct pool *pool;

	if (auth == NULL || !auth_client_is_connected(auth)) {
		/* not known yet: PLAIN is what every auth process has */
		if (imap_auth_plaintext_allowed(client))
			str_append(dest, " AUTH=PLAIN");
		return;
	}
	mechs = auth_client_get_mechs(auth);
	pool = pool_create("imap auth mechs", 512);
	names = str_split(pool, mechs, " ");
	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (names[i][0] != '\0' &&
		    !auth_client_mech_is_private(auth, names[i]) &&
		    (!auth_mech_needs_tls(names[i]) ||
		     conn_is_tls(client->conn)) &&
		    auth_client_mech_is_usable(auth, names[i], secured,
					       imap_env->allow_plaintext))
			str_printfa(dest, " AUTH=%s", names[i]);
	}
	pool_destroy(&pool);
}

static void imap_auth_storage_done(struct imap_command *cmd, int ret,
				   const char *error)
{
	if (ret < 0) {
		imap_command_nof(cmd, "[UNAVAILABLE] %s", error);
		return;
	}
	imap_command_okf(cmd, "[CAPABILITY %s] Logged in",
			 imap_client_capability(cmd->client));
}

static void imap_auth_userdb_cb(int result, const char *user,
				char *const *fields, void *context)
{
	struct imap_auth_ctx *ctx = context;
	struct imap_command *cmd = ctx->cmd;

	ctx->lookup = NULL;
	if (result < 0) {
		imap_command_no(cmd, "[UNAVAILABLE] Temporary user lookup "
				     "failure.");
		return;
	}
	if (result == 0) {
		log_msg(LOG_LEVEL_ERROR, &cmd->client->log,
			"Authenticated user %s not found in the userdb",
			ctx->username);
		imap_command_no(cmd, "[AUTHENTICATIONFAILED] Authentication "
				     "failed.");
		return;
	}
	imap_storage_open_user(cmd, user != NULL ? user : ctx->username, fields,
			       imap_auth_storage_done);
}

static void imap_auth_success(struct imap_auth_ctx *ctx, const char *user)
{
	struct imap_command *cmd = ctx->cmd;

	ctx->username = pool_strdup(cmd->pool, user);
	if (imap_auth_master == NULL && imap_env->auth_userdb_socket != NULL)
		imap_auth_master = auth_master_client_create(
			imap_env->loop, imap_env->auth_userdb_socket);
	if (imap_auth_master == NULL) {
		imap_storage_open_user(cmd, ctx->username, NULL,
				       imap_auth_storage_done);
		return;
	}
	ctx->lookup = auth_master_user_lookup(imap_auth_master, ctx->username,
					      "imap", imap_auth_userdb_cb, ctx);
}

static void imap_auth_failure(struct imap_auth_ctx *ctx,
			      const struct auth_client_result *result)
{
	struct imap_command *cmd = ctx->cmd;

	if (result->temp)
		imap_command_no(cmd, "[UNAVAILABLE] Temporary authentication "
				     "failure.");
	else if (result->authz)
		imap_command_no(cmd, "[AUTHORIZATIONFAILED] Authorization "
				     "failed.");
	else
		imap_command_no(cmd, "[AUTHENTICATIONFAILED] Authentication "
				     "failed.");
}

static void imap_auth_client_line(struct imap_command *cmd, const char *line,
				  size_t len)
{
	struct imap_auth_ctx *ctx = cmd->context;

	imap_command_stop_lines(cmd);
	if (len == 1 && line[0] == '*') {
		/* RFC 9051 §6.2.2: the client cancels; tagged BAD */
		auth_client_request_abort(&ctx->request);
		imap_command_bad(cmd, "Authentication aborted by client.");
		return;
	}
	if (strlen(line) != len) {
		auth_client_request_abort(&ctx->request);
		imap_command_bad(cmd, "Invalid base64 response.");
		return;
	}
	auth_client_request_continue(ctx->request, line);
}

static void imap_auth_result_cb(struct auth_client_request *request,
				const struct auth_client_result *result,
				void *context)
{
	struct imap_auth_ctx *ctx = context;
	struct imap_command *cmd = ctx->cmd;

	switch (result->type) {
	case AUTH_CLIENT_RESULT_CONTINUE:
		imap_client_send_line(cmd->client, "+ %s", result->challenge);
		imap_command_read_lines(cmd, imap_auth_client_line);
		return;
	case AUTH_CLIENT_RESULT_OK:
		ctx->request = NULL;
		imap_auth_success(ctx, result->user);
		return;
	case AUTH_CLIENT_RESULT_FAIL:
		ctx->request = NULL;
		imap_auth_failure(ctx, result);
		return;
	}
	i_unreached();
}

/* The session went away during the exchange. */
static void imap_auth_abort(struct imap_command *cmd)
{
	struct imap_auth_ctx *ctx = cmd->context;

	if (ctx->request != NULL)
		auth_client_request_abort(&ctx->request);
	if (ctx->lookup != NULL)
		auth_master_lookup_abort(&ctx->lookup);
	imap_command_free(cmd);
}

static void imap_auth_fill_params(struct imap_client *client,
				  struct auth_client_request_params *params)
{
	memset(params, 0, sizeof(*params));
	params->service = "imap";
	params->local_ip = conn_get_local_ip(client->conn);
	params->remote_ip = conn_get_remote_ip(client->conn);
	params->local_port = conn_get_local_port(client->conn);
	params->remote_port = conn_get_remote_port(client->conn);
	params->secured = conn_is_secured(client->conn);
	params->session_id = client->session_id;
	params->cert_username = conn_tls_peer_cert_subject(client->conn);
	params->valid_client_cert = params->cert_username != NULL;
}

void imap_auth_begin(struct imap_command *cmd, const char *mech,
		     const char *initial_resp)
{
	struct auth_client *auth = imap_auth_get_client();
	struct auth_client_request_params params;
	struct imap_auth_ctx *ctx;
	unsigned char *cbind;

	if (auth == NULL) {
		imap_command_no(cmd, "[UNAVAILABLE] Authentication service "
				     "isn't configured.");
		return;
	}
	ctx = p_new(cmd->pool, struct imap_auth_ctx, 1);
	ctx->cmd = cmd;
	cmd->context = ctx;
	imap_auth_fill_params(cmd->client, &params);
	params.mech = mech;
	params.initial_resp = initial_resp;
	cbind = pool_alloc(cmd->pool, 32);
	if (conn_tls_exporter(cmd->client->conn, cbind) == 0) {
		params.cbind_data = cbind;
		params.cbind_size = 32;
	}
	imap_command_set_abort(cmd, imap_auth_abort);
	ctx->request = auth_client_request_start(auth, &params,
						 imap_auth_result_cb, ctx);
}

void imap_auth_deinit(void)
{
	if (imap_auth_client != NULL)
		auth_client_free(&imap_auth_client);
	if (imap_auth_master != NULL)
		auth_master_client_free(&imap_auth_master);
}
