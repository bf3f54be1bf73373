#include "password-scheme.h"
#include "pool.h"

#include <string.h>

/* {PLAIN}, {CLEAR} and {CLEARTEXT}: the password as it is. For tests and
   for SCRAM credentials derived on the fly; never the default. */

static int plain_verify(const char *plaintext, const char *user,
			const char *stored, const char **error_r)
{
	return password_mem_equals(plaintext, strlen(plaintext), stored,
				   strlen(stored))
		       ? 1
		       : 0;
}

static int plain_generate(struct pool *pool, const char *plaintext,
			  const char *user, const char **data_r,
			  const char **error_r)
{
	*data_r = pool_strdup(pool, plaintext);
	return 0;
}

const struct password_scheme password_scheme_plain = {
	.name = "PLAIN",
	.verify = plain_verify,
	.generate = plain_generate,
};

const struct password_scheme password_scheme_clear = {
	.name = "CLEAR",
	.verify = plain_verify,
	.generate = plain_generate,
};

const struct password_scheme password_scheme_cleartext = {
	.name = "CLEARTEXT",
	.verify = plain_verify,
	.generate = plain_generate,
};
