#ifndef POSTERN_IMAP_MAILBOX_NAME_H
#define POSTERN_IMAP_MAILBOX_NAME_H

/* Mailbox names between the wire and storage. Storage names are UTF-8
   with '/' as separator, INBOX spelled "INBOX". On the wire IMAP4rev1
   clients use modified UTF-7 (RFC 3501 §5.1.3); after ENABLE UTF8=ACCEPT
   or IMAP4rev2 names are UTF-8 (RFC 6855 §3, RFC 9051 §5.1). */

#include "str.h"

struct pool;
struct imap_client;

/* The storage name for a name (or LIST pattern) from the client. Returns
   0, or -1 with *error_r (for a NO/BAD) when it isn't valid mUTF-7 or
   UTF-8. */
int imap_mailbox_name_from_client(struct imap_client *client, struct pool *pool,
				  const char *name, const char **storage_name_r,
				  const char **error_r);
/* Appends the storage name as the client wants to see it, as an astring
   (an atom when it can be one, else quoted or a literal). */
void imap_mailbox_name_write(struct imap_client *client, string_t *dest,
			     const char *storage_name);

#endif
