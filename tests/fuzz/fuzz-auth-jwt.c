/* JWT validation of OAUTHBEARER/XOAUTH2 tokens: base64url segments, the
   JSON of header and claims, algorithm and signature parsing. The input
   is a token; without a matching key it never validates, which is fine:
   the parsers are what is fuzzed. */
#include "auth-json.h"
#include "auth-jwt.h"
#include "pool.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct auth_jwt_keys *keys;

static void fuzz_init(void)
{
	char path[] = "/tmp/postern-fuzz-jwt-XXXXXX";
	EVP_PKEY *key = EVP_EC_gen("P-256");
	const char *error;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	PEM_write_PUBKEY(f, key);
	fclose(f);
	EVP_PKEY_free(key);
	keys = auth_jwt_keys_load(path, NULL, &error);
	unlink(path);
	if (keys == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_jwt_settings set = { "iss", "aud", "sub" };
	struct pool *pool = pool_create("fuzz", 0);
	struct auth_json_member members[16];
	const char *token = pool_strndup(pool, data, size), *user, *error;

	if (keys == NULL)
		fuzz_init();
	(void)auth_jwt_validate(keys, &set, token, 1700000000, pool, &user,
				&error);
	/* the JSON parser on raw input too */
	(void)auth_json_parse_object(pool, (const char *)data, size, members,
				     N_ELEMENTS(members));
	pool_destroy(&pool);
	return 0;
}
