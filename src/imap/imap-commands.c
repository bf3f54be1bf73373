#include "imap-commands.h"
#include "imap-client.h"

#include <strings.h>

static const struct imap_command_def imap_commands[] = {
	{ "CAPABILITY", imap_cmd_capability },
	{ "LOGOUT", imap_cmd_logout },
	{ "NOOP", imap_cmd_noop },
	{ "STARTTLS", imap_cmd_starttls },
};

const struct imap_command_def *imap_command_find(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_commands); i++) {
		if (strcasecmp(imap_commands[i].name, name) == 0)
			return &imap_commands[i];
	}
	return NULL;
}

void imap_command_ok(struct imap_command *cmd, const char *text)
{
	cmd->client->bad_count = 0;
	imap_client_send_line(cmd->client, "%s OK %s", cmd->tag, text);
}

void imap_command_no(struct imap_command *cmd, const char *text)
{
	cmd->client->bad_count = 0;
	imap_client_send_line(cmd->client, "%s NO %s", cmd->tag, text);
}

void imap_command_bad(struct imap_command *cmd, const char *text)
{
	cmd->client->bad_count++;
	imap_client_send_line(cmd->client, "%s BAD %s", cmd->tag, text);
}
