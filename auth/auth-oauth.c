#include "auth-oauth.h"
#include "auth.h"
#include "auth-jwt.h"
#include "auth-request.h"
#include "pool.h"

#include <string.h>
#include <time.h>

static void auth_oauth_fail(struct auth_request *request, const char *reason,
			    const char *error_json)
{
	struct auth_oauth_ctx *ctx = request->mech_ctx;

	auth_request_log(request, LOG_LEVEL_INFO, "%s", reason);
	ctx->failed = 1;
	auth_request_continue_reply(request, error_json, strlen(error_json));
}

static void auth_oauth_lookup_cb(struct auth_request *request,
				 enum passdb_result result)
{
	if (result == PASSDB_RESULT_OK)
		auth_request_success(request);
	else
		auth_request_fail_result(request, result);
}

void auth_oauth_verify(struct auth_request *request, const char *token,
		       const char *authzid, const char *error_json)
{
	const struct auth_settings *set = request->auth->set;
	struct auth_jwt_settings jwt_set = {
		.issuer = set->oauth_issuer,
		.audience = set->oauth_audience,
		.username_claim = set->oauth_username_claim,
	};
	const char *username, *error;

	if (request->mech_ctx == NULL)
		request->mech_ctx =
			p_new(request->pool, struct auth_oauth_ctx, 1);
	if (token == NULL || request->auth->oauth_keys == NULL) {
		auth_oauth_fail(request, "no bearer token", error_json);
		return;
	}
	if (auth_jwt_validate(request->auth->oauth_keys, &jwt_set, token,
			      time(NULL), request->pool, &username,
			      &error) < 0) {
		auth_oauth_fail(
			request,
			pool_printf(request->pool, "invalid token: %s", error),
			error_json);
		return;
	}
	if (auth_request_set_username(request, username, &error) < 0) {
		auth_oauth_fail(request, error, error_json);
		return;
	}
	if (authzid != NULL && authzid[0] != '\0' &&
	    strcmp(authzid, username) != 0 &&
	    strcmp(authzid, request->user) != 0) {
		request->authz_failure = true;
		auth_request_fail(request, "authorization identity differs "
					   "from the token's user");
		return;
	}
	auth_request_lookup_user(request, auth_oauth_lookup_cb);
}

void auth_oauth_failed_input(struct auth_request *request)
{
	auth_request_fail(request, "token rejected");
}

const char *auth_oauth_kv_find(struct auth_request *request,
			       const unsigned char *data, size_t size,
			       const char *key)
{
	size_t key_len = strlen(key);
	const unsigned char *p = data, *end = data + size;

	while (p < end) {
		const unsigned char *next = memchr(p, '\001', end - p);
		size_t len = (next == NULL ? end : next) - p;

		if (len > key_len && memcmp(p, key, key_len) == 0 &&
		    p[key_len] == '=')
			return pool_strndup(request->pool, p + key_len + 1,
					    len - key_len - 1);
		if (next == NULL)
			break;
		p = next + 1;
	}
	return NULL;
}
