#include "test-common.h"

#include "auth-base64.h"
#include "auth-protocol.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

static void test_tabescape(void **state)
{
	string_t *str = str_new(64, 1024);
	char buf[64];

	auth_str_append_tabescaped(str, "a\tb\nc\rd\001e\\f");
	assert_string_equal(str_c(str), "a\001tb\001nc\001rd\0011e\\f");
	str_copy(buf, str_c(str), sizeof(buf));
	assert_string_equal(auth_tabunescape(buf), "a\tb\nc\rd\001e\\f");
	/* \001 followed by anything else is that byte; a trailing \001 is
	   dropped; \0010 (v1.3) ends the string */
	str_copy(buf, "x\001zy\001", sizeof(buf));
	assert_string_equal(auth_tabunescape(buf), "xzy");
	str_copy(buf, "ab\0010cd", sizeof(buf));
	assert_string_equal(auth_tabunescape(buf), "ab");
	str_copy(buf, "plain", sizeof(buf));
	assert_string_equal(auth_tabunescape(buf), "plain");
	str_free(&str);
}

static void test_split_line(void **state)
{
	struct pool *pool = pool_create("test", 0);
	char **f = auth_split_line(pool, "OK\t1\tuser=a\001tb\tflag\t");

	assert_int_equal(auth_fields_count(f), 5);
	assert_string_equal(f[2], "user=a\tb");
	assert_string_equal(auth_fields_find(f, "user"), "a\tb");
	assert_string_equal(auth_fields_find(f, "flag"), "");
	assert_null(auth_fields_find(f, "fla"));
	assert_null(auth_fields_find(f, "nope"));
	assert_string_equal(f[4], "");
	pool_destroy(&pool);
}

static int parse(struct pool *pool, const char *line,
		 struct auth_request_info *info)
{
	const char *error;

	return auth_request_info_parse(auth_split_line(pool, line), info,
				       &error);
}

static void test_parse_postfix_and_exim(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct auth_request_info info;

	/* Postfix xsasl_dovecot_server_first() */
	assert_int_equal(
		parse(pool,
		      "7\tPLAIN\tservice=smtp\tnologin\tlip=192.0.2.1\t"
		      "rip=198.51.100.2\tsecured\tresp=AGEAYg==",
		      &info),
		0);
	assert_int_equal(info.id, 7);
	assert_string_equal(info.mech, "PLAIN");
	assert_string_equal(info.service, "smtp");
	assert_true(info.nologin);
	assert_true(info.secured);
	assert_false(info.valid_client_cert);
	assert_string_equal(info.local_ip, "192.0.2.1");
	assert_string_equal(info.remote_ip, "198.51.100.2");
	assert_string_equal(info.initial_resp, "AGEAYg==");
	/* Exim auths/dovecot.c, empty resp = no initial response */
	assert_int_equal(parse(pool,
			       "1\tLOGIN\tservice=smtp\tsecured\tvalid-client-"
			       "cert\trip=::1\tlip=::1\tnologin\tresp=",
			       &info),
			 0);
	assert_true(info.valid_client_cert);
	assert_null(info.initial_resp);
	/* unknown parameters are ignored, ports parsed */
	assert_int_equal(parse(pool,
			       "2\tPLAIN\tservice=imap\tfuture=x\tnewflag\t"
			       "lport=993\trport=51000\tsession=abc",
			       &info),
			 0);
	assert_int_equal(info.local_port, 993);
	assert_int_equal(info.remote_port, 51000);
	assert_string_equal(info.session_id, "abc");
	pool_destroy(&pool);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"1",
		"x\tPLAIN\tservice=smtp",
		"1\tPLAIN",
		"1\t\tservice=smtp",
		"1\tPLAIN\tservice=",
		"-1\tPLAIN\tservice=a",
		"1\tPLAIN\tservice=a\tlport=70000",
		"1\tPLAIN\tservice=a\trport=x",
		"99999999999\tPLAIN\tservice=a",
	};
	struct pool *pool = pool_create("test", 0);
	struct auth_request_info info;

	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++)
		assert_int_equal(parse(pool, bad[i], &info), -1);
	pool_destroy(&pool);
}

static void test_append_roundtrip(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct auth_request_info in = {
		.id = 42, .mech = "SCRAM-SHA-256-PLUS", .service = "imap",
		.local_ip = "127.0.0.1", .remote_ip = "127.0.0.2",
		.local_port = 143, .remote_port = 40000, .secured = true,
		.nologin = true, .session_id = "s\tid",
		.cbind_tls_exporter = "AAAA", .initial_resp = "biws",
	}, out;
	string_t *str = str_new(256, 4096);

	auth_request_info_append(str, &in);
	assert_true(strncmp(str_c(str), "AUTH\t42\t", 8) == 0);
	/* resp goes last, as Dovecot requires */
	assert_true(strstr(str_c(str), "\tresp=biws") ==
		    str_c(str) + str_len(str) - 10);
	assert_int_equal(parse(pool, str_c(str) + 5, &out), 0);
	assert_int_equal(out.id, 42);
	assert_string_equal(out.mech, in.mech);
	assert_string_equal(out.session_id, "s\tid");
	assert_string_equal(out.cbind_tls_exporter, "AAAA");
	assert_int_equal(out.remote_port, 40000);
	assert_true(out.secured && out.nologin && !out.valid_client_cert);
	str_free(&str);
	pool_destroy(&pool);
}

static void test_mech_flags(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(64, 1024);
	char **words;

	auth_mech_flags_append(str, AUTH_MECH_FLAG_PLAINTEXT |
					    AUTH_MECH_FLAG_MUTUAL_AUTH);
	assert_string_equal(str_c(str), "\tplaintext\tmutual-auth");
	words = auth_split_line(pool,
				"plaintext\tdictionary\tactive\t"
				"forward-secrecy\tmutual-auth\tprivate\tx");
	assert_int_equal(auth_mech_flags_parse(words), 0x3f);
	str_free(&str);
	pool_destroy(&pool);
}

static void test_base64(void **state)
{
	buffer_t buf;
	string_t *str = str_new(64, 1024);

	auth_base64_encode(str, "\0user\0pass", 10);
	assert_string_equal(str_c(str), "AHVzZXIAcGFzcw==");
	buffer_init(&buf, 1024);
	assert_int_equal(auth_base64_decode(&buf, str_c(str), str_len(str)), 0);
	assert_int_equal(buf.used, 10);
	assert_memory_equal(buf.data, "\0user\0pass", 10);
	buffer_set_used(&buf, 0);
	assert_int_equal(auth_base64_decode(&buf, "AHVzZXI", 7), -1);
	assert_int_equal(auth_base64_decode(&buf, "AH Vz", 5), -1);
	assert_int_equal(auth_base64_decode(&buf, "", 0), 0);
	assert_int_equal(auth_base64url_decode(&buf, "_-8", 3), 0);
	buffer_deinit(&buf);
	str_free(&str);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tabescape),
		cmocka_unit_test(test_split_line),
		cmocka_unit_test(test_parse_postfix_and_exim),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_append_roundtrip),
		cmocka_unit_test(test_mech_flags),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
