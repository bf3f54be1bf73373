#include "test-common.h"

#include "imap-seqset.h"
#include "pool.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

static const char *set_str(const struct seq_range_set *set)
{
	static char buf[256];
	string_t *str = str_new(64, SIZE_MAX);

	(void)seq_range_set_write(set, str);
	snprintf(buf, sizeof(buf), "%s", str_c(str));
	str_free(&str);
	return buf;
}

static void test_seqset_parse(void **state)
{
	static const struct {
		const char *input;
		/* NULL: error */
		const char *ranges;
	} cases[] = {
		{ "1", "1:1" },
		{ "1,3:5", "1:1,3:5" },
		{ "5:3", "5:3" },
		{ "*", "*:*" },
		{ "7:*", "7:*" },
		{ "*:7", "*:7" },
		{ "4294967295", "4294967295:4294967295" },
		{ "4294967296", NULL },
		{ "0", NULL },
		{ "1:0", NULL },
		{ "", NULL },
		{ "1,", NULL },
		{ ",1", NULL },
		{ "1,,2", NULL },
		{ "1:2:3", NULL },
		{ "+1", NULL },
		{ "1 ", NULL },
		{ "$,1", NULL },
		{ "1,$", NULL },
		{ "$$", NULL },
		{ "a", NULL },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pool *pool = pool_create("test", 0);
		struct imap_seqset set;
		const char *error;
		char buf[256] = "";
		int ret = imap_seqset_parse(pool, cases[i].input, &set, &error);

		if (cases[i].ranges == NULL) {
			if (ret == 0)
				fail_msg("'%s' parsed", cases[i].input);
			pool_destroy(&pool);
			continue;
		}
		assert_int_equal(ret, 0);
		for (unsigned int j = 0; j < set.count; j++) {
			char num[2][16];

			for (int k = 0; k < 2; k++) {
				uint32_t n = k == 0 ? set.ranges[j].first
						    : set.ranges[j].last;
				if (n == IMAP_SEQSET_STAR)
					snprintf(num[k], sizeof(num[k]), "*");
				else
					snprintf(num[k], sizeof(num[k]), "%u",
						 n);
			}
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%s%s:%s", j > 0 ? "," : "", num[0], num[1]);
		}
		assert_string_equal(buf, cases[i].ranges);
		pool_destroy(&pool);
	}
}

static void test_seqset_saved(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_seqset set;
	const char *error;

	assert_int_equal(imap_seqset_parse(pool, "$", &set, &error), 0);
	assert_true(set.saved);
	assert_int_equal(set.count, 0);
	pool_destroy(&pool);
}

struct resolve_case {
	const char *input;
	bool uid;
	/* NULL: BAD */
	const char *uids;
};

static void check_resolve(const struct seq_range_set *view,
			  const struct seq_range_set *saved,
			  const struct resolve_case *c)
{
	struct pool *pool = pool_create("test", 0);
	struct seq_range_set uids;
	struct imap_seqset set;
	const char *error;
	int ret;

	assert_int_equal(imap_seqset_parse(pool, c->input, &set, &error), 0);
	seq_range_set_init(&uids, pool);
	ret = imap_seqset_to_uids(view, &set, c->uid, saved, &uids, &error);
	if (c->uids == NULL) {
		if (ret == 0)
			fail_msg("%s%s resolved to %s", c->uid ? "UID " : "",
				 c->input, set_str(&uids));
	} else {
		if (ret < 0)
			fail_msg("%s%s failed", c->uid ? "UID " : "", c->input);
		assert_string_equal(set_str(&uids), c->uids);
	}
	pool_destroy(&pool);
}

static void test_seqset_resolve(void **state)
{
	/* the view: UIDs 10:12,20,30:31 = sequences 1..6 */
	static const struct resolve_case cases[] = {
		{ "1", false, "10" },
		{ "1:*", false, "10:12,20,30:31" },
		{ "*", false, "31" },
		{ "*:4", false, "20,30:31" },
		{ "6:4", false, "20,30:31" },
		{ "2,4", false, "11,20" },
		{ "7", false, NULL },
		{ "7:*", false, NULL },
		{ "5:7", false, NULL },
		{ "$", false, "11:12,31" },
		{ "$", true, "11:12,31" },
		{ "1:*", true, "10:12,20,30:31" },
		{ "12:25", true, "12,20" },
		{ "100:*", true, "31" },
		{ "*:100", true, "31" },
		{ "*", true, "31" },
		{ "13:19", true, "" },
		{ "4294967295", true, "" },
	};
	struct seq_range_set view, saved;

	seq_range_set_init(&view, NULL);
	seq_range_set_add_range(&view, 10, 12);
	seq_range_set_add(&view, 20);
	seq_range_set_add_range(&view, 30, 31);
	seq_range_set_init(&saved, NULL);
	seq_range_set_add_range(&saved, 11, 12);
	seq_range_set_add(&saved, 15); /* expunged meanwhile */
	seq_range_set_add(&saved, 31);
	for (size_t i = 0; i < N_ELEMENTS(cases); i++)
		check_resolve(&view, &saved, &cases[i]);
	seq_range_set_deinit(&view);
	seq_range_set_deinit(&saved);
}

static void test_seqset_resolve_empty(void **state)
{
	static const struct resolve_case cases[] = {
		{ "1", false, NULL },   { "*", false, NULL },
		{ "1:*", false, NULL }, { "$", false, "" },
		{ "1:*", true, "" },    { "*", true, "" },
	};
	struct seq_range_set view, saved;

	seq_range_set_init(&view, NULL);
	seq_range_set_init(&saved, NULL);
	for (size_t i = 0; i < N_ELEMENTS(cases); i++)
		check_resolve(&view, &saved, &cases[i]);
}

static void test_seqset_uids_to_seqs(void **state)
{
	struct seq_range_set view, uids, seqs;

	seq_range_set_init(&view, NULL);
	seq_range_set_add_range(&view, 10, 12);
	seq_range_set_add(&view, 20);
	seq_range_set_add_range(&view, 30, 40);
	seq_range_set_init(&uids, NULL);
	seq_range_set_add_range(&uids, 1, 11);
	seq_range_set_add_range(&uids, 15, 20);
	seq_range_set_add_range(&uids, 35, 36);
	seq_range_set_add(&uids, 40);
	seq_range_set_add(&uids, 50);
	seq_range_set_init(&seqs, NULL);
	imap_seqset_uids_to_seqs(&view, &uids, &seqs);
	/* 10,11 -> 1,2; 20 -> 4; 35,36 -> 10,11; 40 -> 15 */
	assert_string_equal(set_str(&seqs), "1:2,4,10:11,15");
	seq_range_set_deinit(&view);
	seq_range_set_deinit(&uids);
	seq_range_set_deinit(&seqs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqset_parse),
		cmocka_unit_test(test_seqset_saved),
		cmocka_unit_test(test_seqset_resolve),
		cmocka_unit_test(test_seqset_resolve_empty),
		cmocka_unit_test(test_seqset_uids_to_seqs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
