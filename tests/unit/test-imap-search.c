#include "test-common.h"

#include "imap-parser.h"
#include "imap-search.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* NULL if the line isn't even valid IMAP syntax. */
static const struct imap_arg *try_parse_args(struct pool *pool,
					     const char *line)
{
	struct imap_parser_settings set;
	struct imap_parser *parser;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, 0);
	if (imap_parser_feed_line(parser, line, strlen(line)) !=
	    IMAP_PARSE_DONE)
		return NULL;
	return imap_parser_get_args(parser);
}

static const struct imap_arg *parse_args(struct pool *pool, const char *line)
{
	const struct imap_arg *args = try_parse_args(pool, line);

	assert_non_null(args);
	return args;
}

static const char *const key_names[] = {
	[SEARCH_ALL] = "ALL",
	[SEARCH_SEQSET] = "SEQSET",
	[SEARCH_UIDSET] = "UIDSET",
	[SEARCH_FLAGS] = "FLAGS",
	[SEARCH_KEYWORD] = "KEYWORD",
	[SEARCH_BEFORE] = "BEFORE",
	[SEARCH_ON] = "ON",
	[SEARCH_SINCE] = "SINCE",
	[SEARCH_SENTBEFORE] = "SENTBEFORE",
	[SEARCH_SENTON] = "SENTON",
	[SEARCH_SENTSINCE] = "SENTSINCE",
	[SEARCH_SAVEDBEFORE] = "SAVEDBEFORE",
	[SEARCH_SAVEDON] = "SAVEDON",
	[SEARCH_SAVEDSINCE] = "SAVEDSINCE",
	[SEARCH_SAVEDATESUPPORTED] = "SAVEDATESUPPORTED",
	[SEARCH_LARGER] = "LARGER",
	[SEARCH_SMALLER] = "SMALLER",
	[SEARCH_HEADER] = "HEADER",
	[SEARCH_BODY] = "BODY",
	[SEARCH_TEXT] = "TEXT",
	[SEARCH_MODSEQ] = "MODSEQ",
	[SEARCH_EMAILID] = "EMAILID",
	[SEARCH_THREADID] = "THREADID",
	[SEARCH_AND] = "AND",
	[SEARCH_OR] = "OR",
	[SEARCH_NOT] = "NOT",
};

static void dump_keys(string_t *dest, const struct mail_search_key *key);

static void dump_key(string_t *dest, const struct mail_search_key *key)
{
	str_append(dest, key_names[key->type]);
	switch (key->type) {
	case SEARCH_ALL:
	case SEARCH_SAVEDATESUPPORTED:
		return;
	case SEARCH_SEQSET:
	case SEARCH_UIDSET:
		str_append_c(dest, '(');
		(void)seq_range_set_write(&key->u.set, dest);
		str_append_c(dest, ')');
		return;
	case SEARCH_FLAGS:
		str_printfa(dest, "(%u)", (unsigned int)key->u.flags);
		return;
	case SEARCH_KEYWORD:
	case SEARCH_BODY:
	case SEARCH_TEXT:
	case SEARCH_EMAILID:
	case SEARCH_THREADID:
		str_printfa(dest, "(%s)", key->u.str);
		return;
	case SEARCH_BEFORE:
	case SEARCH_ON:
	case SEARCH_SINCE:
	case SEARCH_SENTBEFORE:
	case SEARCH_SENTON:
	case SEARCH_SENTSINCE:
	case SEARCH_SAVEDBEFORE:
	case SEARCH_SAVEDON:
	case SEARCH_SAVEDSINCE:
		str_printfa(dest, "(%lld)", (long long)key->u.date);
		return;
	case SEARCH_LARGER:
	case SEARCH_SMALLER:
		str_printfa(dest, "(%llu)", (unsigned long long)key->u.size);
		return;
	case SEARCH_MODSEQ:
		str_printfa(dest, "(%llu)", (unsigned long long)key->u.modseq);
		return;
	case SEARCH_HEADER:
		str_printfa(dest, "(%s:%s)", key->u.header.name,
			    key->u.header.value);
		return;
	case SEARCH_AND:
	case SEARCH_OR:
	case SEARCH_NOT:
		str_append_c(dest, '(');
		dump_keys(dest, key->u.subkeys);
		str_append_c(dest, ')');
		return;
	}
}

static void dump_keys(string_t *dest, const struct mail_search_key *key)
{
	for (; key != NULL; key = key->next) {
		dump_key(dest, key);
		if (key->next != NULL)
			str_append_c(dest, ' ');
	}
}

struct search_case {
	const char *args;
	/* the tree after resolving sequence sets against the view below;
	   NULL: BAD */
	const char *tree;
	enum imap_search_return ret;
	bool esearch;
};

/* MAIL_SEEN 8, MAIL_RECENT 32, MAIL_ANSWERED 1, MAIL_DELETED 4,
   MAIL_FLAGGED 2, MAIL_DRAFT 16; 1-Feb-1994 is 760060800 */
static const struct search_case search_cases[] = {
	{ "ALL", "ALL" },
	{ "all", "ALL" },
	{ "ANSWERED DELETED DRAFT FLAGGED SEEN RECENT",
	  "FLAGS(1) FLAGS(4) FLAGS(16) FLAGS(2) FLAGS(8) FLAGS(32)" },
	{ "UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN OLD",
	  "NOT(FLAGS(1)) NOT(FLAGS(4)) NOT(FLAGS(16)) NOT(FLAGS(2)) "
	  "NOT(FLAGS(8)) NOT(FLAGS(32))" },
	{ "NEW", "AND(FLAGS(32) NOT(FLAGS(8)))" },
	{ "KEYWORD $Junk UNKEYWORD foo", "KEYWORD($Junk) NOT(KEYWORD(foo))" },
	{ "FROM ann TO \"bob lee\" CC c BCC d SUBJECT \"\"",
	  "HEADER(From:ann) HEADER(To:bob lee) HEADER(Cc:c) HEADER(Bcc:d) "
	  "HEADER(Subject:)" },
	{ "HEADER X-Mailer \"\"", "HEADER(X-Mailer:)" },
	{ "HEADER \"\" x", NULL },
	{ "BODY pomegranate TEXT marzipan",
	  "BODY(pomegranate) TEXT(marzipan)" },
	{ "BEFORE 1-Feb-1994 ON \"01-Feb-1994\" SINCE 1-feb-1994",
	  "BEFORE(760060800) ON(760060800) SINCE(760060800)" },
	{ "SENTBEFORE 1-Feb-1994 SENTON 1-Feb-1994 SENTSINCE 1-Feb-1994",
	  "SENTBEFORE(760060800) SENTON(760060800) SENTSINCE(760060800)" },
	{ "SAVEDBEFORE 1-Feb-1994 SAVEDON 1-Feb-1994 SAVEDSINCE 1-Feb-1994 "
	  "SAVEDATESUPPORTED",
	  "SAVEDBEFORE(760060800) SAVEDON(760060800) SAVEDSINCE(760060800) "
	  "SAVEDATESUPPORTED" },
	{ "BEFORE 32-Jan-2024", NULL },
	{ "BEFORE 1-Foo-2024", NULL },
	{ "BEFORE", NULL },
	{ "LARGER 100 SMALLER 18446744073709551615",
	  "LARGER(100) SMALLER(18446744073709551615)" },
	{ "LARGER -1", NULL },
	{ "LARGER x", NULL },
	{ "NOT NOT SEEN", "NOT(NOT(FLAGS(8)))" },
	{ "OR SEEN OR DELETED DRAFT", "OR(FLAGS(8) OR(FLAGS(4) FLAGS(16)))" },
	{ "OR SEEN", NULL },
	{ "NOT", NULL },
	{ "(SEEN DELETED) (ALL)", "AND(FLAGS(8) FLAGS(4)) AND(ALL)" },
	{ "()", NULL },
	{ "(SEEN", NULL },
	{ "MODSEQ 12345", "MODSEQ(12345)" },
	{ "MODSEQ \"/flags/\\\\Seen\" all 5", "MODSEQ(5)" },
	{ "MODSEQ \"/flags/\\\\Seen\" foo 5", NULL },
	{ "MODSEQ 9223372036854775808", NULL },
	{ "EMAILID M123 THREADID T456", "EMAILID(M123) THREADID(T456)" },
	/* the view is UIDs 10:12,20,30:31 = sequences 1..6 */
	{ "1:3", "UIDSET(10:12)" },
	{ "5:*", "UIDSET(30:31)" },
	{ "7:*", "UIDSET(31)" },
	{ "9", "UIDSET()" },
	{ "UID 11:25", "UIDSET(11:12,20)" },
	{ "UID 40:*", "UIDSET(31)" },
	{ "$", "UIDSET(12,31)" },
	{ "UID $", "UIDSET(12,31)" },
	{ "1,,2", NULL },
	{ "UID x", NULL },
	{ "FOO", NULL },
	{ "", NULL },
	{ "CHARSET UTF-8 SUBJECT x", "HEADER(Subject:x)" },
	{ "CHARSET us-ascii ALL", "ALL" },
	{ "CHARSET", NULL },
	{ "CHARSET UTF-8", NULL },
	{ "RETURN (MIN MAX) ALL", "ALL",
	  IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX, true },
	{ "RETURN () ALL", "ALL", IMAP_SEARCH_RETURN_ALL, true },
	{ "RETURN (count SAVE) ALL", "ALL",
	  IMAP_SEARCH_RETURN_COUNT | IMAP_SEARCH_RETURN_SAVE, true },
	{ "RETURN (FOO) ALL", NULL },
	{ "RETURN ALL", NULL },
	{ "ALL RETURN (MIN)", NULL },
	{ "ALL CHARSET UTF-8", NULL },
};

static void check_search_case(const struct search_case *c)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_search_query query;
	struct seq_range_set view, saved;
	string_t *tree = str_new(256, SIZE_MAX);
	const struct imap_arg *args = try_parse_args(pool, c->args);
	const char *error = NULL;
	enum imap_search_parse_result ret;

	if (args == NULL) {
		/* a syntax error of the command line itself */
		assert_null(c->tree);
		goto end;
	}
	ret = imap_search_parse(pool, args, false, &query, &error);
	if (c->tree == NULL) {
		if (ret != IMAP_SEARCH_PARSE_BAD)
			fail_msg("'%s' parsed: %d", c->args, ret);
		assert_non_null(error);
		goto end;
	}
	if (ret != IMAP_SEARCH_PARSE_OK)
		fail_msg("'%s' failed: %s", c->args, error);
	seq_range_set_init(&view, pool);
	seq_range_set_add_range(&view, 10, 12);
	seq_range_set_add(&view, 20);
	seq_range_set_add_range(&view, 30, 31);
	seq_range_set_init(&saved, pool);
	seq_range_set_add(&saved, 12);
	seq_range_set_add(&saved, 15);
	seq_range_set_add(&saved, 31);
	imap_search_resolve_seqsets(pool, &query, &view, &saved);
	dump_keys(tree, query.keys);
	assert_string_equal(str_c(tree), c->tree);
	assert_int_equal(query.ret, c->ret);
	assert_int_equal(query.esearch, c->esearch);
end:
	str_free(&tree);
	pool_destroy(&pool);
}

static void test_search_parse(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(search_cases); i++)
		check_search_case(&search_cases[i]);
}

static void test_search_charset(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_search_query query;
	const char *error;

	/* ISO-8859-1 "Zürich" becomes UTF-8 */
	assert_int_equal(
		imap_search_parse(pool,
				  parse_args(pool, "CHARSET ISO-8859-1 "
						   "SUBJECT \"Z\xfcrich\""),
				  false, &query, &error),
		IMAP_SEARCH_PARSE_OK);
	assert_string_equal(query.keys->u.header.value, "Z\xc3\xbcrich");
	/* invalid UTF-8 becomes U+FFFD */
	assert_int_equal(imap_search_parse(pool,
					   parse_args(pool, "BODY \"a\xff\""),
					   false, &query, &error),
			 IMAP_SEARCH_PARSE_OK);
	assert_string_equal(query.keys->u.str, "a\xef\xbf\xbd");
	assert_int_equal(
		imap_search_parse(pool,
				  parse_args(pool, "CHARSET x-no-such ALL"),
				  false, &query, &error),
		IMAP_SEARCH_PARSE_BADCHARSET);
	pool_destroy(&pool);
}

static void test_search_rev2(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_search_query query;
	const char *error;

	assert_int_equal(imap_search_parse(pool, parse_args(pool, "ALL"), true,
					   &query, &error),
			 IMAP_SEARCH_PARSE_OK);
	assert_true(query.esearch);
	assert_int_equal(query.ret, IMAP_SEARCH_RETURN_ALL);
	pool_destroy(&pool);
}

static void test_search_depth(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *args = str_new(1024, SIZE_MAX);
	struct imap_search_query query;
	const char *error;

	for (unsigned int i = 0; i < 5000; i++)
		str_append(args, "NOT ");
	str_append(args, "ALL");
	assert_int_equal(imap_search_parse(pool, parse_args(pool, str_c(args)),
					   false, &query, &error),
			 IMAP_SEARCH_PARSE_BAD);
	str_free(&args);
	pool_destroy(&pool);
}

struct result_case {
	const char *args;
	bool uid;
	const char *output;
};

static void test_search_result(void **state)
{
	static const struct result_case cases[] = {
		{ "ALL", false, "* SEARCH 2 3 6\r\n" },
		{ "ALL", true, "* SEARCH 11 12 31\r\n" },
		{ "MODSEQ 5", false, "* SEARCH 2 3 6 (MODSEQ 99)\r\n" },
		{ "RETURN () ALL", false,
		  "* ESEARCH (TAG \"A1\") ALL 2:3,6\r\n" },
		{ "RETURN (MIN MAX COUNT ALL) ALL", true,
		  "* ESEARCH (TAG \"A1\") UID MIN 11 MAX 31 ALL 11:12,31 "
		  "COUNT 3\r\n" },
		{ "RETURN (COUNT) MODSEQ 5", false,
		  "* ESEARCH (TAG \"A1\") COUNT 3 MODSEQ 99\r\n" },
		{ "RETURN (SAVE) ALL", false, "" },
		{ "RETURN (SAVE MIN) ALL", false,
		  "* ESEARCH (TAG \"A1\") MIN 2\r\n" },
	};
	struct seq_range_set view;
	struct mail_search_result result;

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pool *pool = pool_create("test", 0);
		struct imap_search_query query;
		string_t *out = str_new(128, SIZE_MAX);
		const char *error;

		seq_range_set_init(&view, pool);
		seq_range_set_add_range(&view, 10, 12);
		seq_range_set_add(&view, 20);
		seq_range_set_add_range(&view, 30, 31);
		seq_range_set_init(&result.uids, pool);
		seq_range_set_add_range(&result.uids, 11, 12);
		seq_range_set_add(&result.uids, 31);
		result.highest_modseq = 99;
		assert_int_equal(
			imap_search_parse(pool, parse_args(pool, cases[i].args),
					  false, &query, &error),
			IMAP_SEARCH_PARSE_OK);
		imap_search_write_result(out, &query, "A1", cases[i].uid, &view,
					 &result);
		assert_string_equal(str_c(out), cases[i].output);
		str_free(&out);
		pool_destroy(&pool);
	}
}

static void test_search_empty_result(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_search_query query;
	struct mail_search_result result = { .highest_modseq = 0 };
	struct seq_range_set view;
	string_t *out = str_new(128, SIZE_MAX);
	const char *error;

	seq_range_set_init(&view, pool);
	seq_range_set_init(&result.uids, pool);
	assert_int_equal(
		imap_search_parse(pool,
				  parse_args(pool, "RETURN (MIN MAX ALL COUNT) "
						   "MODSEQ 1"),
				  false, &query, &error),
		IMAP_SEARCH_PARSE_OK);
	imap_search_write_result(out, &query, "x", true, &view, &result);
	/* RFC 4731 §3.1: no MIN, MAX or ALL when nothing matched */
	assert_string_equal(str_c(out),
			    "* ESEARCH (TAG \"x\") UID COUNT 0\r\n");
	str_truncate(out, 0);
	query.esearch = false;
	imap_search_write_result(out, &query, "x", false, &view, &result);
	assert_string_equal(str_c(out), "* SEARCH\r\n");
	str_free(&out);
	pool_destroy(&pool);
}

static void test_search_saved(void **state)
{
	static const struct {
		enum imap_search_return ret;
		const char *saved;
	} cases[] = {
		{ IMAP_SEARCH_RETURN_SAVE, "3:5,9" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_ALL, "3:5,9" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_COUNT, "3:5,9" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_MIN, "3" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_MAX, "9" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_MIN |
			  IMAP_SEARCH_RETURN_MAX,
		  "3,9" },
		{ IMAP_SEARCH_RETURN_SAVE | IMAP_SEARCH_RETURN_MIN |
			  IMAP_SEARCH_RETURN_COUNT,
		  "3:5,9" },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct imap_search_query query = { .ret = cases[i].ret };
		struct seq_range_set uids, saved;
		string_t *str = str_new(64, SIZE_MAX);

		seq_range_set_init(&uids, NULL);
		seq_range_set_add_range(&uids, 3, 5);
		seq_range_set_add(&uids, 9);
		seq_range_set_init(&saved, NULL);
		imap_search_saved_result(&query, &uids, &saved);
		(void)seq_range_set_write(&saved, str);
		assert_string_equal(str_c(str), cases[i].saved);
		str_free(&str);
		seq_range_set_deinit(&uids);
		seq_range_set_deinit(&saved);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_parse),
		cmocka_unit_test(test_search_charset),
		cmocka_unit_test(test_search_rev2),
		cmocka_unit_test(test_search_depth),
		cmocka_unit_test(test_search_result),
		cmocka_unit_test(test_search_empty_result),
		cmocka_unit_test(test_search_saved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
