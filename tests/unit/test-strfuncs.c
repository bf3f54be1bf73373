#include "test-common.h"

#include "log.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

static void test_str_to_uint(void **state)
{
	static const struct {
		const char *input;
		int ret;
		uint64_t value;
	} cases[] = {
		{ "0", 0, 0 },
		{ "123", 0, 123 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 },
		{ "", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "12a", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t value = 0;

		assert_int_equal(str_to_uint64(cases[i].input, &value),
				 cases[i].ret);
		if (cases[i].ret == 0)
			assert_true(value == cases[i].value);
	}
	uint32_t v32;
	assert_int_equal(str_to_uint32("4294967296", &v32), -1);
	assert_int_equal(str_to_uint32("4294967295", &v32), 0);
}

static void test_str_split(void **state)
{
	struct pool *pool = pool_create("test", 0);
	char **fields = str_split(pool, "a,,b c", ", ");

	assert_string_equal(fields[0], "a");
	assert_string_equal(fields[1], "");
	assert_string_equal(fields[2], "b");
	assert_string_equal(fields[3], "c");
	assert_null(fields[4]);
	fields = str_split(pool, "", ",");
	assert_string_equal(fields[0], "");
	assert_null(fields[1]);
	assert_string_equal(str_trim(pool, " \t x y \t"), "x y");
	pool_destroy(&pool);
}

static void test_str_misc(void **state)
{
	char buf[4], name[16];

	assert_true(str_begins("STARTTLS", "START"));
	assert_false(str_begins("STA", "START"));
	assert_true(str_begins_icase("starttls", "START"));
	assert_true(str_ends("file.conf", ".conf"));
	assert_false(str_ends("f", ".conf"));
	assert_int_equal(str_copy(buf, "abcdef", sizeof(buf)), 6);
	assert_string_equal(buf, "abc");
	strcpy(name, "MiXeD");
	assert_string_equal(str_lcase(name), "mixed");
	assert_string_equal(str_ucase(name), "MIXED");
}

static void test_log_sanitize(void **state)
{
	char out[8];

	assert_string_equal(log_sanitize(out, sizeof(out), "ab\r\n", 4),
			    "ab??");
	assert_string_equal(log_sanitize(out, sizeof(out), "abcdefghij", 10),
			    "abcd...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_to_uint),
		cmocka_unit_test(test_str_split),
		cmocka_unit_test(test_str_misc),
		cmocka_unit_test(test_log_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
