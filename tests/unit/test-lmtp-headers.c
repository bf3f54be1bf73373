#include "test-common.h"

#include "lmtp-esc.h"
#include "lmtp-headers.h"
#include "lmtp-quota.h"

#include <stdlib.h>
#include <string.h>

static void test_esc(void **state)
{
	string_t *str = str_new(64, 1024);

	lmtp_esc_append(str, 550, LMTP_ESC_BAD_MAILBOX);
	assert_string_equal(str_c(str), "550 5.1.1 ");
	str_truncate(str, 0);
	lmtp_esc_append(str, 452, LMTP_ESC_MAILBOX_FULL);
	assert_string_equal(str_c(str), "452 4.2.2 ");
	str_truncate(str, 0);
	lmtp_esc_append(str, 250, LMTP_ESC_OTHER);
	assert_string_equal(str_c(str), "250 2.0.0 ");
	str_truncate(str, 0);
	lmtp_esc_append(str, 553, LMTP_ESC_NON_ASCII_ADDRESS);
	assert_string_equal(str_c(str), "553 5.6.7 ");
	str_free(&str);
}

static void test_headers(void **state)
{
	string_t *str = str_new(512, SIZE_MAX);
	struct lmtp_headers_params params = {
		.return_path = "sender@example.test",
		.delivered_to = "alice+x@example.test",
		.helo = "mx (evil)\r\nX-Injected: 1",
		.remote_ip = "127.0.0.1",
		.hostname = "mail.example.test",
		.session_id = "abcdEFGH12345678",
		.now = 0,
	};

	setenv("TZ", "UTC", 1);
	lmtp_headers_append(str, &params);
	assert_string_equal(
		str_c(str),
		"Return-Path: <sender@example.test>\r\n"
		"Delivered-To: alice+x@example.test\r\n"
		"Received: from mx__evil___X-Injected:_1 ([127.0.0.1])\r\n"
		"\tby mail.example.test with LMTP id abcdEFGH12345678\r\n"
		"\tfor <alice+x@example.test>; "
		"Thu, 01 Jan 1970 00:00:00 +0000\r\n");
	str_truncate(str, 0);
	/* postern-deliver: no Received; the null sender */
	params.return_path = "";
	params.helo = NULL;
	lmtp_headers_append(str, &params);
	assert_string_equal(str_c(str),
			    "Return-Path: <>\r\n"
			    "Delivered-To: alice+x@example.test\r\n");
	str_free(&str);
}

static void test_quota(void **state)
{
	struct lmtp_quota quota;
	const char *error;

	assert_int_equal(lmtp_quota_parse_rule(NULL, &quota, &error), 0);
	assert_false(lmtp_quota_has_limits(&quota));
	assert_int_equal(lmtp_quota_parse_rule("*:storage=1M", &quota, &error),
			 0);
	assert_int_equal(quota.max_bytes, 1024 * 1024);
	/* storage without a suffix counts KiB, as Dovecot's */
	assert_int_equal(lmtp_quota_parse_rule("*:storage=10", &quota, &error),
			 0);
	assert_int_equal(quota.max_bytes, 10 * 1024);
	assert_int_equal(
		lmtp_quota_parse_rule("*:bytes=10:messages=2", &quota, &error),
		0);
	assert_int_equal(quota.max_bytes, 10);
	assert_int_equal(quota.max_messages, 2);
	assert_int_equal(
		lmtp_quota_parse_rule("*:storage=100b", &quota, &error), 0);
	assert_int_equal(quota.max_bytes, 100);
	quota.bytes = 90;
	quota.messages = 0;
	assert_false(lmtp_quota_exceeded(&quota, 10));
	assert_true(lmtp_quota_exceeded(&quota, 11));
	/* rules for one mailbox don't limit deliveries */
	assert_int_equal(
		lmtp_quota_parse_rule("Trash:storage=+10M", &quota, &error), 0);
	assert_false(lmtp_quota_has_limits(&quota));
	assert_int_equal(lmtp_quota_parse_rule("*:ignore", &quota, &error), 0);
	assert_false(lmtp_quota_has_limits(&quota));
	assert_int_equal(
		lmtp_quota_parse_rule("*:storage=lots", &quota, &error), -1);
	assert_int_equal(lmtp_quota_parse_rule("*:frobs=1", &quota, &error),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_quota),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
