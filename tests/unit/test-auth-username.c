#include "test-common.h"

#include "auth-username.h"
#include "pool.h"

#include <string.h>

static const char *fmt(struct pool *pool, const char *format, const char *user)
{
	const char *result, *error;

	if (auth_username_format(pool, format, user, &result, &error) < 0)
		return NULL;
	return result;
}

static void test_format(void **state)
{
	struct pool *pool = pool_create("test", 0);

	assert_string_equal(fmt(pool, "%u", "Alice@Example.TEST"),
			    "Alice@Example.TEST");
	assert_string_equal(fmt(pool, "%Lu", "Alice@Example.TEST"),
			    "alice@example.test");
	assert_string_equal(fmt(pool, "%Ln", "Alice@Example.TEST"), "alice");
	assert_string_equal(fmt(pool, "%Un", "alice"), "ALICE");
	assert_string_equal(fmt(pool, "%d", "alice@example.test"),
			    "example.test");
	assert_string_equal(fmt(pool, "%d", "alice"), "");
	assert_string_equal(fmt(pool, "%n@%Ld", "a@B.C"), "a@b.c");
	assert_string_equal(fmt(pool, "100%%-%n", "a@b"), "100%-a");
	/* the last '@' splits, as for "user@host"@domain */
	assert_string_equal(fmt(pool, "%n", "a@b@c"), "a@b");
	assert_null(fmt(pool, "%x", "a"));
	assert_null(fmt(pool, "%", "a"));
	assert_null(fmt(pool, "%L", "a"));
	pool_destroy(&pool);
}

static void test_format_check(void **state)
{
	const char *error;

	assert_int_equal(auth_username_format_check("%Lu", &error), 0);
	assert_int_equal(auth_username_format_check("%Ln@x", &error), 0);
	assert_int_equal(auth_username_format_check("%q", &error), -1);
}

static void test_normalize(void **state)
{
	struct pool *pool = pool_create("test", 0);
	const char *result, *error;
	char long_name[300];

	assert_int_equal(auth_username_normalize(pool, "%Lu", "example.test",
						 "Bob", &result, &error),
			 0);
	assert_string_equal(result, "bob@example.test");
	assert_int_equal(auth_username_normalize(pool, "%Lu", "example.test",
						 "bob@other.test", &result,
						 &error),
			 0);
	assert_string_equal(result, "bob@other.test");
	/* LMTP's alice@example.test and IMAP's alice as one user */
	assert_int_equal(auth_username_normalize(pool, "%Ln", "",
						 "Alice@Example.test", &result,
						 &error),
			 0);
	assert_string_equal(result, "alice");
	assert_int_equal(
		auth_username_normalize(pool, "%Lu", "", "", &result, &error),
		-1);
	assert_int_equal(auth_username_normalize(pool, "%Lu", "", "a\tb",
						 &result, &error),
			 -1);
	assert_int_equal(auth_username_normalize(pool, "%d", "", "alice",
						 &result, &error),
			 -1);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(auth_username_normalize(pool, "%u", "", long_name,
						 &result, &error),
			 -1);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_check),
		cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
