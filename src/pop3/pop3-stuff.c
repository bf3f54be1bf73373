#include "pop3-stuff.h"

void pop3_stuff_init(struct pop3_stuff *ctx)
{
	ctx->body_lines_left = UINT64_MAX;
	ctx->last = '\n';
	ctx->in_body = false;
	ctx->done = false;
}

void pop3_stuff_init_top(struct pop3_stuff *ctx, uint64_t body_lines)
{
	pop3_stuff_init(ctx);
	/* the blank line that ends the header is counted too */
	if (body_lines < UINT64_MAX - 1)
		ctx->body_lines_left = body_lines + 1;
}

/* The LF at the end of a body line: true when TOP's limit is reached. */
static bool pop3_stuff_body_line_ended(struct pop3_stuff *ctx)
{
	if (!ctx->in_body || ctx->body_lines_left == UINT64_MAX)
		return false;
	return --ctx->body_lines_left == 0;
}

size_t pop3_stuff_chunk(struct pop3_stuff *ctx, const unsigned char *data,
			size_t size, buffer_t *dest)
{
	size_t i, start = 0;

	for (i = 0; i < size && !ctx->done; i++) {
		unsigned char c = data[i];

		if (ctx->last == '\n') {
			/* a line starts: the blank line ends the header */
			if (c == '\r' || c == '\n')
				ctx->in_body = true;
			if (c == '.') {
				buffer_append(dest, data + start, i - start);
				buffer_append(dest, ".", 1);
				start = i;
			}
		}
		if (c == '\n') {
			if (ctx->last != '\r') {
				buffer_append(dest, data + start, i - start);
				buffer_append(dest, "\r", 1);
				start = i;
			}
			ctx->done = pop3_stuff_body_line_ended(ctx);
		}
		ctx->last = c;
	}
	buffer_append(dest, data + start, i - start);
	return i;
}

void pop3_stuff_finish(struct pop3_stuff *ctx, buffer_t *dest)
{
	if (ctx->last != '\n')
		buffer_append(dest, "\r\n", 2);
	buffer_append(dest, ".\r\n", 3);
	ctx->last = '\n';
}
