#include "line-reader.h"
#include "log.h"

#include <stdint.h>
#include <string.h>

void line_reader_init(struct line_reader *reader, size_t max_line_length)
{
	memset(reader, 0, sizeof(*reader));
	buffer_init(&reader->buf, SIZE_MAX);
	reader->max_line_length = max_line_length;
}

void line_reader_deinit(struct line_reader *reader)
{
	buffer_deinit(&reader->buf);
	reader->pos = 0;
}

void line_reader_compact(struct line_reader *reader)
{
	if (reader->pos == reader->buf.used)
		buffer_deinit(&reader->buf);
	else if (reader->pos > 0)
		buffer_consume(&reader->buf, reader->pos);
	reader->pos = 0;
}

void line_reader_feed(struct line_reader *reader, const void *data, size_t size)
{
	line_reader_compact(reader);
	buffer_append(&reader->buf, data, size);
}

void *line_reader_get_space(struct line_reader *reader, size_t size)
{
	line_reader_compact(reader);
	if (buffer_reserve(&reader->buf, size) < 0)
		i_unreached();
	return reader->buf.data + reader->buf.used;
}

void line_reader_commit(struct line_reader *reader, size_t size)
{
	buffer_append_space(&reader->buf, size);
}

/* Skips the rest of a too-long line; returns false if it hasn't ended. */
static bool line_reader_skip(struct line_reader *reader)
{
	const unsigned char *start = reader->buf.data + reader->pos;
	const unsigned char *nl;

	nl = memchr(start, '\n', line_reader_pending(reader));
	if (nl == NULL) {
		reader->pos = reader->buf.used;
		return false;
	}
	reader->pos += (size_t)(nl - start) + 1;
	reader->skipping = false;
	return true;
}

enum line_read_result line_reader_read_line(struct line_reader *reader,
					    const char **line_r, size_t *len_r)
{
	unsigned char *start, *nl;
	size_t avail, line_size;

	if (reader->skipping && !line_reader_skip(reader))
		return LINE_READ_MORE;
	avail = line_reader_pending(reader);
	if (avail == 0)
		return LINE_READ_MORE;
	start = reader->buf.data + reader->pos;
	nl = memchr(start, '\n', avail);
	if (nl == NULL) {
		if (avail < reader->max_line_length)
			return LINE_READ_MORE;
		reader->skipping = true;
		reader->pos = reader->buf.used;
		return LINE_READ_TOO_LONG;
	}
	line_size = (size_t)(nl - start) + 1;
	reader->pos += line_size;
	if (line_size > reader->max_line_length)
		return LINE_READ_TOO_LONG;
	if (nl > start && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	*line_r = (const char *)start;
	*len_r = (size_t)(nl - start);
	return LINE_READ_OK;
}

enum line_read_result line_reader_read_data(struct line_reader *reader,
					    size_t max_size,
					    const unsigned char **data_r,
					    size_t *size_r)
{
	size_t avail = line_reader_pending(reader);

	if (avail == 0 || max_size == 0)
		return LINE_READ_MORE;
	*data_r = reader->buf.data + reader->pos;
	*size_r = avail < max_size ? avail : max_size;
	reader->pos += *size_r;
	return LINE_READ_OK;
}

void line_reader_unread(struct line_reader *reader, size_t size)
{
	i_assert(size <= reader->pos);
	reader->pos -= size;
}

void line_reader_discard(struct line_reader *reader)
{
	reader->pos = reader->buf.used;
	reader->skipping = false;
	line_reader_compact(reader);
}
