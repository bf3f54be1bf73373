#ifndef POSTERN_IMAP_BODYSTRUCTURE_H
#define POSTERN_IMAP_BODYSTRUCTURE_H

/* IMAP's BODYSTRUCTURE and BODY (RFC 3501 §7.4.2, RFC 9051 §7.5.2),
   written from a parsed message_part tree.

   - A text part reports its lines; one without a charset parameter gets
     ("charset" "us-ascii") appended, RFC 2045 §5.2's default (as Dovecot
     does). A missing or invalid Content-Type is text/plain;
     charset=us-ascii.
   - message/rfc822 (and message/global under IMAP4rev2) carries the
     encapsulated message's ENVELOPE, BODYSTRUCTURE and lines. A
     message/rfc822 part that encapsulates nothing (encoded with base64,
     or past the nesting limit) would break the grammar, which requires
     an envelope after "MESSAGE" "RFC822": it is shown as
     application/octet-stream.
   - BODYSTRUCTURE adds the extension data: body MD5, disposition,
     language and location for single parts; parameters, disposition,
     language and location for multiparts. BODY stops before them.
   - Parameters are returned RFC 2231-decoded to UTF-8 (RFC 9051 §7.5.2),
     see rfc2231.h. */

#include "imap-quote.h"
#include "message-part.h"

#include <stddef.h>

struct pool;

enum imap_bodystructure_flags {
	/* BODYSTRUCTURE: with extension data; else BODY */
	IMAP_BODYSTRUCTURE_FLAG_EXTENDED = 0x01,
	/* IMAP4rev2: message/global is a message (RFC 9051 §7.5.2) */
	IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2 = 0x02,
	/* UTF8=ACCEPT: 8-bit UTF-8 strings may be quoted */
	IMAP_BODYSTRUCTURE_FLAG_UTF8 = 0x04,
};

/* Appends the BODYSTRUCTURE (or BODY) of the tree at part. msg is the
   message buffer the tree was parsed from (envelopes of encapsulated
   messages are read from it); pool is for scratch allocations. Returns 0,
   or -1 if the tree has no parsed data (a deserialized tree). */
int imap_bodystructure_write(string_t *dest, const struct message_part *part,
			     const void *msg, size_t msg_size,
			     enum imap_bodystructure_flags flags,
			     struct pool *pool);

#endif
