#include "password-scheme.h"
#include "pool.h"
#include "strfuncs.h"

#include <openssl/crypto.h>
#include <string.h>

static const struct password_scheme *const password_schemes[] = {
	&password_scheme_argon2id,     &password_scheme_argon2i,
	&password_scheme_sha512_crypt, &password_scheme_sha256_crypt,
	&password_scheme_blf_crypt,    &password_scheme_yescrypt,
	&password_scheme_crypt,        &password_scheme_ssha512,
	&password_scheme_scram_sha256, &password_scheme_scram_sha1,
	&password_scheme_plain,        &password_scheme_clear,
	&password_scheme_cleartext,    NULL
};

const struct password_scheme *const *password_schemes_list(void)
{
	return password_schemes;
}

const struct password_scheme *password_scheme_find(const char *name)
{
	for (unsigned int i = 0; password_schemes[i] != NULL; i++) {
		if (str_eq_icase(password_schemes[i]->name, name))
			return password_schemes[i];
	}
	return NULL;
}

bool password_mem_equals(const void *a, size_t a_len, const void *b,
			 size_t b_len)
{
	return a_len == b_len && CRYPTO_memcmp(a, b, a_len) == 0;
}

void password_split(struct pool *pool, const char *stored,
		    const char **scheme_r, const char **data_r)
{
	const char *end;

	if (stored[0] == '{' && (end = strchr(stored, '}')) != NULL) {
		*scheme_r = str_ucase(
			pool_strndup(pool, stored + 1, end - stored - 1));
		*data_r = end + 1;
		return;
	}
	*scheme_r = "CRYPT";
	*data_r = stored;
}

int password_verify(const char *plaintext, const char *user, const char *stored,
		    const char **error_r)
{
	const struct password_scheme *scheme;
	const char *end, *data = stored;
	char name[64] = "CRYPT";

	if (stored[0] == '{' && (end = strchr(stored, '}')) != NULL) {
		if ((size_t)(end - stored) > sizeof(name)) {
			*error_r = "Unknown password scheme";
			return -1;
		}
		memcpy(name, stored + 1, end - stored - 1);
		name[end - stored - 1] = '\0';
		data = end + 1;
	}
	scheme = password_scheme_find(name);
	if (scheme == NULL || scheme->verify == NULL) {
		*error_r = "Unknown password scheme";
		return -1;
	}
	return scheme->verify(plaintext, user, data, error_r);
}

int password_generate(struct pool *pool, const char *scheme_name,
		      const char *plaintext, const char *user,
		      const char **stored_r, const char **error_r)
{
	const struct password_scheme *scheme;
	const char *data;

	scheme = password_scheme_find(scheme_name);
	if (scheme == NULL || scheme->generate == NULL) {
		*error_r = pool_printf(pool, "Unknown password scheme %s",
				       scheme_name);
		return -1;
	}
	if (scheme->generate(pool, plaintext, user, &data, error_r) < 0)
		return -1;
	*stored_r = pool_printf(pool, "{%s}%s",
				scheme->write_name != NULL ? scheme->write_name
							   : scheme->name,
				data);
	return 0;
}
