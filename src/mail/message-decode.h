#ifndef POSTERN_MESSAGE_DECODE_H
#define POSTERN_MESSAGE_DECODE_H

/* Content-Transfer-Encoding decoding (RFC 2045 §6), for IMAP BINARY and
   BINARY.SIZE (RFC 3516, RFC 9051 §6.4.5) and for SEARCH text.

   Decoding is lenient, because mail is broken and a user would rather
   see a damaged attachment than an error:
   - base64: characters outside the alphabet are skipped (RFC 2045 §6.8
     says to ignore them); missing padding is accepted, and a lone
     trailing character, which can't make a byte, is dropped. '=' ends a
     quantum; more base64 on the same line starts a new one (two encoded
     files glued together), but a line ending in padding ends the data, so
     a list footer appended after the base64 is not decoded as garbage
     (RFC 2045 §6.8: '=' "may be taken as evidence that the end of the
     data has been reached").
   - quoted-printable: soft line breaks ('=' at the end of a line, also
     with white space after it, and at the very end), upper- and
     lower-case hex; an '=' not followed by two hex digits is kept as it
     is; trailing white space on a line is removed (RFC 2045 §6.7 rule 3).
   - 7bit, 8bit, binary: passed through.
   - anything else is unknown: message_decoder_init() returns -1, which
     IMAP answers with NO [UNKNOWN-CTE] (RFC 3516 §4.3).
   Irregularities set the errors flag, which callers may log.

   The decoder is streaming: feed the encoded text in chunks of any size;
   with dest NULL it only counts (BINARY.SIZE). */

#include "buffer.h"
#include "message-part-data.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct message_decoder {
	enum message_cte cte;
	/* decoded bytes so far */
	uint64_t size;
	bool has_nul;
	bool errors;

	/* base64 */
	uint32_t b64_bits;
	unsigned int b64_count;
	bool b64_line_padded;
	bool b64_ended;

	/* quoted-printable: the incomplete last line */
	buffer_t qp_pending;
};

/* Returns 0, or -1 if cte is MESSAGE_CTE_UNKNOWN. */
int message_decoder_init(struct message_decoder *dec, enum message_cte cte);
void message_decoder_deinit(struct message_decoder *dec);
/* Decodes the next chunk, appending to dest (NULL: count only). */
void message_decoder_more(struct message_decoder *dec, const void *data,
			  size_t size, buffer_t *dest);
/* Flushes what the end of the data completes. */
void message_decoder_finish(struct message_decoder *dec, buffer_t *dest);

struct message_decode_result {
	uint64_t size;
	bool has_nul;
	bool errors;
};

/* The value of a hex digit of either case, or -1. */
int message_decode_hex_digit(unsigned char chr);

/* Decodes a whole body. Returns 0, or -1 for an unknown encoding. */
int message_decode(enum message_cte cte, const void *data, size_t size,
		   buffer_t *dest, struct message_decode_result *result_r);

#endif
