#include "password-scheme.h"
#include "pool.h"

#include <sodium.h>
#include <string.h>

/* libsodium reads both $argon2id$ and $argon2i$ strings, including the
   ones Dovecot writes (m=65536,t=3,p=1 and m=32768,t=4,p=1). */
static int argon2_verify(const char *plaintext, const char *user,
			 const char *stored, const char **error_r)
{
	if (strlen(stored) >= crypto_pwhash_STRBYTES ||
	    (strncmp(stored, "$argon2id$", 10) != 0 &&
	     strncmp(stored, "$argon2i$", 9) != 0) ||
	    crypto_pwhash_str_needs_rehash(
		    stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0) {
		*error_r = "Malformed ARGON2 hash";
		return -1;
	}
	return crypto_pwhash_str_verify(stored, plaintext, strlen(plaintext)) ==
			       0
		       ? 1
		       : 0;
}

static int argon2_generate_alg(struct pool *pool, const char *plaintext,
			       int alg, unsigned long long opslimit,
			       size_t memlimit, const char **data_r,
			       const char **error_r)
{
	char out[crypto_pwhash_STRBYTES];

	if (crypto_pwhash_str_alg(out, plaintext, strlen(plaintext), opslimit,
				  memlimit, alg) != 0) {
		*error_r = "Out of memory for Argon2";
		return -1;
	}
	*data_r = pool_strdup(pool, out);
	return 0;
}

static int argon2id_generate(struct pool *pool, const char *plaintext,
			     const char *user, const char **data_r,
			     const char **error_r)
{
	return argon2_generate_alg(
		pool, plaintext, crypto_pwhash_ALG_ARGON2ID13,
		crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
		crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE, data_r, error_r);
}

static int argon2i_generate(struct pool *pool, const char *plaintext,
			    const char *user, const char **data_r,
			    const char **error_r)
{
	/* Argon2i needs more passes than Argon2id for the same safety */
	return argon2_generate_alg(pool, plaintext, crypto_pwhash_ALG_ARGON2I13,
				   crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE,
				   data_r, error_r);
}

const struct password_scheme password_scheme_argon2id = {
	.name = "ARGON2ID",
	.verify = argon2_verify,
	.generate = argon2id_generate,
};

const struct password_scheme password_scheme_argon2i = {
	.name = "ARGON2I",
	.verify = argon2_verify,
	.generate = argon2i_generate,
};
