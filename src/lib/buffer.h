#ifndef POSTERN_BUFFER_H
#define POSTERN_BUFFER_H

/* Growable byte buffers with a cap. A buffer knows its length; appending
   past max fails (returns -1 and sets the sticky overflow flag) instead of
   growing without bound, so a writer can append freely and check once.
   An embedded buffer allocates nothing until the first append, so an idle
   session's buffers cost only their struct. */

#include "macros.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buffer {
	unsigned char *data;
	size_t used;
	size_t alloc;
	size_t max;
	bool overflow;
} buffer_t;

/* max is the most bytes the buffer may hold (SIZE_MAX for no cap). */
void buffer_init(buffer_t *buf, size_t max);
/* Frees the memory; the buffer can be used again (it is empty). */
void buffer_deinit(buffer_t *buf);
buffer_t *buffer_create(size_t initial_size, size_t max);
void buffer_free(buffer_t **buf);

/* Returns 0, or -1 when max would be exceeded (nothing is appended). */
int buffer_append(buffer_t *buf, const void *data, size_t size);
/* Room for size more bytes at the end, counted as used; NULL past max. */
void *buffer_append_space(buffer_t *buf, size_t size);
/* Makes sure size more bytes fit without reallocation; -1 past max. */
int buffer_reserve(buffer_t *buf, size_t size);
/* Removes the first size bytes. */
void buffer_consume(buffer_t *buf, size_t size);
void buffer_set_used(buffer_t *buf, size_t used);
/* Empties the buffer and clears the overflow flag; keeps the memory. */
void buffer_clear(buffer_t *buf);
/* Hands the data to the caller (who frees it) and empties the buffer. */
void *buffer_steal(buffer_t *buf, size_t *size_r);

static inline size_t buffer_unused(const buffer_t *buf)
{
	return buf->max - buf->used;
}

#endif
