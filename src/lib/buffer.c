#include "buffer.h"
#include "log.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void buffer_init(buffer_t *buf, size_t max)
{
	memset(buf, 0, sizeof(*buf));
	buf->max = max;
}

void buffer_deinit(buffer_t *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->used = buf->alloc = 0;
	buf->overflow = false;
}

buffer_t *buffer_create(size_t initial_size, size_t max)
{
	buffer_t *buf = xnew(buffer_t, 1);

	buffer_init(buf, max);
	if (initial_size > 0 && buffer_reserve(buf, MIN(initial_size, max)) < 0)
		i_unreached();
	return buf;
}

void buffer_free(buffer_t **_buf)
{
	buffer_t *buf = *_buf;

	if (buf == NULL)
		return;
	*_buf = NULL;
	buffer_deinit(buf);
	free(buf);
}

int buffer_reserve(buffer_t *buf, size_t size)
{
	size_t need, new_alloc;

	/* one spare byte so that string_t can always NUL-terminate */
	if (size > buf->max - buf->used || buf->used + size == SIZE_MAX) {
		buf->overflow = true;
		return -1;
	}
	need = buf->used + size + 1;
	if (need <= buf->alloc)
		return 0;
	new_alloc = buf->alloc < 32 ? 32 : buf->alloc;
	while (new_alloc < need)
		new_alloc = new_alloc > SIZE_MAX / 2 ? need : new_alloc * 2;
	buf->data = xrealloc(buf->data, new_alloc);
	buf->alloc = new_alloc;
	buf->data[buf->used] = '\0';
	return 0;
}

void *buffer_append_space(buffer_t *buf, size_t size)
{
	void *space;

	if (buffer_reserve(buf, size) < 0)
		return NULL;
	space = buf->data + buf->used;
	buf->used += size;
	buf->data[buf->used] = '\0';
	return space;
}

int buffer_append(buffer_t *buf, const void *data, size_t size)
{
	void *space;

	if (size == 0)
		return 0;
	space = buffer_append_space(buf, size);
	if (space == NULL)
		return -1;
	memcpy(space, data, size);
	return 0;
}

void buffer_consume(buffer_t *buf, size_t size)
{
	i_assert(size <= buf->used);
	if (size == buf->used) {
		buf->used = 0;
	} else {
		memmove(buf->data, buf->data + size, buf->used - size);
		buf->used -= size;
	}
	if (buf->data != NULL)
		buf->data[buf->used] = '\0';
}

void buffer_set_used(buffer_t *buf, size_t used)
{
	i_assert(used <= buf->used || used < buf->alloc);
	buf->used = used;
	if (buf->data != NULL)
		buf->data[used] = '\0';
}

void buffer_clear(buffer_t *buf)
{
	buffer_set_used(buf, 0);
	buf->overflow = false;
}

void *buffer_steal(buffer_t *buf, size_t *size_r)
{
	void *data = buf->data;

	*size_r = buf->used;
	buf->data = NULL;
	buf->used = buf->alloc = 0;
	return data;
}
