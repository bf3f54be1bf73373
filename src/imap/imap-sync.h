#ifndef POSTERN_IMAP_SYNC_H
#define POSTERN_IMAP_SYNC_H

/* Writing the untagged responses that describe a mailbox view: used by
   the sync that ends commands (imap_client_sync() in imap-client.h) and
   by SELECT. */

#include "postern/storage.h"
#include "str.h"

struct imap_client;

/* "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)]" for a view with these
   keywords. */
void imap_sync_send_flags(struct imap_client *client,
			  const char *const *keywords, bool allow_new_keywords,
			  bool readonly);
/* Appends "* <seq> FETCH (UID <uid> FLAGS (...)[ MODSEQ (<n>)])" CRLF. */
void imap_sync_append_fetch_flags(struct imap_client *client, string_t *dest,
				  uint32_t seq, uint32_t uid,
				  enum mail_flags flags,
				  const char *const *keywords, uint64_t modseq);
/* True when FETCH responses carry MODSEQ (RFC 7162 §3.1: once CONDSTORE
   is enabled or used). */
bool imap_sync_want_modseq(const struct imap_client *client);

#endif
