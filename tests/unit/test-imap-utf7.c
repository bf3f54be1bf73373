#include "test-common.h"

#include "imap-utf7.h"
#include "macros.h"

#include <string.h>

static const struct {
	const char *utf8;
	const char *utf7;
} valid_cases[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "Tom & Jerry", "Tom &- Jerry" },
	{ "&", "&-" },
	{ "\xc3\x84pfel", "&AMQ-pfel" },
	{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8"
	  "\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
	{ "a\tb", "a&AAk-b" },
	{ "\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-" },
};

static const char *const invalid_utf7[] = {
	"&",          /* unterminated */
	"&AMQ",       /* unterminated */
	"&AMQ-&APw-", /* two shifts in a row: must be one */
	"&AGE-",      /* 'a' must not be encoded */
	"&AMR-",      /* non-zero leftover bits */
	"&AMQA-",     /* too many leftover bits */
	"&2D0-",      /* lone high surrogate */
	"&3gA-",      /* lone low surrogate */
	"&AAA-",      /* U+0000 */
	"&A*Q-",      /* not base64 */
	"&AM/-",      /* '/' is ',' in modified base64 */
	"tab\there",  /* control character */
	"\xc3\x84",   /* 8-bit */
};

static void test_utf7_valid(void **state)
{
	string_t *str = str_new(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(valid_cases); i++) {
		str_truncate(str, 0);
		assert_int_equal(imap_utf8_to_utf7(valid_cases[i].utf8, str),
				 0);
		assert_string_equal(str_c(str), valid_cases[i].utf7);
		str_truncate(str, 0);
		assert_int_equal(imap_utf7_to_utf8(valid_cases[i].utf7, str),
				 0);
		assert_string_equal(str_c(str), valid_cases[i].utf8);
		assert_true(imap_utf7_is_valid(valid_cases[i].utf7));
	}
	str_free(&str);
}

static void test_utf7_invalid(void **state)
{
	string_t *str = str_new(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(invalid_utf7); i++) {
		str_truncate(str, 0);
		str_append(str, "keep");
		if (imap_utf7_to_utf8(invalid_utf7[i], str) != -1)
			fail_msg("accepted %s", invalid_utf7[i]);
		assert_string_equal(str_c(str), "keep");
	}
	str_truncate(str, 0);
	assert_int_equal(imap_utf8_to_utf7("bad \xc3", str), -1);
	assert_int_equal(imap_utf8_to_utf7("bad \xed\xa0\x80", str), -1);
	assert_int_equal(str->used, 0);
	str_free(&str);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf7_valid),
		cmocka_unit_test(test_utf7_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
