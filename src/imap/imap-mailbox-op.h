#ifndef POSTERN_IMAP_MAILBOX_OP_H
#define POSTERN_IMAP_MAILBOX_OP_H

/* The engine of the commands that do one thing to one or two mailboxes
   by name (CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE): convert the
   names from the client, run the operation on the thread pool on freshly
   allocated (unopened) handles, answer OK or NO with the storage error. */

#include <stdbool.h>

struct mailbox;
struct imap_command;

/* Runs on the thread pool; box2 is NULL for one-name operations, param
   is what the command passed (CREATE's special-use). Returns 0, or -1
   with the error on box (or on box2 if *error_on_box2_r is set). */
typedef int imap_mailbox_op_t(struct mailbox *box, struct mailbox *box2,
			      unsigned int param, bool *error_on_box2_r);

/* name2 may be NULL. Ends the command with OK ok_text or NO. */
void imap_mailbox_op_start(struct imap_command *cmd, const char *name,
			   const char *name2, imap_mailbox_op_t *op,
			   unsigned int param, const char *ok_text);

#endif
