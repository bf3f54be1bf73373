#include "password-scheme.h"
#include "auth-base64.h"
#include "pool.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

/* {SSHA512}base64(SHA512(password . salt) . salt), as Dovecot writes it
   (base64 is its default encoding for SSHA512). */
#define SSHA512_DIGEST_SIZE 64
#define SSHA512_SALT_SIZE 8

static void ssha512_digest(const char *plaintext, const unsigned char *salt,
			   size_t salt_size, unsigned char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, plaintext, strlen(plaintext)) != 1 ||
	    EVP_DigestUpdate(ctx, salt, salt_size) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		memset(out, 0, SSHA512_DIGEST_SIZE);
	EVP_MD_CTX_free(ctx);
}

static int ssha512_verify(const char *plaintext, const char *user,
			  const char *stored, const char **error_r)
{
	unsigned char digest[SSHA512_DIGEST_SIZE];
	buffer_t buf;
	int ret;

	buffer_init(&buf, 4096);
	if (auth_base64_decode(&buf, stored, strlen(stored)) < 0 ||
	    buf.used <= SSHA512_DIGEST_SIZE) {
		buffer_deinit(&buf);
		*error_r = "Malformed SSHA512 hash";
		return -1;
	}
	ssha512_digest(plaintext, buf.data + SSHA512_DIGEST_SIZE,
		       buf.used - SSHA512_DIGEST_SIZE, digest);
	ret = password_mem_equals(digest, sizeof(digest), buf.data,
				  SSHA512_DIGEST_SIZE)
		      ? 1
		      : 0;
	buffer_deinit(&buf);
	return ret;
}

static int ssha512_generate(struct pool *pool, const char *plaintext,
			    const char *user, const char **data_r,
			    const char **error_r)
{
	unsigned char raw[SSHA512_DIGEST_SIZE + SSHA512_SALT_SIZE];
	string_t *str = str_new(128, 1024);

	randombytes_buf(raw + SSHA512_DIGEST_SIZE, SSHA512_SALT_SIZE);
	ssha512_digest(plaintext, raw + SSHA512_DIGEST_SIZE, SSHA512_SALT_SIZE,
		       raw);
	auth_base64_encode(str, raw, sizeof(raw));
	*data_r = pool_strdup(pool, str_c(str));
	str_free(&str);
	return 0;
}

const struct password_scheme password_scheme_ssha512 = {
	.name = "SSHA512",
	.verify = ssha512_verify,
	.generate = ssha512_generate,
};
