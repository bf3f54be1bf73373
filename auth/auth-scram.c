#include "auth-scram.h"
#include "auth-base64.h"
#include "log.h"
#include "strfuncs.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <string.h>

const struct scram_hash scram_hash_sha1 = { "SHA-1", EVP_sha1, 20 };
const struct scram_hash scram_hash_sha256 = { "SHA-256", EVP_sha256, 32 };

void scram_hmac(const struct scram_hash *hash, const void *key, size_t key_size,
		const void *data, size_t data_size, unsigned char *out)
{
	unsigned int len = 0;

	if (HMAC(hash->md(), key, (int)key_size, data, data_size, out, &len) ==
		    NULL ||
	    len != hash->size)
		panic("HMAC-%s failed", hash->name);
}

void scram_digest(const struct scram_hash *hash, const void *data, size_t size,
		  unsigned char *out)
{
	unsigned int len = 0;

	if (EVP_Digest(data, size, out, &len, hash->md(), NULL) != 1 ||
	    len != hash->size)
		panic("%s digest failed", hash->name);
}

void scram_credentials_derive(const struct scram_hash *hash,
			      const char *password, const unsigned char *salt,
			      size_t salt_size, unsigned int iterations,
			      struct scram_credentials *cred_r)
{
	unsigned char salted[SCRAM_MAX_HASH_SIZE];
	unsigned char client_key[SCRAM_MAX_HASH_SIZE];

	i_assert(salt_size <= sizeof(cred_r->salt));
	memset(cred_r, 0, sizeof(*cred_r));
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
			      (int)salt_size, (int)iterations, hash->md(),
			      (int)hash->size, salted) != 1)
		panic("PBKDF2 failed");
	scram_hmac(hash, salted, hash->size, "Client Key", 10, client_key);
	scram_digest(hash, client_key, hash->size, cred_r->stored_key);
	scram_hmac(hash, salted, hash->size, "Server Key", 10,
		   cred_r->server_key);
	memcpy(cred_r->salt, salt, salt_size);
	cred_r->salt_size = salt_size;
	cred_r->iterations = iterations;
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
}

/* Decodes one base64 field of exactly want bytes (any size up to want
   when exact is false) into out. */
static int scram_decode_field(const char *b64, size_t len, unsigned char *out,
			      size_t want, bool exact, size_t *size_r)
{
	buffer_t buf;
	int ret = -1;

	buffer_init(&buf, 1024);
	if (auth_base64_decode(&buf, b64, len) == 0 &&
	    (exact ? buf.used == want : buf.used > 0 && buf.used <= want)) {
		memcpy(out, buf.data, buf.used);
		*size_r = buf.used;
		ret = 0;
	}
	buffer_deinit(&buf);
	return ret;
}

int scram_credentials_parse(const struct scram_hash *hash, const char *str,
			    struct scram_credentials *cred_r,
			    const char **error_r)
{
	const char *p[4] = { str, NULL, NULL, NULL }, *end;
	size_t size;
	char num[16];

	memset(cred_r, 0, sizeof(*cred_r));
	for (unsigned int i = 1; i < 4; i++) {
		p[i] = strchr(p[i - 1], ',');
		if (p[i] == NULL) {
			*error_r = "SCRAM credentials need 4 fields";
			return -1;
		}
		p[i]++;
	}
	end = p[3] + strlen(p[3]);
	if ((size_t)(p[1] - p[0] - 1) >= sizeof(num))
		goto bad_iter;
	memcpy(num, p[0], p[1] - p[0] - 1);
	num[p[1] - p[0] - 1] = '\0';
	if (str_to_uint(num, &cred_r->iterations) < 0 ||
	    cred_r->iterations == 0 ||
	    cred_r->iterations > SCRAM_MAX_ITERATIONS)
		goto bad_iter;
	if (scram_decode_field(p[1], p[2] - p[1] - 1, cred_r->salt,
			       sizeof(cred_r->salt), false,
			       &cred_r->salt_size) < 0 ||
	    scram_decode_field(p[2], p[3] - p[2] - 1, cred_r->stored_key,
			       hash->size, true, &size) < 0 ||
	    scram_decode_field(p[3], end - p[3], cred_r->server_key, hash->size,
			       true, &size) < 0) {
		*error_r = "Malformed SCRAM credentials";
		return -1;
	}
	return 0;
bad_iter:
	*error_r = "Invalid SCRAM iteration count";
	return -1;
}

void scram_credentials_append(const struct scram_hash *hash,
			      const struct scram_credentials *cred,
			      string_t *dest)
{
	str_printfa(dest, "%u,", cred->iterations);
	auth_base64_encode(dest, cred->salt, cred->salt_size);
	str_append_c(dest, ',');
	auth_base64_encode(dest, cred->stored_key, hash->size);
	str_append_c(dest, ',');
	auth_base64_encode(dest, cred->server_key, hash->size);
}
