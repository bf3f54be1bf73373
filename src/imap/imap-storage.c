#include "imap-storage.h"
#include "auth-master-client.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "config.h"
#include "pool.h"
#include "postern/storage.h"
#include "xalloc.h"

struct imap_open_user_ctx {
	struct mail_user_params params;
	struct mail_user *user;
	const char *error;
	int ret;
	imap_storage_open_callback_t *callback;
};

static void imap_storage_open_work(struct imap_command *cmd)
{
	struct imap_open_user_ctx *ctx = cmd->context;
	const char *error;

	ctx->ret = mail_user_open(&ctx->params, imap_env->storage_set,
				  &ctx->user, &error);
	if (ctx->ret < 0) {
		/* the detail names paths: the log only */
		log_msg(LOG_LEVEL_ERROR, &cmd->client->log,
			"Opening the mail storage failed: %s", error);
		ctx->error = "Mail storage unavailable, try again later.";
	}
}

static void imap_storage_open_done(struct imap_command *cmd)
{
	struct imap_open_user_ctx *ctx = cmd->context;

	if (ctx->ret == 0)
		imap_client_login(cmd->client, ctx->params.username, ctx->user);
	ctx->callback(cmd, ctx->ret, ctx->error);
}

void imap_storage_open_user(struct imap_command *cmd, const char *username,
			    char *const *fields,
			    imap_storage_open_callback_t *callback)
{
	struct imap_open_user_ctx *ctx =
		p_new(cmd->pool, struct imap_open_user_ctx, 1);

	ctx->params.username = pool_strdup(cmd->pool, username);
	if (fields != NULL) {
		const char *home = auth_master_field(fields, "home");
		const char *mail = auth_master_field(fields, "mail");

		ctx->params.home =
			home == NULL ? NULL : pool_strdup(cmd->pool, home);
		ctx->params.mail_location =
			mail == NULL ? NULL : pool_strdup(cmd->pool, mail);
	}
	ctx->callback = callback;
	cmd->context = ctx;
	imap_command_run_work(cmd, imap_storage_open_work,
			      imap_storage_open_done);
}

/* ---- Releasing a closed session's storage ---- */

struct imap_release_req {
	struct work_req req;
	struct imap_client *client;
};

static void imap_release_work_cb(struct work_req *req)
{
	struct imap_release_req *release =
		CONTAINER_OF(req, struct imap_release_req, req);
	struct imap_client *client = release->client;

	imap_client_close_mailbox(client);
	if (client->user != NULL)
		mail_user_unref(&client->user);
}

static void imap_release_after_work_cb(struct work_req *req)
{
	struct imap_release_req *release =
		CONTAINER_OF(req, struct imap_release_req, req);
	struct conn *conn = release->client->conn;

	release->client->releasing = false;
	free(release);
	conn_unref(&conn);
}

void imap_client_release_storage(struct imap_client *client)
{
	struct imap_release_req *release;

	if (client->watch != NULL)
		mail_user_unwatch_mailbox(&client->watch);
	if (client->releasing || (client->box == NULL && client->user == NULL))
		return;
	client->releasing = true;
	release = xnew(struct imap_release_req, 1);
	release->client = client;
	conn_ref(client->conn);
	work_pool_queue(&release->req, imap_release_work_cb,
			imap_release_after_work_cb);
}

void imap_client_close_mailbox(struct imap_client *client)
{
	if (client->box != NULL)
		mailbox_free(&client->box);
	seq_range_set_deinit(&client->search_saved);
}

void imap_storage_deinit(void)
{
	mail_user_watch_deinit(imap_env->loop);
}
