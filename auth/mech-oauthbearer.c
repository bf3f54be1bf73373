#include "auth-oauth.h"
#include "auth-request.h"
#include "pool.h"
#include "sasl-mech.h"
#include "strfuncs.h"

#include <string.h>

/* RFC 7628: gs2-header kvsep *(key=value kvsep) kvsep, with
   "auth=Bearer <token>". On failure the server sends a JSON error as a
   challenge (§3.2.2) and the client answers with a lone \001. */

#define OAUTHBEARER_ERROR_JSON \
	"{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}"

/* Parses "n,a=authzid," or "n,,"; returns the authzid ("" if none) and
   the rest, or NULL for a bad header. */
static const char *oauthbearer_parse_gs2(struct auth_request *request,
					 const unsigned char *data, size_t size,
					 size_t *rest_r)
{
	const unsigned char *comma1, *comma2;
	const char *authzid = "";

	if (size < 3 || (data[0] != 'n' && data[0] != 'y') || data[1] != ',')
		return NULL;
	comma1 = data + 1;
	comma2 = memchr(comma1 + 1, ',', size - 2);
	if (comma2 == NULL)
		return NULL;
	if (comma2 > comma1 + 1) {
		if (comma2 - comma1 < 3 || comma1[1] != 'a' || comma1[2] != '=')
			return NULL;
		authzid = pool_strndup(request->pool, comma1 + 3,
				       comma2 - comma1 - 3);
	}
	*rest_r = comma2 + 1 - data;
	return authzid;
}

static void mech_oauthbearer_continue(struct auth_request *request,
				      const unsigned char *data, size_t size)
{
	const char *authzid, *auth;
	size_t rest;

	if (request->mech_ctx != NULL) {
		auth_oauth_failed_input(request);
		return;
	}
	authzid = oauthbearer_parse_gs2(request, data, size, &rest);
	if (authzid == NULL || rest >= size || data[rest] != '\001') {
		auth_request_fail(request, "OAUTHBEARER: invalid input");
		return;
	}
	auth = auth_oauth_kv_find(request, data + rest + 1, size - rest - 1,
				  "auth");
	if (auth != NULL && str_begins_icase(auth, "Bearer "))
		auth += 7;
	else
		auth = NULL;
	auth_oauth_verify(request, auth, authzid, OAUTHBEARER_ERROR_JSON);
}

static void mech_oauthbearer_initial(struct auth_request *request,
				     const unsigned char *data, size_t size)
{
	mech_oauthbearer_continue(request, data, size);
}

const struct sasl_mech sasl_mech_oauthbearer = {
	.name = "OAUTHBEARER",
	.flags = AUTH_MECH_FLAG_PLAINTEXT,
	.auth_initial = mech_oauthbearer_initial,
	.auth_continue = mech_oauthbearer_continue,
};
