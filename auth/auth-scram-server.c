#include "auth-scram-server.h"
#include "auth-base64.h"
#include "password-scheme.h"
#include "pool.h"
#include "strfuncs.h"

#include <openssl/crypto.h>
#include <string.h>

/* Decodes a saslname (RFC 5802 §5.1: "=2C" is ',', "=3D" is '='). */
static const char *scram_decode_saslname(struct pool *pool, const char *in,
					 size_t len)
{
	char *out = pool_strndup(pool, in, len), *dest = out;

	for (const char *p = out; *p != '\0'; p++) {
		if (*p != '=') {
			*dest++ = *p;
		} else if (strncmp(p, "=2C", 3) == 0) {
			*dest++ = ',';
			p += 2;
		} else if (strncmp(p, "=3D", 3) == 0) {
			*dest++ = '=';
			p += 2;
		} else {
			return NULL;
		}
	}
	*dest = '\0';
	return out[0] == '\0' ? NULL : out;
}

/* Splits text at ',' into at most max fields; returns the count. */
static unsigned int scram_split(struct pool *pool, const char *text,
				char **fields, unsigned int max)
{
	char **all = str_split(pool, text, ",");
	unsigned int n = 0;

	while (n < max && all[n] != NULL) {
		fields[n] = all[n];
		n++;
	}
	return all[n] == NULL ? n : max + 1;
}

static int scram_parse_gs2(struct scram_server *server, struct pool *pool,
			   char **fields, const char **error_r)
{
	const char *flag = fields[0];

	if (strcmp(flag, "n") == 0 || strcmp(flag, "y") == 0) {
		server->cbind_flag = flag[0];
	} else if (strcmp(flag, "p=tls-exporter") == 0) {
		server->cbind_flag = 'p';
	} else {
		*error_r = str_begins(flag, "p=")
				   ? "unsupported channel binding type"
				   : "invalid gs2-cbind-flag";
		return -1;
	}
	if (fields[1][0] != '\0') {
		if (!str_begins(fields[1], "a=") ||
		    (server->authzid = scram_decode_saslname(
			     pool, fields[1] + 2, strlen(fields[1]) - 2)) ==
			    NULL) {
			*error_r = "invalid authzid";
			return -1;
		}
	}
	return 0;
}

/* RFC 5802 §6: a PLUS mechanism needs "p="; "p=" needs a PLUS mechanism
   and a channel; "y" with a channel we could bind to is a downgrade. */
static int scram_check_cbind_policy(const struct scram_server *server,
				    const char **error_r)
{
	if (server->plus && server->cbind_flag != 'p') {
		*error_r = "channel binding required";
		return -1;
	}
	if (!server->plus && server->cbind_flag == 'p') {
		*error_r = "channel binding with a non-PLUS mechanism";
		return -1;
	}
	if (server->cbind_flag == 'p' && server->cbind_data == NULL) {
		*error_r = "no channel to bind to";
		return -1;
	}
	if (server->cbind_flag == 'y' && server->cbind_data != NULL) {
		*error_r = "channel binding downgrade detected";
		return -1;
	}
	return 0;
}

int scram_server_parse_client_first(struct scram_server *server,
				    struct pool *pool,
				    const unsigned char *data, size_t size,
				    const char **error_r)
{
	const char *text = pool_strndup(pool, data, size);
	char *fields[8];
	unsigned int n;

	if (strlen(text) != size) {
		*error_r = "NUL in client-first-message";
		return -1;
	}
	n = scram_split(pool, text, fields, 7);
	if (n < 4 || n > 7) {
		*error_r = "malformed client-first-message";
		return -1;
	}
	if (scram_parse_gs2(server, pool, fields, error_r) < 0 ||
	    scram_check_cbind_policy(server, error_r) < 0)
		return -1;
	if (str_begins(fields[2], "m=")) {
		*error_r = "unsupported mandatory extension";
		return -1;
	}
	if (!str_begins(fields[2], "n=") || !str_begins(fields[3], "r=") ||
	    fields[3][2] == '\0' ||
	    (server->username = scram_decode_saslname(
		     pool, fields[2] + 2, strlen(fields[2]) - 2)) == NULL) {
		*error_r = "malformed client-first-message";
		return -1;
	}
	server->client_nonce = fields[3] + 2;
	server->gs2_header = pool_strndup(
		pool, text, strlen(fields[0]) + strlen(fields[1]) + 2);
	server->client_first_bare = text + strlen(server->gs2_header);
	return 0;
}

const char *scram_server_first_message(struct scram_server *server,
				       struct pool *pool,
				       const struct scram_credentials *cred,
				       const char *server_nonce)
{
	string_t *str = str_new(256, 4096);

	server->cred = *cred;
	server->nonce =
		pool_printf(pool, "%s%s", server->client_nonce, server_nonce);
	str_printfa(str, "r=%s,s=", server->nonce);
	auth_base64_encode(str, cred->salt, cred->salt_size);
	str_printfa(str, ",i=%u", cred->iterations);
	server->server_first = pool_strdup(pool, str_c(str));
	str_free(&str);
	return server->server_first;
}

/* The c= attribute must be base64(gs2-header [|| cbind-data]). */
static bool scram_cbind_matches(const struct scram_server *server,
				const char *b64)
{
	size_t gs2_len = strlen(server->gs2_header);
	buffer_t buf;
	bool ok;

	buffer_init(&buf, 4096);
	ok = auth_base64_decode(&buf, b64, strlen(b64)) == 0 &&
	     buf.used >= gs2_len &&
	     memcmp(buf.data, server->gs2_header, gs2_len) == 0;
	if (ok && server->cbind_flag == 'p')
		ok = password_mem_equals(buf.data + gs2_len, buf.used - gs2_len,
					 server->cbind_data,
					 server->cbind_size);
	else if (ok)
		ok = buf.used == gs2_len;
	buffer_deinit(&buf);
	return ok;
}

/* Checks the proof against StoredKey (RFC 5802 §3) and makes the
   ServerSignature. */
static bool scram_check_proof(struct scram_server *server,
			      const char *auth_message, const char *proof_b64,
			      unsigned char *server_sig)
{
	const struct scram_hash *hash = server->hash;
	unsigned char client_sig[SCRAM_MAX_HASH_SIZE];
	unsigned char client_key[SCRAM_MAX_HASH_SIZE];
	unsigned char stored_key[SCRAM_MAX_HASH_SIZE];
	size_t len = strlen(auth_message);
	buffer_t proof;
	bool ok = false;

	buffer_init(&proof, 1024);
	if (auth_base64_decode(&proof, proof_b64, strlen(proof_b64)) == 0 &&
	    proof.used == hash->size) {
		scram_hmac(hash, server->cred.stored_key, hash->size,
			   auth_message, len, client_sig);
		for (size_t i = 0; i < hash->size; i++)
			client_key[i] = proof.data[i] ^ client_sig[i];
		scram_digest(hash, client_key, hash->size, stored_key);
		ok = password_mem_equals(stored_key, hash->size,
					 server->cred.stored_key, hash->size);
	}
	scram_hmac(hash, server->cred.server_key, hash->size, auth_message, len,
		   server_sig);
	buffer_deinit(&proof);
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return ok;
}

int scram_server_verify_final(struct scram_server *server, struct pool *pool,
			      const unsigned char *data, size_t size,
			      const char **reply_r, const char **error_r)
{
	const char *text = pool_strndup(pool, data, size), *proof;
	unsigned char server_sig[SCRAM_MAX_HASH_SIZE];
	const char *auth_message;
	char *fields[8];
	unsigned int n;
	string_t *str;

	proof = strstr(text, ",p=");
	n = scram_split(pool, text, fields, 7);
	if (strlen(text) != size || n < 3 || n > 7 || proof == NULL ||
	    !str_begins(fields[0], "c=") || !str_begins(fields[1], "r=") ||
	    !str_begins(fields[n - 1], "p=")) {
		*error_r = "malformed client-final-message";
		return -1;
	}
	if (strcmp(fields[1] + 2, server->nonce) != 0) {
		*error_r = "wrong nonce";
		return -1;
	}
	if (!scram_cbind_matches(server, fields[0] + 2)) {
		*error_r = "channel binding mismatch";
		return -1;
	}
	auth_message =
		pool_printf(pool, "%s,%s,%.*s", server->client_first_bare,
			    server->server_first, (int)(proof - text), text);
	if (!scram_check_proof(server, auth_message, fields[n - 1] + 2,
			       server_sig))
		return 0;
	str = str_new(128, 1024);
	str_append(str, "v=");
	auth_base64_encode(str, server_sig, server->hash->size);
	*reply_r = pool_strdup(pool, str_c(str));
	str_free(&str);
	return 1;
}
