#include "rfc2231.h"
#include "array.h"
#include "charset.h"
#include "message-decode.h"
#include "message-header.h"
#include "pool.h"
#include "rfc822-parser.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Highest continuation number accepted (name*999). */
#define RFC2231_MAX_SECTION 999

struct raw_param {
	const char *name; /* as written, e.g. "name*1*" */
	const char *value;
	size_t base_len; /* length of the name before any '*' */
	int section;     /* -1 when the name has no *N */
	bool extended;   /* ends in '*': charset'lang'%XX */
	bool rfc2231;
	bool done;
};

struct rfc2231_ctx {
	struct pool *pool;
	ARRAY(struct raw_param) raw;
	ARRAY(struct rfc2231_param) out;
	string_t *str;
	buffer_t *bytes;
};

/* "name", "name*", "name*3" or "name*3*". */
static void rfc2231_split_name(struct raw_param *param)
{
	const char *star = strchr(param->name, '*');
	const char *p;
	int section = 0;

	param->section = -1;
	param->base_len = strlen(param->name);
	if (star == NULL || star == param->name)
		return;
	p = star + 1;
	if (*p == '\0') {
		param->extended = param->rfc2231 = true;
	} else {
		if (*p == '0' && p[1] >= '0' && p[1] <= '9')
			return; /* no leading zeros: a literal name */
		for (; *p >= '0' && *p <= '9'; p++) {
			section = section * 10 + (*p - '0');
			if (section > RFC2231_MAX_SECTION)
				return;
		}
		if (p == star + 1 || (*p != '\0' && strcmp(p, "*") != 0))
			return;
		param->section = section;
		param->extended = *p == '*';
		param->rfc2231 = true;
	}
	param->base_len = (size_t)(star - param->name);
}

/* An unquoted value: lenient, anything up to white space or ';'. */
static int rfc2231_parse_unquoted(struct rfc822_parser *parser, string_t *str)
{
	const unsigned char *start = parser->data;

	while (parser->data < parser->end &&
	       strchr(" \t\r\n;\"(", *parser->data) == NULL &&
	       *parser->data != '\0')
		parser->data++;
	str_append_n(str, start, (size_t)(parser->data - start));
	return rfc822_skip_lwsp(parser);
}

static void rfc2231_skip_garbage(struct rfc822_parser *parser)
{
	while (parser->data < parser->end && *parser->data != ';')
		parser->data++;
}

/* One "name=value". Returns false (having skipped to the next ';') if
   there was no such thing here. */
static bool rfc2231_parse_one(struct rfc2231_ctx *ctx,
			      struct rfc822_parser *parser,
			      struct raw_param *param_r)
{
	char *value;

	str_truncate(ctx->str, 0);
	if (rfc822_parse_mime_token(parser, ctx->str) <= 0 ||
	    *parser->data != '=') {
		rfc2231_skip_garbage(parser);
		return false;
	}
	memset(param_r, 0, sizeof(*param_r));
	param_r->name =
		pool_strndup(ctx->pool, str_c(ctx->str), str_len(ctx->str));
	parser->data++;
	str_truncate(ctx->str, 0);
	if (rfc822_skip_lwsp(parser) > 0) {
		if (*parser->data == '"')
			(void)rfc822_parse_quoted_string(parser, ctx->str);
		else
			(void)rfc2231_parse_unquoted(parser, ctx->str);
	}
	value = pool_strndup(ctx->pool, str_c(ctx->str), str_len(ctx->str));
	message_header_replace_nuls(value, str_len(ctx->str));
	param_r->value = value;
	rfc2231_split_name(param_r);
	if (parser->data < parser->end && *parser->data != ';')
		rfc2231_skip_garbage(parser);
	return true;
}

static void rfc2231_parse_raw(struct rfc2231_ctx *ctx,
			      struct rfc822_parser *parser)
{
	while (rfc822_skip_lwsp(parser) > 0 &&
	       ctx->raw.count < RFC2231_MAX_PARAMS) {
		struct raw_param param;

		if (*parser->data == ';') {
			parser->data++;
			continue;
		}
		if (rfc2231_parse_one(ctx, parser, &param))
			array_push(&ctx->raw, param);
	}
}

static bool raw_same_base(const struct raw_param *a, const struct raw_param *b)
{
	return a->base_len == b->base_len &&
	       strncasecmp(a->name, b->name, a->base_len) == 0;
}

static int rfc2231_percent_decode(const char *value, buffer_t *dest)
{
	for (const char *p = value; *p != '\0'; p++) {
		unsigned char chr = (unsigned char)*p;

		if (chr == '%') {
			int hi = message_decode_hex_digit((unsigned char)p[1]);
			int lo = hi < 0 ? -1
					: message_decode_hex_digit(
						  (unsigned char)p[2]);

			if (lo < 0)
				return -1;
			chr = (unsigned char)(hi * 16 + lo);
			p += 2;
		}
		buffer_append(dest, &chr, 1);
	}
	return 0;
}

/* The members of the group of raw[first], in section order. */
static unsigned int rfc2231_group(struct rfc2231_ctx *ctx, size_t first,
				  struct raw_param **members)
{
	unsigned int count = 0;

	for (size_t i = first; i < ctx->raw.count; i++) {
		struct raw_param *param = &ctx->raw.v[i];
		unsigned int pos = count;

		if (!param->rfc2231 ||
		    !raw_same_base(param, &ctx->raw.v[first]))
			continue;
		while (pos > 0 && members[pos - 1]->section > param->section) {
			members[pos] = members[pos - 1];
			pos--;
		}
		members[pos] = param;
		count++;
	}
	return count;
}

/* Decodes the first value: "charset'language'%XX...". The charset is
   copied into charset (size bytes). */
static int rfc2231_decode_first(const char *value, char *charset, size_t size,
				buffer_t *bytes)
{
	const char *quote1 = strchr(value, '\'');
	const char *quote2 = quote1 == NULL ? NULL : strchr(quote1 + 1, '\'');
	size_t len;

	if (quote2 == NULL)
		return -1;
	len = (size_t)(quote1 - value);
	if (len >= size)
		return -1;
	memcpy(charset, value, len);
	charset[len] = '\0';
	return rfc2231_percent_decode(quote2 + 1, bytes);
}

/* Decodes a group into ctx->str as UTF-8. Returns -1 if it can't be. */
static int rfc2231_decode_group(struct rfc2231_ctx *ctx,
				struct raw_param *const *members,
				unsigned int count)
{
	char charset[64] = "";
	bool have_charset = false;

	buffer_clear(ctx->bytes);
	if (members[0]->section > 0)
		return -1; /* *0 is missing */
	for (unsigned int i = 0; i < count; i++) {
		const struct raw_param *param = members[i];

		if (i > 0 && (members[0]->section < 0 ||
			      param->section != members[i - 1]->section + 1))
			break; /* "name*" stands alone; or a gap */
		if (i == 0 && param->extended) {
			if (rfc2231_decode_first(param->value, charset,
						 sizeof(charset),
						 ctx->bytes) < 0)
				return -1;
			have_charset = true;
		} else if (param->extended) {
			if (rfc2231_percent_decode(param->value, ctx->bytes) <
			    0)
				return -1;
		} else {
			buffer_append(ctx->bytes, param->value,
				      strlen(param->value));
		}
	}
	str_truncate(ctx->str, 0);
	if (!have_charset) {
		str_append_n(ctx->str, ctx->bytes->data, ctx->bytes->used);
		return 0;
	}
	return charset_convert_to_utf8(
		charset[0] == '\0' ? "us-ascii" : charset, ctx->bytes->data,
		ctx->bytes->used, ctx->str);
}

static void rfc2231_out(struct rfc2231_ctx *ctx, const char *name,
			size_t name_len, const char *value, size_t value_len)
{
	struct rfc2231_param *param = array_push_new(&ctx->out);

	param->name = pool_strndup(ctx->pool, name, name_len);
	param->value = pool_strndup(ctx->pool, value, value_len);
}

/* The group could not be decoded: keep it as "name*" with the raw values
   joined, as Dovecot does. */
static void rfc2231_out_raw(struct rfc2231_ctx *ctx,
			    struct raw_param *const *members,
			    unsigned int count)
{
	str_truncate(ctx->str, 0);
	str_append_n(ctx->str, members[0]->name, members[0]->base_len);
	str_append_c(ctx->str, '*');
	buffer_clear(ctx->bytes);
	for (unsigned int i = 0; i < count; i++)
		buffer_append(ctx->bytes, members[i]->value,
			      strlen(members[i]->value));
	rfc2231_out(ctx, str_c(ctx->str), str_len(ctx->str),
		    (const char *)ctx->bytes->data, ctx->bytes->used);
}

/* Emits the decoded group whose base name raw[first] has, and marks its
   members and a plain parameter of the same name done. */
static void rfc2231_emit_group(struct rfc2231_ctx *ctx, size_t first,
			       struct raw_param **members)
{
	const struct raw_param *base = &ctx->raw.v[first];
	unsigned int count = rfc2231_group(ctx, first, members);

	if (count == 0) {
		rfc2231_out(ctx, base->name, strlen(base->name), base->value,
			    strlen(base->value));
		ctx->raw.v[first].done = true;
		return;
	}
	if (rfc2231_decode_group(ctx, members, count) < 0) {
		rfc2231_out_raw(ctx, members, count);
	} else {
		rfc2231_out(ctx, base->name, base->base_len, str_c(ctx->str),
			    str_len(ctx->str));
		for (size_t i = first; i < ctx->raw.count; i++) {
			if (!ctx->raw.v[i].rfc2231 &&
			    raw_same_base(&ctx->raw.v[i], base)) {
				ctx->raw.v[i].done = true;
				break;
			}
		}
	}
	for (unsigned int i = 0; i < count; i++)
		members[i]->done = true;
}

static void rfc2231_decode_all(struct rfc2231_ctx *ctx)
{
	struct raw_param **members = xnew(struct raw_param *, ctx->raw.count);

	for (size_t i = 0; i < ctx->raw.count; i++) {
		if (!ctx->raw.v[i].done)
			rfc2231_emit_group(ctx, i, members);
	}
	free(members);
}

unsigned int rfc2231_parse(struct pool *pool, struct rfc822_parser *parser,
			   const struct rfc2231_param **params_r)
{
	struct rfc2231_ctx ctx;
	unsigned int count;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.str = str_new(128, SIZE_MAX);
	ctx.bytes = buffer_create(128, SIZE_MAX);
	rfc2231_parse_raw(&ctx, parser);
	rfc2231_decode_all(&ctx);

	count = (unsigned int)ctx.out.count;
	*params_r = count == 0 ? NULL
			       : pool_memdup(pool, ctx.out.v,
					     count * sizeof(*ctx.out.v));
	array_free(&ctx.raw);
	array_free(&ctx.out);
	str_free(&ctx.str);
	buffer_free(&ctx.bytes);
	return count;
}

const char *rfc2231_param_get(const struct rfc2231_param *params,
			      unsigned int count, const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcasecmp(params[i].name, name) == 0)
			return params[i].value;
	}
	return NULL;
}
