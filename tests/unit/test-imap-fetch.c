#include "test-common.h"

#include "imap-fetch-section.h"
#include "imap-fetch.h"
#include "imap-parser.h"
#include "message-parser.h"
#include "message-part-serialize.h"
#include "pool.h"
#include "str.h"

#include <string.h>

static const struct imap_arg *parse_args(struct pool *pool, const char *line)
{
	struct imap_parser_settings set;
	struct imap_parser *parser;

	imap_parser_settings_init_defaults(&set);
	parser = imap_parser_create(pool, &set, 0);
	assert_int_equal(imap_parser_feed_line(parser, line, strlen(line)),
			 IMAP_PARSE_DONE);
	return imap_parser_get_args(parser);
}

/* ---- Item parsing ---- */

struct parse_case {
	const char *args;
	enum imap_fetch_parse_flags flags;
	/* NULL: a parse error is expected */
	const char *names;
	enum imap_fetch_field fields;
};

static const struct parse_case parse_cases[] = {
	{ "FLAGS", 0, "", IMAP_FETCH_FLAGS },
	{ "ALL", 0, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_RFC822_SIZE |
		  IMAP_FETCH_ENVELOPE },
	{ "fast", 0, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_RFC822_SIZE },
	{ "FULL", 0, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_RFC822_SIZE |
		  IMAP_FETCH_ENVELOPE | IMAP_FETCH_BODY },
	{ "(ALL)", 0, NULL, 0 },
	{ "FULL UID", 0, NULL, 0 },
	{ "()", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ "(UID rfc822.size BODYSTRUCTURE body ENVELOPE)", 0, "",
	  IMAP_FETCH_UID | IMAP_FETCH_RFC822_SIZE | IMAP_FETCH_BODYSTRUCTURE |
		  IMAP_FETCH_BODY | IMAP_FETCH_ENVELOPE },
	{ "(MODSEQ SAVEDATE EMAILID THREADID)", 0, "",
	  IMAP_FETCH_MODSEQ | IMAP_FETCH_SAVEDATE | IMAP_FETCH_EMAILID |
		  IMAP_FETCH_THREADID },
	{ "FLAGS", IMAP_FETCH_PARSE_FLAG_UID, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_UID },
	{ "(FOO)", 0, NULL, 0 },
	{ "BODY[]", 0, "BODY[]", 0 },
	{ "body.peek[]", 0, "BODY[]", 0 },
	{ "BODY.PEEK[1.2.3]", 0, "BODY[1.2.3]", 0 },
	{ "BODY[1.2.MIME]", 0, "BODY[1.2.MIME]", 0 },
	{ "BODY[MIME]", 0, NULL, 0 },
	{ "BODY[0]", 0, NULL, 0 },
	{ "BODY[1.0]", 0, NULL, 0 },
	{ "BODY[01]", 0, NULL, 0 },
	{ "BODY[1.]", 0, NULL, 0 },
	{ "BODY[.1]", 0, NULL, 0 },
	{ "BODY[1", 0, NULL, 0 },
	{ "BODY[HEADER]<0.10>", 0, "BODY[HEADER]<0>", 0 },
	{ "BODY[TEXT]<100.20>", 0, "BODY[TEXT]<100>", 0 },
	{ "BODY[TEXT]<100>", 0, NULL, 0 },
	{ "BODY[TEXT]<100.0>", 0, NULL, 0 },
	{ "BODY[TEXT]<1.2.3>", 0, NULL, 0 },
	{ "BODY[TEXT]<a.2>", 0, NULL, 0 },
	{ "BODY[TEXT]x", 0, NULL, 0 },
	{ "BODY.PEEK[HEADER.FIELDS (From \"subject\")]", 0,
	  "BODY[HEADER.FIELDS (FROM SUBJECT)]", 0 },
	{ "(BODY.PEEK[2.HEADER.FIELDS.NOT (To Cc)]<5.10> UID)", 0,
	  "BODY[2.HEADER.FIELDS.NOT (TO CC)]<5>", IMAP_FETCH_UID },
	{ "BODY[HEADER.FIELDS ()]", 0, NULL, 0 },
	{ "BODY[HEADER.FIELDS]", 0, NULL, 0 },
	{ "BODY[HEADER.FIELDS (FROM)", 0, NULL, 0 },
	{ "BODY[HEADER.FIELDS (FROM)]x", 0, NULL, 0 },
	{ "BODY[HEADER.FIELDS ((FROM))]", 0, NULL, 0 },
	{ "BODY[FOO]", 0, NULL, 0 },
	{ "BINARY[1]", 0, "BINARY[1]", 0 },
	{ "BINARY.PEEK[]<0.5>", 0, "BINARY[]<0>", 0 },
	{ "BINARY[1.HEADER]", 0, NULL, 0 },
	{ "BINARY[1.MIME]", 0, NULL, 0 },
	{ "BINARY.SIZE[2]", 0, "BINARY.SIZE[2]", 0 },
	{ "BINARY.SIZE[2]<0.5>", 0, NULL, 0 },
	{ "(RFC822 RFC822.HEADER RFC822.TEXT)", 0,
	  "RFC822 RFC822.HEADER RFC822.TEXT", 0 },
	{ "(FLAGS) (CHANGEDSINCE 12345)", 0, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_MODSEQ },
	{ "(FLAGS) (CHANGEDSINCE 9223372036854775808)", 0, NULL, 0 },
	{ "(FLAGS) (CHANGEDSINCE)", 0, NULL, 0 },
	{ "(FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)", 0, NULL, 0 },
	{ "(FLAGS) ()", 0, NULL, 0 },
	{ "(FLAGS) (FOO 1)", 0, NULL, 0 },
	{ "(FLAGS) (CHANGEDSINCE 1) x", 0, NULL, 0 },
	{ "(FLAGS) (CHANGEDSINCE 1 VANISHED)", IMAP_FETCH_PARSE_FLAG_UID, NULL,
	  0 },
	{ "(FLAGS) (CHANGEDSINCE 1 VANISHED)", IMAP_FETCH_PARSE_FLAG_QRESYNC,
	  NULL, 0 },
	{ "(FLAGS) (VANISHED)",
	  IMAP_FETCH_PARSE_FLAG_UID | IMAP_FETCH_PARSE_FLAG_QRESYNC, NULL, 0 },
	{ "(FLAGS) (CHANGEDSINCE 1 VANISHED)",
	  IMAP_FETCH_PARSE_FLAG_UID | IMAP_FETCH_PARSE_FLAG_QRESYNC, "",
	  IMAP_FETCH_FLAGS | IMAP_FETCH_MODSEQ | IMAP_FETCH_UID },
};

static void check_parse_case(const struct parse_case *c)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_fetch_query query;
	const char *error = NULL;
	string_t *names = str_new(64, SIZE_MAX);
	int ret;

	ret = imap_fetch_query_parse(pool, parse_args(pool, c->args), c->flags,
				     &query, &error);
	if (c->names == NULL) {
		if (ret == 0)
			fail_msg("'%s' parsed, expected an error", c->args);
		assert_non_null(error);
	} else {
		if (ret < 0)
			fail_msg("'%s' failed: %s", c->args, error);
		for (unsigned int i = 0; i < query.bodies_count; i++) {
			if (i > 0)
				str_append_c(names, ' ');
			str_append(names, query.bodies[i].name);
		}
		assert_string_equal(str_c(names), c->names);
		assert_int_equal(query.fields, c->fields);
	}
	str_free(&names);
	pool_destroy(&pool);
}

static void test_fetch_parse(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(parse_cases); i++)
		check_parse_case(&parse_cases[i]);
}

static void test_fetch_parse_seen(void **state)
{
	static const struct {
		const char *args;
		bool sets_seen;
	} cases[] = {
		{ "BODY[]", true },
		{ "BODY.PEEK[]", false },
		{ "BINARY[1]", true },
		{ "BINARY.PEEK[1]", false },
		{ "BINARY.SIZE[1]", false },
		{ "RFC822", true },
		{ "RFC822.TEXT", true },
		{ "RFC822.HEADER", false },
		{ "(FLAGS BODY.PEEK[1] BODY[2])", true },
		{ "ALL", false },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pool *pool = pool_create("test", 0);
		struct imap_fetch_query query;
		const char *error;

		assert_int_equal(imap_fetch_query_parse(
					 pool, parse_args(pool, cases[i].args),
					 0, &query, &error),
				 0);
		if (query.sets_seen != cases[i].sets_seen)
			fail_msg("%s: sets_seen %d", cases[i].args,
				 query.sets_seen);
		pool_destroy(&pool);
	}
}

static void test_fetch_parse_partial(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct imap_fetch_query query;
	const char *error;

	assert_int_equal(
		imap_fetch_query_parse(
			pool,
			parse_args(pool,
				   "BODY[1]<4294967296.18446744073709551615>"),
			0, &query, &error),
		0);
	assert_int_equal(query.bodies_count, 1);
	assert_true(query.bodies[0].partial);
	assert_true(query.bodies[0].partial_offset == 4294967296ULL);
	assert_true(query.bodies[0].partial_size == UINT64_MAX);
	assert_string_equal(query.bodies[0].section.part, "1");
	pool_destroy(&pool);
}

/* ---- Sections ---- */

#define MSG_MULTI                                                  \
	"From: a@example.org\r\n"                                  \
	"Subject: multi\r\n"                                       \
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"       \
	"\r\n"                                                     \
	"preamble\r\n"                                             \
	"--b1\r\n"                                                 \
	"Content-Type: text/plain\r\n"                             \
	"\r\n"                                                     \
	"first part\r\n"                                           \
	"--b1\r\n"                                                 \
	"Content-Type: message/rfc822\r\n"                         \
	"\r\n"                                                     \
	"From: inner@example.org\r\n"                              \
	"Subject: inner\r\n"                                       \
	"Content-Type: multipart/alternative; boundary=\"b2\"\r\n" \
	"\r\n"                                                     \
	"--b2\r\n"                                                 \
	"Content-Type: text/plain\r\n"                             \
	"Content-Transfer-Encoding: base64\r\n"                    \
	"\r\n"                                                     \
	"aGVsbG8gd29ybGQ=\r\n"                                     \
	"--b2\r\n"                                                 \
	"Content-Type: text/html\r\n"                              \
	"Content-Transfer-Encoding: quoted-printable\r\n"          \
	"\r\n"                                                     \
	"<p>caf=C3=A9=\r\n"                                        \
	" ok</p>\r\n"                                              \
	"--b2--\r\n"                                               \
	"--b1\r\n"                                                 \
	"Content-Type: application/octet-stream\r\n"               \
	"Content-Transfer-Encoding: base64\r\n"                    \
	"\r\n"                                                     \
	"AAEC/w==\r\n"                                             \
	"--b1\r\n"                                                 \
	"Content-Type: text/plain\r\n"                             \
	"Content-Transfer-Encoding: x-uuencode\r\n"                \
	"\r\n"                                                     \
	"begin 644 x\r\n"                                          \
	"--b1\r\n"                                                 \
	"Content-Type: message/rfc822\r\n"                         \
	"\r\n"                                                     \
	"Subject: single\r\n"                                      \
	"\r\n"                                                     \
	"single body\r\n"                                          \
	"--b1--\r\n"                                               \
	"epilogue\r\n"

#define MSG_SIMPLE                \
	"From: a@example.org\r\n" \
	"To: b@example.org\r\n"   \
	"Subject: simple\r\n"     \
	"\r\n"                    \
	"line one\r\n"            \
	"line two\r\n"

#define MSG_HEADER_ONLY           \
	"From: a@example.org\r\n" \
	"Subject: no body\r\n"

struct section_case {
	const char *msg;
	const char *item;
	/* NULL: UNKNOWN-CTE expected */
	const char *output;
	size_t output_len;
	/* decoded, or holding NUL */
	bool literal8;
};

#define OUT(s) s, sizeof(s) - 1

static const struct section_case section_cases[] = {
	{ MSG_SIMPLE, "BODY[]", OUT(MSG_SIMPLE), false },
	{ MSG_SIMPLE, "BODY[HEADER]",
	  OUT("From: a@example.org\r\nTo: b@example.org\r\n"
	      "Subject: simple\r\n\r\n"),
	  false },
	{ MSG_SIMPLE, "BODY[TEXT]", OUT("line one\r\nline two\r\n"), false },
	{ MSG_SIMPLE, "BODY[1]", OUT("line one\r\nline two\r\n"), false },
	{ MSG_SIMPLE, "BODY[1.MIME]",
	  OUT("From: a@example.org\r\nTo: b@example.org\r\n"
	      "Subject: simple\r\n\r\n"),
	  false },
	{ MSG_SIMPLE, "BODY[2]", OUT(""), false },
	{ MSG_SIMPLE, "BODY[1.1]", OUT(""), false },
	{ MSG_SIMPLE, "BODY[]<0.3>", OUT("Fro"), false },
	{ MSG_SIMPLE, "BODY[1.HEADER]", OUT(""), false },
	{ MSG_SIMPLE, "BODY[1.TEXT]", OUT(""), false },
	{ MSG_SIMPLE, "BODY[HEADER.FIELDS (SUBJECT FROM)]",
	  OUT("From: a@example.org\r\nSubject: simple\r\n\r\n"), false },
	{ MSG_SIMPLE, "BODY[HEADER.FIELDS.NOT (SUBJECT FROM)]",
	  OUT("To: b@example.org\r\n\r\n"), false },
	{ MSG_SIMPLE, "BODY[HEADER.FIELDS (X-NONE)]", OUT("\r\n"), false },
	{ MSG_SIMPLE, "BODY[HEADER.FIELDS (FROM)]<6.100>",
	  OUT("a@example.org\r\n\r\n"), false },
	{ MSG_SIMPLE, "BODY[TEXT]<5.3>", OUT("one"), false },
	{ MSG_SIMPLE, "BODY[TEXT]<0.1000>", OUT("line one\r\nline two\r\n"),
	  false },
	{ MSG_SIMPLE, "BODY[TEXT]<20.5>", OUT(""), false },
	{ MSG_SIMPLE, "BODY[TEXT]<19.5>", OUT("\n"), false },
	{ MSG_SIMPLE, "BINARY[1]", OUT("line one\r\nline two\r\n"), false },
	{ MSG_SIMPLE, "BINARY.SIZE[1]", OUT("line one\r\nline two\r\n"),
	  false },
	/* RFC 3501 §6.4.5: no blank line for a header-only message without
	   one (Dovecot adds it: a departure we don't copy) */
	{ MSG_HEADER_ONLY, "BODY[HEADER.FIELDS (FROM)]",
	  OUT("From: a@example.org\r\n"), false },
	{ MSG_HEADER_ONLY, "BODY[HEADER.FIELDS (X-NONE)]", OUT(""), false },
	{ MSG_HEADER_ONLY, "BODY[HEADER]", OUT(MSG_HEADER_ONLY), false },
	{ MSG_HEADER_ONLY, "BODY[TEXT]", OUT(""), false },
	{ MSG_HEADER_ONLY, "BODY[1]", OUT(""), false },
	{ MSG_MULTI, "BODY[1]", OUT("first part"), false },
	{ MSG_MULTI, "BODY[1.MIME]", OUT("Content-Type: text/plain\r\n\r\n"),
	  false },
	{ MSG_MULTI, "BODY[2.HEADER.FIELDS (SUBJECT)]",
	  OUT("Subject: inner\r\n\r\n"), false },
	{ MSG_MULTI, "BODY[2.HEADER]",
	  OUT("From: inner@example.org\r\nSubject: inner\r\n"
	      "Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"),
	  false },
	{ MSG_MULTI, "BODY[2.MIME]",
	  OUT("Content-Type: message/rfc822\r\n\r\n"), false },
	{ MSG_MULTI, "BODY[2.1]", OUT("aGVsbG8gd29ybGQ="), false },
	{ MSG_MULTI, "BINARY[2.1]", OUT("hello world"), true },
	{ MSG_MULTI, "BINARY[2.1]<6.100>", OUT("world"), true },
	{ MSG_MULTI, "BINARY[2.1]<11.100>", OUT(""), true },
	{ MSG_MULTI, "BINARY[2.2]", OUT("<p>caf\xc3\xa9 ok</p>"), true },
	{ MSG_MULTI, "BINARY[3]", OUT("\x00\x01\x02\xff"), true },
	{ MSG_MULTI, "BINARY[3]<1.2>", OUT("\x01\x02"), true },
	{ MSG_MULTI, "BINARY[3]<0.2>", OUT("\x00\x01"), true },
	{ MSG_MULTI, "BINARY[4]", NULL, 0, false },
	{ MSG_MULTI, "BINARY.SIZE[4]", NULL, 0, false },
	{ MSG_MULTI, "BODY[4]", OUT("begin 644 x"), false },
	{ MSG_MULTI, "BINARY[2.3]", OUT(""), false },
	{ MSG_MULTI, "BODY[3.HEADER]", OUT(""), false },
	{ MSG_MULTI, "BODY[5.HEADER]", OUT("Subject: single\r\n\r\n"), false },
	{ MSG_MULTI, "BODY[5.TEXT]", OUT("single body"), false },
	{ MSG_MULTI, "BODY[5.1]", OUT("single body"), false },
	{ MSG_MULTI, "BODY[5.1.MIME]", OUT("Subject: single\r\n\r\n"), false },
	{ MSG_MULTI, "BODY[6]", OUT(""), false },
};

/* Runs one section item through find, measure and a reader that gives
   out at most step bytes at a time. */
static void check_section(const struct section_case *c, size_t step)
{
	struct pool *pool = pool_create("test", 0);
	size_t msg_size = strlen(c->msg);
	struct message_part *parsed, *root;
	struct imap_fetch_query query;
	struct imap_section_content content;
	struct imap_section_reader reader;
	const struct imap_fetch_body *body;
	buffer_t filtered, serialized, out;
	uint64_t offset, size;
	const char *error;
	bool has_nul, done;
	int ret;

	parsed = message_parse(pool, c->msg, msg_size, NULL);
	buffer_init(&serialized, SIZE_MAX);
	message_part_serialize(parsed, &serialized);
	assert_int_equal(message_part_deserialize(pool, serialized.data,
						  serialized.used, msg_size,
						  &root, &error),
			 0);
	assert_int_equal(imap_fetch_query_parse(pool, parse_args(pool, c->item),
						0, &query, &error),
			 0);
	body = &query.bodies[0];
	buffer_init(&filtered, SIZE_MAX);
	ret = imap_fetch_section_find(
		&body->section, (const unsigned char *)c->msg, msg_size, root,
		0, body->type != IMAP_FETCH_BODY_SECTION, &filtered, &content);
	if (c->output == NULL) {
		assert_int_equal(ret, -1);
		goto end;
	}
	assert_int_equal(ret, 0);
	offset = body->partial ? body->partial_offset : 0;
	imap_section_measure((const unsigned char *)c->msg, &content, &filtered,
			     offset,
			     body->partial ? body->partial_size : UINT64_MAX,
			     &size, &has_nul);
	if (size != c->output_len)
		fail_msg("%s: size %llu, expected %zu", c->item,
			 (unsigned long long)size, c->output_len);
	assert_int_equal(has_nul, c->literal8);
	buffer_init(&out, SIZE_MAX);
	imap_section_reader_init(&reader, (const unsigned char *)c->msg,
				 &content, &filtered, offset, size, false);
	do {
		size_t before = out.used;

		done = imap_section_reader_read(&reader, &out, step);
		assert_true(out.used - before <= step);
	} while (!done);
	imap_section_reader_deinit(&reader);
	assert_int_equal(out.used, c->output_len);
	if (c->output_len > 0 && memcmp(out.data, c->output, out.used) != 0)
		fail_msg("%s: got '%.*s'", c->item, (int)out.used, out.data);
	buffer_deinit(&out);
end:
	buffer_deinit(&filtered);
	buffer_deinit(&serialized);
	pool_destroy(&pool);
}

static void test_fetch_sections(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(section_cases); i++) {
		check_section(&section_cases[i], 1);
		check_section(&section_cases[i], 3);
		check_section(&section_cases[i], 1 << 20);
	}
}

static void test_fetch_section_nul(void **state)
{
	static const char msg[] = "Subject: x\r\n\r\na\0b\r\n";
	struct imap_section_content content = { .offset = 14, .size = 5 };
	struct imap_section_reader reader;
	buffer_t out;

	/* BODY[] can't send NUL: it goes out as 0x80 */
	buffer_init(&out, SIZE_MAX);
	imap_section_reader_init(&reader, (const unsigned char *)msg, &content,
				 NULL, 0, 5, true);
	assert_true(imap_section_reader_read(&reader, &out, 100));
	assert_int_equal(out.used, 5);
	assert_memory_equal(out.data,
			    "a\x80"
			    "b\r\n",
			    5);
	buffer_deinit(&out);
}

/* A big base64 part decoded in bounded pieces. */
static void test_fetch_section_big_binary(void **state)
{
	const size_t raw_size = 1024 * 1024 + 7;
	struct pool *pool = pool_create("test", 0);
	string_t *msg = str_new(2 * raw_size, SIZE_MAX);
	struct imap_section_content content;
	struct imap_section_reader reader;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";
	struct message_part *root;
	struct imap_fetch_section section = { .part = "" };
	buffer_t out;
	uint64_t size;
	bool nul, done;
	size_t line = 0;

	str_append(msg, "Content-Transfer-Encoding: base64\r\n\r\n");
	/* raw_size bytes of the pattern i % 251, encoded by hand */
	for (size_t i = 0; i < raw_size; i += 3) {
		uint32_t v = 0;
		size_t n = MIN(3, raw_size - i);

		for (size_t k = 0; k < 3; k++)
			v = v << 8 | (k < n ? (uint8_t)((i + k) % 251) : 0);
		for (size_t k = 0; k < 4; k++) {
			str_append_c(msg, k <= n ? b64[(v >> (18 - 6 * k)) & 63]
						 : '=');
		}
		if (++line == 19) {
			str_append(msg, "\r\n");
			line = 0;
		}
	}
	str_append(msg, "\r\n");
	root = message_parse(pool, msg->data, msg->used, NULL);
	section.part = "1";
	assert_int_equal(imap_fetch_section_find(&section, msg->data, msg->used,
						 root, 0, true, NULL, &content),
			 0);
	imap_section_measure(msg->data, &content, NULL, 0, UINT64_MAX, &size,
			     &nul);
	assert_true(size == raw_size);
	assert_true(nul);
	imap_section_reader_init(&reader, msg->data, &content, NULL, 0, size,
				 false);
	buffer_init(&out, 65536);
	size = 0;
	do {
		buffer_clear(&out);
		done = imap_section_reader_read(&reader, &out, 65536);
		for (size_t i = 0; i < out.used; i++) {
			if (out.data[i] != (size + i) % 251)
				fail_msg("byte %zu differs", (size_t)size + i);
		}
		size += out.used;
		/* the reader holds one decoded chunk at most */
		assert_true(reader.pending.alloc <= 64 * 1024);
	} while (!done);
	assert_true(size == raw_size);
	imap_section_reader_deinit(&reader);
	buffer_deinit(&out);
	str_free(&msg);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_parse),
		cmocka_unit_test(test_fetch_parse_seen),
		cmocka_unit_test(test_fetch_parse_partial),
		cmocka_unit_test(test_fetch_sections),
		cmocka_unit_test(test_fetch_section_nul),
		cmocka_unit_test(test_fetch_section_big_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
