#include "test-common.h"

#include "pop3-stuff.h"

#include <string.h>

/* Renders input split into pieces of chunk bytes (0: whole) and returns
   the response body, NUL-terminated in out. */
static void render(struct pop3_stuff *ctx, const char *input, size_t chunk,
		   buffer_t *out)
{
	size_t size = strlen(input), pos = 0;

	buffer_clear(out);
	while (pos < size && !ctx->done) {
		size_t n = chunk == 0 ? size - pos : MIN(chunk, size - pos);
		size_t used = pop3_stuff_chunk(ctx, (const void *)(input + pos),
					       n, out);

		assert_true(used == n || ctx->done);
		pos += used;
	}
	pop3_stuff_finish(ctx, out);
	buffer_append(out, "", 1);
}

static void assert_retr(const char *input, const char *expected)
{
	buffer_t out;

	buffer_init(&out, SIZE_MAX);
	/* every split gives the same bytes */
	for (size_t chunk = 0; chunk <= 4; chunk++) {
		struct pop3_stuff ctx;

		pop3_stuff_init(&ctx);
		render(&ctx, input, chunk, &out);
		assert_string_equal((const char *)out.data, expected);
	}
	buffer_deinit(&out);
}

static void assert_top(const char *input, uint64_t lines, const char *expected)
{
	buffer_t out;

	buffer_init(&out, SIZE_MAX);
	for (size_t chunk = 0; chunk <= 4; chunk++) {
		struct pop3_stuff ctx;

		pop3_stuff_init_top(&ctx, lines);
		render(&ctx, input, chunk, &out);
		assert_string_equal((const char *)out.data, expected);
	}
	buffer_deinit(&out);
}

static void test_retr_stuffing(void **state)
{
	assert_retr("", ".\r\n");
	assert_retr("a\r\n", "a\r\n.\r\n");
	assert_retr(".a\r\n", "..a\r\n.\r\n");
	assert_retr("S: x\r\n\r\n.\r\n..\r\nb.\r\n.\r\n",
		    "S: x\r\n\r\n..\r\n...\r\nb.\r\n..\r\n.\r\n");
	/* the last line without CRLF gets one; a lone "." too */
	assert_retr("a\r\n.", "a\r\n..\r\n.\r\n");
	assert_retr("abc", "abc\r\n.\r\n");
	/* bare LFs get their CR */
	assert_retr("a\nb\n.\n", "a\r\nb\r\n..\r\n.\r\n");
	assert_retr("\n", "\r\n.\r\n");
	/* a CR alone is data */
	assert_retr("a\rb\r\n", "a\rb\r\n.\r\n");
}

static void test_top_lines(void **state)
{
	static const char msg[] = "A: 1\r\nB: 2\r\n\r\n.l1\r\nl2\r\nl3\r\n";

	assert_top(msg, 0, "A: 1\r\nB: 2\r\n\r\n.\r\n");
	assert_top(msg, 1, "A: 1\r\nB: 2\r\n\r\n..l1\r\n.\r\n");
	assert_top(msg, 2, "A: 1\r\nB: 2\r\n\r\n..l1\r\nl2\r\n.\r\n");
	assert_top(msg, 3, "A: 1\r\nB: 2\r\n\r\n..l1\r\nl2\r\nl3\r\n.\r\n");
	assert_top(msg, 100, "A: 1\r\nB: 2\r\n\r\n..l1\r\nl2\r\nl3\r\n.\r\n");
	assert_top(msg, UINT64_MAX,
		   "A: 1\r\nB: 2\r\n\r\n..l1\r\nl2\r\nl3\r\n.\r\n");
	/* no blank line: all header, sent whole */
	assert_top("A: 1\r\nB: 2\r\n", 0, "A: 1\r\nB: 2\r\n.\r\n");
	assert_top("A: 1\r\nB: 2", 0, "A: 1\r\nB: 2\r\n.\r\n");
	/* no header at all: the first line is the blank one */
	assert_top("\r\nbody\r\n", 0, "\r\n.\r\n");
	assert_top("\r\nbody\r\n", 1, "\r\nbody\r\n.\r\n");
	/* a body whose last line lacks CRLF */
	assert_top("A: 1\r\n\r\nx", 5, "A: 1\r\n\r\nx\r\n.\r\n");
	/* a blank line inside the body is a body line */
	assert_top("A: 1\r\n\r\n\r\n\r\nz\r\n", 2, "A: 1\r\n\r\n\r\n\r\n.\r\n");
	/* bare LF blank line */
	assert_top("A: 1\n\nb1\nb2\n", 1, "A: 1\r\n\r\nb1\r\n.\r\n");
}

static void test_top_consumed(void **state)
{
	static const char msg[] = "A: 1\r\n\r\nl1\r\nl2\r\n";
	struct pop3_stuff ctx;
	buffer_t out;
	size_t used;

	buffer_init(&out, SIZE_MAX);
	pop3_stuff_init_top(&ctx, 1);
	used = pop3_stuff_chunk(&ctx, (const void *)msg, strlen(msg), &out);
	assert_true(ctx.done);
	assert_int_equal(used, strlen("A: 1\r\n\r\nl1\r\n"));
	assert_int_equal(out.used, used);
	buffer_deinit(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retr_stuffing),
		cmocka_unit_test(test_top_lines),
		cmocka_unit_test(test_top_consumed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
