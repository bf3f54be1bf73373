#ifndef POSTERN_IMAP_STATUS_H
#define POSTERN_IMAP_STATUS_H

/* STATUS items (RFC 9051 §6.3.11, STATUS=SIZE RFC 8438, CONDSTORE
   HIGHESTMODSEQ RFC 7162, OBJECTID MAILBOXID RFC 8474): parsing the
   item list and writing the untagged STATUS response, for STATUS and
   LIST-STATUS. */

#include "imap-arg.h"
#include "postern/storage.h"
#include "str.h"

struct imap_client;

/* Parses a list of item names. Returns 0, or -1 for an unknown item. */
int imap_status_parse_items(const struct imap_arg *list,
			    enum mailbox_status_items *items_r);
/* Appends "* STATUS <name> (<items>)" CRLF. */
void imap_status_append(struct imap_client *client, string_t *dest,
			const char *name, enum mailbox_status_items items,
			const struct mailbox_status *status);

#endif
