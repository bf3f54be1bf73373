#ifndef POSTERN_IMAP_FETCH_SECTION_H
#define POSTERN_IMAP_FETCH_SECTION_H

/* The contents of FETCH's body sections (RFC 3501 §6.4.5, RFC 9051
   §6.4.5, RFC 3516): what BODY[section]<partial>, BINARY[section]<partial>
   and BINARY.SIZE[section] name in a message, given its bytes (CRLF
   line ends) and its part tree, and a reader that hands the bytes out in
   pieces, so that a 50 MB body never sits in memory.

   Section rules
   - BODY[] is the whole message; HEADER, TEXT and HEADER.FIELDS[.NOT]
     without a part number are those of the message.
   - A part number names a part as src/mail's message-section.h resolves
     it; BODY[n] is the part's body (for message/rfc822: the encapsulated
     message, header included) and n.MIME its MIME header.
   - n.HEADER, n.TEXT and n.HEADER.FIELDS[.NOT] are meaningful only when
     part n is a message/rfc822 (RFC 3501 §6.4.5); otherwise, and for a
     part that does not exist, the section is the empty string, as Mark
     Crispin explained for IMAP (imap-protocol, April 2011).
   - HEADER.FIELDS output ends with the blank line when the header had one:
     a header-only message without a blank line gets none (RFC 3501
     §6.4.5), unlike Dovecot.
   - BINARY[n] is the body of leaf part n with its Content-Transfer-
     Encoding removed; an unknown encoding fails the fetch (RFC 3516 §4.3
     [UNKNOWN-CTE]). Multiparts and encapsulated messages are not decoded
     (the RFC allows only identity encodings for them), nor is BINARY[]
     (the whole message).
   - <o.n> takes up to n bytes from offset o of the section's contents,
     computed after filtering and decoding; past the end it is empty. */

#include "buffer.h"
#include "message-decode.h"
#include "message-part.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imap_fetch_section;

/* A part or its sub-section, before partial ranges. */
struct imap_section_content {
	/* Byte range of the message: valid when !use_buffer. */
	uint64_t offset;
	uint64_t size;
	/* HEADER.FIELDS[.NOT]: the filtered header, in the caller's buffer. */
	bool use_buffer;
	/* BINARY: the range holds encoded data to decode with cte. */
	bool decode;
	enum message_cte cte;
};

/* Resolves section in the message. For HEADER.FIELDS[.NOT] the filtered
   header is appended to filtered (bounded by the caller's buffer).
   binary selects BINARY's decoding rules. Returns 0, or -1 if the part
   to decode has an unknown Content-Transfer-Encoding (UNKNOWN-CTE). */
int imap_fetch_section_find(const struct imap_fetch_section *section,
			    const unsigned char *msg, size_t msg_size,
			    struct message_part *root,
			    enum message_section_flags flags, bool binary,
			    buffer_t *filtered,
			    struct imap_section_content *content_r);

/* Reads a section's contents from offset skip, at most max_size bytes,
   in pieces: the reader of a FETCH literal. */
struct imap_section_reader {
	const unsigned char *msg;
	const struct imap_section_content *content;
	const buffer_t *filtered;
	/* Bytes of output left to give. */
	uint64_t left;
	/* Decoded bytes to skip before the output starts. */
	uint64_t skip;
	/* Position in the encoded range. */
	uint64_t pos;
	/* BODY[] literals can't hold NUL (RFC 9051 §4.3): send 0x80. */
	bool nul_to_0x80;
	bool decoding;
	struct message_decoder decoder;
	/* Decoded bytes not given out yet. */
	buffer_t pending;
	size_t pending_pos;
};

/* Measures the output of a section read from offset, at most max_size
   bytes (UINT64_MAX: all): its size, and whether BINARY sends it as a
   literal8: when it was decoded (base64 and quoted-printable can give any
   byte), as Dovecot does, or when it holds NUL, which only a literal8 can
   carry (RFC 3516 §4.2). Decoding sections are decoded once to count them,
   without buffering. */
void imap_section_measure(const unsigned char *msg,
			  const struct imap_section_content *content,
			  const buffer_t *filtered, uint64_t offset,
			  uint64_t max_size, uint64_t *size_r,
			  bool *literal8_r);

void imap_section_reader_init(struct imap_section_reader *reader,
			      const unsigned char *msg,
			      const struct imap_section_content *content,
			      const buffer_t *filtered, uint64_t offset,
			      uint64_t size, bool nul_to_0x80);
void imap_section_reader_deinit(struct imap_section_reader *reader);
/* Appends up to max bytes of the output to dest. Returns true when all of
   it has been given. */
bool imap_section_reader_read(struct imap_section_reader *reader,
			      buffer_t *dest, size_t max);

#endif
