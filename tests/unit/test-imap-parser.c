#include "test-common.h"

#include "../fuzz/fuzz-imap-input.h"
#include "imap-parser.h"
#include "pool.h"
#include "str.h"

#include <string.h>

struct parse_case {
	const char *input; /* lines with CRLF, literals inline */
	enum imap_parser_result result;
	const char *output; /* imap_args_write(), or the error text */
};

/* Feeds input as the session would: a line, then literal bytes when the
   parser asks for them, then the next line (the fuzz targets' feeder). */
static enum imap_parser_result parse_input(struct imap_parser *parser,
					   const char *input, size_t size)
{
	return fuzz_imap_feed(parser, (const uint8_t *)input, size);
}

static void check_case(const struct parse_case *c,
		       const struct imap_parser_settings *set)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_parser *parser = imap_parser_create(pool, set, 0);
	enum imap_parser_result ret;
	string_t *out = str_new(64, SIZE_MAX);
	const char *error;

	ret = parse_input(parser, c->input, strlen(c->input));
	if (ret != c->result)
		fail_msg("%s: result %d, expected %d", c->input, ret,
			 c->result);
	if (ret == IMAP_PARSE_DONE) {
		imap_args_write(out, imap_parser_get_args(parser));
		assert_string_equal(str_c(out), c->output);
	} else if (ret == IMAP_PARSE_ERROR) {
		(void)imap_parser_get_error(parser, &error);
		assert_string_equal(error, c->output);
	}
	str_free(&out);
	pool_destroy(&pool);
}

static const struct parse_case parse_cases[] = {
	{ "", IMAP_PARSE_DONE, "" },
	{ "INBOX", IMAP_PARSE_DONE, "INBOX" },
	{ "\"\" *", IMAP_PARSE_DONE, "\"\" *" },
	{ "1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>)",
	  IMAP_PARSE_DONE,
	  "1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO) ]<0.100>)" },
	{ "(a)]", IMAP_PARSE_DONE, "(a) ]" },
	{ "\"a \\\"quoted\\\\ one\"", IMAP_PARSE_DONE,
	  "\"a \\\"quoted\\\\ one\"" },
	{ "nil NIL \"NIL\"", IMAP_PARSE_DONE, "nil NIL \"NIL\"" },
	{ "((a) (b (c)) ())", IMAP_PARSE_DONE, "((a) (b (c)) ())" },
	{ "user {6}\r\nsecret", IMAP_PARSE_DONE, "user {6}\r\nsecret" },
	{ "user {6+}\r\nsecret", IMAP_PARSE_DONE, "user {6}\r\nsecret" },
	{ "{0}\r\n {3}\r\nabc (x {1}\r\ny)", IMAP_PARSE_DONE,
	  "{0}\r\n {3}\r\nabc (x {1}\r\ny)" },
	{ "\"\xc3\xa4\"", IMAP_PARSE_DONE, "\"\xc3\xa4\"" },
	{ ")", IMAP_PARSE_ERROR, "Unexpected ')'." },
	{ "(a", IMAP_PARSE_ERROR, "Missing ')'." },
	{ "\"abc", IMAP_PARSE_ERROR, "Missing '\"'." },
	{ "\"a\\b\"", IMAP_PARSE_ERROR, "Invalid escape in quoted string." },
	{ "a\"b\"", IMAP_PARSE_ERROR, "Missing space between arguments." },
	{ "(a)(b)", IMAP_PARSE_ERROR, "Missing space between arguments." },
	{ "{5} x", IMAP_PARSE_ERROR, "Literal must end the line." },
	{ "{}", IMAP_PARSE_ERROR, "Invalid literal size." },
	{ "{99999999999999999999999}", IMAP_PARSE_ERROR,
	  "Invalid literal size." },
	{ "{99999999}", IMAP_PARSE_ERROR, "[TOOBIG] Literal too large." },
	{ "a \x01", IMAP_PARSE_ERROR, "Invalid characters in atom." },
	{ "{3}\r\nabcdef", IMAP_PARSE_ERROR,
	  "Missing space between arguments." },
};

static void test_parse_cases(void **state)
{
	struct imap_parser_settings set;

	imap_parser_settings_init_defaults(&set);
	for (size_t i = 0; i < N_ELEMENTS(parse_cases); i++)
		check_case(&parse_cases[i], &set);
}

static void test_nul_in_literal(void **state)
{
	struct imap_parser_settings set;
	struct pool *pool = pool_create("test", 0);
	struct imap_parser *parser;
	const char *error;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, 0);
	assert_int_equal(parse_input(parser, "{3}\r\na\0b", 8),
			 IMAP_PARSE_ERROR);
	assert_int_equal(imap_parser_get_error(parser, &error),
			 IMAP_PARSE_ERROR_SYNTAX);
	assert_string_equal(error, "NUL in literal.");
	pool_destroy(&pool);
}

static void test_limits(void **state)
{
	struct imap_parser_settings set;
	static const struct parse_case deep = { "(((a)))", IMAP_PARSE_ERROR,
						"Lists nested too deeply." };
	static const struct parse_case many = { "a b c d", IMAP_PARSE_ERROR,
						"Too many arguments." };
	static const struct parse_case minus = {
		"{4097+}", IMAP_PARSE_ERROR,
		"[TOOBIG] Non-synchronizing literal too large for LITERAL-."
	};
	static const struct parse_case minus_sync = { "{4097}", IMAP_PARSE_MORE,
						      "" };
	static const struct parse_case command = {
		"aaaaaaaaaa {95}", IMAP_PARSE_ERROR,
		"[TOOBIG] Literal too large."
	};

	imap_parser_settings_init_defaults(&set);
	set.max_list_depth = 2;
	check_case(&deep, &set);
	set.max_args = 3;
	check_case(&many, &set);
	imap_parser_settings_init_defaults(&set);
	set.literal_minus = true;
	check_case(&minus, &set);
	check_case(&minus_sync, &set);
	set.max_command_size = 100;
	check_case(&command, &set);
}

static void test_parents(void **state)
{
	struct imap_parser_settings set;
	struct pool *pool = pool_create("test", 0);
	struct imap_parser *parser;
	const struct imap_arg *args, *list, *inner;
	unsigned int count;
	const char *str;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, 0);
	assert_int_equal(parse_input(parser, "x (a b c d e f g h i (j))", 25),
			 IMAP_PARSE_DONE);
	args = imap_parser_get_args(parser);
	assert_int_equal(imap_args_count(args), 2);
	assert_null(args[0].parent);
	assert_true(imap_arg_get_list(&args[1], &list, &count));
	assert_int_equal(count, 10);
	assert_ptr_equal(list[0].parent, &args[1]);
	assert_true(IMAP_ARG_IS_EOL(&list[10]));
	assert_true(imap_arg_get_list(&list[9], &inner, NULL));
	assert_ptr_equal(inner[0].parent, &list[9]);
	assert_true(imap_arg_get_astring(&inner[0], &str));
	assert_string_equal(str, "j");
	assert_true(imap_arg_atom_equals(&list[0], "A"));
	pool_destroy(&pool);
}

static void test_accessors(void **state)
{
	struct imap_parser_settings set;
	struct pool *pool = pool_create("test", 0);
	struct imap_parser *parser;
	const struct imap_arg *args;
	const char *str;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, 0);
	assert_int_equal(parse_input(parser, "atom \"q\" {1}\r\nl NIL", 19),
			 IMAP_PARSE_DONE);
	args = imap_parser_get_args(parser);
	assert_true(imap_arg_get_atom(&args[0], &str));
	assert_false(imap_arg_get_string(&args[0], &str));
	assert_true(imap_arg_get_quoted(&args[1], &str));
	assert_string_equal(str, "q");
	assert_false(imap_arg_get_quoted(&args[2], &str));
	assert_true(imap_arg_get_string(&args[2], &str));
	assert_string_equal(str, "l");
	assert_int_equal(args[3].type, IMAP_ARG_NIL);
	assert_true(imap_arg_get_nstring(&args[3], &str));
	assert_null(str);
	assert_true(imap_arg_get_astring(&args[3], &str));
	assert_string_equal(str, "NIL");
	assert_false(imap_arg_atom_equals(&args[1], "q"));
	pool_destroy(&pool);
}

static void test_literal_stream(void **state)
{
	struct imap_parser_settings set;
	struct pool *pool = pool_create("test", 0);
	struct imap_parser *parser;
	struct imap_parser_literal lit;
	const struct imap_arg *args;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, IMAP_PARSE_FLAG_LITERAL_STREAM);
	assert_int_equal(
		imap_parser_feed_line(parser, "box (\\Seen) {999999999}", 23),
		IMAP_PARSE_LITERAL);
	imap_parser_get_literal(parser, &lit);
	assert_true(lit.sync);
	assert_int_equal(lit.size, 999999999);
	args = imap_parser_get_args(parser);
	assert_int_equal(imap_args_count(args), 2);
	imap_parser_literal_streamed(parser);
	assert_int_equal(imap_parser_feed_line(parser, " ~{5+}", 6),
			 IMAP_PARSE_LITERAL);
	imap_parser_get_literal(parser, &lit);
	assert_false(lit.sync);
	assert_true(lit.literal8);
	assert_int_equal(imap_args_count(imap_parser_get_args(parser)), 0);
	imap_parser_literal_streamed(parser);
	assert_int_equal(imap_parser_feed_line(parser, "", 0), IMAP_PARSE_DONE);
	assert_int_equal(imap_args_count(imap_parser_get_args(parser)), 0);
	pool_destroy(&pool);
	/* RFC 6855 APPEND UTF8 (~{n}): the list is dropped, ')' follows */
	pool = pool_create("test", 0);
	parser = imap_parser_create(pool, &set, IMAP_PARSE_FLAG_LITERAL_STREAM);
	assert_int_equal(imap_parser_feed_line(parser, "box UTF8 (~{5}", 14),
			 IMAP_PARSE_LITERAL);
	args = imap_parser_get_args(parser);
	assert_int_equal(imap_args_count(args), 2);
	assert_true(imap_arg_atom_equals(&args[1], "utf8"));
	imap_parser_literal_streamed(parser);
	assert_int_equal(imap_parser_feed_line(parser, ")", 1),
			 IMAP_PARSE_DONE);
	assert_int_equal(imap_args_count(imap_parser_get_args(parser)), 0);
	pool_destroy(&pool);
	pool = pool_create("test", 0);
	parser = imap_parser_create(pool, &set, IMAP_PARSE_FLAG_LITERAL_STREAM);
	assert_int_equal(imap_parser_feed_line(parser, "box UTF8 (~{5}", 14),
			 IMAP_PARSE_LITERAL);
	imap_parser_literal_streamed(parser);
	assert_int_equal(imap_parser_feed_line(parser, " x", 2),
			 IMAP_PARSE_ERROR);
	pool_destroy(&pool);
	/* a streamed literal can't be inside a list otherwise */
	pool = pool_create("test", 0);
	parser = imap_parser_create(pool, &set, IMAP_PARSE_FLAG_LITERAL_STREAM);
	assert_int_equal(imap_parser_feed_line(parser, "(a {5}", 6),
			 IMAP_PARSE_ERROR);
	pool_destroy(&pool);
}

static void test_tags(void **state)
{
	assert_true(imap_parser_is_valid_tag("a001", 4));
	assert_true(imap_parser_is_valid_tag("A.b]", 4));
	assert_false(imap_parser_is_valid_tag("", 0));
	assert_false(imap_parser_is_valid_tag("a+", 2));
	assert_false(imap_parser_is_valid_tag("a*", 2));
	assert_false(imap_parser_is_valid_tag("a{", 2));
	assert_false(imap_parser_is_valid_tag("\xc3\xa4", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_nul_in_literal),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_parents),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_literal_stream),
		cmocka_unit_test(test_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
