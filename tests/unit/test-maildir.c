#include "test-common.h"

#include "maildir-private.h"
#include "mail-glue.h"
#include "pool.h"
#include "str.h"

#include <string.h>

static void test_filename_parse(void **state)
{
	struct maildir_filename fn;

	assert_int_equal(
		maildir_filename_parse(
			"1700000000.M1P2.host,S=100,W=102,U=7:2,FSab", &fn),
		0);
	assert_int_equal(fn.base_len,
			 strlen("1700000000.M1P2.host,S=100,W=102,U=7"));
	assert_int_equal(fn.size, 100);
	assert_int_equal(fn.vsize, 102);
	assert_int_equal(fn.uid, 7);
	assert_true(fn.has_info);
	assert_int_equal(fn.flags, MAIL_FLAGGED | MAIL_SEEN);
	assert_int_equal(fn.keyword_letters, 3);
	assert_string_equal(fn.extra, "");

	assert_int_equal(maildir_filename_parse("abc:2,PS,xyz", &fn), 0);
	assert_int_equal(fn.flags, MAIL_SEEN);
	assert_string_equal(fn.extra, "P,xyz");
	assert_int_equal(fn.uid, 0);

	/* no info part: new/ */
	assert_int_equal(maildir_filename_parse("abc,U=99", &fn), 0);
	assert_false(fn.has_info);
	assert_int_equal(fn.uid, 99);
	/* bad numbers are not fields */
	assert_int_equal(maildir_filename_parse("abc,U=9x,S=", &fn), 0);
	assert_int_equal(fn.uid, 0);
	assert_int_equal(fn.size, 0);

	assert_int_equal(maildir_filename_parse("", &fn), -1);
	assert_int_equal(maildir_filename_parse(".hidden", &fn), -1);
	assert_int_equal(maildir_filename_parse(":2,S", &fn), -1);
}

static void test_filename_build(void **state)
{
	struct pool *pool = pool_create("test", 1024);

	assert_string_equal(
		maildir_filename_build(pool, "b", MAIL_SEEN | MAIL_DELETED,
				       (1 << 0) | (1 << 2) | (1ULL << 40), "P",
				       false),
		"b:2,PSTac");
	assert_string_equal(
		maildir_filename_build(pool, "b", 0, 0, NULL, false), "b:2,");
	assert_string_equal(maildir_filename_build(pool, "b",
						   MAIL_DRAFT | MAIL_ANSWERED,
						   0, "P,x", false),
			    "b:2,DPR,x");
	assert_string_equal(
		maildir_filename_build(pool, "b", MAIL_SEEN, 0, NULL, true),
		"b");
	assert_string_equal(
		maildir_filename_set_fields(pool, "1.M2.h,S=1,U=5", 10, 12, 6),
		"1.M2.h,S=10,W=12,U=6");
	assert_string_equal(maildir_filename_set_uid(pool, "1.M2.h,S=1,W=2", 9),
			    "1.M2.h,S=1,W=2,U=9");
	assert_string_equal(maildir_filename_set_uid(pool, "1.M2.h,U=1,S=1", 9),
			    "1.M2.h,S=1,U=9");
	pool_destroy(&pool);
}

static void test_guid_part(void **state)
{
	char buf[256];

	maildir_filename_guid_part("1.M2.h,S=1,W=2,U=9", buf, sizeof(buf));
	assert_string_equal(buf, "1.M2.h,S=1,W=2");
	maildir_filename_guid_part("plain", buf, sizeof(buf));
	assert_string_equal(buf, "plain");
}

static void test_unique_names_differ(void **state)
{
	struct pool *pool = pool_create("test", 1024);
	const char *a = maildir_filename_unique(pool);
	const char *b = maildir_filename_unique(pool);

	assert_string_not_equal(a, b);
	assert_null(strchr(a, '/'));
	assert_null(strchr(a, ':'));
	pool_destroy(&pool);
}

static void test_uidlist_v3(void **state)
{
	static const char data[] =
		"3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1\n"
		"25006 :1276528487.M364837P9451.kurkku,S=1355,W=1394:2,\n"
		"25017 W2481 P0000001d4d1e8c2a "
		"G0123456789abcdef0123456789abcdef "
		":1276533073.M242911P3632.kurkku:2,F\n"
		"garbage line\n"
		"25018 W1 \n";
	struct pool *pool = pool_create("test", 1024);
	struct maildir_uidlist list;
	const char *error;

	assert_int_equal(maildir_uidlist_parse(data, sizeof(data) - 1, pool,
					       &list, &error),
			 0);
	assert_int_equal(list.version, 3);
	assert_int_equal(list.uidvalidity, 1275660208);
	assert_int_equal(list.nextuid, 25022);
	assert_true(list.have_guid);
	assert_int_equal(list.guid[0], 0x30);
	assert_int_equal(list.count, 2);
	assert_int_equal(list.recs[0].uid, 25006);
	assert_string_equal(list.recs[0].base,
			    "1276528487.M364837P9451.kurkku,S=1355,W=1394");
	assert_int_equal(list.recs[1].uid, 25017);
	assert_int_equal(list.recs[1].vsize, 2481);
	assert_string_equal(list.recs[1].pop3_uidl, "0000001d4d1e8c2a");
	assert_non_null(list.recs[1].guid);
	assert_string_equal(list.recs[1].base,
			    "1276533073.M242911P3632.kurkku");
	pool_destroy(&pool);
}

static void test_uidlist_v1_courier(void **state)
{
	static const char data[] = "1 1234567890 5\n"
				   "1 1234567001.12345_0.host:2,S\n"
				   "3 1234567002.12346_0.host\n";
	static const char *const bad[] = { "", "2 1 1\n", "1 x 5\n", "3 N5\n",
					   "1 0 5\n" };
	struct pool *pool = pool_create("test", 1024);
	struct maildir_uidlist list;
	const char *error;

	assert_int_equal(maildir_uidlist_parse(data, sizeof(data) - 1, pool,
					       &list, &error),
			 0);
	assert_int_equal(list.version, 1);
	assert_int_equal(list.uidvalidity, 1234567890);
	assert_int_equal(list.nextuid, 5);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.recs[0].base, "1234567001.12345_0.host");
	assert_int_equal(list.recs[1].uid, 3);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(maildir_uidlist_parse(bad[i], strlen(bad[i]),
						       pool, &list, &error),
				 -1);
	}
	pool_destroy(&pool);
}

static void test_keywords_parse(void **state)
{
	static const char data[] = "0 $Junk\n2 $NonJunk\n30 toohigh\nx y\n"
				   "1 bad(keyword\n";
	struct pool *pool = pool_create("test", 1024);
	const char *names[MAILDIR_MAX_KEYWORD_LETTERS];

	assert_int_equal(
		maildir_keywords_parse(data, sizeof(data) - 1, pool, names), 3);
	assert_string_equal(names[0], "$Junk");
	assert_null(names[1]);
	assert_string_equal(names[2], "$NonJunk");
	pool_destroy(&pool);
}

static void test_record_parse(void **state)
{
	static const char data[] =
		"postern-mailbox 1\nuidvalidity 42\n"
		"guid 000102030405060708090a0b0c0d0e0f\nspecial-use 4\n"
		"uid-high-water 10\nmodseq-high-water 99\nfuture-key x\n";
	struct mailbox_record record;

	assert_int_equal(maildir_record_parse(data, sizeof(data) - 1, &record),
			 0);
	assert_int_equal(record.uidvalidity, 42);
	assert_int_equal(record.guid[15], 15);
	assert_int_equal(record.special_use, MAILBOX_SPECIAL_DRAFTS);
	assert_int_equal(record.uid_high_water, 10);
	assert_int_equal(record.modseq_high_water, 99);
	assert_int_equal(maildir_record_parse("junk\n", 5, &record), -1);
	assert_int_equal(
		maildir_record_parse("postern-mailbox 1\n", 18, &record), -1);
}

static void test_mutf7(void **state)
{
	static const struct {
		const char *utf8, *mutf7;
	} cases[] = {
		{ "INBOX", "INBOX" },
		{ "a&b", "a&-b" },
		{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "&ZeVnLIqe-" },
		{ "\xf0\x9f\x93\xa7 mail", "&2D3c5w- mail" },
		{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
		  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	};
	static const char *const bad_mutf7[] = { "&", "&Jjo", "&AGE-", "a\x01",
						 "&2D3-" };

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		string_t *str = str_new(64, 1024);

		assert_int_equal(mail_glue_utf8_to_mutf7(cases[i].utf8, str),
				 0);
		assert_string_equal(str_c(str), cases[i].mutf7);
		str_truncate(str, 0);
		assert_int_equal(mail_glue_mutf7_to_utf8(cases[i].mutf7, str),
				 0);
		assert_string_equal(str_c(str), cases[i].utf8);
		str_free(&str);
	}
	for (unsigned int i = 0; i < sizeof(bad_mutf7) / sizeof(bad_mutf7[0]);
	     i++) {
		string_t *str = str_new(64, 1024);

		assert_int_equal(mail_glue_mutf7_to_utf8(bad_mutf7[i], str),
				 -1);
		str_free(&str);
	}
}

static void test_folder_names(void **state)
{
	static const struct {
		const char *name, *dir;
	} cases[] = {
		{ "Sent", ".Sent" },
		{ "a/b", ".a.b" },
		{ "Mr. Smith", ".Mr\\2e Smith" },
		{ "x\\y", ".x\\5cy" },
		{ "Entw\xc3\xbcrfe", ".Entw&APw-rfe" },
		{ "a/~home", ".a.\\7ehome" },
		{ "INBOX/child", ".INBOX.child" },
	};
	struct pool *pool = pool_create("test", 1024);
	struct mail_storage storage = { .root = "/r" };

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *dir =
			maildir_name_to_dir(&storage, pool, cases[i].name);

		assert_non_null(dir);
		assert_string_equal(dir + 3, cases[i].dir);
		assert_string_equal(maildir_dir_to_name(pool, cases[i].dir),
				    cases[i].name);
	}
	assert_string_equal(maildir_name_to_dir(&storage, pool, "INBOX"), "/r");
	/* entries that are no mailboxes */
	assert_null(maildir_dir_to_name(pool, ".."));
	assert_null(maildir_dir_to_name(pool, "."));
	assert_null(maildir_dir_to_name(pool, "..postern-deleted-1"));
	assert_null(maildir_dir_to_name(pool, ".a..b"));
	assert_null(maildir_dir_to_name(pool, "cur"));
	assert_null(maildir_dir_to_name(pool, ".a\\zz"));
	assert_null(maildir_dir_to_name(pool, ".\\2e\\2e"));
	pool_destroy(&pool);
}

static void test_name_validate(void **state)
{
	static const char *const good[] = { "INBOX",     "a",    "a/b",
					    "Mr. Smith", "a..b", "\xc3\xa4",
					    "x/.y" };
	static const char *const bad[] = {
		"",       "/",   "/etc",  "a//b",    "a/",   "..",
		"a/../b", ".",   "a/./b", "~root",   "a\tb", "a\x7f",
		"a*",     "a%b", "\xc3",  "\xc0\xaf"
	};
	const char *error;

	for (unsigned int i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(mailbox_name_validate(good[i], &error), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mailbox_name_validate(bad[i], &error), -1);
		assert_non_null(error);
	}
}

static void test_name_match(void **state)
{
	assert_true(mailbox_name_match("*", "a/b/c"));
	assert_true(mailbox_name_match("%", "a"));
	assert_false(mailbox_name_match("%", "a/b"));
	assert_true(mailbox_name_match("a/%", "a/b"));
	assert_false(mailbox_name_match("a/%", "a/b/c"));
	assert_true(mailbox_name_match("a*c", "a/b/c"));
	assert_true(mailbox_name_match("inbox", "INBOX"));
	assert_true(mailbox_name_match("Inbox/%", "INBOX/x"));
	assert_false(mailbox_name_match("b", "a"));
	assert_true(mailbox_name_match("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaab"));
	assert_false(mailbox_name_match(
		"*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_keyword_validate(void **state)
{
	assert_int_equal(mail_keyword_validate("$Junk"), 0);
	assert_int_equal(mail_keyword_validate("\\Seen"), -1);
	assert_int_equal(mail_keyword_validate("a b"), -1);
	assert_int_equal(mail_keyword_validate(""), -1);
	assert_int_equal(mail_keyword_validate("a]"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filename_parse),
		cmocka_unit_test(test_filename_build),
		cmocka_unit_test(test_guid_part),
		cmocka_unit_test(test_unique_names_differ),
		cmocka_unit_test(test_uidlist_v3),
		cmocka_unit_test(test_uidlist_v1_courier),
		cmocka_unit_test(test_keywords_parse),
		cmocka_unit_test(test_record_parse),
		cmocka_unit_test(test_mutf7),
		cmocka_unit_test(test_folder_names),
		cmocka_unit_test(test_name_validate),
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_keyword_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
