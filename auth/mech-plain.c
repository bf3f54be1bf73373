#include "auth-request.h"
#include "sasl-mech.h"

#include <string.h>

/* RFC 4616: [authzid] NUL authcid NUL passwd */

static void mech_plain_verify_cb(struct auth_request *request,
				 enum passdb_result result)
{
	if (result == PASSDB_RESULT_OK)
		auth_request_success(request);
	else
		auth_request_fail_result(request, result);
}

static void mech_plain_continue(struct auth_request *request,
				const unsigned char *data, size_t size)
{
	const char *authzid = (const char *)data, *authcid, *password;
	const unsigned char *nul1, *nul2;
	const char *error;

	nul1 = memchr(data, '\0', size);
	nul2 = nul1 == NULL ? NULL
			    : memchr(nul1 + 1, '\0', size - (nul1 + 1 - data));
	if (nul2 == NULL ||
	    memchr(nul2 + 1, '\0', size - (nul2 + 1 - data)) != NULL) {
		auth_request_fail(request, "PLAIN: invalid input");
		return;
	}
	authcid = (const char *)nul1 + 1;
	/* the request's decode buffer is NUL-terminated past size */
	password = (const char *)nul2 + 1;
	if (auth_request_set_username(request, authcid, &error) < 0 ||
	    auth_request_set_login_username(request, authzid, &error) < 0) {
		auth_request_fail(request, error);
		return;
	}
	auth_request_verify_plain(request, password, mech_plain_verify_cb);
}

static void mech_plain_initial(struct auth_request *request,
			       const unsigned char *data, size_t size)
{
	mech_plain_continue(request, data, size);
}

const struct sasl_mech sasl_mech_plain = {
	.name = "PLAIN",
	.flags = AUTH_MECH_FLAG_PLAINTEXT,
	.auth_initial = mech_plain_initial,
	.auth_continue = mech_plain_continue,
};
