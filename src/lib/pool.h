#ifndef POSTERN_POOL_H
#define POSTERN_POOL_H

/* Memory pools: an arena per session and per command. Allocations are freed
   all at once by pool_clear() or pool_destroy(); nothing is freed singly.
   A pool grows in blocks; an allocation bigger than a block gets a block of
   its own. */

#include "macros.h"

#include <stdarg.h>
#include <stddef.h>

struct pool;

/* block_size 0 means a default of 1 KiB. */
struct pool *pool_create(const char *name, size_t block_size);
void pool_destroy(struct pool **pool);
/* Frees everything allocated, keeping the first block for reuse. */
void pool_clear(struct pool *pool);
/* Bytes held in blocks, for memory accounting. */
size_t pool_get_size(const struct pool *pool);
const char *pool_get_name(const struct pool *pool);

/* Zeroed memory, aligned for any type. */
void *pool_alloc(struct pool *pool, size_t size);
char *pool_strdup(struct pool *pool, const char *str);
char *pool_strndup(struct pool *pool, const void *str, size_t len);
char *pool_printf(struct pool *pool, const char *fmt, ...) ATTR_FORMAT(2, 3);
char *pool_vprintf(struct pool *pool, const char *fmt, va_list args)
	ATTR_FORMAT(2, 0);
void *pool_memdup(struct pool *pool, const void *data, size_t size);

/* count * sizeof(type) zeroed; overflow is fatal. */
#define p_new(pool, type, count) \
	((type *)pool_alloc_array(pool, sizeof(type), (count)))
void *pool_alloc_array(struct pool *pool, size_t elem_size, size_t count);

#endif
