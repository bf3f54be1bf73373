#include "test-common.h"

#include "lmtp-dot.h"
#include "macros.h"

#include <string.h>

struct dot_case {
	const char *input;
	const char *output;
	/* bytes left after the end; -1: no end found */
	int rest;
};

static const struct dot_case dot_cases[] = {
	{ "a\r\n.\r\n", "a\r\n", 0 },
	{ ".\r\n", "", 0 },
	{ "a\r\n.\r\nQUIT\r\n", "a\r\n", 6 },
	{ "..x\r\n.\r\n", ".x\r\n", 0 },
	{ "a\r\n..\r\n.\r\n", "a\r\n.\r\n", 0 },
	{ "x.\r\ny\r\n", "x.\r\ny\r\n", -1 },
	/* a bare LF ends lines too */
	{ "a\n.\n", "a\n", 0 },
	{ "a\n..b\n.\r\n", "a\n.b\n", 0 },
	/* a dot then CR then text: the dot was stuffing */
	{ ".\rx\r\n.\r\n", "\rx\r\n", 0 },
	{ "no end", "no end", -1 },
	{ "a\r\n.x", "a\r\nx", -1 },
	{ "\r\n.\r\n", "\r\n", 0 },
};

/* Feeds the input in pieces of every size from 1 to its length. */
static void check_case(const struct dot_case *c, size_t piece)
{
	struct lmtp_dot_decoder dec;
	size_t len = strlen(c->input), pos = 0, out_len = 0, consumed = 0;
	unsigned char out[256];

	lmtp_dot_decoder_init(&dec);
	while (pos < len && !lmtp_dot_decoder_is_end(&dec)) {
		size_t n = MIN(piece, len - pos), out_size;

		consumed = lmtp_dot_decode(
			&dec, (const unsigned char *)c->input + pos, n,
			out + out_len, &out_size);
		assert_true(consumed <= n);
		assert_true(out_size <= consumed + 1);
		out_len += out_size;
		pos += consumed;
		if (consumed < n)
			assert_true(lmtp_dot_decoder_is_end(&dec));
	}
	assert_int_equal(out_len, strlen(c->output));
	assert_memory_equal(out, c->output, out_len);
	if (c->rest < 0) {
		assert_false(lmtp_dot_decoder_is_end(&dec));
	} else {
		assert_true(lmtp_dot_decoder_is_end(&dec));
		assert_int_equal(len - pos, (size_t)c->rest);
	}
}

static void test_dot_decode(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(dot_cases); i++) {
		size_t len = strlen(dot_cases[i].input);

		for (size_t piece = 1; piece <= len; piece++) {
			print_message("case %zu piece %zu\n", i, piece);
			check_case(&dot_cases[i], piece);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
