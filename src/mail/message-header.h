#ifndef POSTERN_MESSAGE_HEADER_H
#define POSTERN_MESSAGE_HEADER_H

/* Iterating the header fields of an RFC 5322 header block held in memory
   (RFC 5322 §2.2). Nothing is copied: a field points into the block.

   Tolerated: bare LF line ends (and CRLF), obsolete white space before
   the colon (RFC 5322 §4.5), 8-bit bytes and NULs, a last line without a
   line end, and lines with no colon at all (reported with no_colon set and
   the whole line as the name, so that HEADER fetches still return them).
   A continuation line (starting with SP or HTAB) belongs to the field
   above it; one at the very start of the block is a field of its own.
   The header ends at the first empty line, or at the end of the block. */

#include "buffer.h"

#include <stdbool.h>
#include <stddef.h>

struct pool;

struct message_header_field {
	/* The field name, trailing white space removed. */
	const unsigned char *name;
	size_t name_len;
	/* The raw value: after the colon and the white space following it,
	   up to but not including the final line end; folding line ends
	   are still in it. */
	const unsigned char *value;
	size_t value_len;
	/* Where the field starts, relative to the start of the block, and
	   its size including its final line end. */
	size_t offset;
	size_t size;
	/* The field's last line has no line end (the block ended). */
	bool no_eol;
	bool no_colon;
};

struct message_header_iter {
	const unsigned char *data;
	size_t size;
	size_t pos;
	bool finished;
	/* Set when iteration has returned 0: the header's size including
	   the empty line, and whether there was one. */
	size_t header_size;
	bool has_blank_line;
};

/* Starts iterating the header block at data. size bounds it: when no
   empty line comes first, the header ends there. */
void message_header_iter_init(struct message_header_iter *iter,
			      const void *data, size_t size);
/* Returns 1 with the next field in field_r, or 0 at the end of the header
   (then header_size and has_blank_line are set). */
int message_header_iter_next(struct message_header_iter *iter,
			     struct message_header_field *field_r);

/* Whether the field's name is name, compared as ASCII without case. */
bool message_header_field_is(const struct message_header_field *field,
			     const char *name);

/* The value with folding undone (RFC 5322 §2.2.3: every line end in a
   value is removed), and its leading and trailing white space trimmed.
   NUL bytes are kept; len_r (when not NULL) gives the length. */
char *message_header_unfold(struct pool *pool, const unsigned char *value,
			    size_t value_len, size_t *len_r);

/* Like message_header_unfold(), for values kept as C strings: NUL bytes
   become 0x80, as IMAP sends them (RFC 3501's CHAR8 excludes NUL), so a
   NUL does not cut the value short. */
char *message_header_unfold_str(struct pool *pool, const unsigned char *value,
				size_t value_len);
/* Replaces NUL bytes in the first len bytes of str with 0x80. */
void message_header_replace_nuls(char *str, size_t len);

/* Finds the first field called name in the header block. Returns 1 with
   field_r set, or 0. */
int message_header_find(const void *data, size_t size, const char *name,
			struct message_header_field *field_r);

/* Appends to dest the fields of the header block whose names are in
   names (ASCII case-insensitive), or with exclude set, those whose names
   are not: IMAP's HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 3501 §6.4.5).
   Fields are copied as they are, in their order; one whose last line had
   no line end gets CRLF. The empty line ending the header is appended when
   the header had one: "the blank line is included in all header fetches,
   except in the case of a message which has no body and no blank line".
   Returns 0, or -1 when dest overflowed. */
int message_header_filter(const void *data, size_t size,
			  const char *const *names, unsigned int names_count,
			  bool exclude, buffer_t *dest);

#endif
