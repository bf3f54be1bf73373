#include "password-scheme.h"
#include "auth-scram.h"
#include "pool.h"

#include <sodium.h>
#include <string.h>

/* A plaintext password checks against stored SCRAM keys by deriving
   StoredKey with the stored salt and iteration count (RFC 5802 §3). */
static int scram_verify_hash(const struct scram_hash *hash,
			     const char *plaintext, const char *stored,
			     const char **error_r)
{
	struct scram_credentials stored_cred, cred;

	if (scram_credentials_parse(hash, stored, &stored_cred, error_r) < 0)
		return -1;
	scram_credentials_derive(hash, plaintext, stored_cred.salt,
				 stored_cred.salt_size, stored_cred.iterations,
				 &cred);
	return password_mem_equals(cred.stored_key, hash->size,
				   stored_cred.stored_key, hash->size)
		       ? 1
		       : 0;
}

static int scram_generate_hash(const struct scram_hash *hash, struct pool *pool,
			       const char *plaintext, const char **data_r)
{
	struct scram_credentials cred;
	unsigned char salt[16];
	string_t *str = str_new(256, 1024);

	randombytes_buf(salt, sizeof(salt));
	scram_credentials_derive(hash, plaintext, salt, sizeof(salt),
				 SCRAM_DEFAULT_ITERATIONS, &cred);
	scram_credentials_append(hash, &cred, str);
	*data_r = pool_strdup(pool, str_c(str));
	str_free(&str);
	return 0;
}

static int scram_sha1_verify(const char *plaintext, const char *user,
			     const char *stored, const char **error_r)
{
	return scram_verify_hash(&scram_hash_sha1, plaintext, stored, error_r);
}

static int scram_sha256_verify(const char *plaintext, const char *user,
			       const char *stored, const char **error_r)
{
	return scram_verify_hash(&scram_hash_sha256, plaintext, stored,
				 error_r);
}

static int scram_sha1_generate(struct pool *pool, const char *plaintext,
			       const char *user, const char **data_r,
			       const char **error_r)
{
	return scram_generate_hash(&scram_hash_sha1, pool, plaintext, data_r);
}

static int scram_sha256_generate(struct pool *pool, const char *plaintext,
				 const char *user, const char **data_r,
				 const char **error_r)
{
	return scram_generate_hash(&scram_hash_sha256, pool, plaintext, data_r);
}

const struct password_scheme password_scheme_scram_sha1 = {
	.name = "SCRAM-SHA-1",
	.verify = scram_sha1_verify,
	.generate = scram_sha1_generate,
};

const struct password_scheme password_scheme_scram_sha256 = {
	.name = "SCRAM-SHA-256",
	.verify = scram_sha256_verify,
	.generate = scram_sha256_generate,
};
