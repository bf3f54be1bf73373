#include "pop3-auth.h"
#include "pool.h"
#include "pop3-settings.h"
#include "xalloc.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The file in the user's index directory whose mtime is the last POP3
   login, for LOGIN-DELAY. */
#define POP3_LOGIN_TIME_FILE "pop3-last-login"

/* The login's work: filled on the thread pool, moved into the session on
   the loop thread. */
struct pop3_login_ctx {
	struct mail_user_params params;
	/* set on failure: the response code (may be NULL) and text */
	bool failed;
	const char *code, *text;

	struct mail_user *user;
	struct mail_user_lock *lock;
	struct mailbox *box;
	uint32_t uidvalidity;
	struct pop3_message *messages;
	uint32_t messages_count;
	uint64_t total_size;
};

static void pop3_login_fail(struct pop3_login_ctx *ctx, const char *code,
			    const char *text)
{
	ctx->failed = true;
	ctx->code = code;
	ctx->text = text;
}

/* RFC 2449 §6.5: refuses a login that comes sooner than login_delay after
   the last one, and records this one. Returns 0, or -1 (ctx failed). */
static int pop3_login_check_delay(struct pop3_client *client,
				  struct pop3_login_ctx *ctx)
{
	const char *path = pool_printf(client->cmd_pool, "%s/%s",
				       mail_user_get_index_dir(ctx->user),
				       POP3_LOGIN_TIME_FILE);
	struct stat st;
	time_t now = time(NULL);
	int fd;

	if (stat(path, &st) == 0 && st.st_mtime <= now &&
	    now - st.st_mtime < (time_t)pop3_set->login_delay) {
		pop3_login_fail(ctx, "LOGIN-DELAY",
				pool_printf(client->cmd_pool,
					    "Wait %ld seconds between logins.",
					    (long)pop3_set->login_delay));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || futimens(fd, NULL) < 0) {
		log_msg(LOG_LEVEL_WARNING, &client->log,
			"LOGIN-DELAY: can't update %s: %m", path);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Takes the snapshot: every message's UID and size, ascending by UID.
   A message expunged meanwhile is left out. */
static int pop3_login_snapshot(struct pop3_login_ctx *ctx)
{
	const struct seq_range_set *uids = mailbox_get_uids(ctx->box);
	uint64_t count = seq_range_set_count(uids), size;
	struct mail_fetch_ctx *fetch;
	struct mail *mail;
	enum mail_error error;
	int ret;

	ctx->messages = xnew(struct pop3_message, count + 1);
	fetch = mailbox_fetch_init(ctx->box, uids, MAIL_FETCH_SIZE);
	while ((ret = mailbox_fetch_next(fetch, &mail)) > 0) {
		if (mail_get_size(mail, &size) < 0) {
			(void)mailbox_get_last_error(ctx->box, &error);
			if (error == MAIL_ERROR_EXPUNGED)
				continue;
			ret = -1;
			break;
		}
		i_assert(ctx->messages_count < count);
		ctx->messages[ctx->messages_count].uid = mail_get_uid(mail);
		ctx->messages[ctx->messages_count].size = size;
		ctx->messages_count++;
		ctx->total_size += size;
	}
	if (mailbox_fetch_deinit(&fetch) < 0)
		ret = -1;
	return ret;
}

/* INBOX, opened once: the view never syncs again, which makes it the
   session's snapshot (RFC 1939 §8: message numbers don't change). */
static int pop3_login_open_inbox(struct pop3_client *client,
				 struct pop3_login_ctx *ctx)
{
	struct mailbox_status status;
	enum mail_error error;
	const char *text;

	/* \Recent stays for IMAP sessions (storage.h) */
	ctx->box = mailbox_alloc(ctx->user, "INBOX", MAILBOX_FLAG_NO_RECENT,
				 &client->log);
	if (mailbox_open(ctx->box) < 0 ||
	    mailbox_get_status(ctx->box, STATUS_UIDVALIDITY, &status) < 0 ||
	    pop3_login_snapshot(ctx) < 0) {
		text = mailbox_get_last_error(ctx->box, &error);
		pop3_login_fail(ctx, pop3_mail_error_code(error),
				pool_strdup(client->cmd_pool, text));
		return -1;
	}
	ctx->uidvalidity = status.uidvalidity;
	return 0;
}

static int pop3_login_lock(struct pop3_client *client,
			   struct pop3_login_ctx *ctx)
{
	const char *error;
	int ret;

	ret = mail_user_lock(ctx->user, "pop3", &ctx->lock, &error);
	if (ret == 0) {
		/* RFC 1939 §8 / RFC 2449 §8.1.1 */
		pop3_login_fail(ctx, "IN-USE",
				"Mailbox is locked by another POP3 session.");
	} else if (ret < 0) {
		log_msg(LOG_LEVEL_ERROR, &client->log,
			"Can't lock the maildrop: %s", error);
		pop3_login_fail(ctx, "SYS/TEMP", "Can't lock the mailbox.");
	}
	return ret > 0 ? 0 : -1;
}

/* A failed login closes what it opened before answering: RFC 1939 §4
   wants the lock released before the -ERR. */
static void pop3_login_unwind(struct pop3_login_ctx *ctx)
{
	if (ctx->box != NULL)
		mailbox_free(&ctx->box);
	if (ctx->lock != NULL)
		mail_user_unlock(&ctx->lock);
	if (ctx->user != NULL)
		mail_user_unref(&ctx->user);
	free(ctx->messages);
	ctx->messages = NULL;
}

static int pop3_login_open_maildrop(struct pop3_client *client,
				    struct pop3_login_ctx *ctx)
{
	const char *error;

	if (mail_user_open(&ctx->params, pop3_env->storage_set, &ctx->user,
			   &error) < 0) {
		log_msg(LOG_LEVEL_ERROR, &client->log,
			"Can't open the mail storage: %s", error);
		pop3_login_fail(ctx, "SYS/TEMP", "Can't open the mailbox.");
		return -1;
	}
	if (pop3_login_lock(client, ctx) < 0)
		return -1;
	if (pop3_set->login_delay > 0 &&
	    pop3_login_check_delay(client, ctx) < 0)
		return -1;
	return pop3_login_open_inbox(client, ctx);
}

static void pop3_login_work(struct pop3_client *client)
{
	struct pop3_login_ctx *ctx = client->cmd_ctx;

	if (pop3_login_open_maildrop(client, ctx) < 0)
		pop3_login_unwind(ctx);
}

/* Moves the maildrop into the session (loop thread). */
static void pop3_login_take(struct pop3_client *client,
			    struct pop3_login_ctx *ctx)
{
	client->mail_user = ctx->user;
	client->lock = ctx->lock;
	client->box = ctx->box;
	client->uidvalidity = ctx->uidvalidity;
	client->messages = ctx->messages;
	client->messages_count = ctx->messages_count;
	client->total_size = ctx->total_size;
	ctx->user = NULL;
	ctx->lock = NULL;
	ctx->box = NULL;
	ctx->messages = NULL;
	client->state = POP3_STATE_TRANSACTION;
}

static void pop3_login_done(struct pop3_client *client)
{
	struct pop3_login_ctx *ctx = client->cmd_ctx;

	if (ctx->failed) {
		/* RFC 1939 §4: the session stays in AUTHORIZATION */
		if (ctx->code != NULL)
			pop3_client_errf(client, "[%s] %s", ctx->code,
					 ctx->text);
		else
			pop3_client_err(client, ctx->text);
		client->log.user = NULL;
		pop3_client_command_end(client);
		return;
	}
	pop3_login_take(client, ctx);
	log_msg(LOG_LEVEL_INFO, &client->log, "Logged in: %u messages",
		client->messages_count);
	pop3_client_ok(client, "Logged in.");
	pop3_client_command_end(client);
}

void pop3_login_open(struct pop3_client *client, const char *user,
		     const char *home, const char *mail_location)
{
	struct pop3_login_ctx *ctx =
		p_new(client->cmd_pool, struct pop3_login_ctx, 1);

	ctx->params.username = pool_strdup(client->pool, user);
	ctx->params.home = pool_strdup(client->cmd_pool, home ? home : "");
	if (mail_location != NULL && mail_location[0] != '\0')
		ctx->params.mail_location =
			pool_strdup(client->cmd_pool, mail_location);
	client->cmd_ctx = ctx;
	/* storage's log lines name the user from now on */
	client->log.user = ctx->params.username;
	pop3_client_run_work(client, pop3_login_work, pop3_login_done);
}
