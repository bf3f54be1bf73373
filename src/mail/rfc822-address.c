#include "rfc822-address.h"
#include "message-header.h"
#include "pool.h"
#include "rfc822-parser.h"

#include <string.h>

struct address_ctx {
	struct pool *pool;
	struct rfc822_parser parser;
	string_t *str;
	string_t *comment;
	struct rfc822_address *head, **tail;
	unsigned int count;
	bool in_group;
};

static const char *addr_strdup(struct address_ctx *ctx, size_t start)
{
	size_t len = str_len(ctx->str) - start;
	char *value;

	if (len == 0)
		return NULL;
	value = pool_strndup(ctx->pool, str_c(ctx->str) + start, len);
	message_header_replace_nuls(value, len);
	return value;
}

static struct rfc822_address *addr_add(struct address_ctx *ctx)
{
	struct rfc822_address *addr =
		p_new(ctx->pool, struct rfc822_address, 1);

	*ctx->tail = addr;
	ctx->tail = &addr->next;
	ctx->count++;
	return addr;
}

static void addr_add_invalid(struct address_ctx *ctx)
{
	struct rfc822_address *addr = addr_add(ctx);

	addr->mailbox = RFC822_ADDRESS_MISSING_MAILBOX;
	addr->domain = RFC822_ADDRESS_SYNTAX_ERROR;
	addr->invalid_syntax = true;
}

static bool addr_at(struct address_ctx *ctx, char chr)
{
	return !rfc822_parser_at_end(&ctx->parser) &&
	       *ctx->parser.data == (unsigned char)chr;
}

static void addr_skip(struct address_ctx *ctx)
{
	ctx->parser.data++;
	(void)rfc822_skip_lwsp(&ctx->parser);
}

/* local-part, with obs-local-part's CFWS around the dots. Returns -1 if
   there was none, or it was an unterminated quoted string. */
static int addr_parse_local_part(struct address_ctx *ctx)
{
	for (;;) {
		bool quoted = addr_at(ctx, '"');
		int ret = rfc822_parse_word(&ctx->parser, ctx->str);

		if (ret < 0)
			return quoted || str_len(ctx->str) == 0 ? -1 : 0;
		if (ret == 0 || !addr_at(ctx, '.'))
			return 0;
		str_append_c(ctx->str, '.');
		addr_skip(ctx);
	}
}

/* addr-spec into addr: missing parts get placeholders. Returns -1 if
   neither a local part nor '@' is here. */
static int addr_parse_addr_spec(struct address_ctx *ctx,
				struct rfc822_address *addr)
{
	str_truncate(ctx->str, 0);
	if (addr_parse_local_part(ctx) < 0 && !addr_at(ctx, '@'))
		return -1;
	addr->mailbox = addr_strdup(ctx, 0);
	if (addr->mailbox == NULL)
		addr->mailbox = RFC822_ADDRESS_MISSING_MAILBOX;
	str_truncate(ctx->comment, 0);
	if (addr_at(ctx, '@')) {
		addr_skip(ctx);
		str_truncate(ctx->str, 0);
		(void)rfc822_parse_domain(&ctx->parser, ctx->str);
		addr->domain = addr_strdup(ctx, 0);
	}
	if (addr->domain == NULL)
		addr->domain = RFC822_ADDRESS_MISSING_DOMAIN;
	return 0;
}

/* obs-route: "@a,@b:" before the addr-spec; kept as "@a,@b". */
static int addr_parse_route(struct address_ctx *ctx,
			    struct rfc822_address *addr)
{
	str_truncate(ctx->str, 0);
	while (addr_at(ctx, '@') || addr_at(ctx, ',')) {
		if (addr_at(ctx, ',')) {
			addr_skip(ctx);
			continue;
		}
		if (str_len(ctx->str) > 0)
			str_append_c(ctx->str, ',');
		str_append_c(ctx->str, '@');
		addr_skip(ctx);
		if (rfc822_parse_domain(&ctx->parser, ctx->str) < 0)
			return -1;
	}
	if (!addr_at(ctx, ':'))
		return -1;
	addr_skip(ctx);
	addr->route = addr_strdup(ctx, 0);
	return 0;
}

/* angle-addr at '<'. "<>" is a mailbox with both parts missing. */
static int addr_parse_angle_addr(struct address_ctx *ctx,
				 struct rfc822_address *addr)
{
	addr_skip(ctx);
	if (addr_at(ctx, '>')) {
		addr->mailbox = RFC822_ADDRESS_MISSING_MAILBOX;
		addr->domain = RFC822_ADDRESS_MISSING_DOMAIN;
	} else {
		if (addr_at(ctx, '@') && addr_parse_route(ctx, addr) < 0)
			return -1;
		if (addr_parse_addr_spec(ctx, addr) < 0)
			return -1;
		if (!addr_at(ctx, '>'))
			return -1;
	}
	str_truncate(ctx->comment, 0);
	addr_skip(ctx);
	return 0;
}

static bool addr_at_element_end(struct address_ctx *ctx)
{
	return rfc822_parser_at_end(&ctx->parser) || addr_at(ctx, ',') ||
	       (ctx->in_group && addr_at(ctx, ';'));
}

/* The legacy "user@host (Full Name)": a comment after the address names
   it when nothing else does. */
static void addr_name_from_comment(struct address_ctx *ctx,
				   struct rfc822_address *addr)
{
	if (addr->name == NULL && str_len(ctx->comment) > 0) {
		addr->name = pool_strndup(ctx->pool, str_c(ctx->comment),
					  str_len(ctx->comment));
	}
}

/* One mailbox or a group start. Returns -1 on a syntax error (addr is
   then not used). */
static int addr_parse_element(struct address_ctx *ctx,
			      struct rfc822_address *addr)
{
	const unsigned char *start = ctx->parser.data;

	str_truncate(ctx->str, 0);
	if (!addr_at(ctx, '<') &&
	    rfc822_parse_phrase(&ctx->parser, ctx->str) >= 0) {
		addr->name = addr_strdup(ctx, 0);
		if (addr_at(ctx, ':') && !ctx->in_group && addr->name != NULL) {
			/* group start */
			addr->mailbox = addr->name;
			addr->name = NULL;
			ctx->in_group = true;
			addr_skip(ctx);
			return 0;
		}
	}
	if (addr_at(ctx, '<')) {
		if (addr_parse_angle_addr(ctx, addr) < 0)
			return -1;
	} else {
		/* no display name after all: it was an addr-spec */
		ctx->parser.data = start;
		addr->name = NULL;
		if (addr_parse_addr_spec(ctx, addr) < 0)
			return -1;
	}
	addr_name_from_comment(ctx, addr);
	return addr_at_element_end(ctx) ? 0 : -1;
}

/* Skips to the next comma (or ';' in a group) outside quoted strings and
   comments. */
static void addr_skip_element(struct address_ctx *ctx)
{
	while (!addr_at_element_end(ctx)) {
		if (addr_at(ctx, '"')) {
			str_truncate(ctx->str, 0);
			(void)rfc822_parse_quoted_string(&ctx->parser,
							 ctx->str);
		} else if (addr_at(ctx, '(')) {
			(void)rfc822_skip_comment(&ctx->parser);
		} else {
			ctx->parser.data++;
		}
	}
}

static void addr_add_group_end(struct address_ctx *ctx)
{
	(void)addr_add(ctx);
	ctx->in_group = false;
}

static void addr_parse_list(struct address_ctx *ctx)
{
	while (rfc822_skip_lwsp(&ctx->parser) > 0 &&
	       ctx->count < RFC822_ADDRESS_MAX_COUNT) {
		struct rfc822_address addr;

		if (addr_at(ctx, ',')) {
			ctx->parser.data++; /* obs-addr-list null member */
			continue;
		}
		if (ctx->in_group && addr_at(ctx, ';')) {
			ctx->parser.data++;
			addr_add_group_end(ctx);
			continue;
		}
		memset(&addr, 0, sizeof(addr));
		if (addr_parse_element(ctx, &addr) < 0) {
			addr_add_invalid(ctx);
			addr_skip_element(ctx);
		} else {
			*addr_add(ctx) = addr;
		}
	}
	if (ctx->in_group)
		addr_add_group_end(ctx);
}

struct rfc822_address *rfc822_address_parse(struct pool *pool, const void *data,
					    size_t size)
{
	struct address_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.str = str_new(128, size + 64);
	ctx.comment = str_new(64, size + 64);
	ctx.tail = &ctx.head;
	rfc822_parser_init(&ctx.parser, data, size, ctx.comment);
	addr_parse_list(&ctx);
	str_free(&ctx.str);
	str_free(&ctx.comment);
	return ctx.head;
}
