#include "message-crlf.h"

#include <string.h>

bool message_crlf_is_normalized(const void *data, size_t size)
{
	const unsigned char *p = data, *end = p + size, *lf;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (lf == data || lf[-1] != '\r')
			return false;
		p = lf + 1;
	}
	return true;
}

size_t message_crlf_normalized_size(const void *data, size_t size)
{
	const unsigned char *p = data, *end = p + size, *lf;
	size_t bare = 0;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (lf == data || lf[-1] != '\r')
			bare++;
		p = lf + 1;
	}
	return size + bare;
}

void message_crlf_init(struct message_crlf_ctx *ctx)
{
	ctx->last_cr = false;
}

int message_crlf_convert(struct message_crlf_ctx *ctx, const void *chunk,
			 size_t size, buffer_t *dest)
{
	const unsigned char *p = chunk, *end = p + size, *lf;

	if (size == 0)
		return dest->overflow ? -1 : 0;
	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		bool has_cr = lf == (const unsigned char *)chunk
				      ? ctx->last_cr
				      : lf[-1] == '\r';

		buffer_append(dest, p, (size_t)(lf - p));
		buffer_append(dest, has_cr ? "\n" : "\r\n", has_cr ? 1 : 2);
		p = lf + 1;
	}
	buffer_append(dest, p, (size_t)(end - p));
	ctx->last_cr = end[-1] == '\r';
	return dest->overflow ? -1 : 0;
}
