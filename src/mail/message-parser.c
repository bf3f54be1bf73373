#include "message-parser.h"
#include "message-header.h"
#include "pool.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct parser_boundary {
	const char *str;
	size_t len;
};

/* What ended a part: a delimiter line, or the end of the buffer. */
struct part_end {
	/* index in the boundary stack of the delimiter's boundary; -1 for
	   the end of the buffer, -2 for the empty line ending a header */
	int boundary;
	bool close;
	/* start of the delimiter line (or the buffer's end), and the LFs
	   before it */
	size_t delimiter_pos;
	uint64_t delimiter_lines;
	/* start of the line after it, and the LFs before that */
	size_t next_pos;
	uint64_t next_lines;
};

struct parser_ctx {
	struct pool *pool;
	const unsigned char *data;
	size_t size;
	unsigned int max_depth;
	unsigned int max_parts;
	unsigned int part_count;

	struct parser_boundary *boundaries;
	unsigned int boundaries_count;
};

/* Offset of the line after the one at pos. */
static size_t parser_next_line(const struct parser_ctx *ctx, size_t pos)
{
	const unsigned char *lf =
		memchr(ctx->data + pos, '\n', ctx->size - pos);

	return lf == NULL ? ctx->size : (size_t)(lf - ctx->data) + 1;
}

/* The index of the longest boundary that the line at pos delimits (the
   innermost one on a tie), or -1. */
static int parser_match_boundary(const struct parser_ctx *ctx, size_t pos,
				 size_t line_end, bool *close_r)
{
	const unsigned char *line = ctx->data + pos + 2;
	size_t len = line_end - pos - 2;
	int best = -1;

	if (ctx->boundaries_count == 0 || line_end - pos < 2 ||
	    ctx->data[pos] != '-' || ctx->data[pos + 1] != '-')
		return -1;
	for (int i = (int)ctx->boundaries_count - 1; i >= 0; i--) {
		const struct parser_boundary *b = &ctx->boundaries[i];

		if (b->len <= len && memcmp(line, b->str, b->len) == 0 &&
		    (best < 0 || b->len > ctx->boundaries[best].len))
			best = i;
	}
	if (best >= 0) {
		size_t blen = ctx->boundaries[best].len;

		*close_r = len >= blen + 2 && line[blen] == '-' &&
			   line[blen + 1] == '-';
	}
	return best;
}

/* Where the content of a part ends: RFC 2046 §5.1.1 gives the line end
   before a delimiter to the delimiter, unless that line end lies before
   min_end, the start of the part or the end of its last child (an empty
   part; or a child that begins right after "--b" and its line end, when
   that line end is also the one before the next delimiter). */
static size_t parser_content_end(const struct parser_ctx *ctx,
				 const struct part_end *end, size_t min_end,
				 uint64_t *lines_r)
{
	size_t start = min_end;

	size_t pos = end->delimiter_pos;

	*lines_r = end->delimiter_lines;
	if (end->boundary < 0 || pos <= start)
		return pos;
	pos--;
	(*lines_r)--;
	if (pos > start && ctx->data[pos - 1] == '\r')
		pos--;
	return pos;
}

static bool parser_is_blank_line(const struct parser_ctx *ctx, size_t pos,
				 size_t next)
{
	return ctx->data[pos] == '\n' ||
	       (ctx->data[pos] == '\r' && next - pos <= 2);
}

/* Scans lines from pos (with lines LFs before it) to the next delimiter
   of any active boundary, or the end. In a header (header set), an empty
   line stops the scan too. */
static void parser_scan(const struct parser_ctx *ctx, size_t pos,
			uint64_t lines, bool header, struct part_end *end)
{
	memset(end, 0, sizeof(*end));
	while (pos < ctx->size) {
		size_t next = parser_next_line(ctx, pos);
		uint64_t next_lines = lines + (ctx->data[next - 1] == '\n');
		int idx;

		idx = parser_match_boundary(ctx, pos, next, &end->close);
		if (idx < 0 && header && parser_is_blank_line(ctx, pos, next))
			idx = -2;
		if (idx != -1) {
			end->boundary = idx;
			end->delimiter_pos = pos;
			end->delimiter_lines = lines;
			end->next_pos = next;
			end->next_lines = next_lines;
			return;
		}
		lines = next_lines;
		pos = next;
	}
	end->boundary = -1;
	end->delimiter_pos = end->next_pos = ctx->size;
	end->delimiter_lines = end->next_lines = lines;
}

static struct message_part *parser_new_part(struct parser_ctx *ctx,
					    struct message_part *parent)
{
	struct message_part *part = p_new(ctx->pool, struct message_part, 1);

	part->parent = parent;
	part->data = p_new(ctx->pool, struct message_part_data, 1);
	ctx->part_count++;
	return part;
}

static void parser_parse_header(struct parser_ctx *ctx,
				struct message_part *part, size_t size)
{
	struct message_header_iter iter;
	struct message_header_field field;

	message_header_iter_init(&iter, ctx->data + part->physical_pos, size);
	while (message_header_iter_next(&iter, &field) > 0)
		(void)message_part_data_parse_field(ctx->pool, part->data,
						    &field);
	if (!iter.has_blank_line)
		part->flags |= MESSAGE_PART_FLAG_NO_BLANK_LINE;
}

/* The boundary of a multipart, or NULL if it has no usable one. */
static const char *parser_get_boundary(const struct message_part *part)
{
	const char *boundary = message_part_data_param(part->data, "boundary");

	if (boundary == NULL || *boundary == '\0' ||
	    strlen(boundary) > MESSAGE_PARSER_MAX_BOUNDARY_LEN)
		return NULL;
	return boundary;
}

static bool parser_may_nest(struct parser_ctx *ctx, struct message_part *part,
			    unsigned int depth)
{
	if (depth < ctx->max_depth && ctx->part_count < ctx->max_parts)
		return true;
	part->flags |= MESSAGE_PART_FLAG_OVERFLOW;
	return false;
}

/* Decides what kind of part this is from its parsed header. */
static void parser_set_kind(struct parser_ctx *ctx, struct message_part *part,
			    unsigned int depth)
{
	struct message_part_data *data = part->data;

	part->cte = message_cte_from_name(data->content_transfer_encoding);
	if (message_part_data_is_type(data, "multipart", NULL)) {
		if (parser_get_boundary(part) == NULL) {
			/* RFC 2045 §5.2: invalid, so text/plain */
			data->content_type = data->content_subtype = NULL;
			data->content_type_params_count = 0;
			data->default_message = false;
		} else if (parser_may_nest(ctx, part, depth)) {
			part->flags |= MESSAGE_PART_FLAG_MULTIPART;
			if (message_part_data_is_type(data, "multipart",
						      "digest"))
				part->flags |= MESSAGE_PART_FLAG_DIGEST;
			return;
		}
	}
	if (message_part_data_is_type(data, "text", NULL)) {
		part->flags |= MESSAGE_PART_FLAG_TEXT;
	} else if (message_part_data_is_type(data, "message", "rfc822") ||
		   message_part_data_is_type(data, "message", "global")) {
		if (part->cte == MESSAGE_CTE_BASE64 ||
		    part->cte == MESSAGE_CTE_QP)
			return;
		if (!parser_may_nest(ctx, part, depth))
			return;
		part->flags |= MESSAGE_PART_FLAG_MESSAGE;
		if (message_part_data_is_type(data, "message", "global"))
			part->flags |= MESSAGE_PART_FLAG_MESSAGE_GLOBAL;
	}
}

static void parser_parse_part(struct parser_ctx *ctx, struct message_part *part,
			      uint64_t lines, unsigned int depth,
			      struct part_end *end_r);

/* The made-up child of a multipart whose boundary never appeared. */
static void parser_add_empty_child(struct parser_ctx *ctx,
				   struct message_part *part)
{
	struct message_part *child = parser_new_part(ctx, part);

	child->physical_pos = message_part_body_pos(part);
	child->flags = MESSAGE_PART_FLAG_TEXT | MESSAGE_PART_FLAG_NO_BLANK_LINE;
	child->data->content_type = "text";
	child->data->content_subtype = "plain";
	part->children = child;
	part->children_count = 1;
	part->flags |= MESSAGE_PART_FLAG_NO_PARTS;
}

static void parser_push_boundary(struct parser_ctx *ctx,
				 const struct message_part *part)
{
	const char *boundary = parser_get_boundary(part);

	ctx->boundaries[ctx->boundaries_count].str = boundary;
	ctx->boundaries[ctx->boundaries_count].len = strlen(boundary);
	ctx->boundaries_count++;
}

/* The body of a multipart: preamble, parts, epilogue. */
static void parser_parse_multipart(struct parser_ctx *ctx,
				   struct message_part *part, uint64_t lines,
				   unsigned int depth, struct part_end *end)
{
	struct message_part **tail = &part->children;
	int own = (int)ctx->boundaries_count;

	parser_push_boundary(ctx, part);
	parser_scan(ctx, message_part_body_pos(part), lines, false, end);
	while (end->boundary == own && !end->close) {
		struct message_part *child;

		if (ctx->part_count >= ctx->max_parts) {
			part->flags |= MESSAGE_PART_FLAG_OVERFLOW;
			break;
		}
		child = parser_new_part(ctx, part);
		child->physical_pos = end->next_pos;
		child->data->default_message =
			(part->flags & MESSAGE_PART_FLAG_DIGEST) != 0;
		*tail = child;
		tail = &child->next;
		part->children_count++;
		parser_parse_part(ctx, child, end->next_lines, depth + 1, end);
	}
	ctx->boundaries_count--;
	if (end->boundary == own) {
		/* the epilogue, where only outer boundaries count */
		parser_scan(ctx, end->next_pos, end->next_lines, false, end);
	}
	if (part->children == NULL)
		parser_add_empty_child(ctx, part);
}

static void parser_parse_body(struct parser_ctx *ctx, struct message_part *part,
			      uint64_t lines, unsigned int depth,
			      struct part_end *end)
{
	size_t body_pos = message_part_body_pos(part);
	uint64_t end_lines;
	size_t body_end;

	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0) {
		parser_parse_multipart(ctx, part, lines, depth, end);
	} else if ((part->flags & MESSAGE_PART_FLAG_MESSAGE) != 0) {
		struct message_part *child = parser_new_part(ctx, part);

		child->physical_pos = body_pos;
		part->children = child;
		part->children_count = 1;
		parser_parse_part(ctx, child, lines, depth + 1, end);
	} else {
		parser_scan(ctx, body_pos, lines, false, end);
		body_end = parser_content_end(ctx, end, body_pos, &end_lines);
		if (memchr(ctx->data + body_pos, '\0', body_end - body_pos) !=
		    NULL)
			part->flags |= MESSAGE_PART_FLAG_HAS_NULS;
	}
}

static void parser_propagate(struct message_part *part)
{
	for (struct message_part *child = part->children; child != NULL;
	     child = child->next) {
		if ((child->flags & MESSAGE_PART_FLAG_HAS_NULS) != 0)
			part->flags |= MESSAGE_PART_FLAG_HAS_NULS;
	}
}

/* Whether the line after the empty line that ended part's header is a
   delimiter of an enclosing multipart: then the empty line's line end is
   that delimiter's (RFC 2046 §5.1.1), and the header has no empty line.
   The part's own boundary, if it is a multipart, counts too: the longest
   match wins, so "--=_part_1" opens an inner "=_part_1" rather than
   closing an outer "=_part_". */
static bool parser_blank_line_is_delimiter(struct parser_ctx *ctx,
					   const struct message_part *part,
					   size_t next_pos)
{
	unsigned int outer = ctx->boundaries_count;
	bool close;
	int idx;

	if (next_pos >= ctx->size || outer == 0)
		return false;
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		parser_push_boundary(ctx, part);
	idx = parser_match_boundary(ctx, next_pos,
				    parser_next_line(ctx, next_pos), &close);
	ctx->boundaries_count = outer;
	return idx >= 0 && (unsigned int)idx < outer;
}

/* The part is its header alone, up to end_pos. */
static void parser_header_only(struct message_part *part, size_t end_pos)
{
	part->header_size = end_pos - part->physical_pos;
	part->flags |= MESSAGE_PART_FLAG_NO_BLANK_LINE;
	part->flags &=
		~(MESSAGE_PART_FLAG_MULTIPART | MESSAGE_PART_FLAG_DIGEST |
		  MESSAGE_PART_FLAG_MESSAGE | MESSAGE_PART_FLAG_MESSAGE_GLOBAL);
}

/* Where the content of part can end at the earliest. */
static size_t parser_min_end(const struct message_part *part)
{
	const struct message_part *child = part->children;

	if (child == NULL)
		return part->physical_pos;
	while (child->next != NULL)
		child = child->next;
	return message_part_end_pos(child);
}

/* Parses the part starting at part->physical_pos (with lines LFs before
   it), up to the delimiter or end that ends it, returned in end. */
static void parser_parse_part(struct parser_ctx *ctx, struct message_part *part,
			      uint64_t lines, unsigned int depth,
			      struct part_end *end)
{
	size_t start = part->physical_pos, content_end;
	uint64_t body_lines_start, end_lines;

	parser_scan(ctx, start, lines, true, end);
	if (end->boundary == -2) {
		/* an empty line ended the header */
		size_t blank_pos = end->delimiter_pos;

		part->header_size = end->next_pos - start;
		body_lines_start = end->next_lines;
		parser_parse_header(ctx, part, part->header_size);
		parser_set_kind(ctx, part, depth);
		if (!parser_blank_line_is_delimiter(ctx, part, end->next_pos)) {
			parser_parse_body(ctx, part, body_lines_start, depth,
					  end);
		} else {
			parser_header_only(part, blank_pos);
			body_lines_start = end->delimiter_lines;
			parser_scan(ctx, end->next_pos, end->next_lines, false,
				    end);
		}
	} else {
		/* a delimiter or the end came first: all header, no body */
		parser_header_only(part, parser_content_end(ctx, end, start,
							    &body_lines_start));
		parser_parse_header(ctx, part, part->header_size);
		parser_set_kind(ctx, part, depth);
		parser_header_only(part, message_part_body_pos(part));
	}
	content_end =
		parser_content_end(ctx, end, parser_min_end(part), &end_lines);
	part->body_size = content_end - message_part_body_pos(part);
	part->body_lines = end_lines - body_lines_start;
	parser_propagate(part);
}

struct message_part *message_parse(struct pool *pool, const void *data,
				   size_t size,
				   const struct message_parser_settings *set)
{
	struct parser_ctx ctx;
	struct message_part *root;
	struct part_end end;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.data = size == 0 ? (const unsigned char *)"" : data;
	ctx.size = size;
	ctx.max_depth = set != NULL && set->max_depth != 0
				? set->max_depth
				: MESSAGE_PARSER_DEFAULT_MAX_DEPTH;
	ctx.max_parts = set != NULL && set->max_parts != 0
				? set->max_parts
				: MESSAGE_PARSER_DEFAULT_MAX_PARTS;
	ctx.boundaries = xnew(struct parser_boundary, ctx.max_depth + 1);

	root = parser_new_part(&ctx, NULL);
	parser_parse_part(&ctx, root, 0, 0, &end);
	free(ctx.boundaries);
	return root;
}
