#include "imap-commands.h"
#include "imap-copy.h"

void imap_cmd_copy(struct imap_command *cmd)
{
	imap_copy_run(cmd, false);
}
