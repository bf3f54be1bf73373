#include "test-common.h"

#include "charset.h"
#include "macros.h"
#include "message-crlf.h"

#include <string.h>

static const struct {
	const char *charset;
	const char *input;
	const char *output;
} convert_cases[] = {
	{ "utf-8", "Z\xc3\xbcrich", "Z\xc3\xbcrich" },
	{ "UTF8", "bad \xff end", "bad \xef\xbf\xbd end" },
	/* latin1 labels are windows-1252 */
	{ "iso-8859-1", "K\xe4se \x80", "K\xc3\xa4se \xe2\x82\xac" },
	{ "us-ascii", "\x93quoted\x94", "\xe2\x80\x9cquoted\xe2\x80\x9d" },
	{ "Latin1", "\xe9", "\xc3\xa9" },
	{ "\"ISO-8859-1\"", "\xe9", "\xc3\xa9" },
	{ "koi8-r", "\xe9\xd7\xc1\xce", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd" },
	{ "gb2312", "\xcd\xf5", "\xe7\x8e\x8b" },
	{ "shift_jis", "\x95\x5c", "\xe8\xa1\xa8" },
	{ "iso-2022-jp", "\x1b$BF|K\\\x1b(B", "\xe6\x97\xa5\xe6\x9c\xac" },
	/* undefined in windows-1252: U+0081, as WHATWG maps it */
	{ "windows-1252", "\x81", "\xc2\x81" },
	{ "utf-16be", "\xd8\x00", "\xef\xbf\xbd" },
	{ "utf-8*en", "x", "x" },
};

static void test_charset_convert(void **state)
{
	buffer_t *buf = buffer_create(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(convert_cases); i++) {
		size_t len = strlen(convert_cases[i].output);

		buffer_clear(buf);
		assert_int_equal(charset_convert_to_utf8(
					 convert_cases[i].charset,
					 convert_cases[i].input,
					 strlen(convert_cases[i].input), buf),
				 0);
		if (buf->used != len ||
		    memcmp(buf->data, convert_cases[i].output, len) != 0)
			fail_msg("%s: got %.*s", convert_cases[i].charset,
				 (int)buf->used, (const char *)buf->data);
	}
	buffer_clear(buf);
	assert_int_equal(charset_convert_to_utf8("x-unknown", "a", 1, buf), -1);
	assert_int_equal(charset_convert_to_utf8("", "a", 1, buf), -1);
	assert_int_equal(
		charset_convert_to_utf8("utf-16,swaplfnl", "a", 1, buf), -1);
	assert_int_equal(buf->used, 0);
	assert_true(charset_is_utf8("UTF-8"));
	assert_false(charset_is_utf8("us-ascii"));
	buffer_free(&buf);
}

/* A multibyte character cut between chunks still converts. */
static void test_charset_streaming(void **state)
{
	static const struct {
		const char *charset;
		const char *input;
	} cases[] = {
		{ "utf-8", "a\xe2\x82\xac\xf0\x9f\x98\x80z" },
		{ "shift_jis", "\x95\x5c\x83\x5c" },
		{ "iso-2022-jp", "\x1b$BF|K\\\x1b(Bx" },
		{ "utf-16be", "\xd8\x3d\xde\x00\x00z" },
	};
	buffer_t *whole = buffer_create(64, SIZE_MAX);
	buffer_t *parts = buffer_create(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct charset_translation *trans;
		size_t len = strlen(cases[i].input);

		if (i == 3)
			len = 6;
		buffer_clear(whole);
		buffer_clear(parts);
		assert_int_equal(charset_convert_to_utf8(cases[i].charset,
							 cases[i].input, len,
							 whole),
				 0);
		assert_int_equal(
			charset_to_utf8_begin(cases[i].charset, &trans), 0);
		for (size_t j = 0; j < len; j++)
			charset_to_utf8(trans, cases[i].input + j, 1,
					j + 1 == len, parts);
		charset_to_utf8_end(&trans);
		assert_int_equal(parts->used, whole->used);
		assert_memory_equal(parts->data, whole->data, whole->used);
		assert_true(charset_utf8_is_valid(whole->data, whole->used));
	}
	buffer_free(&whole);
	buffer_free(&parts);
}

static void test_utf8_helpers(void **state)
{
	buffer_t *buf = buffer_create(64, SIZE_MAX);
	uint32_t cp;

	assert_false(charset_utf8_is_valid("\xc0\x80", 2));     /* overlong */
	assert_false(charset_utf8_is_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(charset_utf8_is_valid("\xf4\x90\x80\x80", 4));
	assert_true(charset_utf8_is_valid("\xf4\x8f\xbf\xbf", 4));
	assert_false(charset_utf8_sanitize("a\xe2\x82", 3, buf));
	assert_memory_equal(buf->data, "a\xef\xbf\xbd", 4);
	assert_int_equal(charset_utf8_get_char("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(charset_utf8_get_char("\xe2\x82", 2, &cp), 0);
	buffer_free(&buf);
}

static void test_crlf(void **state)
{
	static const char input[] = "a\nb\r\nc\rd\n\ne\r";
	static const char output[] = "a\r\nb\r\nc\rd\r\n\r\ne\r";
	struct message_crlf_ctx ctx;
	buffer_t *buf = buffer_create(64, SIZE_MAX);

	assert_false(message_crlf_is_normalized(input, sizeof(input) - 1));
	assert_true(message_crlf_is_normalized(output, sizeof(output) - 1));
	assert_true(message_crlf_is_normalized("a\rb", 3));
	assert_false(message_crlf_is_normalized("\n", 1));
	assert_int_equal(message_crlf_normalized_size(input, sizeof(input) - 1),
			 sizeof(output) - 1);
	/* every split point, including between CR and LF */
	for (size_t split = 0; split <= sizeof(input) - 1; split++) {
		buffer_clear(buf);
		message_crlf_init(&ctx);
		message_crlf_convert(&ctx, input, split, buf);
		message_crlf_convert(&ctx, input + split,
				     sizeof(input) - 1 - split, buf);
		assert_int_equal(buf->used, sizeof(output) - 1);
		assert_memory_equal(buf->data, output, buf->used);
	}
	buffer_clear(buf);
	message_crlf_init(&ctx);
	message_crlf_convert(&ctx, "a\r", 2, buf);
	message_crlf_convert(&ctx, "\nb", 2, buf);
	assert_memory_equal(buf->data, "a\r\nb", 4);
	assert_int_equal(buf->used, 4);
	buffer_free(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charset_convert),
		cmocka_unit_test(test_charset_streaming),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_crlf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
