#include "test-common.h"

#include "macros.h"
#include "message-decode.h"

#include <string.h>

static const struct {
	enum message_cte cte;
	const char *input;
	const char *output;
	bool errors;
} decode_cases[] = {
	{ MESSAGE_CTE_7BIT, "a\r\nb", "a\r\nb", false },
	{ MESSAGE_CTE_BASE64, "SGVsbG8gd29ybGQ=", "Hello world", false },
	{ MESSAGE_CTE_BASE64, "SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", "Hello world",
	  false },
	/* missing padding */
	{ MESSAGE_CTE_BASE64, "SGVsbG8gd29ybGQ", "Hello world", true },
	/* junk skipped (RFC 2045 §6.8) */
	{ MESSAGE_CTE_BASE64, "SGV *! sbG8=", "Hello", true },
	/* a lone trailing character makes no byte */
	{ MESSAGE_CTE_BASE64, "SGVsbG8gQ", "Hello ", true },
	/* glued streams; a padded line ends the data */
	{ MESSAGE_CTE_BASE64, "SGVsbG8=IHdvcmxk\r\nZm9vYmFy====\r\nZm9v",
	  "Hello worldfoobar", false },
	{ MESSAGE_CTE_BASE64, "SGk=\r\n-- \r\nfooter", "Hi", false },
	{ MESSAGE_CTE_QP, "a=3Db=3dc", "a=b=c", false },
	{ MESSAGE_CTE_QP, "soft=\r\nbreak", "softbreak", false },
	{ MESSAGE_CTE_QP, "soft= \t\r\nbreak", "softbreak", false },
	{ MESSAGE_CTE_QP, "lf=\nonly\n", "lfonly\n", false },
	{ MESSAGE_CTE_QP, "trailing  \r\nspace\t\r\n", "trailing\r\nspace\r\n",
	  false },
	{ MESSAGE_CTE_QP, "kept=20\r\n", "kept \r\n", false },
	{ MESSAGE_CTE_QP, "bad=ZZ=4 =", "bad=ZZ=4 ", true },
	{ MESSAGE_CTE_QP, "end=", "end", false },
	{ MESSAGE_CTE_QP, "=C3=BC", "\xc3\xbc", false },
};

static void test_decode(void **state)
{
	buffer_t *buf = buffer_create(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(decode_cases); i++) {
		struct message_decode_result result;
		size_t len = strlen(decode_cases[i].output);

		buffer_clear(buf);
		assert_int_equal(message_decode(decode_cases[i].cte,
						decode_cases[i].input,
						strlen(decode_cases[i].input),
						buf, &result),
				 0);
		if (buf->used != len ||
		    memcmp(buf->data, decode_cases[i].output, len) != 0)
			fail_msg("case %zu: got %.*s", i, (int)buf->used,
				 (const char *)buf->data);
		assert_int_equal(result.size, len);
		assert_int_equal(result.errors, decode_cases[i].errors);
	}
	buffer_free(&buf);
}

/* Feeding the input a byte at a time, or only counting, gives the same. */
static void test_decode_streaming(void **state)
{
	buffer_t *whole = buffer_create(64, SIZE_MAX);
	buffer_t *bytes = buffer_create(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(decode_cases); i++) {
		const char *input = decode_cases[i].input;
		struct message_decode_result result;
		struct message_decoder dec;

		buffer_clear(whole);
		buffer_clear(bytes);
		message_decode(decode_cases[i].cte, input, strlen(input), whole,
			       &result);
		message_decoder_init(&dec, decode_cases[i].cte);
		for (size_t j = 0; input[j] != '\0'; j++)
			message_decoder_more(&dec, input + j, 1, bytes);
		message_decoder_finish(&dec, bytes);
		message_decoder_deinit(&dec);
		assert_int_equal(bytes->used, whole->used);
		assert_memory_equal(bytes->data, whole->data, whole->used);

		message_decoder_init(&dec, decode_cases[i].cte);
		message_decoder_more(&dec, input, strlen(input), NULL);
		message_decoder_finish(&dec, NULL);
		assert_int_equal(dec.size, whole->used);
		message_decoder_deinit(&dec);
	}
	buffer_free(&whole);
	buffer_free(&bytes);
}

static void test_decode_misc(void **state)
{
	struct message_decode_result result;
	buffer_t *buf = buffer_create(64, SIZE_MAX);

	assert_int_equal(
		message_decode(MESSAGE_CTE_UNKNOWN, "x", 1, buf, &result), -1);
	assert_int_equal(buf->used, 0);
	assert_int_equal(
		message_decode(MESSAGE_CTE_BASE64, "AAA=", 4, buf, &result), 0);
	assert_true(result.has_nul);
	assert_int_equal(message_cte_from_name(NULL), MESSAGE_CTE_7BIT);
	assert_int_equal(message_cte_from_name("BASE64"), MESSAGE_CTE_BASE64);
	assert_int_equal(message_cte_from_name("Quoted-Printable"),
			 MESSAGE_CTE_QP);
	assert_int_equal(message_cte_from_name("x-uuencode"),
			 MESSAGE_CTE_UNKNOWN);
	assert_int_equal(message_decode_hex_digit('f'), 15);
	assert_int_equal(message_decode_hex_digit('g'), -1);
	buffer_free(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_streaming),
		cmocka_unit_test(test_decode_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
