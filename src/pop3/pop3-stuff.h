#ifndef POSTERN_POP3_STUFF_H
#define POSTERN_POP3_STUFF_H

/* A message as the body of a multi-line response (RFC 1939 §3), for RETR
   and TOP: a line that begins with the termination octet '.' gets one
   more '.' in front, every line ends in CRLF (storage already gives CRLF;
   a bare LF still gets its CR), and the response ends with CRLF "." CRLF,
   with a CRLF added first if the message's last line had none.

   For TOP (RFC 1939 §7) only the header, the blank line after it and the
   first n lines of the body are sent; a message without a blank line is
   all header and is sent whole.

   The message comes in chunks of any size; the state carries across them,
   so a huge message never has to be in memory at once. Sizes: LIST and
   STAT count the message's CRLF bytes, without the stuffed dots or the
   terminating line (RFC 1939 §11), which is what the client has once it
   removes the stuffing. */

#include "buffer.h"

#include <stdbool.h>
#include <stdint.h>

struct pop3_stuff {
	/* TOP: LFs still to send once in the body (the blank line counts
	   as one); UINT64_MAX: no limit. */
	uint64_t body_lines_left;
	/* The previous input byte ('\n' at the start: a line starts). */
	unsigned char last;
	bool in_body;
	/* TOP's limit was reached: the rest of the message is skipped. */
	bool done;
};

/* RETR: the whole message. */
void pop3_stuff_init(struct pop3_stuff *ctx);
/* TOP msg n: the header and n lines of the body. */
void pop3_stuff_init_top(struct pop3_stuff *ctx, uint64_t body_lines);

/* Appends the rendering of data[0..size) to dest and returns how many
   bytes were used: all of them, unless TOP's limit was reached (then
   ctx->done is set and nothing more should be given). dest grows by at
   most 2 * size bytes. */
size_t pop3_stuff_chunk(struct pop3_stuff *ctx, const unsigned char *data,
			size_t size, buffer_t *dest);
/* Appends the end of the response: CRLF if the last line lacked one, then
   "." CRLF. */
void pop3_stuff_finish(struct pop3_stuff *ctx, buffer_t *dest);

#endif
