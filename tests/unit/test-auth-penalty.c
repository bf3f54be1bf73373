#include "test-common.h"

#include "auth-cache.h"
#include "auth-penalty.h"

#include <stdio.h>

#include <sodium.h>
#include <string.h>

#define NOW 1700000000

static void test_delay_grows_and_caps(void **state)
{
	struct auth_penalty *p = auth_penalty_create(15, 0);
	const unsigned int expect[] = { 1, 2, 4, 8, 15, 15 };

	assert_int_equal(
		auth_penalty_get_delay_msecs(p, "192.0.2.1", NULL, NOW), 0);
	for (unsigned int i = 0; i < N_ELEMENTS(expect); i++) {
		auth_penalty_failure(p, "192.0.2.1", "alice", NOW);
		assert_int_equal(
			auth_penalty_get_delay_msecs(p, "192.0.2.1", NULL, NOW),
			expect[i] * 1000);
		/* the user's counter applies from any IP */
		assert_int_equal(auth_penalty_get_delay_msecs(p, "192.0.2.9",
							      "alice", NOW),
				 expect[i] * 1000);
	}
	assert_int_equal(
		auth_penalty_get_delay_msecs(p, "192.0.2.2", "bob", NOW), 0);
	/* expired after an hour without failures */
	assert_int_equal(
		auth_penalty_get_delay_msecs(p, "192.0.2.1", "alice",
					     NOW + AUTH_PENALTY_EXPIRE_SECS),
		0);
	/* a success clears the user and the IP's delay */
	auth_penalty_success(p, "192.0.2.1", "alice");
	assert_int_equal(
		auth_penalty_get_delay_msecs(p, "192.0.2.1", "alice", NOW), 0);
	auth_penalty_free(&p);
	assert_null(p);
}

static void test_disabled_delay(void **state)
{
	struct auth_penalty *p = auth_penalty_create(0, 0);

	auth_penalty_failure(p, "192.0.2.1", "alice", NOW);
	assert_int_equal(
		auth_penalty_get_delay_msecs(p, "192.0.2.1", "alice", NOW), 0);
	assert_false(auth_penalty_is_blocked(p, "192.0.2.1", NOW));
	auth_penalty_free(&p);
}

static void test_per_minute_limit(void **state)
{
	struct auth_penalty *p = auth_penalty_create(15, 3);

	for (unsigned int i = 0; i < 3; i++) {
		assert_false(auth_penalty_is_blocked(p, "192.0.2.1", NOW + i));
		auth_penalty_failure(p, "192.0.2.1", NULL, NOW + i);
	}
	assert_true(auth_penalty_is_blocked(p, "192.0.2.1", NOW + 10));
	assert_false(auth_penalty_is_blocked(p, "192.0.2.2", NOW + 10));
	/* a success in between does not reset the minute */
	auth_penalty_success(p, "192.0.2.1", NULL);
	assert_true(auth_penalty_is_blocked(p, "192.0.2.1", NOW + 10));
	assert_false(auth_penalty_is_blocked(p, "192.0.2.1", NOW + 61));
	auth_penalty_free(&p);
}

static void test_persistence(void **state)
{
	struct auth_penalty *p = auth_penalty_create(15, 2), *q;
	string_t *text = str_new(256, 65536);

	assert_false(auth_penalty_is_dirty(p));
	auth_penalty_failure(p, "192.0.2.1", "alice", NOW);
	auth_penalty_failure(p, "192.0.2.1", "alice", NOW);
	auth_penalty_failure(p, "2001:db8::1", NULL, NOW - 2 * 3600);
	assert_true(auth_penalty_is_dirty(p));
	auth_penalty_serialize(p, text);
	assert_false(auth_penalty_is_dirty(p));
	assert_non_null(strstr(str_c(text), "ip:192.0.2.1\t2\t"));

	q = auth_penalty_create(15, 2);
	str_append(text, "garbage line\nip:x\t1\n\nuser:\tz\t1\t1\t1\n");
	auth_penalty_load(q, str_c(text), NOW + 5);
	assert_int_equal(
		auth_penalty_get_delay_msecs(q, "192.0.2.1", NULL, NOW + 5),
		2000);
	assert_int_equal(
		auth_penalty_get_delay_msecs(q, NULL, "alice", NOW + 5), 2000);
	assert_true(auth_penalty_is_blocked(q, "192.0.2.1", NOW + 5));
	/* the expired record was dropped on load */
	str_truncate(text, 0);
	auth_penalty_serialize(q, text);
	assert_null(strstr(str_c(text), "2001:db8::1"));
	str_free(&text);
	auth_penalty_free(&p);
	auth_penalty_free(&q);
}

static void test_cache(void **state)
{
	struct auth_cache *cache = auth_cache_create(60, 100);
	unsigned char k1[AUTH_CACHE_KEY_SIZE], k2[AUTH_CACHE_KEY_SIZE];
	unsigned char k3[AUTH_CACHE_KEY_SIZE];

	auth_cache_key(cache, "alice", "{ARGON2ID}old", "secret", k1);
	auth_cache_key(cache, "alice", "{ARGON2ID}new", "secret", k2);
	auth_cache_key(cache, "alice", "{ARGON2ID}old", "secreT", k3);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	assert_memory_not_equal(k1, k3, sizeof(k1));
	assert_false(auth_cache_lookup(cache, k1, NOW));
	auth_cache_insert(cache, k1, NOW);
	assert_true(auth_cache_lookup(cache, k1, NOW + 59));
	/* a changed stored hash (password change) misses */
	assert_false(auth_cache_lookup(cache, k2, NOW));
	assert_false(auth_cache_lookup(cache, k3, NOW));
	/* TTL */
	assert_false(auth_cache_lookup(cache, k1, NOW + 60));
	assert_int_equal(auth_cache_count(cache), 1);
	auth_cache_clear(cache);
	assert_false(auth_cache_lookup(cache, k1, NOW));
	auth_cache_free(&cache);
}

static void test_cache_bounded_and_disabled(void **state)
{
	struct auth_cache *cache = auth_cache_create(60, 8), *off;
	unsigned char key[AUTH_CACHE_KEY_SIZE];
	char user[16];

	for (unsigned int i = 0; i < 100; i++) {
		snprintf(user, sizeof(user), "u%u", i);
		auth_cache_key(cache, user, "h", "p", key);
		auth_cache_insert(cache, key, NOW + i);
	}
	assert_true(auth_cache_count(cache) <= 8);
	assert_true(auth_cache_lookup(cache, key, NOW + 100));
	auth_cache_free(&cache);

	off = auth_cache_create(0, 100);
	auth_cache_key(off, "a", "h", "p", key);
	auth_cache_insert(off, key, NOW);
	assert_false(auth_cache_lookup(off, key, NOW));
	auth_cache_free(&off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_grows_and_caps),
		cmocka_unit_test(test_disabled_delay),
		cmocka_unit_test(test_per_minute_limit),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_bounded_and_disabled),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
