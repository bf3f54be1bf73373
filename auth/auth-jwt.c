#include "auth-jwt.h"
#include "auth-base64.h"
#include "auth-json.h"
#include "array.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JWT_MAX_MEMBERS 64
#define JWT_LEEWAY_SECS 60

struct auth_jwt_keys {
	ARRAY(EVP_PKEY *) keys;
};

struct jwt_alg {
	const char *name;
	int key_type; /* EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_ED25519 */
	const EVP_MD *(*md)(void);
	bool pss;
	size_t ec_size; /* bytes of R and of S */
};

static const struct jwt_alg jwt_algs[] = {
	{ "RS256", EVP_PKEY_RSA, EVP_sha256, false, 0 },
	{ "RS384", EVP_PKEY_RSA, EVP_sha384, false, 0 },
	{ "RS512", EVP_PKEY_RSA, EVP_sha512, false, 0 },
	{ "PS256", EVP_PKEY_RSA, EVP_sha256, true, 0 },
	{ "PS384", EVP_PKEY_RSA, EVP_sha384, true, 0 },
	{ "PS512", EVP_PKEY_RSA, EVP_sha512, true, 0 },
	{ "ES256", EVP_PKEY_EC, EVP_sha256, false, 32 },
	{ "ES384", EVP_PKEY_EC, EVP_sha384, false, 48 },
	{ "ES512", EVP_PKEY_EC, EVP_sha512, false, 66 },
	{ "EdDSA", EVP_PKEY_ED25519, NULL, false, 0 },
};

static EVP_PKEY *jwt_key_load(const char *path, const char **error_r)
{
	FILE *file = fopen(path, "r");
	EVP_PKEY *key;

	if (file == NULL) {
		*error_r = "cannot open key file";
		return NULL;
	}
	key = PEM_read_PUBKEY(file, NULL, NULL, NULL);
	fclose(file);
	if (key == NULL)
		*error_r = "not a PEM public key";
	return key;
}

struct auth_jwt_keys *auth_jwt_keys_load(const char *files,
					 const char *base_dir,
					 const char **error_r)
{
	struct auth_jwt_keys *keys = xnew(struct auth_jwt_keys, 1);
	struct pool *pool = pool_create("jwt keys", 0);
	char **names = str_split(pool, files, " ,");

	for (unsigned int i = 0; names[i] != NULL; i++) {
		const char *path = names[i];
		EVP_PKEY *key;

		if (path[0] == '\0')
			continue;
		if (path[0] != '/' && base_dir != NULL)
			path = pool_printf(pool, "%s/%s", base_dir, path);
		key = jwt_key_load(path, error_r);
		if (key == NULL) {
			static char error[512];

			snprintf(error, sizeof(error), "%s: %s", path,
				 *error_r);
			*error_r = error;
			pool_destroy(&pool);
			auth_jwt_keys_free(&keys);
			return NULL;
		}
		array_push(&keys->keys, key);
	}
	pool_destroy(&pool);
	return keys;
}

void auth_jwt_keys_free(struct auth_jwt_keys **_keys)
{
	struct auth_jwt_keys *keys = *_keys;

	if (keys == NULL)
		return;
	*_keys = NULL;
	for (size_t i = 0; i < keys->keys.count; i++)
		EVP_PKEY_free(keys->keys.v[i]);
	array_free(&keys->keys);
	free(keys);
}

/* JWS carries ECDSA signatures as R || S; OpenSSL wants DER. */
static int jwt_ecdsa_to_der(const struct jwt_alg *alg, buffer_t *sig)
{
	ECDSA_SIG *ec_sig;
	BIGNUM *r, *s;
	unsigned char *der = NULL;
	int len;

	if (sig->used != alg->ec_size * 2)
		return -1;
	r = BN_bin2bn(sig->data, (int)alg->ec_size, NULL);
	s = BN_bin2bn(sig->data + alg->ec_size, (int)alg->ec_size, NULL);
	ec_sig = ECDSA_SIG_new();
	if (r == NULL || s == NULL || ec_sig == NULL ||
	    ECDSA_SIG_set0(ec_sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(ec_sig);
		return -1;
	}
	len = i2d_ECDSA_SIG(ec_sig, &der);
	ECDSA_SIG_free(ec_sig);
	if (len <= 0)
		return -1;
	buffer_set_used(sig, 0);
	buffer_append(sig, der, (size_t)len);
	OPENSSL_free(der);
	return 0;
}

static bool jwt_verify_key(const struct jwt_alg *alg, EVP_PKEY *key,
			   const char *signed_part, size_t signed_len,
			   const buffer_t *sig)
{
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = false;

	if (EVP_PKEY_get_base_id(key) != alg->key_type)
		return false;
	ctx = EVP_MD_CTX_new();
	if (ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, &pctx, alg->md != NULL ? alg->md() : NULL,
				 NULL, key) == 1 &&
	    (!alg->pss ||
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) ==
		      1)))
		ok = EVP_DigestVerify(ctx, sig->data, sig->used,
				      (const unsigned char *)signed_part,
				      signed_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static const struct jwt_alg *jwt_alg_find(const char *name)
{
	for (unsigned int i = 0; i < N_ELEMENTS(jwt_algs); i++) {
		if (strcmp(jwt_algs[i].name, name) == 0)
			return &jwt_algs[i];
	}
	return NULL;
}

static int jwt_decode_json(struct pool *pool, const char *b64, size_t len,
			   struct auth_json_member *members, int *count_r)
{
	buffer_t buf;

	buffer_init(&buf, 65536);
	if (auth_base64url_decode(&buf, b64, len) < 0) {
		buffer_deinit(&buf);
		return -1;
	}
	*count_r = auth_json_parse_object(pool, (const char *)buf.data,
					  buf.used, members, JWT_MAX_MEMBERS);
	buffer_deinit(&buf);
	return *count_r < 0 ? -1 : 0;
}

static int jwt_check_signature(const struct auth_jwt_keys *keys,
			       const struct jwt_alg *alg, const char *token,
			       const char *sig_b64, const char **error_r)
{
	buffer_t sig;
	bool ok = false;

	buffer_init(&sig, 4096);
	if (auth_base64url_decode(&sig, sig_b64, strlen(sig_b64)) < 0 ||
	    (alg->ec_size > 0 && jwt_ecdsa_to_der(alg, &sig) < 0)) {
		buffer_deinit(&sig);
		*error_r = "malformed signature";
		return -1;
	}
	for (size_t i = 0; i < keys->keys.count && !ok; i++)
		ok = jwt_verify_key(alg, keys->keys.v[i], token,
				    sig_b64 - 1 - token, &sig);
	buffer_deinit(&sig);
	if (!ok)
		*error_r = "signature does not verify with any configured key";
	return ok ? 0 : -1;
}

static int jwt_claim_time(const struct auth_json_member *claims, int count,
			  const char *name, uint64_t *value_r)
{
	const struct auth_json_member *m = auth_json_find(claims, count, name);
	char *end;

	if (m == NULL)
		return 0;
	if (m->type != AUTH_JSON_NUMBER)
		return -1;
	*value_r = strtoull(m->value, &end, 10);
	/* fractions are allowed by RFC 7519 NumericDate */
	return *end == '\0' || *end == '.' ? 1 : -1;
}

static bool jwt_claim_has(const struct auth_json_member *m, const char *want)
{
	if (m == NULL)
		return false;
	if (m->type == AUTH_JSON_STRING)
		return strcmp(m->value, want) == 0;
	if (m->type != AUTH_JSON_STRING_ARRAY)
		return false;
	for (const char *const *s = m->strings; *s != NULL; s++) {
		if (strcmp(*s, want) == 0)
			return true;
	}
	return false;
}

static int jwt_check_claims(const struct auth_jwt_settings *set,
			    const struct auth_json_member *claims, int count,
			    time_t now, const char **error_r)
{
	uint64_t exp = 0, nbf = 0, iat = 0;

	if (jwt_claim_time(claims, count, "exp", &exp) <= 0) {
		*error_r = "missing or invalid exp claim";
		return -1;
	}
	if ((uint64_t)now >= exp + JWT_LEEWAY_SECS) {
		*error_r = "token expired";
		return -1;
	}
	if (jwt_claim_time(claims, count, "nbf", &nbf) < 0 ||
	    jwt_claim_time(claims, count, "iat", &iat) < 0 ||
	    nbf > (uint64_t)now + JWT_LEEWAY_SECS ||
	    iat > (uint64_t)now + JWT_LEEWAY_SECS) {
		*error_r = "token not valid yet";
		return -1;
	}
	if (set->issuer[0] != '\0' &&
	    !jwt_claim_has(auth_json_find(claims, count, "iss"), set->issuer)) {
		*error_r = "wrong issuer";
		return -1;
	}
	if (set->audience[0] != '\0' &&
	    !jwt_claim_has(auth_json_find(claims, count, "aud"),
			   set->audience)) {
		*error_r = "wrong audience";
		return -1;
	}
	return 0;
}

static int jwt_check_header(struct pool *pool, const char *token, size_t len,
			    const struct jwt_alg **alg_r, const char **error_r)
{
	struct auth_json_member members[JWT_MAX_MEMBERS];
	const struct auth_json_member *alg, *typ;
	int count;

	if (jwt_decode_json(pool, token, len, members, &count) < 0) {
		*error_r = "malformed header";
		return -1;
	}
	alg = auth_json_find(members, count, "alg");
	typ = auth_json_find(members, count, "typ");
	if (alg == NULL || alg->type != AUTH_JSON_STRING ||
	    (*alg_r = jwt_alg_find(alg->value)) == NULL) {
		*error_r = "unsupported alg";
		return -1;
	}
	if (typ != NULL && (typ->type != AUTH_JSON_STRING ||
			    (strcasecmp(typ->value, "JWT") != 0 &&
			     strcasecmp(typ->value, "at+jwt") != 0))) {
		*error_r = "unsupported typ";
		return -1;
	}
	if (auth_json_find(members, count, "crit") != NULL) {
		*error_r = "unsupported crit header";
		return -1;
	}
	return 0;
}

int auth_jwt_validate(const struct auth_jwt_keys *keys,
		      const struct auth_jwt_settings *set, const char *token,
		      time_t now, struct pool *pool, const char **username_r,
		      const char **error_r)
{
	struct auth_json_member claims[JWT_MAX_MEMBERS];
	const struct auth_json_member *user;
	const char *dot1 = strchr(token, '.'), *dot2;
	const struct jwt_alg *alg;
	int count;

	dot2 = dot1 == NULL ? NULL : strchr(dot1 + 1, '.');
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL) {
		*error_r = "not a JWS compact serialization";
		return -1;
	}
	if (jwt_check_header(pool, token, dot1 - token, &alg, error_r) < 0 ||
	    jwt_check_signature(keys, alg, token, dot2 + 1, error_r) < 0)
		return -1;
	if (jwt_decode_json(pool, dot1 + 1, dot2 - dot1 - 1, claims, &count) <
	    0) {
		*error_r = "malformed claims";
		return -1;
	}
	if (jwt_check_claims(set, claims, count, now, error_r) < 0)
		return -1;
	user = auth_json_find(claims, count, set->username_claim);
	if (user == NULL || user->type != AUTH_JSON_STRING ||
	    user->value[0] == '\0') {
		*error_r = "no username claim";
		return -1;
	}
	*username_r = user->value;
	return 0;
}
