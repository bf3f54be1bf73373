#ifndef POSTERN_MESSAGE_CRLF_H
#define POSTERN_MESSAGE_CRLF_H

/* Line-end normalization for stored messages. IMAP sizes and sections
   are defined on CRLF text (RFC 3501 §2.3.3 wants RFC822.SIZE exact), so
   storage saves messages with CRLF, and a file that has bare LFs (an
   outside MDA, a Unix mbox export) is normalized when opened.

   Only bare LF changes: it becomes CRLF. A bare CR (one not followed by
   LF) is data and stays as it is, as Dovecot leaves it. The converter is
   streaming: a CR at the end of one chunk followed by LF at the start of
   the next is a CRLF, not a bare LF. */

#include "buffer.h"

#include <stdbool.h>
#include <stddef.h>

struct message_crlf_ctx {
	bool last_cr;
};

/* Whether every LF in data is preceded by CR. */
bool message_crlf_is_normalized(const void *data, size_t size);
/* The size data has after normalization. */
size_t message_crlf_normalized_size(const void *data, size_t size);

void message_crlf_init(struct message_crlf_ctx *ctx);
/* Appends chunk to dest with bare LFs turned into CRLF. Returns 0, or -1
   when dest overflowed. */
int message_crlf_convert(struct message_crlf_ctx *ctx, const void *chunk,
			 size_t size, buffer_t *dest);

#endif
