#ifndef POSTERN_MESSAGE_SECTION_H
#define POSTERN_MESSAGE_SECTION_H

/* IMAP body sections (RFC 3501 §6.4.5, RFC 9051 §6.4.5) on a parsed or
   deserialized message_part tree: which part a section number names, and
   which bytes of the message BODY[section] returns.

   Numbering: the message's top-level parts are 1..n if it is a multipart,
   else the message body is part 1; below a message/rfc822 part N (and
   message/global in IMAP4rev2), the encapsulated message's parts are
   N.1..N.k if it is a multipart, else its body is N.1. A multipart's own
   header is not numbered; N.MIME is the header of part N (for part 1 of a
   single-part message, the message header). */

#include "message-part.h"

#include <stdbool.h>
#include <stdint.h>

enum message_section_kind {
	/* BODY[] (no part number: the whole message) or BODY[N] */
	MESSAGE_SECTION_ALL,
	/* HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT: of the message, or of
	   the message encapsulated in part N */
	MESSAGE_SECTION_HEADER,
	/* TEXT: the body of the message, or of the one in part N */
	MESSAGE_SECTION_TEXT,
	/* N.MIME: the MIME header of part N */
	MESSAGE_SECTION_MIME,
};

struct message_section_range {
	uint64_t offset;
	uint64_t size;
	/* the part whose bytes these are (for HEADER/TEXT of part N, the
	   encapsulated message) */
	const struct message_part *part;
};

/* The part that the part number section ("1", "2.1.3") names, or NULL if
   there is none or section is not a valid part number (no zero, sign,
   leading zero or empty component). */
struct message_part *message_section_find(struct message_part *root,
					  const char *section,
					  enum message_section_flags flags);

/* The bytes of BODY[<section> <kind>]: section is the part number, NULL
   or "" for the message itself. Returns 0 with range_r set, or -1 if no
   such section exists: no such part, MIME without a part number, or
   HEADER/TEXT of a part that does not encapsulate a message. */
int message_section_get_range(struct message_part *root, const char *section,
			      enum message_section_kind kind,
			      enum message_section_flags flags,
			      struct message_section_range *range_r);

#endif
