#ifndef POSTERN_STR_H
#define POSTERN_STR_H

/* Strings are buffers that stay NUL-terminated (str_c() is always valid).
   Like buffers they have a cap; an append past it sets the overflow flag
   and appends nothing. */

#include "buffer.h"

#include <stdint.h>

typedef buffer_t string_t;

string_t *str_new(size_t initial_size, size_t max);
void str_free(string_t **str);

const char *str_c(string_t *str);
static inline size_t str_len(const string_t *str)
{
	return str->used;
}

int str_append(string_t *str, const char *cstr);
int str_append_n(string_t *str, const void *data, size_t len);
int str_append_c(string_t *str, char chr);
/* Appends num in decimal: what str_printfa(str, "%llu") does, without the
   cost of a printf in per-message loops. */
int str_append_uint(string_t *str, uint64_t num);
int str_printfa(string_t *str, const char *fmt, ...) ATTR_FORMAT(2, 3);
int str_vprintfa(string_t *str, const char *fmt, va_list args)
	ATTR_FORMAT(2, 0);
void str_truncate(string_t *str, size_t len);

#endif
