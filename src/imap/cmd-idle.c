#include "imap-client.h"
#include "imap-commands.h"
#include "memory-trim.h"
#include "postern/storage.h"
#include "strfuncs.h"
#include "xalloc.h"

/* IDLE (RFC 2177, RFC 9051 §6.3.13). While idling a session keeps no
   command: only the tag and a watch on the selected mailbox. A change
   wakes it: a short-lived internal command syncs and sends the untagged
   updates, then the session is idle again. DONE ends it with the tagged
   OK. */

static void imap_idle_watch_cb(void *context);

static void imap_idle_sync_done(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;
	bool again = client->idle_wakeup_pending;

	client->idle_wakeup_pending = false;
	imap_command_free(cmd);
	if (again && client->idle_tag != NULL && !client->disconnected)
		imap_idle_watch_cb(client);
}

static void imap_idle_watch_cb(void *context)
{
	struct imap_client *client = context;
	struct imap_command *cmd;

	if (client->idle_tag == NULL || client->disconnected)
		return;
	if (client->cmd != NULL) {
		/* a sync is running: one more after it */
		client->idle_wakeup_pending = true;
		return;
	}
	cmd = imap_command_new(client, client->idle_tag,
			       imap_command_find("IDLE"));
	imap_client_sync(cmd, MAILBOX_SYNC_FLAG_IDLE, imap_idle_sync_done);
}

static void imap_idle_start(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;

	imap_client_send_line(client, "+ idling");
	client->idle_tag = xstrdup(cmd->tag);
	if (client->box != NULL)
		client->watch =
			mail_user_watch_mailbox(imap_env->loop, client->user,
						mailbox_get_name(client->box),
						imap_idle_watch_cb, client);
	/* the command is gone; input goes to imap_idle_input_line() */
	imap_command_free(cmd);
	memory_trim_soon();
}

void imap_cmd_idle(struct imap_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "IDLE takes no arguments.");
		return;
	}
	/* what happened before IDLE is reported first */
	imap_client_sync(cmd, MAILBOX_SYNC_FLAG_IDLE, imap_idle_start);
}

void imap_idle_input_line(struct imap_client *client, const char *line,
			  size_t len)
{
	struct imap_command *cmd;
	bool done = str_eq_icase(line, "DONE") && len == 4;

	if (client->watch != NULL)
		mail_user_unwatch_mailbox(&client->watch);
	client->idle_wakeup_pending = false;
	cmd = imap_command_new(client, client->idle_tag,
			       imap_command_find("IDLE"));
	free(client->idle_tag);
	client->idle_tag = NULL;
	if (done)
		imap_command_ok(cmd, "Idle completed.");
	else
		imap_command_bad(cmd, "Expected DONE.");
}
