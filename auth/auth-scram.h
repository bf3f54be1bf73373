#ifndef POSTERN_AUTH_SCRAM_H
#define POSTERN_AUTH_SCRAM_H

/* SCRAM key derivation (RFC 5802 §3) and the credentials Dovecot stores
   as {SCRAM-SHA-256}<iterations>,<b64 salt>,<b64 StoredKey>,<b64
   ServerKey>. Shared by the SCRAM password schemes and the SCRAM SASL
   mechanisms. */

#include "str.h"

#include <openssl/evp.h>
#include <stdbool.h>

#define SCRAM_MAX_HASH_SIZE 64
#define SCRAM_MAX_SALT_SIZE 64
#define SCRAM_DEFAULT_ITERATIONS 4096
/* RFC 7677 §4 asks for at least 4096; we refuse absurd costs too. */
#define SCRAM_MAX_ITERATIONS 10000000

struct scram_hash {
	const char *name; /* "SHA-256", as in the mechanism name */
	const EVP_MD *(*md)(void);
	size_t size;
};

extern const struct scram_hash scram_hash_sha1;
extern const struct scram_hash scram_hash_sha256;

struct scram_credentials {
	unsigned int iterations;
	unsigned char salt[SCRAM_MAX_SALT_SIZE];
	size_t salt_size;
	unsigned char stored_key[SCRAM_MAX_HASH_SIZE];
	unsigned char server_key[SCRAM_MAX_HASH_SIZE];
};

/* HMAC(key, data) into out (hash->size bytes). */
void scram_hmac(const struct scram_hash *hash, const void *key, size_t key_size,
		const void *data, size_t data_size, unsigned char *out);
/* H(data) into out. */
void scram_digest(const struct scram_hash *hash, const void *data, size_t size,
		  unsigned char *out);

/* Derives StoredKey and ServerKey from a password (Hi() is PBKDF2). */
void scram_credentials_derive(const struct scram_hash *hash,
			      const char *password, const unsigned char *salt,
			      size_t salt_size, unsigned int iterations,
			      struct scram_credentials *cred_r);
/* Parses the stored form. Returns 0, or -1 with *error_r. */
int scram_credentials_parse(const struct scram_hash *hash, const char *str,
			    struct scram_credentials *cred_r,
			    const char **error_r);
/* Appends the stored form. */
void scram_credentials_append(const struct scram_hash *hash,
			      const struct scram_credentials *cred,
			      string_t *dest);

#endif
