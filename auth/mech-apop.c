#include "auth-request.h"
#include "password-scheme.h"
#include "pool.h"
#include "sasl-mech.h"

#include <openssl/evp.h>
#include <string.h>

/* POP3 APOP (RFC 1939 §7) through the auth socket, as Dovecot's APOP
   mechanism: the POP3 front end sends challenge NUL user NUL and the
   client's 16-byte MD5 digest; we need the cleartext password to check
   MD5(challenge . password). Private: never offered to MTAs. */

#define APOP_DIGEST_SIZE 16

struct apop_ctx {
	const char *challenge;
	unsigned char digest[APOP_DIGEST_SIZE];
};

static void apop_credentials_cb(struct auth_request *request,
				enum passdb_result result,
				const char *credentials)
{
	struct apop_ctx *ctx = request->mech_ctx;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *md;

	if (result != PASSDB_RESULT_OK) {
		auth_request_fail_result(request, result);
		return;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(md, ctx->challenge, strlen(ctx->challenge)) != 1 ||
	    EVP_DigestUpdate(md, credentials, strlen(credentials)) != 1 ||
	    EVP_DigestFinal_ex(md, digest, &len) != 1)
		len = 0;
	EVP_MD_CTX_free(md);
	if (password_mem_equals(digest, len, ctx->digest, APOP_DIGEST_SIZE))
		auth_request_success(request);
	else
		auth_request_fail_result(request,
					 PASSDB_RESULT_PASSWORD_MISMATCH);
}

static void mech_apop_continue(struct auth_request *request,
			       const unsigned char *data, size_t size)
{
	const unsigned char *nul1 = memchr(data, '\0', size), *nul2;
	struct apop_ctx *ctx;
	const char *error;

	nul2 = nul1 == NULL ? NULL
			    : memchr(nul1 + 1, '\0', size - (nul1 + 1 - data));
	if (nul2 == NULL || data + size - (nul2 + 1) != APOP_DIGEST_SIZE ||
	    data[0] != '<' || nul1[-1] != '>') {
		auth_request_fail(request, "APOP: invalid input");
		return;
	}
	ctx = p_new(request->pool, struct apop_ctx, 1);
	ctx->challenge = pool_strdup(request->pool, (const char *)data);
	memcpy(ctx->digest, nul2 + 1, APOP_DIGEST_SIZE);
	request->mech_ctx = ctx;
	if (auth_request_set_username(request, (const char *)nul1 + 1, &error) <
	    0) {
		auth_request_fail(request, error);
		return;
	}
	auth_request_lookup_credentials(request, "PLAIN", apop_credentials_cb);
}

static void mech_apop_initial(struct auth_request *request,
			      const unsigned char *data, size_t size)
{
	mech_apop_continue(request, data, size);
}

const struct sasl_mech sasl_mech_apop = {
	.name = "APOP",
	.flags = AUTH_MECH_FLAG_PRIVATE | AUTH_MECH_FLAG_ACTIVE |
		 AUTH_MECH_FLAG_DICTIONARY,
	.auth_initial = mech_apop_initial,
	.auth_continue = mech_apop_continue,
};
