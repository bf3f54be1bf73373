#ifndef POSTERN_IMAP_ENVELOPE_H
#define POSTERN_IMAP_ENVELOPE_H

/* IMAP's ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2): the envelope
   fields of a message header, parsed and written.

   Strings are the raw unfolded field values (encoded words are not
   decoded; ENVELOPE is not a display format). Fields that RFC 5322 allows
   once but a message repeats: the first Date, Subject, In-Reply-To and
   Message-ID count (RFC 5322 §4.5 leaves repeats unspecified; BODYSTRUCTURE
   takes the first Content-Type too), and repeated address fields are
   joined, as RFC 5322 §4.5.3 says for To, Cc and Bcc. Sender and
   Reply-To default to From when absent or empty, as RFC 3501 requires. */

#include "imap-quote.h"
#include "rfc822-address.h"

#include <stddef.h>

struct pool;

struct imap_envelope {
	/* NULL when the field is absent */
	const char *date;
	const char *subject;
	struct rfc822_address *from, *sender, *reply_to, *to, *cc, *bcc;
	const char *in_reply_to;
	const char *message_id;
};

/* Parses the envelope fields of the header block of size bytes into
   env_r; all memory comes from pool. */
void imap_envelope_parse(struct pool *pool, const void *header, size_t size,
			 struct imap_envelope *env_r);

/* Appends "(date subject from sender reply-to to cc bcc in-reply-to
   message-id)". */
void imap_envelope_write(string_t *dest, const struct imap_envelope *env,
			 enum imap_quote_flags flags);

/* Appends an address list: NIL, or "((name adl mailbox host)...)". */
void imap_envelope_write_addresses(string_t *dest,
				   const struct rfc822_address *addr,
				   enum imap_quote_flags flags);

#endif
