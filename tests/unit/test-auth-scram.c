#include "test-common.h"

#include "auth-base64.h"
#include "auth-scram-server.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

struct scram_vector {
	const struct scram_hash *hash;
	const char *client_first, *server_nonce, *salt_b64, *server_first;
	const char *client_final, *server_final;
};

/* RFC 5802 §5 and RFC 7677 §3: user "user", password "pencil". */
static const struct scram_vector vectors[] = {
	{ &scram_hash_sha1, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
	  "3rfcNHYJY1ZVvWVs7j", "QSXCR+Q6sek8bf92",
	  "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,"
	  "i=4096",
	  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	  "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
	  "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=" },
	{ &scram_hash_sha256, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	  "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==",
	  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	  "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	  "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" },
};

static void derive(const struct scram_hash *hash, const char *salt_b64,
		   struct scram_credentials *cred)
{
	buffer_t salt;

	buffer_init(&salt, 64);
	assert_int_equal(auth_base64_decode(&salt, salt_b64, strlen(salt_b64)),
			 0);
	scram_credentials_derive(hash, "pencil", salt.data, salt.used, 4096,
				 cred);
	buffer_deinit(&salt);
}

static void test_rfc_vectors(void **state)
{
	for (unsigned int i = 0; i < N_ELEMENTS(vectors); i++) {
		const struct scram_vector *v = &vectors[i];
		struct pool *pool = pool_create("test", 0);
		struct scram_server server = { .hash = v->hash };
		struct scram_credentials cred;
		const char *reply, *error;

		derive(v->hash, v->salt_b64, &cred);
		assert_int_equal(scram_server_parse_client_first(
					 &server, pool,
					 (const void *)v->client_first,
					 strlen(v->client_first), &error),
				 0);
		assert_string_equal(server.username, "user");
		assert_null(server.authzid);
		assert_string_equal(scram_server_first_message(&server, pool,
							       &cred,
							       v->server_nonce),
				    v->server_first);
		assert_int_equal(
			scram_server_verify_final(
				&server, pool, (const void *)v->client_final,
				strlen(v->client_final), &reply, &error),
			1);
		assert_string_equal(reply, v->server_final);
		pool_destroy(&pool);
	}
}

static void test_wrong_proof_and_nonce(void **state)
{
	const struct scram_vector *v = &vectors[1];
	struct pool *pool = pool_create("test", 0);
	struct scram_server server = { .hash = v->hash };
	struct scram_credentials cred;
	const char *reply, *error;
	char final[256];

	derive(v->hash, v->salt_b64, &cred);
	str_copy(final, v->client_final, sizeof(final));
	final[strlen(final) - 3] ^= 1;
	assert_int_equal(scram_server_parse_client_first(
				 &server, pool, (const void *)v->client_first,
				 strlen(v->client_first), &error),
			 0);
	scram_server_first_message(&server, pool, &cred, v->server_nonce);
	assert_int_equal(
		scram_server_verify_final(&server, pool, (const void *) final,
					  strlen(final), &reply, &error),
		0);
	/* another nonce */
	assert_int_equal(
		scram_server_verify_final(&server, pool,
					  (const void *)"c=biws,r=abc,p=AAAA",
					  19, &reply, &error),
		-1);
	pool_destroy(&pool);
}

static void test_client_first_parsing(void **state)
{
	static const char *const bad[] = {
		"",
		"n",
		"n,,",
		"n,,n=user",
		"x,,n=user,r=a",
		"n,,r=a,n=user",
		"n,,m=ext,n=user,r=a",
		"n,,n=,r=a",
		"n,,n=us=er,r=a",
		"n,,n=user,r=",
		"p=tls-unique,,n=user,r=a",
		"n,b=x,n=user,r=a",
		"n,a=,n=user,r=a",
	};
	struct pool *pool = pool_create("test", 0);
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
		struct scram_server server = { .hash = &scram_hash_sha256 };

		assert_int_equal(scram_server_parse_client_first(
					 &server, pool, (const void *)bad[i],
					 strlen(bad[i]), &error),
				 -1);
	}
	{
		struct scram_server server = { .hash = &scram_hash_sha256 };
		const char *first = "n,a=ad=2Cmin,n=us=3Der,r=abc,x=ext";

		assert_int_equal(scram_server_parse_client_first(
					 &server, pool, (const void *)first,
					 strlen(first), &error),
				 0);
		assert_string_equal(server.authzid, "ad,min");
		assert_string_equal(server.username, "us=er");
		assert_string_equal(server.gs2_header, "n,a=ad=2Cmin,");
		assert_string_equal(server.client_first_bare,
				    "n=us=3Der,r=abc,x=ext");
	}
	pool_destroy(&pool);
}

static void test_channel_binding_policy(void **state)
{
	const unsigned char cb[32] = { 1, 2, 3 };
	struct {
		bool plus, have_cb;
		const char *first;
		int ok;
	} cases[] = {
		{ true, true, "p=tls-exporter,,n=u,r=a", 0 },
		{ true, true, "n,,n=u,r=a", -1 },
		{ true, true, "y,,n=u,r=a", -1 },
		{ true, false, "p=tls-exporter,,n=u,r=a", -1 },
		{ false, true, "p=tls-exporter,,n=u,r=a", -1 },
		/* y: the client thinks we can't bind, but we could */
		{ false, true, "y,,n=u,r=a", -1 },
		{ false, false, "y,,n=u,r=a", 0 },
		{ false, true, "n,,n=u,r=a", 0 },
	};
	struct pool *pool = pool_create("test", 0);
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct scram_server server = {
			.hash = &scram_hash_sha256,
			.plus = cases[i].plus,
			.cbind_data = cases[i].have_cb ? cb : NULL,
			.cbind_size = sizeof(cb),
		};

		assert_int_equal(scram_server_parse_client_first(
					 &server, pool,
					 (const void *)cases[i].first,
					 strlen(cases[i].first), &error),
				 cases[i].ok);
	}
	pool_destroy(&pool);
}

static int cbind_final(const unsigned char *binding)
{
	const unsigned char cb[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct pool *pool = pool_create("test", 0);
	struct scram_server server = {
		.hash = &scram_hash_sha256,
		.plus = true,
		.cbind_data = cb,
		.cbind_size = sizeof(cb),
	};
	const char *first = "p=tls-exporter,,n=u,r=a", *reply, *error;
	unsigned char raw[20] = "p=tls-exporter,,";
	struct scram_credentials cred;
	string_t *c = str_new(64, 256);
	char final[256];
	int ret;

	derive(&scram_hash_sha256, "W22ZaJ0SNY7soEsUEjb6gQ==", &cred);
	assert_int_equal(scram_server_parse_client_first(&server, pool,
							 (const void *)first,
							 strlen(first), &error),
			 0);
	scram_server_first_message(&server, pool, &cred, "b");
	memcpy(raw + 16, binding, 4);
	auth_base64_encode(c, raw, sizeof(raw));
	snprintf(final, sizeof(final), "c=%s,r=ab,p=%s", str_c(c),
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	ret = scram_server_verify_final(&server, pool, (const void *) final,
					strlen(final), &reply, &error);
	str_free(&c);
	pool_destroy(&pool);
	return ret;
}

static void test_channel_binding_data_checked(void **state)
{
	/* mismatching binding data is an error before the proof is looked
	   at; matching data gets as far as the (wrong) proof */
	assert_int_equal(cbind_final((const unsigned char *)"\xde\xad\xbe\xee"),
			 -1);
	assert_int_equal(cbind_final((const unsigned char *)"\xde\xad\xbe\xef"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_vectors),
		cmocka_unit_test(test_wrong_proof_and_nonce),
		cmocka_unit_test(test_client_first_parsing),
		cmocka_unit_test(test_channel_binding_policy),
		cmocka_unit_test(test_channel_binding_data_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
