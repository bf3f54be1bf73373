#ifndef POSTERN_STRFUNCS_H
#define POSTERN_STRFUNCS_H

/* Small string helpers the C library lacks. ASCII-only case rules: these
   are for protocol keywords, never for user text (ICU does that). */

#include "macros.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;

bool str_begins(const char *str, const char *prefix);
bool str_begins_icase(const char *str, const char *prefix);
bool str_ends(const char *str, const char *suffix);
bool str_eq_icase(const char *a, const char *b);
/* Copies src into dest of size dest_size, always NUL-terminating.
   Returns strlen(src); >= dest_size means it was cut (as strlcpy). */
size_t str_copy(char *dest, const char *src, size_t dest_size);
/* ASCII lower/upper case in place; returns str. */
char *str_lcase(char *str);
char *str_ucase(char *str);
/* Splits at any of the separator characters into a NULL-terminated array
   allocated from pool. Empty fields are kept. */
char **str_split(struct pool *pool, const char *str, const char *separators);
/* Pointer to str without leading and trailing spaces and tabs, copied into
   pool. */
char *str_trim(struct pool *pool, const char *str);

/* Decimal number parsing that rejects signs, spaces, empty strings, trailing
   garbage and overflow. Return 0, or -1. */
int str_to_uint(const char *str, unsigned int *num_r);
int str_to_uint32(const char *str, uint32_t *num_r);
int str_to_uint64(const char *str, uint64_t *num_r);
/* Like str_to_uint64 but for a byte range that is not NUL-terminated. */
int str_n_to_uint64(const char *str, size_t len, uint64_t *num_r);

#endif
