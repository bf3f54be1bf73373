#include "test-common.h"

#include "pool.h"

#include <string.h>

static void test_pool_alloc_zeroed_aligned(void **state)
{
	struct pool *pool = pool_create("test", 64);

	for (int i = 1; i < 200; i++) {
		unsigned char *mem = pool_alloc(pool, (size_t)i);

		assert_int_equal((uintptr_t)mem % 16, 0);
		for (int j = 0; j < i; j++)
			assert_int_equal(mem[j], 0);
		memset(mem, 0xff, (size_t)i);
	}
	pool_destroy(&pool);
	assert_null(pool);
}

static void test_pool_big_allocation(void **state)
{
	struct pool *pool = pool_create("test", 64);
	char *big = pool_alloc(pool, 100000);

	memset(big, 'x', 100000);
	assert_true(pool_get_size(pool) >= 100000);
	pool_destroy(&pool);
}

static void test_pool_clear_keeps_first_block(void **state)
{
	struct pool *pool = pool_create("test", 128);
	size_t first;

	pool_alloc(pool, 10);
	first = pool_get_size(pool);
	for (int i = 0; i < 100; i++)
		pool_alloc(pool, 100);
	assert_true(pool_get_size(pool) > first);
	pool_clear(pool);
	assert_int_equal(pool_get_size(pool), first);
	pool_destroy(&pool);
}

static void test_pool_strings(void **state)
{
	struct pool *pool = pool_create("test", 0);

	assert_string_equal(pool_strdup(pool, "abc"), "abc");
	assert_null(pool_strdup(pool, NULL));
	assert_string_equal(pool_strndup(pool, "abcdef", 3), "abc");
	assert_string_equal(pool_printf(pool, "%s=%u", "n", 5u), "n=5");
	assert_string_equal(pool_get_name(pool), "test");
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_alloc_zeroed_aligned),
		cmocka_unit_test(test_pool_big_allocation),
		cmocka_unit_test(test_pool_clear_keeps_first_block),
		cmocka_unit_test(test_pool_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
