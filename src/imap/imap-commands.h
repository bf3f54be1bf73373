#ifndef POSTERN_IMAP_COMMANDS_H
#define POSTERN_IMAP_COMMANDS_H

/* The IMAP command table and the command being run. */

#include <stddef.h>

struct imap_client;

struct imap_command {
	struct imap_client *client;
	const char *tag;
	const char *name;
	/* Everything after the command name, without the leading space. */
	const char *args;
};

typedef void imap_command_handler_t(struct imap_command *cmd);

struct imap_command_def {
	const char *name;
	imap_command_handler_t *handler;
};

/* NULL if no command has that name (case-insensitive). */
const struct imap_command_def *imap_command_find(const char *name);

/* Tagged replies. */
void imap_command_ok(struct imap_command *cmd, const char *text);
void imap_command_no(struct imap_command *cmd, const char *text);
void imap_command_bad(struct imap_command *cmd, const char *text);

imap_command_handler_t imap_cmd_capability;
imap_command_handler_t imap_cmd_logout;
imap_command_handler_t imap_cmd_noop;
imap_command_handler_t imap_cmd_starttls;

#endif
