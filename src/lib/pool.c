#include "pool.h"
#include "log.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define POOL_DEFAULT_BLOCK_SIZE 1024
#define POOL_ALIGN 16

struct pool_block {
	struct pool_block *prev;
	size_t size;
	size_t used;
	/* data follows, aligned */
};

struct pool {
	char *name;
	size_t block_size;
	struct pool_block *block; /* current block, newest first */
	size_t total_size;
};

#define BLOCK_HEADER_SIZE                               \
	((sizeof(struct pool_block) + POOL_ALIGN - 1) & \
	 ~(size_t)(POOL_ALIGN - 1))
#define BLOCK_DATA(block) ((unsigned char *)(block) + BLOCK_HEADER_SIZE)

static struct pool_block *pool_block_new(struct pool *pool, size_t size)
{
	struct pool_block *block = xmalloc(BLOCK_HEADER_SIZE + size);

	block->prev = pool->block;
	block->size = size;
	block->used = 0;
	pool->block = block;
	pool->total_size += size;
	return block;
}

struct pool *pool_create(const char *name, size_t block_size)
{
	struct pool *pool = xnew(struct pool, 1);

	pool->name = xstrdup(name);
	pool->block_size =
		block_size == 0 ? POOL_DEFAULT_BLOCK_SIZE : block_size;
	return pool;
}

static void pool_free_blocks_until(struct pool *pool, struct pool_block *keep)
{
	while (pool->block != keep) {
		struct pool_block *prev = pool->block->prev;

		pool->total_size -= pool->block->size;
		free(pool->block);
		pool->block = prev;
	}
}

void pool_destroy(struct pool **_pool)
{
	struct pool *pool = *_pool;

	if (pool == NULL)
		return;
	*_pool = NULL;
	pool_free_blocks_until(pool, NULL);
	free(pool->name);
	free(pool);
}

void pool_clear(struct pool *pool)
{
	struct pool_block *first = pool->block;

	if (first == NULL)
		return;
	while (first->prev != NULL)
		first = first->prev;
	pool_free_blocks_until(pool, first);
	first->used = 0;
}

size_t pool_get_size(const struct pool *pool)
{
	return pool->total_size;
}

const char *pool_get_name(const struct pool *pool)
{
	return pool->name;
}

void *pool_alloc(struct pool *pool, size_t size)
{
	struct pool_block *block = pool->block;
	size_t aligned;
	void *mem;

	if (size > SIZE_MAX / 2)
		fatal("pool %s: allocation of %zu bytes", pool->name, size);
	aligned = (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	if (block == NULL || block->size - block->used < aligned) {
		size_t new_size = MAX(pool->block_size, aligned);

		/* Keep doubling so that a busy pool needs few blocks. */
		if (block != NULL && block->size * 2 > new_size &&
		    block->size < 256 * 1024)
			new_size = MAX(new_size, block->size * 2);
		block = pool_block_new(pool, new_size);
	}
	mem = BLOCK_DATA(block) + block->used;
	block->used += aligned;
	memset(mem, 0, size);
	return mem;
}

void *pool_alloc_array(struct pool *pool, size_t elem_size, size_t count)
{
	if (elem_size != 0 && count > SIZE_MAX / 2 / elem_size)
		fatal("pool %s: array overflow %zu * %zu", pool->name,
		      elem_size, count);
	return pool_alloc(pool, elem_size * count);
}

void *pool_memdup(struct pool *pool, const void *data, size_t size)
{
	void *mem = pool_alloc(pool, size);

	if (size > 0)
		memcpy(mem, data, size);
	return mem;
}

char *pool_strndup(struct pool *pool, const void *str, size_t len)
{
	char *copy = pool_alloc(pool, len + 1);

	if (len > 0)
		memcpy(copy, str, len);
	return copy;
}

char *pool_strdup(struct pool *pool, const char *str)
{
	return str == NULL ? NULL : pool_strndup(pool, str, strlen(str));
}

char *pool_vprintf(struct pool *pool, const char *fmt, va_list args)
{
	char small[256];
	va_list copy;
	char *str;
	int len;

	/* Most results fit in small: format once. */
	va_copy(copy, args);
	len = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (len < 0)
		panic("pool_vprintf: invalid format");
	if ((size_t)len < sizeof(small))
		return pool_strndup(pool, small, (size_t)len);
	str = pool_alloc(pool, (size_t)len + 1);
	vsnprintf(str, (size_t)len + 1, fmt, args);
	return str;
}

char *pool_printf(struct pool *pool, const char *fmt, ...)
{
	va_list args;
	char *str;

	va_start(args, fmt);
	str = pool_vprintf(pool, fmt, args);
	va_end(args);
	return str;
}
