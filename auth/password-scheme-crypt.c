#include "password-scheme.h"
#include "pool.h"

#include <crypt.h>
#include <string.h>

/* crypt(3) through libxcrypt's reentrant crypt_rn(): one scheme struct
   per hash prefix so that {SHA512-CRYPT} data must really be $6$ and a
   {CRYPT} value may be any method libxcrypt knows. */

static int crypt_verify_prefix(const char *plaintext, const char *stored,
			       const char *prefix, const char **error_r)
{
	struct crypt_data data;
	const char *hash;

	if (prefix != NULL && strncmp(stored, prefix, strlen(prefix)) != 0) {
		*error_r = "Hash does not match its scheme";
		return -1;
	}
	memset(&data, 0, sizeof(data));
	hash = crypt_rn(plaintext, stored, &data, sizeof(data));
	if (hash == NULL || hash[0] == '*') {
		explicit_bzero(&data, sizeof(data));
		*error_r = "Malformed or unsupported crypt hash";
		return -1;
	}
	int ret =
		password_mem_equals(hash, strlen(hash), stored, strlen(stored))
			? 1
			: 0;
	explicit_bzero(&data, sizeof(data));
	return ret;
}

static int crypt_generate_prefix(struct pool *pool, const char *plaintext,
				 const char *prefix, unsigned long count,
				 const char **data_r, const char **error_r)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	const char *hash;

	if (crypt_gensalt_rn(prefix, count, NULL, 0, setting,
			     sizeof(setting)) == NULL) {
		*error_r = "crypt_gensalt failed";
		return -1;
	}
	memset(&data, 0, sizeof(data));
	hash = crypt_rn(plaintext, setting, &data, sizeof(data));
	if (hash == NULL || hash[0] == '*') {
		*error_r = "crypt failed";
		return -1;
	}
	*data_r = pool_strdup(pool, hash);
	explicit_bzero(&data, sizeof(data));
	return 0;
}

#define CRYPT_SCHEME(sym, scheme_name, verify_prefix, gen_prefix, count,     \
		     writename)                                              \
	static int sym##_verify(const char *plaintext, const char *user,     \
				const char *stored, const char **error_r)    \
	{                                                                    \
		return crypt_verify_prefix(plaintext, stored, verify_prefix, \
					   error_r);                         \
	}                                                                    \
	static int sym##_generate(struct pool *pool, const char *plaintext,  \
				  const char *user, const char **data_r,     \
				  const char **error_r)                      \
	{                                                                    \
		return crypt_generate_prefix(pool, plaintext, gen_prefix,    \
					     count, data_r, error_r);        \
	}                                                                    \
	const struct password_scheme password_scheme_##sym = {               \
		.name = scheme_name,                                         \
		.verify = sym##_verify,                                      \
		.generate = sym##_generate,                                  \
		.write_name = writename,                                     \
	}

/* SHA-crypt at its default 5000 rounds and bcrypt at cost 5 are what
   Dovecot's doveadm pw writes; yescrypt takes libxcrypt's default. */
CRYPT_SCHEME(sha512_crypt, "SHA512-CRYPT", "$6$", "$6$", 0, NULL);
CRYPT_SCHEME(sha256_crypt, "SHA256-CRYPT", "$5$", "$5$", 0, NULL);
CRYPT_SCHEME(blf_crypt, "BLF-CRYPT", "$2", "$2y$", 5, NULL);
CRYPT_SCHEME(yescrypt, "YESCRYPT", "$y$", "$y$", 0, "CRYPT");
CRYPT_SCHEME(crypt, "CRYPT", NULL, "$y$", 0, NULL);
