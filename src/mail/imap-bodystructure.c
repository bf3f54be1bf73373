#include "imap-bodystructure.h"
#include "imap-envelope.h"

#include <strings.h>

struct bodystructure_ctx {
	string_t *dest;
	const unsigned char *msg;
	size_t msg_size;
	enum imap_bodystructure_flags flags;
	enum imap_quote_flags quote_flags;
	enum message_section_flags section_flags;
	struct pool *pool;
};

static int bs_write_part(struct bodystructure_ctx *ctx,
			 const struct message_part *part);

static void bs_string(struct bodystructure_ctx *ctx, const char *str)
{
	str_append_c(ctx->dest, ' ');
	imap_append_nstring(ctx->dest, str, ctx->quote_flags);
}

static void bs_params(struct bodystructure_ctx *ctx,
		      const struct rfc2231_param *params, unsigned int count,
		      bool add_charset)
{
	if (count == 0 && !add_charset) {
		str_append(ctx->dest, " NIL");
		return;
	}
	str_append(ctx->dest, " (");
	for (unsigned int i = 0; i < count; i++) {
		if (i > 0)
			str_append_c(ctx->dest, ' ');
		imap_append_string(ctx->dest, params[i].name, ctx->quote_flags);
		bs_string(ctx, params[i].value);
	}
	if (add_charset) {
		str_append(ctx->dest, count > 0 ? " " : "");
		str_append(ctx->dest, "\"charset\" \"us-ascii\"");
	}
	str_append_c(ctx->dest, ')');
}

static void bs_disposition(struct bodystructure_ctx *ctx,
			   const struct message_part_data *data)
{
	if (data->content_disposition == NULL) {
		str_append(ctx->dest, " NIL");
		return;
	}
	str_append(ctx->dest, " (");
	imap_append_string(ctx->dest, data->content_disposition,
			   ctx->quote_flags);
	bs_params(ctx, data->content_disposition_params,
		  data->content_disposition_params_count, false);
	str_append_c(ctx->dest, ')');
}

static void bs_language(struct bodystructure_ctx *ctx,
			const struct message_part_data *data)
{
	if (data->content_language == NULL) {
		str_append(ctx->dest, " NIL");
		return;
	}
	str_append(ctx->dest, " (");
	for (unsigned int i = 0; data->content_language[i] != NULL; i++) {
		if (i > 0)
			str_append_c(ctx->dest, ' ');
		imap_append_string(ctx->dest, data->content_language[i],
				   ctx->quote_flags);
	}
	str_append_c(ctx->dest, ')');
}

/* body-ext-1part and body-ext-mpart after their first item. */
static void bs_common_ext(struct bodystructure_ctx *ctx,
			  const struct message_part_data *data)
{
	bs_disposition(ctx, data);
	bs_language(ctx, data);
	bs_string(ctx, data->content_location);
}

static int bs_write_multipart(struct bodystructure_ctx *ctx,
			      const struct message_part *part)
{
	const struct message_part_data *data = part->data;

	for (const struct message_part *child = part->children; child != NULL;
	     child = child->next) {
		if (bs_write_part(ctx, child) < 0)
			return -1;
	}
	bs_string(ctx, message_part_data_subtype(data));
	if ((ctx->flags & IMAP_BODYSTRUCTURE_FLAG_EXTENDED) != 0) {
		bs_params(ctx, data->content_type_params,
			  data->content_type_params_count, false);
		bs_common_ext(ctx, data);
	}
	return 0;
}

static int bs_write_message(struct bodystructure_ctx *ctx,
			    const struct message_part *part)
{
	const struct message_part *child = part->children;
	struct imap_envelope env;

	imap_envelope_parse(ctx->pool, ctx->msg + child->physical_pos,
			    child->header_size, &env);
	str_append_c(ctx->dest, ' ');
	imap_envelope_write(ctx->dest, &env, ctx->quote_flags);
	str_append_c(ctx->dest, ' ');
	if (bs_write_part(ctx, child) < 0)
		return -1;
	str_printfa(ctx->dest, " %llu", (unsigned long long)part->body_lines);
	return 0;
}

/* Type and subtype to show; see the header about message/rfc822 parts
   that encapsulate nothing. */
static void bs_type(struct bodystructure_ctx *ctx,
		    const struct message_part *part, const char **type_r,
		    const char **subtype_r)
{
	const struct message_part_data *data = part->data;

	*type_r = message_part_data_type(data);
	*subtype_r = message_part_data_subtype(data);
	if (message_part_is_message(part, ctx->section_flags))
		return;
	if (strcasecmp(*type_r, "message") == 0 &&
	    (strcasecmp(*subtype_r, "rfc822") == 0 ||
	     ((ctx->flags & IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2) != 0 &&
	      strcasecmp(*subtype_r, "global") == 0))) {
		*type_r = "application";
		*subtype_r = "octet-stream";
	}
}

static int bs_write_single(struct bodystructure_ctx *ctx,
			   const struct message_part *part)
{
	const struct message_part_data *data = part->data;
	const char *type, *subtype, *cte = data->content_transfer_encoding;
	bool text = strcasecmp(message_part_data_type(data), "text") == 0;

	bs_type(ctx, part, &type, &subtype);
	imap_append_string(ctx->dest, type, ctx->quote_flags);
	bs_string(ctx, subtype);
	bs_params(ctx, data->content_type_params,
		  data->content_type_params_count,
		  text && message_part_data_param(data, "charset") == NULL);
	bs_string(ctx, data->content_id);
	bs_string(ctx, data->content_description);
	bs_string(ctx, cte != NULL ? cte : "7bit");
	str_printfa(ctx->dest, " %llu", (unsigned long long)part->body_size);
	if (text) {
		str_printfa(ctx->dest, " %llu",
			    (unsigned long long)part->body_lines);
	} else if (message_part_is_message(part, ctx->section_flags)) {
		if (bs_write_message(ctx, part) < 0)
			return -1;
	}
	if ((ctx->flags & IMAP_BODYSTRUCTURE_FLAG_EXTENDED) != 0) {
		bs_string(ctx, data->content_md5);
		bs_common_ext(ctx, data);
	}
	return 0;
}

static int bs_write_part(struct bodystructure_ctx *ctx,
			 const struct message_part *part)
{
	int ret;

	if (part->data == NULL)
		return -1;
	str_append_c(ctx->dest, '(');
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		ret = bs_write_multipart(ctx, part);
	else
		ret = bs_write_single(ctx, part);
	str_append_c(ctx->dest, ')');
	return ret;
}

int imap_bodystructure_write(string_t *dest, const struct message_part *part,
			     const void *msg, size_t msg_size,
			     enum imap_bodystructure_flags flags,
			     struct pool *pool)
{
	struct bodystructure_ctx ctx = {
		.dest = dest,
		.msg = msg,
		.msg_size = msg_size,
		.flags = flags,
		.pool = pool,
	};

	if ((flags & IMAP_BODYSTRUCTURE_FLAG_UTF8) != 0)
		ctx.quote_flags |= IMAP_QUOTE_FLAG_UTF8;
	if ((flags & IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2) != 0)
		ctx.section_flags |= MESSAGE_SECTION_FLAG_IMAP4REV2;
	return bs_write_part(&ctx, part);
}
