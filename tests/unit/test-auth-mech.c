#include "test-common.h"

#include "auth.h"
#include "auth-base64.h"
#include "auth-request.h"
#include "auth-scram.h"
#include "auth-scram-mech.h"
#include "config.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"
#include "sasl-mech.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every mechanism end to end through auth_request, with a loop-less
   struct auth (lookups run synchronously) over a passwd-file. */

static char dir[64];
static struct pool *set_pool;
static struct auth_settings set;
static struct auth *auth;
static EVP_PKEY *jwt_key;

struct exchange {
	struct auth_request *request;
	enum auth_reply last;
	int n_replies;
	char data[1024];
	size_t size;
	char user[128];
	char master_user[128];
	char reason[128];
	bool temp, authz, disabled;
};

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void write_users(void)
{
	static const unsigned char rfc_salt[] = {
		0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
		0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81
	}; /* "W22ZaJ0SNY7soEsUEjb6gQ==" of RFC 7677 */
	struct scram_credentials cred;
	string_t *text = str_new(1024, 65536);

	scram_credentials_derive(&scram_hash_sha256, "pencil", rfc_salt,
				 sizeof(rfc_salt), 4096, &cred);
	str_append(text, "alice:{PLAIN}secret\nbob:{PLAIN}bobpw\n"
			 "carol:{PLAIN}secret::::::disabled\n"
			 "user:{SCRAM-SHA-256}");
	scram_credentials_append(&scram_hash_sha256, &cred, text);
	str_append_c(text, '\n');
	write_file("users", str_c(text));
	write_file("masters", "admin:{PLAIN}masterpw\n");
	str_free(&text);
}

static void write_jwt_key(void)
{
	char path[128];
	FILE *f;

	jwt_key = EVP_EC_gen("P-256");
	assert_non_null(jwt_key);
	snprintf(path, sizeof(path), "%s/jwt.pem", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, jwt_key), 1);
	fclose(f);
}

static int setup(void **state)
{
	static const struct setting_def no_defs[] = { SETTING_DEFS_END };
	struct setting_section top = { NULL, no_defs, NULL };
	struct setting_section section = { "auth", auth_setting_defs, &set };
	struct setting_section *const sections[] = { &top, &section, NULL };
	const char *error;

	if (sodium_init() < 0)
		return -1;
	str_copy(dir, "/tmp/postern-test-mech-XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		return -1;
	write_users();
	write_jwt_key();
	set_pool = pool_create("settings", 0);
	config_set_defaults(sections, set_pool);
	set.passdb = "passwd-file:users";
	set.master_passdb = "passwd-file:masters";
	set.mechanisms = "PLAIN LOGIN SCRAM-SHA-1 SCRAM-SHA-256 "
			 "SCRAM-SHA-256-PLUS EXTERNAL OAUTHBEARER XOAUTH2 APOP";
	set.oauth_keys = "jwt.pem";
	set.oauth_issuer = "https://issuer.test";
	if (auth_init(&auth, NULL, &set, dir, &error) < 0) {
		fprintf(stderr, "auth_init: %s\n", error);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	auth_deinit(&auth);
	EVP_PKEY_free(jwt_key);
	pool_destroy(&set_pool);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void reply_cb(struct auth_request *request, enum auth_reply reply,
		     const unsigned char *data, size_t size, void *context)
{
	struct exchange *ex = context;

	ex->last = reply;
	ex->n_replies++;
	assert_true(size < sizeof(ex->data));
	if (size > 0)
		memcpy(ex->data, data, size);
	ex->data[size] = '\0';
	ex->size = size;
	if (reply == AUTH_REPLY_CONTINUE)
		return;
	str_copy(ex->user, request->user ?: "", sizeof(ex->user));
	str_copy(ex->master_user, request->master_user ?: "",
		 sizeof(ex->master_user));
	str_copy(ex->reason, request->fail_reason ?: "", sizeof(ex->reason));
	ex->temp = request->internal_failure;
	ex->authz = request->authz_failure;
	ex->disabled = request->user_disabled;
	ex->request = NULL;
}

static char *b64(const void *data, size_t size)
{
	static char buf[4096];
	string_t *str = str_new(256, sizeof(buf));

	auth_base64_encode(str, data, size);
	str_copy(buf, str_c(str), sizeof(buf));
	str_free(&str);
	return buf;
}

/* Aborts an exchange still waiting for input. */
static void finish(struct exchange *ex)
{
	if (ex->request != NULL)
		auth_request_abort(ex->request);
	ex->request = NULL;
}

static void start_info(struct exchange *ex, const char *mech, const void *resp,
		       size_t size, struct auth_request_info *info)
{
	finish(ex);
	memset(ex, 0, sizeof(*ex));
	info->mech = mech;
	info->service = "imap";
	info->initial_resp = resp == NULL ? NULL : b64(resp, size);
	ex->request = auth_request_new(auth, sasl_mech_find(mech), info,
				       reply_cb, ex);
	auth_request_start(ex->request);
}

static void start(struct exchange *ex, const char *mech, const void *resp,
		  size_t size)
{
	struct auth_request_info info = { .id = 1, .secured = true };

	start_info(ex, mech, resp, size, &info);
}

static void cont(struct exchange *ex, const void *data, size_t size)
{
	assert_non_null(ex->request);
	auth_request_continue(ex->request, b64(data, size));
}

#define PLAIN(s) s, sizeof(s) - 1

static void test_plain(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "PLAIN", PLAIN("\0alice\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "alice");
	start(&ex, "PLAIN", PLAIN("alice\0alice\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	start(&ex, "PLAIN", PLAIN("\0ALICE\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "alice");
	start(&ex, "PLAIN", PLAIN("\0alice\0wrong"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	assert_false(ex.temp);
	start(&ex, "PLAIN", PLAIN("\0nobody\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	start(&ex, "PLAIN", PLAIN("\0carol\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	assert_true(ex.disabled);
	/* a disabled user with a wrong password doesn't learn it's disabled */
	start(&ex, "PLAIN", PLAIN("\0carol\0wrong"));
	assert_false(ex.disabled);
	finish(&ex);
}

static void test_plain_malformed(void **state)
{
	static const struct {
		const char *data;
		size_t size;
	} bad[] = {
		{ PLAIN("alice") },
		{ PLAIN("\0alice") },
		{ PLAIN("\0alice\0secret\0") },
		{ PLAIN("\0\0secret") },
		{ PLAIN("\0al\tice\0secret") },
	};
	struct exchange ex = { 0 };

	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
		start(&ex, "PLAIN", bad[i].data, bad[i].size);
		assert_int_equal(ex.last, AUTH_REPLY_FAIL);
		assert_int_equal(ex.n_replies, 1);
	}
	finish(&ex);
}

static void test_plain_no_initial_response(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "PLAIN", NULL, 0);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_int_equal(ex.size, 0);
	cont(&ex, PLAIN("\0bob\0bobpw"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "bob");
	finish(&ex);
}

static void test_plain_master_user(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "PLAIN", PLAIN("bob\0admin\0masterpw"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "bob");
	assert_string_equal(ex.master_user, "admin");
	start(&ex, "PLAIN", PLAIN("bob\0admin\0bobpw"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* an ordinary user can't act as another */
	start(&ex, "PLAIN", PLAIN("bob\0alice\0secret"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* a master user logging in as a user that doesn't exist */
	start(&ex, "PLAIN", PLAIN("nobody\0admin\0masterpw"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void test_plaintext_policy(void **state)
{
	struct auth_request_info info = { .id = 1, .remote_ip = "192.0.2.1" };
	struct exchange ex = { 0 };

	start_info(&ex, "PLAIN", PLAIN("\0alice\0secret"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	assert_true(strstr(ex.reason, "Plaintext") != NULL);
	info.remote_ip = NULL;
	start_info(&ex, "PLAIN", PLAIN("\0alice\0secret"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	info.remote_ip = "127.0.0.1";
	start_info(&ex, "PLAIN", PLAIN("\0alice\0secret"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	info.remote_ip = "::1";
	start_info(&ex, "LOGIN", NULL, 0, &info);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	finish(&ex);
}

static void test_login(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "LOGIN", NULL, 0);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_string_equal(ex.data, "Username:");
	cont(&ex, PLAIN("alice"));
	assert_string_equal(ex.data, "Password:");
	cont(&ex, PLAIN("secret"));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	/* user name as initial response */
	start(&ex, "LOGIN", PLAIN("alice"));
	assert_string_equal(ex.data, "Password:");
	cont(&ex, PLAIN("nope"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* empty password */
	start(&ex, "LOGIN", PLAIN("alice"));
	cont(&ex, "", 0);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* the exchange is over: abort of a started one frees it */
	start(&ex, "LOGIN", NULL, 0);
	finish(&ex);
}

static void test_scram_sha256_rfc7677(void **state)
{
	struct exchange ex = { 0 };
	const char *final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIl"
			    "j)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmi"
			    "z7AndVQ=";

	auth_scram_test_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
	start(&ex, "SCRAM-SHA-256", PLAIN("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_string_equal(ex.data,
			    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF"
			    "$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
	cont(&ex, final, strlen(final));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_string_equal(ex.data,
			    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
	cont(&ex, "", 0);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "user");

	/* a wrong proof fails as a wrong password */
	start(&ex, "SCRAM-SHA-256", PLAIN("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
	cont(&ex, final, strlen(final) - 2);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	auth_scram_test_nonce = NULL;

	/* SCRAM-SHA-1 keys can't come from SCRAM-SHA-256 ones */
	start(&ex, "SCRAM-SHA-1", PLAIN("n,,n=user,r=abc"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* data after server-final */
	start(&ex, "SCRAM-SHA-256", PLAIN("n,,n=alice,r=abc"));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	cont(&ex, PLAIN("garbage"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void test_scram_plus_needs_binding(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "SCRAM-SHA-256-PLUS", PLAIN("p=tls-exporter,,n=alice,r=a"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void test_external(void **state)
{
	struct auth_request_info info = {
		.id = 1,
		.secured = true,
		.valid_client_cert = true,
		.cert_username = "alice",
	};
	struct exchange ex = { 0 };

	/* an empty initial response is a response (the protocol parser
	   turns Exim's empty resp= into none before this) */
	start_info(&ex, "EXTERNAL", "", 0, &info);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	start_info(&ex, "EXTERNAL", NULL, 0, &info);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	cont(&ex, "", 0);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "alice");
	start_info(&ex, "EXTERNAL", PLAIN("alice"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	start_info(&ex, "EXTERNAL", PLAIN("bob"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	assert_true(ex.authz);
	info.valid_client_cert = false;
	start_info(&ex, "EXTERNAL", PLAIN("alice"), &info);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void b64url(string_t *dest, const void *data, size_t size)
{
	char buf[2048];

	sodium_bin2base64(buf, sizeof(buf), data, size,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	str_append(dest, buf);
}

/* An ES256 JWT with the given header and claims. */
static char *make_jwt(const char *header, const char *claims)
{
	static char token[4096];
	string_t *str = str_new(1024, sizeof(token));
	unsigned char der[128], raw[64];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *sig;

	b64url(str, header, strlen(header));
	str_append_c(str, '.');
	b64url(str, claims, strlen(claims));
	assert_int_equal(
		EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, jwt_key), 1);
	assert_int_equal(
		EVP_DigestSign(ctx, der, &der_len, str->data, str->used), 1);
	EVP_MD_CTX_free(ctx);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
	ECDSA_SIG_free(sig);
	str_append_c(str, '.');
	b64url(str, raw, sizeof(raw));
	str_copy(token, str_c(str), sizeof(token));
	str_free(&str);
	return token;
}

static char *claims(const char *sub, long exp_delta, const char *iss)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "{\"sub\":\"%s\",\"exp\":%ld,\"iat\":%ld,\"iss\":\"%s\","
		 "\"aud\":[\"mail\",\"x\"]}",
		 sub, (long)time(NULL) + exp_delta, (long)time(NULL), iss);
	return buf;
}

#define ES256 "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"

static void oauthbearer(struct exchange *ex, const char *authzid,
			const char *token)
{
	char msg[4096];
	int len =
		snprintf(msg, sizeof(msg),
			 "n,%s%s,\001host=mail.test\001auth=Bearer %s\001\001",
			 authzid[0] != '\0' ? "a=" : "", authzid, token);

	start(ex, "OAUTHBEARER", msg, (size_t)len);
}

static void test_oauthbearer(void **state)
{
	const char *iss = "https://issuer.test";
	struct exchange ex = { 0 };
	char *token;

	oauthbearer(&ex, "", make_jwt(ES256, claims("alice", 3600, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	assert_string_equal(ex.user, "alice");
	oauthbearer(&ex, "alice", make_jwt(ES256, claims("alice", 3600, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	oauthbearer(&ex, "bob", make_jwt(ES256, claims("alice", 3600, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	assert_true(ex.authz);
	/* expired: RFC 7628 error challenge, then failure on the client's
	   dummy response */
	oauthbearer(&ex, "", make_jwt(ES256, claims("alice", -3600, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_true(strstr(ex.data, "invalid_token") != NULL);
	cont(&ex, "\001", 1);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* wrong issuer, "none" algorithm, tampered signature, user unknown */
	oauthbearer(&ex, "", make_jwt(ES256, claims("alice", 60, "evil")));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	oauthbearer(&ex, "",
		    make_jwt("{\"alg\":\"none\"}", claims("alice", 60, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	token = make_jwt(ES256, claims("alice", 60, iss));
	token[strlen(token) - 5] ^= 1;
	oauthbearer(&ex, "", token);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	oauthbearer(&ex, "", make_jwt(ES256, claims("zoe", 60, iss)));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	oauthbearer(&ex, "", "not.a.jwt");
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	/* malformed GS2 header */
	start(&ex, "OAUTHBEARER", PLAIN("x,,\001auth=Bearer x\001\001"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void test_xoauth2(void **state)
{
	char msg[4096];
	struct exchange ex = { 0 };
	int len;

	len = snprintf(
		msg, sizeof(msg), "user=alice\001auth=Bearer %s\001\001",
		make_jwt(ES256, claims("alice", 600, "https://issuer.test")));
	start(&ex, "XOAUTH2", msg, (size_t)len);
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	len = snprintf(msg, sizeof(msg),
		       "user=alice\001auth=Bearer bad\001\001");
	start(&ex, "XOAUTH2", msg, (size_t)len);
	assert_int_equal(ex.last, AUTH_REPLY_CONTINUE);
	assert_true(strstr(ex.data, "\"status\":\"401\"") != NULL);
	cont(&ex, "", 0);
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	start(&ex, "XOAUTH2", PLAIN("garbage"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void apop(struct exchange *ex, const char *challenge, const char *user,
		 const char *password)
{
	unsigned char msg[512], digest[16];
	size_t clen = strlen(challenge), ulen = strlen(user);
	unsigned int len;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	EVP_DigestInit_ex(md, EVP_md5(), NULL);
	EVP_DigestUpdate(md, challenge, clen);
	EVP_DigestUpdate(md, password, strlen(password));
	EVP_DigestFinal_ex(md, digest, &len);
	EVP_MD_CTX_free(md);
	memcpy(msg, challenge, clen + 1);
	memcpy(msg + clen + 1, user, ulen + 1);
	memcpy(msg + clen + ulen + 2, digest, sizeof(digest));
	start(ex, "APOP", msg, clen + ulen + 2 + sizeof(digest));
}

static void test_apop(void **state)
{
	struct exchange ex = { 0 };

	/* RFC 1939 §7's example challenge */
	apop(&ex, "<1896.697170952@dbc.mtview.ca.us>", "alice", "secret");
	assert_int_equal(ex.last, AUTH_REPLY_OK);
	apop(&ex, "<1896.697170952@dbc.mtview.ca.us>", "alice", "wrong");
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	/* needs a cleartext password */
	apop(&ex, "<1.2@x>", "user", "pencil");
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	apop(&ex, "no-brackets", "alice", "secret");
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	start(&ex, "APOP", PLAIN("<a>\0alice\0short"));
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

static void test_ensure_user(void **state)
{
	struct auth_settings demo_set = set;
	struct pool *pool = pool_create("test", 0);
	const char *error;

	demo_set.passdb = "sqlite:demo.db";
	demo_set.password_scheme = "SHA256-CRYPT";
	assert_int_equal(
		auth_ensure_user(&demo_set, dir, "demo", "demo", &error), 1);
	assert_int_equal(
		auth_ensure_user(&demo_set, dir, "demo", "other", &error), 0);
	demo_set.passdb = "sqlite:nosuchdir/demo.db";
	assert_int_equal(
		auth_ensure_user(&demo_set, dir, "demo", "demo", &error), -1);
	assert_non_null(error);
	pool_destroy(&pool);
}

static void test_unexpected_continue(void **state)
{
	struct exchange ex = { 0 };

	start(&ex, "LOGIN", NULL, 0);
	cont(&ex, PLAIN("alice"));
	/* base64 garbage */
	auth_request_continue(ex.request, "%%%");
	assert_int_equal(ex.last, AUTH_REPLY_FAIL);
	finish(&ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_plain_malformed),
		cmocka_unit_test(test_plain_no_initial_response),
		cmocka_unit_test(test_plain_master_user),
		cmocka_unit_test(test_plaintext_policy),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_scram_sha256_rfc7677),
		cmocka_unit_test(test_scram_plus_needs_binding),
		cmocka_unit_test(test_external),
		cmocka_unit_test(test_oauthbearer),
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_unexpected_continue),
		cmocka_unit_test(test_apop),
		cmocka_unit_test(test_ensure_user),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
