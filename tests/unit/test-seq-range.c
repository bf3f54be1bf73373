#include "test-common.h"

#include "buffer.h"
#include "pool.h"
#include "postern/seq-range.h"
#include "str.h"

static void test_add_merge(void **state)
{
	struct seq_range_set set;

	seq_range_set_init(&set, NULL);
	seq_range_set_add(&set, 5);
	seq_range_set_add(&set, 3);
	seq_range_set_add(&set, 4);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.ranges[0].first, 3);
	assert_int_equal(set.ranges[0].last, 5);
	seq_range_set_add_range(&set, 10, 8);
	assert_int_equal(set.count, 2);
	seq_range_set_add(&set, 7);
	seq_range_set_add(&set, 6);
	assert_int_equal(set.count, 1);
	assert_int_equal(seq_range_set_count(&set), 8);
	seq_range_set_add_range(&set, 20, UINT32_MAX);
	seq_range_set_add_range(&set, 1, UINT32_MAX);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.ranges[0].first, 1);
	assert_int_equal(set.ranges[0].last, UINT32_MAX);
	seq_range_set_deinit(&set);
}

static void test_remove(void **state)
{
	struct seq_range_set set;

	seq_range_set_init(&set, NULL);
	seq_range_set_add_range(&set, 1, 100);
	assert_int_equal(seq_range_set_remove(&set, 50), 1);
	assert_int_equal(set.count, 2);
	assert_int_equal(seq_range_set_remove_range(&set, 40, 60), 20);
	assert_int_equal(seq_range_set_remove_range(&set, 1, 1), 1);
	assert_int_equal(seq_range_set_remove_range(&set, 100, 200), 1);
	assert_int_equal(set.count, 2);
	assert_int_equal(set.ranges[0].first, 2);
	assert_int_equal(set.ranges[0].last, 39);
	assert_int_equal(set.ranges[1].first, 61);
	assert_int_equal(set.ranges[1].last, 99);
	assert_int_equal(seq_range_set_remove_range(&set, 1, 1000), 77);
	assert_int_equal(set.count, 0);
	seq_range_set_deinit(&set);
}

static void test_nth_position(void **state)
{
	struct seq_range_set set;

	seq_range_set_init(&set, NULL);
	seq_range_set_add_range(&set, 10, 12);
	seq_range_set_add_range(&set, 20, 21);
	seq_range_set_add(&set, 30);
	assert_int_equal(seq_range_set_nth(&set, 1), 10);
	assert_int_equal(seq_range_set_nth(&set, 3), 12);
	assert_int_equal(seq_range_set_nth(&set, 4), 20);
	assert_int_equal(seq_range_set_nth(&set, 6), 30);
	assert_int_equal(seq_range_set_nth(&set, 7), 0);
	assert_int_equal(seq_range_set_nth(&set, 0), 0);
	assert_int_equal(seq_range_set_position(&set, 21), 5);
	assert_int_equal(seq_range_set_position(&set, 15), 0);
	assert_int_equal(seq_range_set_position(&set, 30), 6);
	assert_true(seq_range_set_contains(&set, 11));
	assert_false(seq_range_set_contains(&set, 13));
	assert_int_equal(seq_range_set_min(&set), 10);
	assert_int_equal(seq_range_set_max(&set), 30);
	seq_range_set_deinit(&set);
}

static void test_intersect(void **state)
{
	struct seq_range_set a, b;

	seq_range_set_init(&a, NULL);
	seq_range_set_init(&b, NULL);
	seq_range_set_add_range(&a, 1, 10);
	seq_range_set_add_range(&a, 20, 30);
	seq_range_set_add_range(&b, 5, 25);
	seq_range_set_intersect(&a, &b);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.ranges[0].first, 5);
	assert_int_equal(a.ranges[0].last, 10);
	assert_int_equal(a.ranges[1].first, 20);
	assert_int_equal(a.ranges[1].last, 25);
	seq_range_set_deinit(&a);
	seq_range_set_deinit(&b);
}

static void test_parse_write(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "1", "1" },
		{ "1:3,5", "1:3,5" },
		{ "5:1", "1:5" },
		{ "3,1,2", "1:3" },
		{ "1:*", "1:4294967295" },
		{ "*", "4294967295" },
	};
	static const char *const bad[] = { "",     "0",          "1,",
					   ",1",   "1:",         "a",
					   "1::2", "4294967296", "01x" };
	struct pool *pool = pool_create("test", 1024);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seq_range_set set;
		string_t *str = str_new(64, 1024);

		seq_range_set_init(&set, pool);
		assert_int_equal(seq_range_set_parse(&set, cases[i].in), 0);
		assert_int_equal(seq_range_set_write(&set, str), 0);
		assert_string_equal(str_c(str), cases[i].out);
		str_free(&str);
	}
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seq_range_set set;

		seq_range_set_init(&set, pool);
		assert_int_equal(seq_range_set_parse(&set, bad[i]), -1);
		assert_int_equal(set.count, 0);
	}
	pool_destroy(&pool);
}

static void test_resolve_star(void **state)
{
	struct seq_range r;

	r = seq_range_resolve_star((struct seq_range){ 5, SEQ_RANGE_STAR }, 3);
	assert_int_equal(r.first, 3);
	assert_int_equal(r.last, 5);
	r = seq_range_resolve_star((struct seq_range){ 2, SEQ_RANGE_STAR }, 9);
	assert_int_equal(r.first, 2);
	assert_int_equal(r.last, 9);
	r = seq_range_resolve_star(
		(struct seq_range){ SEQ_RANGE_STAR, SEQ_RANGE_STAR }, 4);
	assert_int_equal(r.first, 4);
	assert_int_equal(r.last, 4);
	r = seq_range_resolve_star((struct seq_range){ 7, 2 }, 4);
	assert_int_equal(r.first, 2);
	assert_int_equal(r.last, 7);
}

/* A 50,000-message view with few gaps is a few ranges, not an array. */
static void test_view_is_small(void **state)
{
	struct seq_range_set set;

	seq_range_set_init(&set, NULL);
	for (uint32_t uid = 1; uid <= 50000; uid++) {
		if (uid % 10000 != 0)
			seq_range_set_add(&set, uid);
	}
	assert_int_equal(set.count, 5);
	assert_true(set.alloc * sizeof(struct seq_range) <= 64);
	assert_int_equal(seq_range_set_count(&set), 49995);
	seq_range_set_deinit(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merge),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_nth_position),
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_parse_write),
		cmocka_unit_test(test_resolve_star),
		cmocka_unit_test(test_view_is_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
