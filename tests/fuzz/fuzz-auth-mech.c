/* Every SASL mechanism's input parsing. The first byte picks the
   mechanism; the rest is split at 0xff bytes into the initial response
   and the continuations that follow. Lookups run synchronously against a
   small passwd-file. */
#include "auth.h"
#include "auth-base64.h"
#include "auth-db.h"
#include "auth-request.h"
#include "auth-scram-mech.h"
#include "config.h"
#include "log.h"
#include "pool.h"
#include "sasl-mech.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct auth *auth;
static struct auth_settings set;
static struct pool *settings_pool;

struct fuzz_exchange {
	struct auth_request *request;
};

static void fuzz_reply_cb(struct auth_request *request, enum auth_reply reply,
			  const unsigned char *data, size_t size, void *context)
{
	struct fuzz_exchange *ex = context;

	if (reply != AUTH_REPLY_CONTINUE)
		ex->request = NULL;
}

static void fuzz_deinit(void)
{
	auth_deinit(&auth);
	pool_destroy(&settings_pool);
}

static void fuzz_init(void)
{
	static const struct setting_def no_defs[] = { SETTING_DEFS_END };
	static struct setting_section top = { NULL, no_defs, NULL };
	static struct setting_section section = { "auth", auth_setting_defs,
						  &set };
	struct setting_section *const sections[] = { &top, &section, NULL };
	static char dir[] = "/tmp/postern-fuzz-mech-XXXXXX";
	char path[128];
	const char *error;
	EVP_PKEY *key;
	FILE *f;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/users", dir);
	f = fopen(path, "w");
	/* SCRAM keys of "pencil" with one iteration, so that fuzzing is
	   fast */
	fputs("user:{PLAIN}pencil\nalice:{SCRAM-SHA-256}1,c2FsdA==,"
	      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	f = fopen(path, "w");
	key = EVP_EC_gen("P-256");
	PEM_write_PUBKEY(f, key);
	EVP_PKEY_free(key);
	fclose(f);
	log_set_level(LOG_LEVEL_ERROR);
	settings_pool = pool_create("fuzz settings", 0);
	config_set_defaults(sections, settings_pool);
	set.passdb = "passwd-file:users";
	set.master_passdb = "passwd-file:users";
	set.mechanisms = "PLAIN LOGIN SCRAM-SHA-1 SCRAM-SHA-256 "
			 "SCRAM-SHA-256-PLUS EXTERNAL OAUTHBEARER XOAUTH2";
	set.oauth_keys = "key.pem";
	set.cache_ttl = 0;
	if (auth_init(&auth, NULL, &set, dir, &error) < 0) {
		fprintf(stderr, "auth_init: %s\n", error);
		abort();
	}
	unlink(path);
	/* load the passwd-file once: it keeps serving what it read */
	struct auth_user user;
	struct pool *pool = pool_create("fuzz init", 0);

	(void)auth_db_lookup(auth->passdb, pool, "user", &user, &error);
	(void)auth_db_lookup(auth->master_passdb, pool, "user", &user, &error);
	pool_destroy(&pool);
	snprintf(path, sizeof(path), "%s/users", dir);
	unlink(path);
	rmdir(dir);
	auth_scram_test_nonce = "servernonce";
	atexit(fuzz_deinit);
}

static const char *fuzz_b64(struct pool *pool, const uint8_t *data, size_t size)
{
	string_t *str = str_new(256, SIZE_MAX);
	const char *b64;

	auth_base64_encode(str, data, size);
	b64 = pool_strdup(pool, str_c(str));
	str_free(&str);
	return b64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char cbind[32] = { 1 };
	struct fuzz_exchange ex;
	struct auth_request_info info = {
		.id = 1,
		.service = "imap",
		.secured = true,
		.valid_client_cert = true,
		.cert_username = "user",
		.cbind_tls_exporter =
			"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	const struct sasl_mech *const *mechs = sasl_mechs_list();
	struct pool *pool;
	const uint8_t *p, *end = data + size;
	unsigned int n_mechs = 0;

	(void)cbind;
	if (auth == NULL)
		fuzz_init();
	if (size == 0)
		return 0;
	while (mechs[n_mechs] != NULL)
		n_mechs++;
	pool = pool_create("fuzz", 0);
	p = data + 1;
	const uint8_t *sep = memchr(p, 0xff, end - p);
	info.initial_resp = fuzz_b64(pool, p, (sep ?: end) - p);
	ex.request = auth_request_new(auth, mechs[data[0] % n_mechs], &info,
				      fuzz_reply_cb, &ex);
	auth_request_start(ex.request);
	while (sep != NULL && ex.request != NULL) {
		p = sep + 1;
		sep = memchr(p, 0xff, end - p);
		auth_request_continue(ex.request,
				      fuzz_b64(pool, p, (sep ?: end) - p));
	}
	if (ex.request != NULL)
		auth_request_abort(ex.request);
	pool_destroy(&pool);
	return 0;
}
