#include "test-common.h"

#include "macros.h"
#include "message-header.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* Iterates header and writes "name|value|size;" for each field, then
   "=header_size,blank". */
static void describe(const char *header, size_t size, string_t *str)
{
	struct message_header_iter iter;
	struct message_header_field field;

	message_header_iter_init(&iter, header, size);
	while (message_header_iter_next(&iter, &field) > 0) {
		str_append_n(str, field.name, field.name_len);
		str_append_c(str, field.no_colon ? '!' : '|');
		str_append_n(str, field.value, field.value_len);
		str_printfa(str, "|%zu%s;", field.size,
			    field.no_eol ? "e" : "");
	}
	str_printfa(str, "=%zu,%d", iter.header_size, iter.has_blank_line);
}

static const struct {
	const char *input;
	const char *output;
} iter_cases[] = {
	{ "", "=0,0" },
	{ "\r\n", "=2,1" },
	{ "\n", "=1,1" },
	{ "A: b\r\n\r\nbody", "A|b|6;=8,1" },
	{ "A: b\n\nbody", "A|b|5;=6,1" },
	{ "A:b\r\nB :  c \r\n\r\n", "A|b|5;B|c |9;=16,1" },
	/* folding, with bare LF and tabs */
	{ "A: b\r\n c\r\n\td\r\nE: f\r\n\r\n",
	  "A|b\r\n c\r\n\td|14;E|f|6;=22,1" },
	{ "A: b\n c\nE: f\n", "A|b\n c|8;E|f|5;=13,0" },
	/* no blank line, no final line end */
	{ "A: b\r\nC: d", "A|b|6;C|d|4e;=10,0" },
	/* a line without a colon, and a leading continuation */
	{ "From x\r\nA: b\r\n\r\n", "From x!|8;A|b|6;=16,1" },
	{ " lead: x\r\n\r\n", " lead|x|10;=12,1" },
	/* empty value, 8-bit, NUL */
	{ "A:\r\n\r\n", "A||4;=6,1" },
	{ "S: Z\xc3\xbcrich\r\n\r\n", "S|Z\xc3\xbcrich|12;=14,1" },
	/* bare CR inside a value stays */
	{ "A: b\rc\r\n\r\n", "A|b\rc|8;=10,1" },
	{ "A: b\r\n\r", "A|b|6;=7,1" },
};

static void test_header_iter(void **state)
{
	string_t *str = str_new(256, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(iter_cases); i++) {
		str_truncate(str, 0);
		describe(iter_cases[i].input, strlen(iter_cases[i].input), str);
		if (strcmp(str_c(str), iter_cases[i].output) != 0)
			fail_msg("case %zu: got %s", i, str_c(str));
	}
	/* a NUL in a value */
	str_truncate(str, 0);
	describe("A: b\0c\r\n\r\n", 10, str);
	assert_int_equal(str->used, strlen("A|b") + 1 + strlen("c|8;=10,1"));
	str_free(&str);
}

static void test_header_unfold(void **state)
{
	struct pool *pool = pool_create("test", 0);
	const unsigned char value[] = " a\r\n b\n\tc \r\n ";
	size_t len;

	assert_string_equal(
		message_header_unfold(pool, value, sizeof(value) - 1, &len),
		"a b\tc");
	assert_int_equal(len, 5);
	assert_string_equal(message_header_unfold(pool, value, 0, &len), "");
	pool_destroy(&pool);
}

static void test_header_find(void **state)
{
	static const char header[] =
		"From: a\r\nSUBJECT: one\r\nSubject: two\r\nSubjectX: no\r\n"
		"\r\nSubject: body\r\n";
	struct message_header_field field;

	assert_int_equal(message_header_find(header, sizeof(header) - 1,
					     "subject", &field),
			 1);
	assert_memory_equal(field.value, "one", 3);
	assert_int_equal(
		message_header_find(header, sizeof(header) - 1, "To", &field),
		0);
	assert_int_equal(message_header_find(header, sizeof(header) - 1,
					     "SubjectX", &field),
			 1);
	assert_memory_equal(field.value, "no", 2);
	assert_false(message_header_field_is(&field, "Subject"));
}

static void test_header_filter(void **state)
{
	static const char header[] =
		"From: a\r\nTo: b\r\nSubject: c\r\n d\r\nX: e\r\n\r\n";
	static const char *const names[] = { "subject", "FROM" };
	buffer_t *buf = buffer_create(64, SIZE_MAX);

	message_header_filter(header, sizeof(header) - 1, names, 2, false, buf);
	assert_int_equal(buf->used,
			 strlen("From: a\r\nSubject: c\r\n d\r\n\r\n"));
	assert_memory_equal(buf->data, "From: a\r\nSubject: c\r\n d\r\n\r\n",
			    buf->used);
	buffer_clear(buf);
	message_header_filter(header, sizeof(header) - 1, names, 2, true, buf);
	assert_memory_equal(buf->data, "To: b\r\nX: e\r\n\r\n", buf->used);
	/* RFC 3501 §6.4.5: no blank line when the message has none */
	buffer_clear(buf);
	message_header_filter("From: a\r\nTo: b", 14, names, 2, false, buf);
	assert_int_equal(buf->used, 9);
	buffer_clear(buf);
	message_header_filter("To: b\r\nFrom: a", 14, names, 2, false, buf);
	assert_memory_equal(buf->data, "From: a\r\n", buf->used);
	buffer_free(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_iter),
		cmocka_unit_test(test_header_unfold),
		cmocka_unit_test(test_header_find),
		cmocka_unit_test(test_header_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
