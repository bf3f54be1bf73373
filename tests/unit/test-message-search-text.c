#include "test-common.h"

#include "macros.h"
#include "message-parser.h"
#include "message-search-text.h"
#include "pool.h"

#include <string.h>

static void test_search_contains(void **state)
{
	static const struct {
		const char *haystack, *needle;
		bool found;
	} cases[] = {
		{ "Umzug nach Z\xc3\xbcrich", "z\xc3\xbcrich", true },
		{ "Umzug nach Z\xc3\xbcrich", "Z\xc3\x9cRICH", true },
		/* decomposed u + combining diaeresis */
		{ "Zu\xcc\x88rich", "z\xc3\xbcrich", true },
		{ "Stra\xc3\x9f"
		  "e",
		  "STRASSE", true },
		{ "\xef\xac\x81le", "file", true }, /* ligature fi */
		{ "\xce\xa3\xce\x97\xce\xa3", "\xcf\x83\xce\xb7\xcf\x82",
		  true },
		{ "caf\xc3\xa9", "cafe", true }, /* RFC 5051: NFKD */
		{ "abc", "abd", false },
		{ "abc", "", true },
		{ "", "a", false },
		{ "bad \xff bytes", "BYTES", true },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		if (message_search_contains(
			    cases[i].haystack, strlen(cases[i].haystack),
			    cases[i].needle,
			    strlen(cases[i].needle)) != cases[i].found)
			fail_msg("case %zu", i);
	}
}

static const char msg[] =
	"Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
	"Subject: second\r\n"
	"From: =?utf-8?q?Ann_Har?= =?utf-8?q?greaves?= <a@b>\r\n"
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	"K=E4sebr=F6tchen and marzi=\r\npan\r\n"
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: base64\r\n\r\ncG9tZWdyYW5hdGU=\r\n"
	"--b\r\nContent-Type: application/octet-stream\r\n\r\nhidden\r\n"
	"--b\r\nContent-Type: message/rfc822\r\n\r\n"
	"Subject: =?utf-8?q?inner_s=C3=BCbject?=\r\n\r\ninner body\r\n"
	"--b\r\nContent-Type: text/plain; charset=x-unknown\r\n"
	"Content-Transfer-Encoding: x-uuencode\r\n\r\nraw text\r\n"
	"--b--\r\n";

static void test_search_message(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct message_part *root =
		message_parse(pool, msg, sizeof(msg) - 1, NULL);
	string_t *str = str_new(256, SIZE_MAX);

	assert_int_equal(
		message_search_header(msg, root->header_size, "subject", str),
		2);
	assert_string_equal(str_c(str), "Gr\xc3\xbc\xc3\x9f"
					"e\nsecond\n");
	str_truncate(str, 0);
	message_search_header(msg, root->header_size, "From", str);
	assert_string_equal(str_c(str), "Ann Hargreaves <a@b>\n");

	str_truncate(str, 0);
	message_search_body_text(msg, sizeof(msg) - 1, root, str);
	assert_non_null(strstr(str_c(str), "K\xc3\xa4sebr\xc3\xb6tchen"));
	assert_non_null(strstr(str_c(str), "marzipan"));
	assert_non_null(strstr(str_c(str), "pomegranate"));
	assert_non_null(strstr(str_c(str), "inner s\xc3\xbc"
					   "bject"));
	assert_non_null(strstr(str_c(str), "inner body"));
	assert_non_null(strstr(str_c(str), "raw text"));
	assert_null(strstr(str_c(str), "hidden"));

	str_truncate(str, 0);
	message_search_header_text(msg, root->header_size, str);
	assert_non_null(strstr(str_c(str), "Subject: second\n"));
	str_free(&str);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_contains),
		cmocka_unit_test(test_search_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
