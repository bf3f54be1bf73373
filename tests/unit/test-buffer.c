#include "test-common.h"

#include "array.h"
#include "buffer.h"
#include "str.h"

#include <stdint.h>
#include <string.h>

static void test_buffer_append_and_consume(void **state)
{
	buffer_t buf;

	buffer_init(&buf, 64);
	assert_null(buf.data); /* nothing allocated until used */
	assert_int_equal(buffer_append(&buf, "hello ", 6), 0);
	assert_int_equal(buffer_append(&buf, "world", 5), 0);
	assert_int_equal(buf.used, 11);
	assert_memory_equal(buf.data, "hello world", 11);
	buffer_consume(&buf, 6);
	assert_int_equal(buf.used, 5);
	assert_memory_equal(buf.data, "world", 5);
	buffer_consume(&buf, 5);
	assert_int_equal(buf.used, 0);
	buffer_deinit(&buf);
	assert_null(buf.data);
}

static void test_buffer_cap(void **state)
{
	buffer_t *buf = buffer_create(0, 8);

	assert_int_equal(buffer_append(buf, "12345678", 8), 0);
	assert_false(buf->overflow);
	assert_int_equal(buffer_append(buf, "9", 1), -1);
	assert_true(buf->overflow);
	/* a failed append leaves the contents alone */
	assert_int_equal(buf->used, 8);
	assert_null(buffer_append_space(buf, 1));
	buffer_clear(buf);
	assert_false(buf->overflow);
	assert_int_equal(buffer_append(buf, "9", 1), 0);
	buffer_free(&buf);
	assert_null(buf);
}

static void test_buffer_huge_request(void **state)
{
	buffer_t *buf = buffer_create(0, SIZE_MAX);

	assert_int_equal(buffer_append(buf, "x", 1), 0);
	assert_null(buffer_append_space(buf, SIZE_MAX - 1));
	assert_true(buf->overflow);
	buffer_free(&buf);
}

static void test_buffer_steal(void **state)
{
	buffer_t buf;
	size_t size;
	char *data;

	buffer_init(&buf, 100);
	buffer_append(&buf, "abc", 3);
	data = buffer_steal(&buf, &size);
	assert_int_equal(size, 3);
	assert_string_equal(data, "abc");
	assert_int_equal(buf.used, 0);
	free(data);
	buffer_deinit(&buf);
}

static void test_str(void **state)
{
	string_t *str = str_new(4, 32);

	assert_string_equal(str_c(str), "");
	str_append(str, "a");
	str_append_c(str, 'b');
	str_printfa(str, "%d-%s", 42, "x");
	assert_string_equal(str_c(str), "ab42-x");
	str_truncate(str, 2);
	assert_string_equal(str_c(str), "ab");
	assert_int_equal(str_printfa(str, "%040d", 1), -1);
	assert_string_equal(str_c(str), "ab");
	assert_true(str->overflow);
	str_free(&str);

	/* printf into the room a string has, and past it */
	str = str_new(8, 64);
	assert_int_equal(str_printfa(str, "%s", "1234567"), 0);
	assert_string_equal(str_c(str), "1234567");
	assert_int_equal(str_printfa(str, "%s-%u", "abcdefghij", 99u), 0);
	assert_string_equal(str_c(str), "1234567abcdefghij-99");
	assert_int_equal(str_len(str), 20);
	assert_int_equal(str_printfa(str, "%050d", 7), -1);
	assert_string_equal(str_c(str), "1234567abcdefghij-99");
	str_free(&str);

	/* up to the cap exactly: the room may be bigger than the cap */
	str = str_new(64, 10);
	assert_int_equal(str_printfa(str, "%s", "12345678901"), -1);
	assert_string_equal(str_c(str), "");
	assert_int_equal(str_printfa(str, "%s", "1234567890"), 0);
	assert_string_equal(str_c(str), "1234567890");
	str_free(&str);

	str = str_new(0, 64);
	assert_int_equal(str_append_uint(str, 0), 0);
	str_append_c(str, ' ');
	str_append_uint(str, 42);
	str_append_c(str, ' ');
	str_append_uint(str, UINT64_MAX);
	assert_string_equal(str_c(str), "0 42 18446744073709551615");
	str_free(&str);
}

static void test_array(void **state)
{
	ARRAY(int) nums = ARRAY_INIT;

	for (int i = 0; i < 100; i++)
		array_push(&nums, i);
	assert_int_equal(nums.count, 100);
	array_delete(&nums, 0);
	assert_int_equal(nums.v[0], 1);
	array_insert(&nums, 0, -1);
	assert_int_equal(nums.v[0], -1);
	assert_int_equal(nums.v[1], 1);
	assert_int_equal(array_pop(&nums), 99);
	*array_push_new(&nums) += 7;
	assert_int_equal(*array_last(&nums), 7);
	array_free(&nums);
	assert_null(nums.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffer_append_and_consume),
		cmocka_unit_test(test_buffer_cap),
		cmocka_unit_test(test_buffer_huge_request),
		cmocka_unit_test(test_buffer_steal),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
