#include "test-common.h"

#include "pop3-uidl.h"
#include "postern/storage.h"

#include <string.h>

static const struct mail_pop3_uidl mail1 = {
	.uid = 1,
	.uidvalidity = 0x6b085b3c,
	.guid = "0123456789abcdef0123456789ABCDEF",
	.file_base = "1700000000.M1P2.host",
};

static void assert_uidl(const char *format, const struct mail_pop3_uidl *uidl,
			const char *expected)
{
	string_t *str = str_new(64, 1024);
	const char *error;

	assert_int_equal(pop3_uidl_format_check(format, &error), 0);
	str_append(str, "x ");
	pop3_uidl_append(str, format, uidl);
	assert_string_equal(str_c(str) + 2, expected);
	assert_true(pop3_uidl_is_valid(str_c(str) + 2));
	str_free(&str);
}

static void test_formats(void **state)
{
	struct mail_pop3_uidl big = mail1;

	/* Dovecot's default, as Dovecot 2.3 prints it (lowercase hex) */
	assert_uidl("%08Xu%08Xv", &mail1, "000000016b085b3c");
	big.uid = 0xABCDEF12;
	assert_uidl("%08Xu%08Xv", &big, "abcdef126b085b3c");
	assert_uidl("%u.%v", &mail1, "1.1795709756");
	assert_uidl("%{uid}-%{uidvalidity}", &mail1, "1-1795709756");
	assert_uidl("%08X{uid}", &mail1, "00000001");
	assert_uidl("%g", &mail1, "0123456789abcdef0123456789ABCDEF");
	assert_uidl("%Lg", &mail1, "0123456789abcdef0123456789abcdef");
	assert_uidl("%UXv", &mail1, "6B085B3C");
	assert_uidl("%f", &mail1, "1700000000.M1P2.host");
	assert_uidl("%{filename}", &mail1, "1700000000.M1P2.host");
	/* width without 0 keeps the first characters; offset.width */
	assert_uidl("%4g", &mail1, "0123");
	assert_uidl("%2.3g", &mail1, "234");
	assert_uidl("%05u", &mail1, "00001");
	assert_uidl("a%%b%u", &mail1, "a%b1");
}

static void test_imported_and_fallbacks(void **state)
{
	struct mail_pop3_uidl uidl = mail1;
	char longname[100];

	uidl.imported_uidl = "UID123-1234567";
	assert_uidl("%08Xu%08Xv", &uidl, "UID123-1234567");
	/* an invalid imported UIDL is not sent */
	uidl.imported_uidl = "has space";
	assert_uidl("%u", &uidl, "1");
	uidl.imported_uidl = NULL;
	/* no file name on this backend: the default format */
	uidl.file_base = NULL;
	assert_uidl("%f", &uidl, "000000016b085b3c");
	/* bytes outside 0x21..0x7e become '_', and 70 characters at most */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[1] = ' ';
	uidl.file_base = longname;
	{
		string_t *str = str_new(64, 1024);

		pop3_uidl_append(str, "%f", &uidl);
		assert_int_equal(str_len(str), POP3_UIDL_MAX_LEN);
		assert_int_equal(str_c(str)[1], '_');
		str_free(&str);
	}
}

static void test_bad_formats(void **state)
{
	static const char *const bad[] = {
		"",    "%",   "%q", "%m",  "%{md5}", "%{nope}", "%{uid",  "%Xg",
		"%Xf", "a b", "%%", "é%u", "%0",     "%08X",    "x\ty%u",
	};
	const char *error;

	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		error = NULL;
		assert_int_equal(pop3_uidl_format_check(bad[i], &error), -1);
		assert_non_null(error);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_imported_and_fallbacks),
		cmocka_unit_test(test_bad_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
