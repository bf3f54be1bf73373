#include "imap-condstore.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-sync.h"

void imap_condstore_use(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;

	if (imap_sync_want_modseq(client)) {
		client->condstore_used = true;
		return;
	}
	client->condstore_used = true;
	if (client->box != NULL) {
		imap_client_send_line(
			client, "* OK [HIGHESTMODSEQ %llu] Highest",
			(unsigned long long)client->highest_modseq);
	}
}
