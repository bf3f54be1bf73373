#include "message-part-serialize.h"
#include "pool.h"

#include <string.h>

#define CTE_SHIFT 12
/* The smallest encoding of one part: six one-byte varints. */
#define MIN_PART_SIZE 6

struct deserialize_ctx {
	struct pool *pool;
	const unsigned char *data, *end;
	unsigned int part_count;
	const char *error;
};

static void varint_append(buffer_t *dest, uint64_t value)
{
	unsigned char buf[10];
	size_t len = 0;

	do {
		buf[len] = value & 0x7f;
		value >>= 7;
		if (value != 0)
			buf[len] |= 0x80;
		len++;
	} while (value != 0);
	buffer_append(dest, buf, len);
}

static void serialize_part(const struct message_part *part, uint64_t min_pos,
			   buffer_t *dest)
{
	uint64_t child_min = message_part_body_pos(part);

	varint_append(dest, part->flags | (unsigned int)part->cte << CTE_SHIFT);
	varint_append(dest, part->physical_pos - min_pos);
	varint_append(dest, part->header_size);
	varint_append(dest, part->body_size);
	varint_append(dest, part->body_lines);
	varint_append(dest, part->children_count);
	for (const struct message_part *child = part->children; child != NULL;
	     child = child->next) {
		serialize_part(child, child_min, dest);
		child_min = message_part_end_pos(child);
	}
}

void message_part_serialize(const struct message_part *root, buffer_t *dest)
{
	unsigned char version = MESSAGE_PART_SERIALIZE_VERSION;

	buffer_append(dest, &version, 1);
	serialize_part(root, 0, dest);
}

static int varint_read(struct deserialize_ctx *ctx, uint64_t *value_r)
{
	uint64_t value = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		unsigned char byte;

		if (ctx->data >= ctx->end) {
			ctx->error = "truncated";
			return -1;
		}
		byte = *ctx->data++;
		if (shift == 63 && byte > 1)
			break;
		value |= (uint64_t)(byte & 0x7f) << shift;
		if ((byte & 0x80) == 0) {
			*value_r = value;
			return 0;
		}
	}
	ctx->error = "varint overflow";
	return -1;
}

static int add_overflows(uint64_t a, uint64_t b, uint64_t *sum_r)
{
	*sum_r = a + b;
	return *sum_r < a ? -1 : 0;
}

/* Checks the flags against the child count. */
static const char *check_flags(uint64_t flags, uint64_t cte, uint64_t children)
{
	if ((flags & ~(uint64_t)MESSAGE_PART_FLAGS_ALL) != 0)
		return "unknown flags";
	if (cte > MESSAGE_CTE_UNKNOWN)
		return "unknown transfer encoding";
	if ((flags & MESSAGE_PART_FLAG_MULTIPART) != 0) {
		if ((flags & MESSAGE_PART_FLAG_MESSAGE) != 0)
			return "multipart and message";
		return children == 0 ? "multipart without children" : NULL;
	}
	if ((flags & MESSAGE_PART_FLAG_MESSAGE) != 0)
		return children != 1 ? "message without one child" : NULL;
	if ((flags & MESSAGE_PART_FLAG_MESSAGE_GLOBAL) != 0)
		return "message/global flag without message";
	return children != 0 ? "leaf with children" : NULL;
}

/* Reads the fixed fields of one part and checks they fit in
   [min_pos, max_end). */
static int read_part_fields(struct deserialize_ctx *ctx, uint64_t min_pos,
			    uint64_t max_end, struct message_part *part,
			    uint64_t *children_r)
{
	uint64_t flags, pos_delta, end;

	if (varint_read(ctx, &flags) < 0 || varint_read(ctx, &pos_delta) < 0 ||
	    varint_read(ctx, &part->header_size) < 0 ||
	    varint_read(ctx, &part->body_size) < 0 ||
	    varint_read(ctx, &part->body_lines) < 0 ||
	    varint_read(ctx, children_r) < 0)
		return -1;
	ctx->error = check_flags(flags & ((1u << CTE_SHIFT) - 1),
				 flags >> CTE_SHIFT, *children_r);
	if (ctx->error != NULL)
		return -1;
	part->flags = (unsigned int)(flags & ((1u << CTE_SHIFT) - 1));
	part->cte = (enum message_cte)(flags >> CTE_SHIFT);
	if (add_overflows(min_pos, pos_delta, &part->physical_pos) < 0 ||
	    add_overflows(part->physical_pos, part->header_size, &end) < 0 ||
	    add_overflows(end, part->body_size, &end) < 0 || end > max_end) {
		ctx->error = "part outside its parent";
		return -1;
	}
	if (part->body_lines > part->body_size) {
		ctx->error = "more lines than bytes";
		return -1;
	}
	if (*children_r > (uint64_t)(ctx->end - ctx->data) / MIN_PART_SIZE) {
		ctx->error = "child count past the data";
		return -1;
	}
	return 0;
}

static int deserialize_part(struct deserialize_ctx *ctx,
			    struct message_part *parent, uint64_t min_pos,
			    uint64_t max_end, unsigned int depth,
			    struct message_part **part_r);

static int deserialize_children(struct deserialize_ctx *ctx,
				struct message_part *part, uint64_t count,
				unsigned int depth)
{
	struct message_part **tail = &part->children;
	uint64_t min_pos = message_part_body_pos(part);
	uint64_t max_end = message_part_end_pos(part);

	for (uint64_t i = 0; i < count; i++) {
		if (deserialize_part(ctx, part, min_pos, max_end, depth + 1,
				     tail) < 0)
			return -1;
		min_pos = message_part_end_pos(*tail);
		tail = &(*tail)->next;
	}
	part->children_count = (unsigned int)count;
	if ((part->flags & MESSAGE_PART_FLAG_MESSAGE) != 0 &&
	    (part->children->physical_pos != message_part_body_pos(part) ||
	     message_part_end_pos(part->children) != max_end)) {
		ctx->error = "message child does not fill its body";
		return -1;
	}
	return 0;
}

static int deserialize_part(struct deserialize_ctx *ctx,
			    struct message_part *parent, uint64_t min_pos,
			    uint64_t max_end, unsigned int depth,
			    struct message_part **part_r)
{
	struct message_part *part;
	uint64_t children;

	if (depth > MESSAGE_PART_SERIALIZE_MAX_DEPTH ||
	    ++ctx->part_count > MESSAGE_PART_SERIALIZE_MAX_PARTS) {
		ctx->error = "too deep or too many parts";
		return -1;
	}
	part = p_new(ctx->pool, struct message_part, 1);
	part->parent = parent;
	*part_r = part;
	if (read_part_fields(ctx, min_pos, max_end, part, &children) < 0)
		return -1;
	return deserialize_children(ctx, part, children, depth);
}

int message_part_deserialize(struct pool *pool, const void *data, size_t size,
			     uint64_t message_size,
			     struct message_part **root_r, const char **error_r)
{
	struct deserialize_ctx ctx;
	struct message_part *root = NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.data = data;
	ctx.end = ctx.data + size;
	if (size == 0 || ctx.data[0] != MESSAGE_PART_SERIALIZE_VERSION) {
		*error_r = "unknown version";
		return -1;
	}
	ctx.data++;
	if (deserialize_part(&ctx, NULL, 0, message_size, 0, &root) < 0) {
		*error_r = ctx.error;
		return -1;
	}
	if (ctx.data != ctx.end) {
		*error_r = "trailing data";
		return -1;
	}
	if (root->physical_pos != 0 ||
	    (message_size != UINT64_MAX &&
	     message_part_end_pos(root) != message_size)) {
		*error_r = "root does not span the message";
		return -1;
	}
	*root_r = root;
	return 0;
}
