#include "auth-request.h"
#include "pool.h"
#include "sasl-mech.h"

#include <string.h>

/* The LOGIN mechanism (draft-murchison-sasl-login): the server asks
   "Username:" and "Password:", the client answers each. Some clients
   send the user name as an initial response. */

static void mech_login_verify_cb(struct auth_request *request,
				 enum passdb_result result)
{
	if (result == PASSDB_RESULT_OK)
		auth_request_success(request);
	else
		auth_request_fail_result(request, result);
}

static void mech_login_continue(struct auth_request *request,
				const unsigned char *data, size_t size)
{
	const char *error;

	if (memchr(data, '\0', size) != NULL) {
		auth_request_fail(request, "LOGIN: NUL in input");
		return;
	}
	if (request->user == NULL) {
		if (auth_request_set_username(request, (const char *)data,
					      &error) < 0) {
			auth_request_fail(request, error);
			return;
		}
		auth_request_continue_reply(request, "Password:", 9);
		return;
	}
	auth_request_verify_plain(request, (const char *)data,
				  mech_login_verify_cb);
}

static void mech_login_initial(struct auth_request *request,
			       const unsigned char *data, size_t size)
{
	if (data == NULL || size == 0)
		auth_request_continue_reply(request, "Username:", 9);
	else
		mech_login_continue(request, data, size);
}

const struct sasl_mech sasl_mech_login = {
	.name = "LOGIN",
	.flags = AUTH_MECH_FLAG_PLAINTEXT,
	.server_first = true,
	.auth_initial = mech_login_initial,
	.auth_continue = mech_login_continue,
};
