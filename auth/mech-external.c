#include "auth-request.h"
#include "sasl-mech.h"

#include <string.h>

/* RFC 4422 Appendix A: the client is whoever its verified TLS
   certificate says (cert_username from the front end); the message is an
   optional authorization identity, which must name that same user. */

static void mech_external_lookup_cb(struct auth_request *request,
				    enum passdb_result result)
{
	if (result == PASSDB_RESULT_OK)
		auth_request_success(request);
	else
		auth_request_fail_result(request, result);
}

static void mech_external_continue(struct auth_request *request,
				   const unsigned char *data, size_t size)
{
	const char *cert_user = request->info.cert_username, *error;

	if (!request->info.valid_client_cert || cert_user == NULL ||
	    cert_user[0] == '\0') {
		auth_request_fail(request,
				  "EXTERNAL: no valid client certificate");
		return;
	}
	if (memchr(data, '\0', size) != NULL) {
		auth_request_fail(request, "EXTERNAL: NUL in input");
		return;
	}
	if (auth_request_set_username(request, cert_user, &error) < 0) {
		auth_request_fail(request, error);
		return;
	}
	if (size > 0 && strcmp((const char *)data, request->user) != 0 &&
	    strcmp((const char *)data, cert_user) != 0) {
		request->authz_failure = true;
		auth_request_fail(request, "EXTERNAL: authorization identity "
					   "differs from the certificate");
		return;
	}
	auth_request_lookup_user(request, mech_external_lookup_cb);
}

static void mech_external_initial(struct auth_request *request,
				  const unsigned char *data, size_t size)
{
	mech_external_continue(request, data, size);
}

const struct sasl_mech sasl_mech_external = {
	.name = "EXTERNAL",
	.flags = 0,
	.auth_initial = mech_external_initial,
	.auth_continue = mech_external_continue,
};
