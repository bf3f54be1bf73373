#include "rfc2047.h"
#include "charset.h"
#include "message-decode.h"

#include <string.h>

#define RFC2047_CHARSET_MAX 64

struct encoded_word {
	char charset[RFC2047_CHARSET_MAX];
	char encoding; /* 'B' or 'Q' */
	const unsigned char *text;
	size_t text_len;
};

struct rfc2047_ctx {
	string_t *dest;
	/* decoded bytes of adjacent encoded words in one charset */
	buffer_t *pending;
	char pending_charset[RFC2047_CHARSET_MAX];
	/* white space after an encoded word, dropped if another follows */
	const unsigned char *ws;
	size_t ws_len;
	bool last_encoded;
	bool decoded_any;
};

static bool is_space(unsigned char chr)
{
	return chr == ' ' || chr == '\t' || chr == '\r' || chr == '\n';
}

/* Parses the encoded word at the start of p. Returns its length, or 0. */
static size_t ew_parse(const unsigned char *p, size_t len,
		       struct encoded_word *ew_r)
{
	const unsigned char *q, *end = p + len, *text;
	size_t charset_len;

	if (len < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	q = memchr(p + 2, '?', len - 2);
	if (q == NULL || q + 3 >= end || q[2] != '?')
		return 0;
	charset_len = (size_t)(q - (p + 2));
	if (charset_len == 0 || charset_len >= RFC2047_CHARSET_MAX)
		return 0;
	ew_r->encoding = (char)(q[1] & ~0x20);
	if (ew_r->encoding != 'B' && ew_r->encoding != 'Q')
		return 0;
	memcpy(ew_r->charset, p + 2, charset_len);
	ew_r->charset[charset_len] = '\0';
	text = q + 3;
	q = memchr(text, '?', (size_t)(end - text));
	if (q == NULL || q + 1 >= end || q[1] != '=')
		return 0;
	ew_r->text = text;
	ew_r->text_len = (size_t)(q - text);
	return (size_t)(q + 2 - p);
}

static int ew_decode_q(const struct encoded_word *ew, buffer_t *dest)
{
	for (size_t i = 0; i < ew->text_len; i++) {
		unsigned char chr = ew->text[i];

		if (chr == '_') {
			chr = ' ';
		} else if (chr == '=') {
			int hi, lo;

			if (i + 2 >= ew->text_len)
				return -1;
			hi = message_decode_hex_digit(ew->text[i + 1]);
			lo = message_decode_hex_digit(ew->text[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			chr = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		buffer_append(dest, &chr, 1);
	}
	return 0;
}

/* Strict about the alphabet, lenient about missing padding. */
static int ew_decode_b(const struct encoded_word *ew, buffer_t *dest)
{
	struct message_decode_result result;
	size_t len = ew->text_len, chars = 0;

	while (len > 0 && ew->text[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char chr = ew->text[i];

		if (!((chr >= 'A' && chr <= 'Z') ||
		      (chr >= 'a' && chr <= 'z') ||
		      (chr >= '0' && chr <= '9') || chr == '+' || chr == '/'))
			return -1;
		chars++;
	}
	if (chars % 4 == 1)
		return -1;
	return message_decode(MESSAGE_CTE_BASE64, ew->text, len, dest, &result);
}

static int ew_decode(const struct encoded_word *ew, buffer_t *dest)
{
	if (!charset_is_known(ew->charset))
		return -1;
	return ew->encoding == 'Q' ? ew_decode_q(ew, dest)
				   : ew_decode_b(ew, dest);
}

static void rfc2047_flush(struct rfc2047_ctx *ctx)
{
	if (ctx->pending->used == 0)
		return;
	if (charset_convert_to_utf8(ctx->pending_charset, ctx->pending->data,
				    ctx->pending->used, ctx->dest) < 0)
		(void)charset_utf8_sanitize(ctx->pending->data,
					    ctx->pending->used, ctx->dest);
	buffer_clear(ctx->pending);
}

/* Appends white space without the line ends of folding. */
static void rfc2047_append_space(struct rfc2047_ctx *ctx,
				 const unsigned char *ws, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (ws[i] != '\r' && ws[i] != '\n')
			str_append_c(ctx->dest, (char)ws[i]);
	}
}

/* Decodes the word [p, p+len) if it is made of encoded words only. */
static bool rfc2047_try_word(struct rfc2047_ctx *ctx, const unsigned char *p,
			     size_t len, buffer_t *scratch)
{
	struct encoded_word ew;
	size_t pos = 0;

	/* first check that every piece decodes */
	buffer_clear(scratch);
	while (pos < len) {
		size_t n = ew_parse(p + pos, len - pos, &ew);

		if (n == 0 || ew_decode(&ew, scratch) < 0)
			return false;
		pos += n;
	}
	for (pos = 0; pos < len;) {
		pos += ew_parse(p + pos, len - pos, &ew);
		if (strcmp(ew.charset, ctx->pending_charset) != 0) {
			rfc2047_flush(ctx);
			memcpy(ctx->pending_charset, ew.charset,
			       sizeof(ew.charset));
		}
		(void)ew_decode(&ew, ctx->pending);
	}
	return true;
}

static void rfc2047_word(struct rfc2047_ctx *ctx, const unsigned char *p,
			 size_t len, buffer_t *scratch)
{
	if (rfc2047_try_word(ctx, p, len, scratch)) {
		/* RFC 2047 §6.2: white space between encoded words goes */
		ctx->ws_len = 0;
		ctx->last_encoded = true;
		ctx->decoded_any = true;
		return;
	}
	rfc2047_flush(ctx);
	rfc2047_append_space(ctx, ctx->ws, ctx->ws_len);
	ctx->ws_len = 0;
	(void)charset_utf8_sanitize(p, len, ctx->dest);
	ctx->last_encoded = false;
}

bool rfc2047_decode(const void *data, size_t size, string_t *dest)
{
	const unsigned char *p = data, *end = p + size;
	buffer_t *scratch = buffer_create(64, SIZE_MAX);
	struct rfc2047_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.dest = dest;
	ctx.pending = buffer_create(64, SIZE_MAX);
	while (p < end) {
		const unsigned char *start = p;

		if (is_space(*p)) {
			while (p < end && is_space(*p))
				p++;
			if (ctx.last_encoded) {
				ctx.ws = start;
				ctx.ws_len = (size_t)(p - start);
			} else {
				rfc2047_append_space(&ctx, start,
						     (size_t)(p - start));
			}
			continue;
		}
		while (p < end && !is_space(*p))
			p++;
		rfc2047_word(&ctx, start, (size_t)(p - start), scratch);
	}
	rfc2047_flush(&ctx);
	rfc2047_append_space(&ctx, ctx.ws, ctx.ws_len);
	buffer_free(&ctx.pending);
	buffer_free(&scratch);
	return ctx.decoded_any;
}
