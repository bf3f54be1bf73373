#include "test-common.h"

#include "macros.h"
#include "pop3-parse.h"

#include <string.h>

static void test_command(void **state)
{
	static const struct {
		const char *line, *keyword, *args;
	} cases[] = {
		{ "QUIT", "QUIT", "" },
		{ "quit", "QUIT", "" },
		{ "List 1", "LIST", "1" },
		{ "LIST  1", "LIST", " 1" },
		{ "PASS  two  spaces ", "PASS", " two  spaces " },
		{ "USER ", "USER", "" },
		{ "X123456789ABCDE", "X123456789ABCDE", "" },
	};
	char keyword[POP3_KEYWORD_MAX_LEN + 1];
	const char *args;

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		assert_int_equal(
			pop3_parse_command(cases[i].line, keyword, &args), 0);
		assert_string_equal(keyword, cases[i].keyword);
		assert_string_equal(args, cases[i].args);
	}
}

static void test_command_bad(void **state)
{
	static const char *const lines[] = {
		"",       " QUIT", "QU?T", "X123456789ABCDEF", "\xc3\xa9TAT",
		"LI\tST",
	};
	char keyword[POP3_KEYWORD_MAX_LEN + 1];
	const char *args;

	for (size_t i = 0; i < N_ELEMENTS(lines); i++)
		assert_int_equal(pop3_parse_command(lines[i], keyword, &args),
				 -1);
}

static void test_msgnum(void **state)
{
	static const struct {
		const char *args;
		uint32_t num;
		const char *error;
	} cases[] = {
		{ "1", 1, NULL },
		{ "00042", 42, NULL },
		{ " 7 ", 7, NULL },
		{ "0", 0, NULL },
		{ "4294967295", 4294967295u, NULL },
		{ "4294967296", 0, "Message number too large." },
		{ "99999999999999999999999", 0, "Message number too large." },
		{ "", 0, "Invalid message number." },
		{ "x", 0, "Invalid message number." },
		{ "-1", 0, "Invalid message number." },
		{ "+1", 0, "Invalid message number." },
		{ "1 2", 0, "Noise after message number." },
		{ "1x", 0, "Noise after message number." },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		uint32_t num = 12345;
		const char *error = pop3_parse_msgnum(cases[i].args, &num);

		if (cases[i].error == NULL) {
			assert_null(error);
			assert_int_equal(num, cases[i].num);
		} else {
			assert_non_null(error);
			assert_string_equal(error, cases[i].error);
		}
	}
}

static void test_top(void **state)
{
	static const struct {
		const char *args;
		uint32_t num;
		uint64_t lines;
		const char *error;
	} cases[] = {
		{ "1 0", 1, 0, NULL },
		{ "3  10 ", 3, 10, NULL },
		{ "1 18446744073709551615", 1, UINT64_MAX, NULL },
		{ "1 18446744073709551616", 0, 0,
		  "Number of lines too large." },
		{ "1", 0, 0, "Missing the number of lines." },
		{ "1 ", 0, 0, "Invalid number of lines." },
		{ "1 x", 0, 0, "Invalid number of lines." },
		{ "1 -1", 0, 0, "Invalid number of lines." },
		{ "1 2 3", 0, 0, "Noise after number of lines." },
		{ "1x 2", 0, 0, "Noise after message number." },
		{ "x 2", 0, 0, "Invalid message number." },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		uint32_t num = 0;
		uint64_t lines = 0;
		const char *error =
			pop3_parse_top_args(cases[i].args, &num, &lines);

		if (cases[i].error == NULL) {
			assert_null(error);
			assert_int_equal(num, cases[i].num);
			assert_true(lines == cases[i].lines);
		} else {
			assert_non_null(error);
			assert_string_equal(error, cases[i].error);
		}
	}
}

static void test_auth(void **state)
{
	static const struct {
		const char *args, *mech, *ir, *error;
	} cases[] = {
		{ "", "", NULL, NULL },
		{ "plain", "PLAIN", NULL, NULL },
		{ "PLAIN =", "PLAIN", "", NULL },
		{ "PLAIN AGFsaWNlAHNlY3JldA==", "PLAIN",
		  "AGFsaWNlAHNlY3JldA==", NULL },
		{ "SCRAM-SHA-256 biws", "SCRAM-SHA-256", "biws", NULL },
		{ "PLAIN  AAAA", "PLAIN", "AAAA", NULL },
		{ "PLAIN AAA", NULL, NULL,
		  "Invalid base64 data in initial response." },
		{ "PLAIN A===", NULL, NULL,
		  "Invalid base64 data in initial response." },
		{ "PLAIN AAAA BBBB", NULL, NULL,
		  "Noise after initial response." },
		{ "PL@IN", NULL, NULL, "Invalid authentication mechanism." },
		{ "A23456789012345678901", NULL, NULL,
		  "Invalid authentication mechanism." },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		char mech[POP3_SASL_MECH_MAX_LEN + 1];
		const char *ir = "unset";
		const char *error =
			pop3_parse_auth_args(cases[i].args, mech, &ir);

		if (cases[i].error != NULL) {
			assert_non_null(error);
			assert_string_equal(error, cases[i].error);
			continue;
		}
		assert_null(error);
		assert_string_equal(mech, cases[i].mech);
		if (cases[i].ir == NULL)
			assert_null(ir);
		else
			assert_string_equal(ir, cases[i].ir);
	}
}

static void test_apop(void **state)
{
	static const struct {
		const char *args, *name, *error;
	} cases[] = {
		{ "alice c4c9334bac560ecc979e58001b3e22fb", "alice", NULL },
		{ "alice C4C9334BAC560ECC979E58001B3E22FB", "alice", NULL },
		{ "first last c4c9334bac560ecc979e58001b3e22fb", "first last",
		  NULL },
		{ "", NULL, "Invalid APOP arguments." },
		{ "alice", NULL, "Invalid APOP arguments." },
		{ " c4c9334bac560ecc979e58001b3e22fb", NULL,
		  "Invalid APOP arguments." },
		{ "alice c4c9334bac560ecc979e58001b3e22f", NULL,
		  "Invalid APOP digest." },
		{ "alice c4c9334bac560ecc979e58001b3e22fbb", NULL,
		  "Invalid APOP digest." },
		{ "alice g4c9334bac560ecc979e58001b3e22fb", NULL,
		  "Invalid APOP digest." },
	};
	static const unsigned char digest1[POP3_APOP_DIGEST_SIZE] = {
		0xc4, 0xc9, 0x33, 0x4b, 0xac, 0x56, 0x0e, 0xcc,
		0x97, 0x9e, 0x58, 0x00, 0x1b, 0x3e, 0x22, 0xfb,
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		char name[POP3_APOP_NAME_MAX_LEN + 1];
		unsigned char digest[POP3_APOP_DIGEST_SIZE];
		const char *error =
			pop3_parse_apop_args(cases[i].args, name, digest);

		if (cases[i].error != NULL) {
			assert_non_null(error);
			assert_string_equal(error, cases[i].error);
			continue;
		}
		assert_null(error);
		assert_string_equal(name, cases[i].name);
		assert_memory_equal(digest, digest1, sizeof(digest));
	}
}

static void test_base64(void **state)
{
	assert_true(pop3_parse_is_base64(""));
	assert_true(pop3_parse_is_base64("AAAA"));
	assert_true(pop3_parse_is_base64("AA=="));
	assert_true(pop3_parse_is_base64("a+/="));
	assert_false(pop3_parse_is_base64("AAA"));
	assert_false(pop3_parse_is_base64("A==="));
	assert_false(pop3_parse_is_base64("AA=A"));
	assert_false(pop3_parse_is_base64("AA AA"));
	assert_false(pop3_parse_is_base64("*"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_bad),
		cmocka_unit_test(test_msgnum),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_apop),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
