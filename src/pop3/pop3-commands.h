#ifndef POSTERN_POP3_COMMANDS_H
#define POSTERN_POP3_COMMANDS_H

/* The POP3 commands: the dispatch table and the TRANSACTION commands that
   the session's snapshot answers (pop3-commands.c), and those that read
   messages from storage (pop3-fetch.c). */

#include "pop3-client.h"

typedef void pop3_command_func_t(struct pop3_client *client, const char *args);

/* The message named by a "msg" argument (RFC 1939), or NULL after an -ERR
   was sent: a bad number, no such message, or one marked deleted. */
struct pop3_message *pop3_command_get_message(struct pop3_client *client,
					      const char *args);
/* The same for a message number already parsed. */
struct pop3_message *pop3_command_lookup(struct pop3_client *client,
					 uint32_t msgnum);

/* pop3-fetch.c */
pop3_command_func_t pop3_cmd_retr;
pop3_command_func_t pop3_cmd_top;
pop3_command_func_t pop3_cmd_uidl;

#endif
