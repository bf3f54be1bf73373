#ifndef POSTERN_MESSAGE_PARSER_H
#define POSTERN_MESSAGE_PARSER_H

/* Parses an RFC 5322 message with its MIME structure (RFC 2045, 2046)
   from one contiguous buffer into a struct message_part tree, in a single
   pass over the bytes.

   Multipart bodies follow RFC 2046 §5.1.1 as real mail needs it:
   - a delimiter is a line starting with "--" and the boundary; what
     follows the boundary on the line is ignored ("it is sufficient that
     the boundary appear in its entirety following the CRLF"), so
     "--b  \t" (transport padding) and "--bX" both delimit; "--b--" at the
     start closes;
   - the line end before a delimiter belongs to the delimiter, not to the
     part above it;
   - every enclosing multipart's boundary is looked for at once, and when
     several match a line the longest wins: an outer boundary that is a
     prefix of the inner one does not end the inner part, and an inner
     multipart that is never closed ends at its parent's delimiter;
   - the preamble and the epilogue (after the close delimiter, where the
     part's own boundary no longer counts) belong to no part;
   - a multipart without a usable boundary parameter has an invalid
     Content-Type and is text/plain (RFC 2045 §5.2); one whose boundary
     never appears gets a single empty text/plain child
     (MESSAGE_PART_FLAG_NO_PARTS), since IMAP's grammar needs one.
   message/rfc822 and message/global encapsulate a message (unless their
   Content-Transfer-Encoding is base64 or quoted-printable, which RFC 2046
   §5.2.1 forbids: then they are leaves). Parts of multipart/digest default
   to message/rfc822.

   Limits: nesting depth (default 100, as Dovecot) and total parts
   (default 10000). A multipart or message part past them is parsed as a
   leaf and flagged MESSAGE_PART_FLAG_OVERFLOW; no input can make the
   parser recurse deeper, allocate more than a small multiple of the
   input size, or take more than linear time (times the nesting depth for
   boundary comparisons). */

#include "message-part.h"

#include <stddef.h>

struct pool;

#define MESSAGE_PARSER_DEFAULT_MAX_DEPTH 100
#define MESSAGE_PARSER_DEFAULT_MAX_PARTS 10000
/* RFC 2046 allows 70; longer boundaries are accepted up to this. */
#define MESSAGE_PARSER_MAX_BOUNDARY_LEN 998

struct message_parser_settings {
	/* 0 means the defaults above */
	unsigned int max_depth;
	unsigned int max_parts;
};

/* Parses the message of size bytes at data. Never fails: any input gives
   a tree (at least the root part). Everything is allocated from pool,
   including each part's data; the tree points into data only through
   offsets. set may be NULL for the defaults. */
struct message_part *message_parse(struct pool *pool, const void *data,
				   size_t size,
				   const struct message_parser_settings *set);

#endif
