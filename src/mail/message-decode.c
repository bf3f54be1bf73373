#include "message-decode.h"

#include <stdint.h>
#include <string.h>

/* Decoded output is counted (and dropped) through this when dest is NULL. */
#define DECODE_SCRATCH_SIZE 4096

static const signed char base64_values[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,
	['G'] = 7,  ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static void decode_emit(struct message_decoder *dec, buffer_t *dest,
			const void *data, size_t size)
{
	if (size == 0)
		return;
	dec->size += size;
	if (!dec->has_nul && memchr(data, '\0', size) != NULL)
		dec->has_nul = true;
	if (dest != NULL)
		buffer_append(dest, data, size);
}

int message_decoder_init(struct message_decoder *dec, enum message_cte cte)
{
	memset(dec, 0, sizeof(*dec));
	dec->cte = cte;
	buffer_init(&dec->qp_pending, SIZE_MAX);
	return cte == MESSAGE_CTE_UNKNOWN ? -1 : 0;
}

void message_decoder_deinit(struct message_decoder *dec)
{
	buffer_deinit(&dec->qp_pending);
}

/* Emits what a partial quantum of count characters holds. */
static void base64_flush_quantum(struct message_decoder *dec, buffer_t *dest)
{
	unsigned char out[2];

	if (dec->b64_count == 2) {
		out[0] = (unsigned char)(dec->b64_bits >> 4);
		decode_emit(dec, dest, out, 1);
	} else if (dec->b64_count == 3) {
		out[0] = (unsigned char)(dec->b64_bits >> 10);
		out[1] = (unsigned char)(dec->b64_bits >> 2);
		decode_emit(dec, dest, out, 2);
	} else if (dec->b64_count == 1) {
		dec->errors = true; /* 6 bits make no byte */
	}
	dec->b64_bits = 0;
	dec->b64_count = 0;
}

static void base64_char(struct message_decoder *dec, unsigned char chr,
			buffer_t *dest)
{
	int value = base64_values[chr];

	if (value == 0) {
		if (chr == '=') {
			base64_flush_quantum(dec, dest);
			dec->b64_line_padded = true;
		} else if (chr == '\n') {
			/* a line that ended in padding ends the data */
			dec->b64_ended = dec->b64_line_padded;
		} else if (chr != '\r' && chr != ' ' && chr != '\t') {
			dec->errors = true;
		}
		return;
	}
	dec->b64_line_padded = false;
	dec->b64_bits = dec->b64_bits << 6 | (uint32_t)(value - 1);
	if (++dec->b64_count == 4) {
		unsigned char out[3] = {
			(unsigned char)(dec->b64_bits >> 16),
			(unsigned char)(dec->b64_bits >> 8),
			(unsigned char)dec->b64_bits,
		};

		decode_emit(dec, dest, out, 3);
		dec->b64_bits = 0;
		dec->b64_count = 0;
	}
}

static void base64_more(struct message_decoder *dec, const unsigned char *data,
			size_t size, buffer_t *dest)
{
	for (size_t i = 0; i < size && !dec->b64_ended; i++)
		base64_char(dec, data[i], dest);
}

int message_decode_hex_digit(unsigned char chr)
{
	if (chr >= '0' && chr <= '9')
		return chr - '0';
	if (chr >= 'A' && chr <= 'F')
		return chr - 'A' + 10;
	if (chr >= 'a' && chr <= 'f')
		return chr - 'a' + 10;
	return -1;
}

/* Decodes one line's content (line end and trailing blanks removed). */
static void qp_decode_content(struct message_decoder *dec,
			      const unsigned char *line, size_t len,
			      buffer_t *dest)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		unsigned char chr;

		if (line[i] != '=')
			continue;
		hi = i + 2 < len ? message_decode_hex_digit(line[i + 1]) : -1;
		lo = hi < 0 ? -1 : message_decode_hex_digit(line[i + 2]);
		if (lo < 0) {
			dec->errors = true;
			continue; /* keep the '=' as it is */
		}
		decode_emit(dec, dest, line + start, i - start);
		chr = (unsigned char)(hi << 4 | lo);
		decode_emit(dec, dest, &chr, 1);
		i += 2;
		start = i + 1;
	}
	decode_emit(dec, dest, line + start, len - start);
}

/* One line of quoted-printable, with its line end (eol_len bytes) if it
   has one. */
static void qp_decode_line(struct message_decoder *dec,
			   const unsigned char *line, size_t len,
			   size_t eol_len, buffer_t *dest)
{
	size_t content_len = len;
	bool soft_break = false;

	while (content_len > 0 &&
	       (line[content_len - 1] == ' ' || line[content_len - 1] == '\t'))
		content_len--;
	if (content_len > 0 && line[content_len - 1] == '=') {
		soft_break = true;
		content_len--;
	}
	qp_decode_content(dec, line, content_len, dest);
	if (!soft_break)
		decode_emit(dec, dest, line + len, eol_len);
}

/* A complete line [line, lf] (lf points at its LF). */
static void qp_decode_lf_line(struct message_decoder *dec,
			      const unsigned char *line,
			      const unsigned char *lf, buffer_t *dest)
{
	size_t len = (size_t)(lf - line);
	size_t eol_len = 1;

	if (len > 0 && line[len - 1] == '\r') {
		len--;
		eol_len = 2;
	}
	qp_decode_line(dec, line, len, eol_len, dest);
}

static void qp_more(struct message_decoder *dec, const unsigned char *data,
		    size_t size, buffer_t *dest)
{
	const unsigned char *end = data + size, *lf;

	if (dec->qp_pending.used > 0) {
		lf = memchr(data, '\n', size);
		if (lf == NULL) {
			buffer_append(&dec->qp_pending, data, size);
			return;
		}
		buffer_append(&dec->qp_pending, data, (size_t)(lf - data) + 1);
		qp_decode_lf_line(
			dec, dec->qp_pending.data,
			dec->qp_pending.data + dec->qp_pending.used - 1, dest);
		buffer_clear(&dec->qp_pending);
		data = lf + 1;
	}
	while ((lf = memchr(data, '\n', (size_t)(end - data))) != NULL) {
		qp_decode_lf_line(dec, data, lf, dest);
		data = lf + 1;
	}
	buffer_append(&dec->qp_pending, data, (size_t)(end - data));
}

static void decoder_more_to(struct message_decoder *dec, const void *data,
			    size_t size, buffer_t *dest)
{
	switch (dec->cte) {
	case MESSAGE_CTE_7BIT:
	case MESSAGE_CTE_8BIT:
	case MESSAGE_CTE_BINARY:
		decode_emit(dec, dest, data, size);
		break;
	case MESSAGE_CTE_QP:
		qp_more(dec, data, size, dest);
		break;
	case MESSAGE_CTE_BASE64:
		base64_more(dec, data, size, dest);
		break;
	case MESSAGE_CTE_UNKNOWN:
		break;
	}
}

void message_decoder_more(struct message_decoder *dec, const void *data,
			  size_t size, buffer_t *dest)
{
	const unsigned char *p = data;
	buffer_t scratch;

	if (dest != NULL) {
		decoder_more_to(dec, data, size, dest);
		return;
	}
	/* count only: decode in slices through a small scratch buffer */
	buffer_init(&scratch, SIZE_MAX);
	while (size > 0) {
		size_t n =
			size < DECODE_SCRATCH_SIZE ? size : DECODE_SCRATCH_SIZE;

		decoder_more_to(dec, p, n, &scratch);
		buffer_clear(&scratch);
		p += n;
		size -= n;
	}
	buffer_deinit(&scratch);
}

void message_decoder_finish(struct message_decoder *dec, buffer_t *dest)
{
	buffer_t scratch;
	buffer_t *out = dest;

	if (out == NULL) {
		buffer_init(&scratch, SIZE_MAX);
		out = &scratch;
	}
	if (dec->cte == MESSAGE_CTE_BASE64 && !dec->b64_ended) {
		if (dec->b64_count != 0)
			dec->errors = true; /* padding missing */
		base64_flush_quantum(dec, out);
	} else if (dec->cte == MESSAGE_CTE_QP && dec->qp_pending.used > 0) {
		/* the last line has no line end; '=' there is a soft break */
		qp_decode_line(dec, dec->qp_pending.data, dec->qp_pending.used,
			       0, out);
		buffer_clear(&dec->qp_pending);
	}
	if (dest == NULL)
		buffer_deinit(&scratch);
}

int message_decode(enum message_cte cte, const void *data, size_t size,
		   buffer_t *dest, struct message_decode_result *result_r)
{
	struct message_decoder dec;

	memset(result_r, 0, sizeof(*result_r));
	if (message_decoder_init(&dec, cte) < 0)
		return -1;
	message_decoder_more(&dec, data, size, dest);
	message_decoder_finish(&dec, dest);
	result_r->size = dec.size;
	result_r->has_nul = dec.has_nul;
	result_r->errors = dec.errors;
	message_decoder_deinit(&dec);
	return 0;
}
