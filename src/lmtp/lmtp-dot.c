#include "lmtp-dot.h"

#include <string.h>

/* Copies the rest of a line up to and including its LF. Returns the bytes
   consumed. */
static size_t lmtp_dot_copy_text(struct lmtp_dot_decoder *dec,
				 const unsigned char *input, size_t size,
				 unsigned char *out)
{
	const unsigned char *lf = memchr(input, '\n', size);
	size_t n = lf == NULL ? size : (size_t)(lf - input) + 1;

	memcpy(out, input, n);
	if (lf != NULL)
		dec->state = LMTP_DOT_STATE_BOL;
	return n;
}

size_t lmtp_dot_decode(struct lmtp_dot_decoder *dec, const unsigned char *input,
		       size_t size, unsigned char *out, size_t *out_size_r)
{
	size_t i = 0, o = 0, n;

	while (i < size && dec->state != LMTP_DOT_STATE_END) {
		unsigned char c = input[i];

		switch (dec->state) {
		case LMTP_DOT_STATE_BOL:
			if (c == '.') {
				dec->state = LMTP_DOT_STATE_DOT;
				i++;
				break;
			}
			dec->state = LMTP_DOT_STATE_TEXT;
			/* fall through */
		case LMTP_DOT_STATE_TEXT:
			n = lmtp_dot_copy_text(dec, input + i, size - i,
					       out + o);
			i += n;
			o += n;
			break;
		case LMTP_DOT_STATE_DOT:
			if (c == '\r') {
				dec->state = LMTP_DOT_STATE_DOT_CR;
				i++;
			} else if (c == '\n') {
				dec->state = LMTP_DOT_STATE_END;
				i++;
			} else {
				/* a stuffed dot: drop it */
				dec->state = LMTP_DOT_STATE_TEXT;
			}
			break;
		case LMTP_DOT_STATE_DOT_CR:
			if (c == '\n') {
				dec->state = LMTP_DOT_STATE_END;
				i++;
			} else {
				/* ".<CR>x": the dot was stuffing, the CR
				   is text */
				out[o++] = '\r';
				dec->state = LMTP_DOT_STATE_TEXT;
			}
			break;
		case LMTP_DOT_STATE_END:
			break;
		}
	}
	*out_size_r = o;
	return i;
}
