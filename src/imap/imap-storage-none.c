/* Until storage/ is built (storage_dep): a session logs in without mail
   storage and can't select; imap_client_sync() has nothing to do. */
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-storage.h"

void imap_storage_open_user(struct imap_command *cmd, const char *username,
			    char *const *fields,
			    imap_storage_open_callback_t *callback)
{
	imap_client_login(cmd->client, username, NULL);
	callback(cmd, 0, NULL);
}

void imap_client_sync(struct imap_command *cmd, unsigned int flags,
		      imap_client_sync_callback_t *done)
{
	done(cmd);
}

void imap_client_close_mailbox(struct imap_client *client)
{
}

void imap_client_release_storage(struct imap_client *client)
{
}

void imap_idle_input_line(struct imap_client *client, const char *line,
			  size_t len)
{
}

void imap_storage_deinit(void)
{
}

void imap_client_sync_in_work(struct imap_command *cmd, unsigned int flags)
{
}

bool imap_client_sync_is_pending(const struct imap_command *cmd)
{
	return false;
}
