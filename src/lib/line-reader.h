#ifndef POSTERN_LINE_READER_H
#define POSTERN_LINE_READER_H

/* The input side of a connection: bytes arrive in arbitrary pieces, and
   come out as CRLF (or LF) terminated lines or as raw runs of bytes for
   literals and chunks. A line longer than the limit is reported once and
   the rest of it skipped, so no line is ever buffered past the limit.
   Consumed bytes are dropped lazily; an empty reader holds no memory. */

#include "buffer.h"

#include <stdbool.h>

enum line_read_result {
	LINE_READ_MORE = 0,      /* nothing complete buffered */
	LINE_READ_OK = 1,        /* a line or data was returned */
	LINE_READ_TOO_LONG = -1, /* the line passed max_line_length */
};

struct line_reader {
	buffer_t buf;
	size_t pos;             /* buf.data[pos..used) is unread */
	size_t max_line_length; /* including the CRLF */
	bool skipping;          /* in the rest of a too-long line */
};

void line_reader_init(struct line_reader *reader, size_t max_line_length);
void line_reader_deinit(struct line_reader *reader);

/* Appends input (after dropping what was consumed). */
void line_reader_feed(struct line_reader *reader, const void *data,
		      size_t size);
/* Room for up to size more bytes at the end; commit what was filled with
   line_reader_commit(). For decrypting straight into the reader. */
void *line_reader_get_space(struct line_reader *reader, size_t size);
void line_reader_commit(struct line_reader *reader, size_t size);

/* Returns LINE_READ_OK with the next line, its CR LF or LF cut and NUL
   written in their place (*len_r is the real length, NULs inside
   included). The line stays valid until the next feed or compact. */
enum line_read_result line_reader_read_line(struct line_reader *reader,
					    const char **line_r, size_t *len_r);
/* Up to max_size unread bytes, consumed at once. */
enum line_read_result line_reader_read_data(struct line_reader *reader,
					    size_t max_size,
					    const unsigned char **data_r,
					    size_t *size_r);

static inline size_t line_reader_pending(const struct line_reader *reader)
{
	return reader->buf.used - reader->pos;
}

/* Gives back the last size bytes that line_reader_read_data() returned,
   before any other call on the reader: a parser that found the end of
   its part (LMTP's final "." line) inside them leaves the rest unread. */
void line_reader_unread(struct line_reader *reader, size_t size);

/* Drops every unread byte. */
void line_reader_discard(struct line_reader *reader);
/* Gives back consumed space; frees the buffer when nothing is unread. */
void line_reader_compact(struct line_reader *reader);

#endif
