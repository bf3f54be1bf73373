#include "test-common.h"

#include "imap-bodystructure.h"
#include "imap-envelope.h"
#include "imap-quote.h"
#include "macros.h"
#include "message-parser.h"
#include "pool.h"

#include <string.h>
#include <time.h>

static void test_imap_quote(void **state)
{
	static const struct {
		const char *input;
		enum imap_quote_flags flags;
		const char *string, *astring;
	} cases[] = {
		{ "abc", 0, "\"abc\"", "abc" },
		{ "", 0, "\"\"", "\"\"" },
		{ "NIL", 0, "\"NIL\"", "\"NIL\"" },
		{ "a b", 0, "\"a b\"", "\"a b\"" },
		{ "a]b", 0, "\"a]b\"", "a]b" },
		{ "a\"b\\c", 0, "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\"" },
		{ "a{b", 0, "\"a{b\"", "\"a{b\"" },
		{ "a%*", 0, "\"a%*\"", "\"a%*\"" },
		{ "line\r\nbreak", 0, "{11}\r\nline\r\nbreak",
		  "{11}\r\nline\r\nbreak" },
		{ "Z\xc3\xbcrich", 0, "{7}\r\nZ\xc3\xbcrich",
		  "{7}\r\nZ\xc3\xbcrich" },
		{ "Z\xc3\xbcrich", IMAP_QUOTE_FLAG_UTF8, "\"Z\xc3\xbcrich\"",
		  "\"Z\xc3\xbcrich\"" },
		/* not valid UTF-8: a literal even with UTF8=ACCEPT */
		{ "Z\xfcrich", IMAP_QUOTE_FLAG_UTF8, "{6}\r\nZ\xfcrich",
		  "{6}\r\nZ\xfcrich" },
	};
	string_t *str = str_new(64, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		str_truncate(str, 0);
		imap_append_string(str, cases[i].input, cases[i].flags);
		assert_string_equal(str_c(str), cases[i].string);
		str_truncate(str, 0);
		imap_append_astring(str, cases[i].input, cases[i].flags);
		assert_string_equal(str_c(str), cases[i].astring);
	}
	str_truncate(str, 0);
	imap_append_nstring(str, NULL, 0);
	assert_string_equal(str_c(str), "NIL");
	/* NUL can't be sent: 0x80 instead */
	str_truncate(str, 0);
	imap_append_string_n(str, "a\0b", 3, 0);
	assert_memory_equal(str->data,
			    "{3}\r\na\x80"
			    "b",
			    8);
	str_free(&str);
}

static void test_envelope(void **state)
{
	static const char header[] =
		"Date: Mon, 10 Apr 2023 11:00:00 +0000\r\n"
		"Subject: first\r\nSubject: second\r\n"
		"From: A <a@example.com>\r\nFrom: b@example.com\r\n"
		"Reply-To:\r\n"
		"To: x@example.com\r\nCc: \"Q \\\"R\\\"\" <q@example.com>\r\n"
		"In-Reply-To: <p@example.com> (comment)\r\n"
		"Message-ID: <m@example.com>\r\n\r\n";
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(256, SIZE_MAX);
	struct imap_envelope env;

	imap_envelope_parse(pool, header, sizeof(header) - 1, &env);
	imap_envelope_write(str, &env, 0);
	assert_string_equal(
		str_c(str),
		"(\"Mon, 10 Apr 2023 11:00:00 +0000\" \"first\" "
		"((\"A\" NIL \"a\" \"example.com\")(NIL NIL \"b\" "
		"\"example.com\")) "
		"((\"A\" NIL \"a\" \"example.com\")(NIL NIL \"b\" "
		"\"example.com\")) "
		"((\"A\" NIL \"a\" \"example.com\")(NIL NIL \"b\" "
		"\"example.com\")) "
		"((NIL NIL \"x\" \"example.com\")) "
		"((\"Q \\\"R\\\"\" NIL \"q\" \"example.com\")) NIL "
		"\"<p@example.com> (comment)\" \"<m@example.com>\")");
	str_truncate(str, 0);
	imap_envelope_parse(pool, "", 0, &env);
	imap_envelope_write(str, &env, 0);
	assert_string_equal(str_c(str),
			    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	str_free(&str);
	pool_destroy(&pool);
}

/* Many repeated address fields: joined in linear time, capped. */
static void test_envelope_many_fields(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *header = str_new(1 << 20, SIZE_MAX);
	struct imap_envelope env;
	unsigned int count = 0;
	clock_t start;

	for (unsigned int i = 0; i < 200000; i++)
		str_append(header, "To: a@b\r\n");
	str_append(header, "\r\n");
	start = clock();
	imap_envelope_parse(pool, header->data, header->used, &env);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 5.0);
	for (struct rfc822_address *addr = env.to; addr != NULL;
	     addr = addr->next)
		count++;
	assert_int_equal(count, RFC822_ADDRESS_MAX_COUNT);
	str_free(&header);
	pool_destroy(&pool);
}

static const char global_msg[] =
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	"--b\r\nContent-Type: message/global\r\n\r\n"
	"Subject: S\xc3\xbc\r\n\r\nhi\r\n"
	"--b\r\nContent-Type: text/plain; name*=utf-8''%E2%82%AC.txt\r\n"
	"Content-Disposition: attachment; filename=\"x\"\r\n"
	"Content-Language: en, de\r\nContent-Location: here\r\n"
	"Content-MD5: abc\r\nContent-ID: <id>\r\n"
	"Content-Description: desc\r\n\r\ntext\r\n"
	"--b--\r\n";

static const char encoded_msg[] =
	"Content-Type: message/rfc822\r\n"
	"Content-Transfer-Encoding: base64\r\n\r\nAAAA";

static void write_bs(const char *msg, size_t size,
		     enum imap_bodystructure_flags flags, string_t *str)
{
	struct pool *pool = pool_create("test", 0);
	struct message_part *root = message_parse(pool, msg, size, NULL);

	str_truncate(str, 0);
	assert_int_equal(
		imap_bodystructure_write(str, root, msg, size, flags, pool), 0);
	pool_destroy(&pool);
}

static void test_bodystructure(void **state)
{
	string_t *str = str_new(256, SIZE_MAX);

	/* IMAP4rev1: message/global is a basic part */
	write_bs(global_msg, sizeof(global_msg) - 1,
		 IMAP_BODYSTRUCTURE_FLAG_EXTENDED, str);
	assert_string_equal(
		str_c(str),
		"((\"message\" \"global\" NIL NIL NIL \"7bit\" 18 NIL NIL NIL "
		"NIL)"
		"(\"text\" \"plain\" (\"name\" {7}\r\n\xe2\x82\xac.txt "
		"\"charset\" \"us-ascii\") \"<id>\" \"desc\" \"7bit\" 4 0 "
		"\"abc\" "
		"(\"attachment\" (\"filename\" \"x\")) (\"en\" \"de\") "
		"\"here\")"
		" \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)");
	/* IMAP4rev2 with UTF8=ACCEPT: it carries an envelope */
	write_bs(global_msg, sizeof(global_msg) - 1,
		 IMAP_BODYSTRUCTURE_FLAG_EXTENDED |
			 IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2 |
			 IMAP_BODYSTRUCTURE_FLAG_UTF8,
		 str);
	assert_string_equal(
		str_c(str),
		"((\"message\" \"global\" NIL NIL NIL \"7bit\" 18 "
		"(NIL \"S\xc3\xbc\" NIL NIL NIL NIL NIL NIL NIL NIL) "
		"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		"\"7bit\" "
		"2 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)"
		"(\"text\" \"plain\" (\"name\" \"\xe2\x82\xac.txt\" "
		"\"charset\" \"us-ascii\") \"<id>\" \"desc\" \"7bit\" 4 0 "
		"\"abc\" "
		"(\"attachment\" (\"filename\" \"x\")) (\"en\" \"de\") "
		"\"here\")"
		" \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)");
	/* BODY: no extension data */
	write_bs(global_msg, sizeof(global_msg) - 1, 0, str);
	assert_string_equal(
		str_c(str),
		"((\"message\" \"global\" NIL NIL NIL \"7bit\" 18)"
		"(\"text\" \"plain\" (\"name\" {7}\r\n\xe2\x82\xac.txt "
		"\"charset\" \"us-ascii\") \"<id>\" \"desc\" \"7bit\" 4 0)"
		" \"mixed\")");
	/* message/rfc822 that encapsulates nothing */
	write_bs(encoded_msg, sizeof(encoded_msg) - 1, 0, str);
	assert_string_equal(str_c(str), "(\"application\" \"octet-stream\" "
					"NIL NIL NIL \"base64\" 4)");
	/* no Content-Type at all */
	write_bs("Subject: x\r\n\r\na\r\nb", 18,
		 IMAP_BODYSTRUCTURE_FLAG_EXTENDED, str);
	assert_string_equal(
		str_c(str),
		"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL "
		"NIL \"7bit\" 4 1 NIL NIL NIL NIL)");
	str_free(&str);
}

static void test_bodystructure_deserialized(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct message_part part;
	string_t *str = str_new(64, SIZE_MAX);

	memset(&part, 0, sizeof(part));
	assert_int_equal(imap_bodystructure_write(str, &part, "", 0, 0, pool),
			 -1);
	str_free(&str);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imap_quote),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_envelope_many_fields),
		cmocka_unit_test(test_bodystructure),
		cmocka_unit_test(test_bodystructure_deserialized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
