#include "auth-oauth.h"
#include "auth-request.h"
#include "sasl-mech.h"
#include "strfuncs.h"

/* Google's XOAUTH2: "user=" user \001 "auth=Bearer " token \001 \001.
   On failure a JSON error challenge, answered by an empty response. */

#define XOAUTH2_ERROR_JSON \
	"{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}"

static void mech_xoauth2_continue(struct auth_request *request,
				  const unsigned char *data, size_t size)
{
	const char *user, *auth;

	if (request->mech_ctx != NULL) {
		auth_oauth_failed_input(request);
		return;
	}
	user = auth_oauth_kv_find(request, data, size, "user");
	auth = auth_oauth_kv_find(request, data, size, "auth");
	if (user == NULL || auth == NULL) {
		auth_request_fail(request, "XOAUTH2: invalid input");
		return;
	}
	if (str_begins_icase(auth, "Bearer "))
		auth += 7;
	else
		auth = NULL;
	auth_oauth_verify(request, auth, user, XOAUTH2_ERROR_JSON);
}

static void mech_xoauth2_initial(struct auth_request *request,
				 const unsigned char *data, size_t size)
{
	mech_xoauth2_continue(request, data, size);
}

const struct sasl_mech sasl_mech_xoauth2 = {
	.name = "XOAUTH2",
	.flags = AUTH_MECH_FLAG_PLAINTEXT,
	.auth_initial = mech_xoauth2_initial,
	.auth_continue = mech_xoauth2_continue,
};
