#include "test-common.h"

#include "charset.h"
#include "macros.h"
#include "rfc2047.h"

#include <string.h>

static const struct {
	const char *input;
	const char *output;
} decode_cases[] = {
	{ "plain text", "plain text" },
	{ "=?UTF-8?Q?Le_menu_du_caf=C3=A9?=", "Le menu du caf\xc3\xa9" },
	{ "=?utf-8?B?U8O4cmVuIMOYcnN0ZWQ=?=", "S\xc3\xb8ren \xc3\x98rsted" },
	/* missing padding, lower-case letters */
	{ "=?utf-8?b?U8O4cmVu?=", "S\xc3\xb8ren" },
	{ "=?utf-8?q?caf=c3=a9?=", "caf\xc3\xa9" },
	/* white space between encoded words vanishes (RFC 2047 §6.2) */
	{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab" },
	{ "=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab" },
	/* but not between an encoded word and text */
	{ "=?UTF-8?Q?a?= b =?UTF-8?Q?c?=", "a b c" },
	{ "Re: =?UTF-8?Q?caf=C3=A9?= time", "Re: caf\xc3\xa9 time" },
	/* a character split across two words */
	{ "=?UTF-8?Q?Z=C3?= =?UTF-8?Q?=BCrich?=", "Z\xc3\xbcrich" },
	/* mixed charsets */
	{ "=?iso-8859-1?q?Gr=FC=DFe?= =?utf-8?q?_aus_K=C3=B6ln?=",
	  "Gr\xc3\xbc\xc3\x9f"
	  "e aus K\xc3\xb6ln" },
	/* iso-8859-1 is read as windows-1252 */
	{ "=?iso-8859-1?q?=80?=", "\xe2\x82\xac" },
	{ "=?ISO-2022-JP?B?GyRCRURDZhsoQiAbJEJCQE86GyhC?=",
	  "\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e" },
	{ "=?KOI8-R?B?79Teo9Qg2sEg0MXS19nKIMvXwdLUwcw=?=",
	  "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0\xb0 "
	  "\xd0\xbf\xd0\xb5\xd1\x80\xd0\xb2\xd1\x8b\xd0\xb9 "
	  "\xd0\xba\xd0\xb2\xd0\xb0\xd1\x80\xd1\x82\xd0\xb0\xd0\xbb" },
	/* RFC 2231 language suffix */
	{ "=?utf-8*en?q?hello?=", "hello" },
	/* glued words */
	{ "=?utf-8?q?a?==?utf-8?q?b?=", "ab" },
	/* empty encoded text */
	{ "x =?utf-8?q?"
	  "?= y",
	  "x  y" },
	/* malformed words stay as they are */
	{ "=?UTF-8?Q?Missing_terminator", "=?UTF-8?Q?Missing_terminator" },
	{ "=?x-unknown?q?Unknown?=", "=?x-unknown?q?Unknown?=" },
	{ "=?utf-8?x?bad?=", "=?utf-8?x?bad?=" },
	{ "=?utf-8?b?!!!notbase64?=", "=?utf-8?b?!!!notbase64?=" },
	{ "=?utf-8?b?QUJDR?=", "=?utf-8?b?QUJDR?=" },
	{ "=?utf-8?q?has space?=", "=?utf-8?q?has space?=" },
	{ "=?utf-8?q?bad=ZZ?=", "=?utf-8?q?bad=ZZ?=" },
	{ "foo=?utf-8?q?bar?=baz", "foo=?utf-8?q?bar?=baz" },
	{ "=?"
	  "?q?x?=",
	  "=?"
	  "?q?x?=" },
	{ "=?", "=?" },
	/* raw 8-bit: UTF-8 kept, anything else replaced */
	{ "Z\xc3\xbcrich", "Z\xc3\xbcrich" },
	{ "Z\xfcrich", "Z\xef\xbf\xbdrich" },
	/* folding removed */
	{ "a\r\n b", "a b" },
};

static void test_rfc2047_decode(void **state)
{
	string_t *str = str_new(256, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(decode_cases); i++) {
		str_truncate(str, 0);
		(void)rfc2047_decode(decode_cases[i].input,
				     strlen(decode_cases[i].input), str);
		if (strcmp(str_c(str), decode_cases[i].output) != 0)
			fail_msg("input %s: got %s", decode_cases[i].input,
				 str_c(str));
		assert_true(charset_utf8_is_valid(str->data, str->used));
	}
	str_free(&str);
}

static void test_rfc2047_return(void **state)
{
	string_t *str = str_new(256, SIZE_MAX);

	assert_false(rfc2047_decode("plain", 5, str));
	assert_true(rfc2047_decode("=?utf-8?q?x?=", 13, str));
	/* NULs and long input */
	str_truncate(str, 0);
	assert_false(rfc2047_decode("a\0b", 3, str));
	assert_int_equal(str->used, 3);
	str_free(&str);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2047_decode),
		cmocka_unit_test(test_rfc2047_return),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
