#include "rfc822-parser.h"

#include <string.h>

/* Comments nest; past this depth the rest is taken as plain text. */
#define RFC822_MAX_COMMENT_DEPTH 64

void rfc822_parser_init(struct rfc822_parser *ctx, const void *data,
			size_t size, string_t *last_comment)
{
	ctx->data = data;
	ctx->end = ctx->data + size;
	ctx->last_comment = last_comment;
}

bool rfc822_is_atext(unsigned char chr)
{
	if (chr >= 0x80)
		return true; /* RFC 6532 UTF-8, and 8-bit junk */
	if ((chr >= 'a' && chr <= 'z') || (chr >= 'A' && chr <= 'Z') ||
	    (chr >= '0' && chr <= '9'))
		return true;
	return chr != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", chr) != NULL;
}

static bool rfc822_is_mime_token(unsigned char chr)
{
	if (chr <= 0x20 || chr == 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", chr) == NULL;
}

static bool rfc822_is_wsp(unsigned char chr)
{
	return chr == ' ' || chr == '\t' || chr == '\r' || chr == '\n';
}

static int rfc822_remaining(const struct rfc822_parser *ctx)
{
	return ctx->data < ctx->end ? 1 : 0;
}

int rfc822_skip_comment(struct rfc822_parser *ctx)
{
	unsigned int depth = 1;

	if (ctx->last_comment != NULL)
		str_truncate(ctx->last_comment, 0);
	for (ctx->data++; ctx->data < ctx->end; ctx->data++) {
		unsigned char chr = *ctx->data;

		if (chr == '\\' && ctx->data + 1 < ctx->end) {
			chr = *++ctx->data;
		} else if (chr == '(' && depth < RFC822_MAX_COMMENT_DEPTH) {
			depth++;
		} else if (chr == ')') {
			if (--depth == 0) {
				ctx->data++;
				return rfc822_remaining(ctx);
			}
		} else if (chr == '\r' || chr == '\n') {
			continue;
		}
		if (ctx->last_comment != NULL)
			str_append_c(ctx->last_comment, (char)chr);
	}
	return -1;
}

int rfc822_skip_lwsp(struct rfc822_parser *ctx)
{
	while (ctx->data < ctx->end) {
		if (*ctx->data == '(') {
			if (rfc822_skip_comment(ctx) < 0)
				return -1;
		} else if (rfc822_is_wsp(*ctx->data)) {
			ctx->data++;
		} else {
			return 1;
		}
	}
	return 0;
}

int rfc822_parse_atom(struct rfc822_parser *ctx, string_t *str)
{
	const unsigned char *start = ctx->data;

	while (ctx->data < ctx->end && rfc822_is_atext(*ctx->data))
		ctx->data++;
	if (ctx->data == start)
		return -1;
	str_append_n(str, start, (size_t)(ctx->data - start));
	return rfc822_skip_lwsp(ctx) < 0 ? 0 : rfc822_remaining(ctx);
}

int rfc822_parse_dot_atom(struct rfc822_parser *ctx, string_t *str)
{
	int ret = rfc822_parse_atom(ctx, str);

	while (ret > 0 && *ctx->data == '.') {
		str_append_c(str, '.');
		ctx->data++;
		if (rfc822_skip_lwsp(ctx) <= 0)
			return 0;
		/* "a..b" and a trailing dot are obsolete but seen: keep
		   going with whatever atom follows */
		if (*ctx->data == '.')
			continue;
		ret = rfc822_parse_atom(ctx, str);
		if (ret < 0)
			return rfc822_remaining(ctx);
	}
	return ret;
}

int rfc822_parse_quoted_string(struct rfc822_parser *ctx, string_t *str)
{
	const unsigned char *start;

	if (ctx->data >= ctx->end || *ctx->data != '"')
		return -1;
	start = ++ctx->data;
	for (; ctx->data < ctx->end; ctx->data++) {
		unsigned char chr = *ctx->data;

		if (chr == '"') {
			str_append_n(str, start, (size_t)(ctx->data - start));
			ctx->data++;
			return rfc822_skip_lwsp(ctx) < 0
				       ? 0
				       : rfc822_remaining(ctx);
		}
		if (chr == '\\' || chr == '\r' || chr == '\n') {
			/* flush, then drop the escape or the line end */
			str_append_n(str, start, (size_t)(ctx->data - start));
			if (chr == '\\' && ctx->data + 1 < ctx->end)
				ctx->data++;
			start = chr == '\\' ? ctx->data : ctx->data + 1;
		}
	}
	str_append_n(str, start, (size_t)(ctx->data - start));
	return -1;
}

int rfc822_parse_word(struct rfc822_parser *ctx, string_t *str)
{
	if (ctx->data < ctx->end && *ctx->data == '"')
		return rfc822_parse_quoted_string(ctx, str);
	return rfc822_parse_atom(ctx, str);
}

int rfc822_parse_phrase(struct rfc822_parser *ctx, string_t *str)
{
	size_t start_len = str_len(str);
	int ret = rfc822_remaining(ctx);

	while (ret > 0) {
		size_t before = str_len(str);
		bool quoted = *ctx->data == '"';

		if (*ctx->data == '.' && before > start_len) {
			/* obs-phrase: "John Q. Public" */
			str_append_c(str, '.');
			ctx->data++;
			ret = rfc822_skip_lwsp(ctx) < 0 ? 0
							: rfc822_remaining(ctx);
			continue;
		}
		if (before > start_len)
			str_append_c(str, ' ');
		ret = rfc822_parse_word(ctx, str);
		if (ret < 0 && quoted)
			return 0; /* unterminated quote: consumed */
		if (ret < 0) {
			str_truncate(str, before);
			return before > start_len ? 1 : -1;
		}
	}
	return str_len(str) > start_len ? 0 : -1;
}

static int rfc822_parse_domain_literal(struct rfc822_parser *ctx, string_t *str)
{
	const unsigned char *start = ctx->data;

	for (ctx->data++; ctx->data < ctx->end; ctx->data++) {
		if (*ctx->data == '\\' && ctx->data + 1 < ctx->end) {
			ctx->data++;
		} else if (*ctx->data == ']') {
			ctx->data++;
			str_append_n(str, start, (size_t)(ctx->data - start));
			return rfc822_skip_lwsp(ctx) < 0
				       ? 0
				       : rfc822_remaining(ctx);
		}
	}
	ctx->data = start;
	return -1;
}

int rfc822_parse_domain(struct rfc822_parser *ctx, string_t *str)
{
	if (ctx->data < ctx->end && *ctx->data == '[')
		return rfc822_parse_domain_literal(ctx, str);
	return rfc822_parse_dot_atom(ctx, str);
}

int rfc822_parse_mime_token(struct rfc822_parser *ctx, string_t *str)
{
	const unsigned char *start = ctx->data;

	while (ctx->data < ctx->end && rfc822_is_mime_token(*ctx->data))
		ctx->data++;
	if (ctx->data == start)
		return -1;
	str_append_n(str, start, (size_t)(ctx->data - start));
	return rfc822_skip_lwsp(ctx) < 0 ? 0 : rfc822_remaining(ctx);
}
