#include "auth-scram-mech.h"
#include "auth-base64.h"
#include "auth-request.h"
#include "auth-scram-server.h"
#include "pool.h"

#include <sodium.h>
#include <string.h>

#define SCRAM_NONCE_BYTES 18

const char *auth_scram_test_nonce = NULL;

enum scram_mech_state {
	SCRAM_STATE_CLIENT_FIRST,
	SCRAM_STATE_CREDENTIALS,
	SCRAM_STATE_CLIENT_FINAL,
	SCRAM_STATE_FINAL_ACK,
};

struct scram_mech_ctx {
	struct scram_server server;
	enum scram_mech_state state;
};

static const char *scram_server_nonce(struct pool *pool)
{
	unsigned char raw[SCRAM_NONCE_BYTES];
	string_t *str;
	const char *nonce;

	if (auth_scram_test_nonce != NULL)
		return auth_scram_test_nonce;
	randombytes_buf(raw, sizeof(raw));
	str = str_new(64, 128);
	auth_base64_encode(str, raw, sizeof(raw));
	nonce = pool_strdup(pool, str_c(str));
	str_free(&str);
	return nonce;
}

static const char *scram_scheme_name(const struct scram_hash *hash)
{
	return hash->size == 20 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";
}

static void scram_credentials_cb(struct auth_request *request,
				 enum passdb_result result,
				 const char *credentials)
{
	struct scram_mech_ctx *ctx = request->mech_ctx;
	struct scram_credentials cred;
	const char *error, *first;

	if (result != PASSDB_RESULT_OK) {
		auth_request_fail_result(request, result);
		return;
	}
	if (scram_credentials_parse(ctx->server.hash, credentials, &cred,
				    &error) < 0) {
		auth_request_log(request, LOG_LEVEL_ERROR,
				 "Invalid SCRAM credentials in passdb: %s",
				 error);
		auth_request_fail_result(request,
					 PASSDB_RESULT_INTERNAL_FAILURE);
		return;
	}
	first = scram_server_first_message(&ctx->server, request->pool, &cred,
					   scram_server_nonce(request->pool));
	ctx->state = SCRAM_STATE_CLIENT_FINAL;
	auth_request_continue_reply(request, first, strlen(first));
}

void auth_scram_mech_initial(struct auth_request *request,
			     const struct scram_hash *hash, bool plus,
			     const unsigned char *data, size_t size)
{
	struct scram_mech_ctx *ctx =
		p_new(request->pool, struct scram_mech_ctx, 1);
	const char *error;

	request->mech_ctx = ctx;
	ctx->server.hash = hash;
	ctx->server.plus = plus;
	ctx->server.cbind_data = request->cbind_data;
	ctx->server.cbind_size = request->cbind_size;
	if (scram_server_parse_client_first(&ctx->server, request->pool, data,
					    size, &error) < 0 ||
	    auth_request_set_username(request, ctx->server.username, &error) <
		    0 ||
	    auth_request_set_login_username(request, ctx->server.authzid,
					    &error) < 0) {
		auth_request_fail(request, error);
		return;
	}
	ctx->state = SCRAM_STATE_CREDENTIALS;
	auth_request_lookup_credentials(request, scram_scheme_name(hash),
					scram_credentials_cb);
}

static void scram_mech_final(struct auth_request *request,
			     struct scram_mech_ctx *ctx,
			     const unsigned char *data, size_t size)
{
	const char *reply, *error;
	int ret;

	ret = scram_server_verify_final(&ctx->server, request->pool, data, size,
					&reply, &error);
	if (ret < 0) {
		auth_request_fail(request, error);
	} else if (ret == 0) {
		auth_request_fail_result(request,
					 PASSDB_RESULT_PASSWORD_MISMATCH);
	} else {
		/* as Dovecot: server-final as a challenge, then an empty
		   response before OK, since not every protocol can carry
		   data with its success reply */
		ctx->state = SCRAM_STATE_FINAL_ACK;
		auth_request_continue_reply(request, reply, strlen(reply));
	}
}

void auth_scram_mech_continue(struct auth_request *request,
			      const unsigned char *data, size_t size)
{
	struct scram_mech_ctx *ctx = request->mech_ctx;

	switch (ctx->state) {
	case SCRAM_STATE_CLIENT_FINAL:
		scram_mech_final(request, ctx, data, size);
		break;
	case SCRAM_STATE_FINAL_ACK:
		if (size == 0)
			auth_request_success(request);
		else
			auth_request_fail(request, "SCRAM: unexpected data "
						   "after server-final");
		break;
	case SCRAM_STATE_CLIENT_FIRST:
	case SCRAM_STATE_CREDENTIALS:
		auth_request_fail(request, "SCRAM: unexpected input");
		break;
	}
}
