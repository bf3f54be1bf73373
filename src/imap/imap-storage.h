#ifndef POSTERN_IMAP_STORAGE_H
#define POSTERN_IMAP_STORAGE_H

/* The session's side of opening and releasing storage. */

struct imap_command;

typedef void imap_storage_open_callback_t(struct imap_command *cmd, int ret,
					  const char *error);

/* Opens the mail storage of username (fields: the userdb's "key=value"
   fields such as home= and mail=, NULL-terminated, or NULL) on the thread
   pool, logs the session in (imap_client_login()) and calls callback on
   the loop with 0, or -1 and an error text for the client. */
void imap_storage_open_user(struct imap_command *cmd, const char *username,
			    char *const *fields,
			    imap_storage_open_callback_t *callback);

/* Closes the loop-side handles of storage's change notification (service
   deinit). */
void imap_storage_deinit(void);

#endif
