#ifndef POSTERN_LMTP_DOT_H
#define POSTERN_LMTP_DOT_H

/* The DATA transparency procedure undone (RFC 5321 §4.5.2): a leading dot
   is dropped from every line, and a line holding only "." ends the
   message. Input comes in arbitrary pieces; the decoder keeps its state
   across them and never looks past the end of the message, so that
   pipelined commands after it are left unread. Line endings are passed on
   as they came (CRLF or bare LF); a lone "." ended by a bare LF also ends
   the message, as Dovecot and Postfix accept it. The CRLF before the
   final "." belongs to the message. */

#include <stdbool.h>
#include <stddef.h>

enum lmtp_dot_state {
	LMTP_DOT_STATE_BOL = 0, /* at the start of a line */
	LMTP_DOT_STATE_TEXT,    /* inside a line */
	LMTP_DOT_STATE_DOT,     /* a dot at the start of a line */
	LMTP_DOT_STATE_DOT_CR,  /* "." CR at the start of a line */
	LMTP_DOT_STATE_END,     /* the final "." line was seen */
};

struct lmtp_dot_decoder {
	enum lmtp_dot_state state;
};

static inline void lmtp_dot_decoder_init(struct lmtp_dot_decoder *dec)
{
	dec->state = LMTP_DOT_STATE_BOL;
}

/* Decodes input[0..size) into out, which has room for at least size + 1
   bytes (the output is never longer than the input, but a CR held back
   from a previous call may come out first). Returns the number of input
   bytes consumed: all of them, unless the end was reached, after which
   the decoder is in LMTP_DOT_STATE_END and the rest is not consumed.
   *out_size_r gets the bytes written to out. */
size_t lmtp_dot_decode(struct lmtp_dot_decoder *dec, const unsigned char *input,
		       size_t size, unsigned char *out, size_t *out_size_r);

static inline bool lmtp_dot_decoder_is_end(const struct lmtp_dot_decoder *dec)
{
	return dec->state == LMTP_DOT_STATE_END;
}

#endif
