#ifndef POSTERN_MESSAGE_PART_H
#define POSTERN_MESSAGE_PART_H

/* The MIME structure of a message held in one buffer: a tree of parts,
   each with the physical position and size of its header and body in the
   buffer, as message_parse() builds it or message_part_deserialize()
   restores it from the index. Storage hands out byte ranges from it; IMAP
   resolves section numbers with message_section_find().

   Sizes are those of the buffer as it is. IMAP sizes (RFC822.SIZE,
   BODYSTRUCTURE) are defined on CRLF text, so callers hand the parser a
   CRLF-normalized message (see message-crlf.h); bare LF still parses. */

#include "message-part-data.h"

#include <stdbool.h>
#include <stdint.h>

enum message_part_flags {
	/* multipart/ *: children are the body parts */
	MESSAGE_PART_FLAG_MULTIPART = 0x0001,
	/* message/rfc822 or message/global with the encapsulated message
	   as its only child */
	MESSAGE_PART_FLAG_MESSAGE = 0x0002,
	/* ... and it is message/global (RFC 6532): IMAP4rev1 shows it as a
	   basic part, IMAP4rev2 like message/rfc822 (RFC 9051 §7.5.2) */
	MESSAGE_PART_FLAG_MESSAGE_GLOBAL = 0x0004,
	/* text/ *: BODYSTRUCTURE reports body lines */
	MESSAGE_PART_FLAG_TEXT = 0x0008,
	/* multipart/digest: children default to message/rfc822 */
	MESSAGE_PART_FLAG_DIGEST = 0x0010,
	/* the body holds NUL bytes (IMAP BODY[] can't send them as is) */
	MESSAGE_PART_FLAG_HAS_NULS = 0x0020,
	/* the header did not end with an empty line */
	MESSAGE_PART_FLAG_NO_BLANK_LINE = 0x0040,
	/* a nesting or part count limit stopped parsing inside this part:
	   it is shown as a leaf, or lacks its last children */
	MESSAGE_PART_FLAG_OVERFLOW = 0x0080,
	/* a multipart whose boundary never appeared: its single child is
	   an empty text/plain part made up for IMAP's grammar */
	MESSAGE_PART_FLAG_NO_PARTS = 0x0100,
};
#define MESSAGE_PART_FLAGS_ALL 0x01ff

struct message_part {
	struct message_part *parent;
	struct message_part *next;
	struct message_part *children;
	unsigned int children_count;

	/* offset of the part's header from the start of the buffer */
	uint64_t physical_pos;
	/* header size, including the empty line that ends it */
	uint64_t header_size;
	uint64_t body_size;
	/* LF count of the body: RFC 3501's "size in text lines" */
	uint64_t body_lines;

	unsigned int flags; /* enum message_part_flags */
	enum message_cte cte;

	/* The parsed MIME fields; NULL for a tree restored by
	   message_part_deserialize() (reparse the header when needed). */
	struct message_part_data *data;
};

static inline uint64_t message_part_body_pos(const struct message_part *part)
{
	return part->physical_pos + part->header_size;
}

static inline uint64_t message_part_end_pos(const struct message_part *part)
{
	return part->physical_pos + part->header_size + part->body_size;
}

/* Flags for looking up IMAP section numbers. */
enum message_section_flags {
	/* IMAP4rev2 (RFC 9051): message/global encapsulates a message
	   like message/rfc822; in IMAP4rev1 it is a leaf. */
	MESSAGE_SECTION_FLAG_IMAP4REV2 = 0x01,
};

/* Whether part encapsulates a message for the session's protocol. */
bool message_part_is_message(const struct message_part *part,
			     enum message_section_flags flags);

/* The next part in document order (pre-order), or NULL. */
struct message_part *message_part_next(struct message_part *part);
/* The number of parts in the tree below and including part. */
unsigned int message_part_count(const struct message_part *part);

#endif
