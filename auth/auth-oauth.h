#ifndef POSTERN_AUTH_OAUTH_H
#define POSTERN_AUTH_OAUTH_H

/* What OAUTHBEARER and XOAUTH2 share: validate the bearer token as a JWT
   against the configured keys, take the user from its claim, check that
   an authorization identity (if any) names the same user, and that the
   user exists. On failure the mechanism sends its error challenge and
   fails when the client acknowledges it. */

#include <stddef.h>

struct auth_request;

struct auth_oauth_ctx {
	/* the error challenge was sent; the next input ends the exchange */
	int failed;
};

/* Verifies token for the request; authzid may be NULL or "". error_json
   is the challenge to send on failure. */
void auth_oauth_verify(struct auth_request *request, const char *token,
		       const char *authzid, const char *error_json);
/* The client's reply to the error challenge. */
void auth_oauth_failed_input(struct auth_request *request);
/* Finds "key=value" among fields separated by \001 in data; value is
   copied into the request pool. NULL when absent. */
const char *auth_oauth_kv_find(struct auth_request *request,
			       const unsigned char *data, size_t size,
			       const char *key);

#endif
