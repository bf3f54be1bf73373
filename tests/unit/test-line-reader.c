#include "test-common.h"

#include "line-reader.h"

#include <string.h>

static void feed_str(struct line_reader *reader, const char *str)
{
	line_reader_feed(reader, str, strlen(str));
}

static void assert_line(struct line_reader *reader, const char *expected)
{
	const char *line;
	size_t len;

	assert_int_equal(line_reader_read_line(reader, &line, &len),
			 LINE_READ_OK);
	assert_int_equal(len, strlen(expected));
	assert_string_equal(line, expected);
}

static void assert_more(struct line_reader *reader)
{
	const char *line;
	size_t len;

	assert_int_equal(line_reader_read_line(reader, &line, &len),
			 LINE_READ_MORE);
}

static void test_crlf_and_lf(void **state)
{
	struct line_reader reader;

	line_reader_init(&reader, 100);
	feed_str(&reader, "one\r\ntwo\nthree\r\r\n\r\n");
	assert_line(&reader, "one");
	assert_line(&reader, "two");
	/* only the CR right before LF belongs to the line end */
	assert_line(&reader, "three\r");
	assert_line(&reader, "");
	assert_more(&reader);
	line_reader_compact(&reader);
	assert_null(reader.buf.data); /* nothing held when empty */
	line_reader_deinit(&reader);
}

static void test_split_reads(void **state)
{
	static const char input[] = "a001 NOOP\r\na002 CAPABILITY\r\n";
	struct line_reader reader;

	line_reader_init(&reader, 100);
	/* one byte at a time, including a split between CR and LF */
	for (size_t i = 0; i < 10; i++) {
		line_reader_feed(&reader, input + i, 1);
		assert_more(&reader);
	}
	line_reader_feed(&reader, input + 10, 1);
	assert_line(&reader, "a001 NOOP");
	line_reader_feed(&reader, input + 11, sizeof(input) - 12);
	assert_line(&reader, "a002 CAPABILITY");
	assert_more(&reader);
	line_reader_deinit(&reader);
}

static void test_too_long(void **state)
{
	struct line_reader reader;
	char big[64];

	line_reader_init(&reader, 10);
	/* exactly the limit, CRLF included, is fine */
	feed_str(&reader, "12345678\r\n");
	assert_line(&reader, "12345678");
	/* one more byte is not, whether it arrives whole ... */
	feed_str(&reader, "123456789\r\nnext\r\n");
	const char *line;
	size_t len;
	assert_int_equal(line_reader_read_line(&reader, &line, &len),
			 LINE_READ_TOO_LONG);
	assert_line(&reader, "next");
	/* ... or in pieces: reported once, the rest skipped, nothing kept */
	memset(big, 'x', sizeof(big));
	line_reader_feed(&reader, big, 12);
	assert_int_equal(line_reader_read_line(&reader, &line, &len),
			 LINE_READ_TOO_LONG);
	for (int i = 0; i < 100; i++) {
		line_reader_feed(&reader, big, sizeof(big));
		assert_more(&reader);
		assert_int_equal(line_reader_pending(&reader), 0);
	}
	feed_str(&reader, "xx\r\nafter\r\n");
	assert_line(&reader, "after");
	line_reader_deinit(&reader);
}

static void test_data_runs(void **state)
{
	struct line_reader reader;
	const unsigned char *data;
	size_t size;

	line_reader_init(&reader, 100);
	feed_str(&reader, "a APPEND x {5}\r\nhel");
	assert_line(&reader, "a APPEND x {5}");
	assert_int_equal(line_reader_read_data(&reader, 5, &data, &size),
			 LINE_READ_OK);
	assert_int_equal(size, 3);
	assert_memory_equal(data, "hel", 3);
	assert_int_equal(line_reader_read_data(&reader, 2, &data, &size),
			 LINE_READ_MORE);
	feed_str(&reader, "lo\r\n");
	assert_int_equal(line_reader_read_data(&reader, 2, &data, &size),
			 LINE_READ_OK);
	assert_memory_equal(data, "lo", 2);
	assert_line(&reader, "");
	line_reader_deinit(&reader);
}

static void test_nul_in_line(void **state)
{
	struct line_reader reader;
	const char *line;
	size_t len;

	line_reader_init(&reader, 100);
	line_reader_feed(&reader, "a\0b\r\n", 5);
	assert_int_equal(line_reader_read_line(&reader, &line, &len),
			 LINE_READ_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a\0b", 3);
	line_reader_deinit(&reader);
}

/* A body parser reads past its end and gives the rest back: the
   pipelined command after it is read as a line. */
static void test_unread(void **state)
{
	struct line_reader reader;
	const unsigned char *data;
	size_t size;

	line_reader_init(&reader, 100);
	feed_str(&reader, "body\r\n.\r\nQUIT\r\n");
	assert_int_equal(line_reader_read_data(&reader, 100, &data, &size),
			 LINE_READ_OK);
	assert_int_equal(size, 15);
	line_reader_unread(&reader, 6);
	assert_line(&reader, "QUIT");
	assert_more(&reader);
	line_reader_deinit(&reader);
}

static void test_discard(void **state)
{
	struct line_reader reader;

	line_reader_init(&reader, 100);
	feed_str(&reader, "STARTTLS\r\nINJECTED\r\n");
	assert_line(&reader, "STARTTLS");
	line_reader_discard(&reader);
	assert_int_equal(line_reader_pending(&reader), 0);
	assert_more(&reader);
	line_reader_deinit(&reader);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_and_lf),
		cmocka_unit_test(test_split_reads),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_data_runs),
		cmocka_unit_test(test_nul_in_line),
		cmocka_unit_test(test_unread),
		cmocka_unit_test(test_discard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
