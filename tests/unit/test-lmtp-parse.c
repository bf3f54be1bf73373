#include "test-common.h"

#include "lmtp-parse.h"
#include "pool.h"

#include <string.h>

struct path_case {
	const char *args;
	enum lmtp_parse_flags flags;
	enum lmtp_parse_result result;
	const char *localpart; /* NULL: null path */
	const char *domain;
	unsigned int n_params;
};

static const struct path_case path_cases[] = {
	{ "FROM:<alice@example.test>", 0, LMTP_PARSE_OK, "alice",
	  "example.test", 0 },
	{ "from:<alice@example.test> SIZE=100 BODY=8BITMIME", 0, LMTP_PARSE_OK,
	  "alice", "example.test", 2 },
	/* Postfix and Sendmail tolerate a space after the colon */
	{ "FROM: <a@b>", 0, LMTP_PARSE_OK, "a", "b", 0 },
	{ "FROM:<>", LMTP_PARSE_ALLOW_NULL, LMTP_PARSE_OK, NULL, NULL, 0 },
	{ "FROM:<>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "FROM:<\"john doe\"@example.test>", 0, LMTP_PARSE_OK, "john doe",
	  "example.test", 0 },
	{ "FROM:<\"a\\\"b\"@c>", 0, LMTP_PARSE_OK, "a\"b", "c", 0 },
	/* RFC 5321 §4.1.2 source routes are dropped */
	{ "FROM:<@relay.test,@other.test:bob@example.test>", 0, LMTP_PARSE_OK,
	  "bob", "example.test", 0 },
	{ "FROM:<a@[192.0.2.1]>", 0, LMTP_PARSE_OK, "a", "[192.0.2.1]", 0 },
	{ "FROM:<a@[]>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<Postmaster>", LMTP_PARSE_ALLOW_NO_DOMAIN, LMTP_PARSE_OK,
	  "Postmaster", NULL, 0 },
	{ "TO:<Postmaster>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:alice@example.test", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<alice@example.test", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<alice@example.test>junk", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<alice@>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<@example.test>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<a b@c>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<a@.c>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "FROM<a@b>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<a@b> =x", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<a@b> X=", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
	{ "TO:<a@b>  NOTIFY=NEVER  ", 0, LMTP_PARSE_OK, "a", "b", 1 },
	/* RFC 6531: UTF-8 only with SMTPUTF8 */
	{ "TO:<j\xc3\xb6rg@example.test>", 0, LMTP_PARSE_NON_ASCII, NULL, NULL,
	  0 },
	{ "TO:<j\xc3\xb6rg@example.test>", LMTP_PARSE_ALLOW_UTF8, LMTP_PARSE_OK,
	  "j\xc3\xb6rg", "example.test", 0 },
	{ "TO:<\"a\x01\"@b>", 0, LMTP_PARSE_SYNTAX, NULL, NULL, 0 },
};

static void test_parse_path(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(path_cases); i++) {
		const struct path_case *c = &path_cases[i];
		struct pool *pool = pool_create("test", 0);
		const char *prefix = c->args[0] == 'T' ? "TO:" : "FROM:";
		struct lmtp_address address;
		struct lmtp_param *params;
		const char *error = NULL;
		unsigned int n = 0;

		print_message("case %zu: %s\n", i, c->args);
		assert_int_equal(lmtp_parse_path(pool, c->args, prefix,
						 c->flags, &address, &params,
						 &error),
				 c->result);
		if (c->result != LMTP_PARSE_OK) {
			assert_non_null(error);
			pool_destroy(&pool);
			continue;
		}
		if (c->localpart == NULL)
			assert_null(address.localpart);
		else
			assert_string_equal(address.localpart, c->localpart);
		if (c->domain == NULL)
			assert_null(address.domain);
		else
			assert_string_equal(address.domain, c->domain);
		while (params[n].key != NULL)
			n++;
		assert_int_equal(n, c->n_params);
		pool_destroy(&pool);
	}
}

static enum lmtp_param_result mail_params(const char *args,
					  struct lmtp_mail_params *mail_r)
{
	struct pool *pool = pool_create("test", 0);
	struct lmtp_address address;
	struct lmtp_param *params;
	const char *error;
	enum lmtp_param_result ret;

	assert_int_equal(lmtp_parse_path(pool, args,
					 "FROM:", LMTP_PARSE_ALLOW_NULL,
					 &address, &params, &error),
			 LMTP_PARSE_OK);
	ret = lmtp_parse_mail_params(params, mail_r, &error);
	pool_destroy(&pool);
	return ret;
}

static void test_mail_params(void **state)
{
	struct lmtp_mail_params mail;

	assert_int_equal(mail_params("FROM:<> SIZE=1234 BODY=8BITMIME "
				     "SMTPUTF8",
				     &mail),
			 LMTP_PARAM_OK);
	assert_int_equal(mail.size, 1234);
	assert_int_equal(mail.body, LMTP_BODY_8BITMIME);
	assert_true(mail.smtputf8);
	/* what relays pass on from DSN and AUTH */
	assert_int_equal(
		mail_params("FROM:<a@b> RET=HDRS ENVID=x AUTH=<>", &mail),
		LMTP_PARAM_OK);
	assert_int_equal(mail_params("FROM:<> SIZE=x", &mail),
			 LMTP_PARAM_INVALID);
	assert_int_equal(mail_params("FROM:<> SIZE=-1", &mail),
			 LMTP_PARAM_INVALID);
	assert_int_equal(mail_params("FROM:<> SIZE", &mail),
			 LMTP_PARAM_INVALID);
	assert_int_equal(mail_params("FROM:<> BODY=BINARYMIME", &mail),
			 LMTP_PARAM_BODY_UNSUPPORTED);
	assert_int_equal(mail_params("FROM:<> XFOO=1", &mail),
			 LMTP_PARAM_UNKNOWN);
	assert_int_equal(mail_params("FROM:<> SMTPUTF8=yes", &mail),
			 LMTP_PARAM_INVALID);
}

static void test_rcpt_params(void **state)
{
	const struct lmtp_param ok[] = { { "NOTIFY", "NEVER" },
					 { "ORCPT", "rfc822;a@b" },
					 { NULL, NULL } };
	const struct lmtp_param unknown[] = { { "FOO", "1" }, { NULL, NULL } };
	const struct lmtp_param novalue[] = { { "NOTIFY", NULL },
					      { NULL, NULL } };
	const char *error;

	assert_int_equal(lmtp_parse_rcpt_params(ok, &error), LMTP_PARAM_OK);
	assert_int_equal(lmtp_parse_rcpt_params(unknown, &error),
			 LMTP_PARAM_UNKNOWN);
	assert_string_equal(error, "FOO");
	assert_int_equal(lmtp_parse_rcpt_params(novalue, &error),
			 LMTP_PARAM_INVALID);
}

static void test_bdat(void **state)
{
	uint64_t size;
	bool last;

	assert_int_equal(lmtp_parse_bdat("100", &size, &last), 0);
	assert_int_equal(size, 100);
	assert_false(last);
	assert_int_equal(lmtp_parse_bdat("0 LAST", &size, &last), 0);
	assert_int_equal(size, 0);
	assert_true(last);
	assert_int_equal(lmtp_parse_bdat("5 last", &size, &last), 0);
	assert_true(last);
	assert_int_equal(lmtp_parse_bdat("", &size, &last), -1);
	assert_int_equal(lmtp_parse_bdat("x", &size, &last), -1);
	assert_int_equal(lmtp_parse_bdat("-5", &size, &last), -1);
	assert_int_equal(lmtp_parse_bdat("5 FIRST", &size, &last), -1);
	assert_int_equal(lmtp_parse_bdat("5  LAST", &size, &last), -1);
	assert_int_equal(lmtp_parse_bdat("99999999999999999999", &size, &last),
			 -1);
}

static void test_command(void **state)
{
	char line1[] = "MAIL FROM:<a@b> SIZE=1";
	char line2[] = "QUIT";
	const char *verb, *args;

	lmtp_parse_command(line1, &verb, &args);
	assert_string_equal(verb, "MAIL");
	assert_string_equal(args, "FROM:<a@b> SIZE=1");
	lmtp_parse_command(line2, &verb, &args);
	assert_string_equal(verb, "QUIT");
	assert_string_equal(args, "");
}

static void test_split_detail(void **state)
{
	struct pool *pool = pool_create("test", 0);
	const char *user, *detail;

	lmtp_address_split_detail(pool, "alice+lists", "+", &user, &detail);
	assert_string_equal(user, "alice");
	assert_string_equal(detail, "lists");
	lmtp_address_split_detail(pool, "alice-a+b", "+-", &user, &detail);
	assert_string_equal(user, "alice");
	assert_string_equal(detail, "a+b");
	lmtp_address_split_detail(pool, "alice", "+", &user, &detail);
	assert_string_equal(user, "alice");
	assert_null(detail);
	lmtp_address_split_detail(pool, "+alice", "+", &user, &detail);
	assert_string_equal(user, "+alice");
	assert_null(detail);
	lmtp_address_split_detail(pool, "alice+x", "", &user, &detail);
	assert_string_equal(user, "alice+x");
	assert_null(detail);
	lmtp_address_split_detail(pool, "alice+", "+", &user, &detail);
	assert_string_equal(user, "alice");
	assert_string_equal(detail, "");
	pool_destroy(&pool);
}

static void test_address_to_string(void **state)
{
	struct pool *pool = pool_create("test", 0);
	const struct {
		struct lmtp_address address;
		const char *str;
	} cases[] = {
		{ { "alice", "example.test" }, "alice@example.test" },
		{ { NULL, NULL }, "" },
		{ { "Postmaster", NULL }, "Postmaster" },
		{ { "john doe", "x" }, "\"john doe\"@x" },
		{ { "a\"b\\", "x" }, "\"a\\\"b\\\\\"@x" },
		{ { "a..b", "x" }, "\"a..b\"@x" },
		{ { "first.last", "x" }, "first.last@x" },
		/* accepted only as quoted-pairs (a fuzzer's find) */
		{ { "a\tb\x7f", "x" }, "\"a\\\tb\\\x7f\"@x" },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		assert_string_equal(
			lmtp_address_to_string(pool, &cases[i].address),
			cases[i].str);
	}
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_path),
		cmocka_unit_test(test_mail_params),
		cmocka_unit_test(test_rcpt_params),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_split_detail),
		cmocka_unit_test(test_address_to_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
