#ifndef POSTERN_AUTH_JWT_H
#define POSTERN_AUTH_JWT_H

/* Local validation of OAuth 2.0 bearer tokens that are JWTs (RFC 7519)
   signed with JWS (RFC 7515) by a key we were given as a PEM public key:
   RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA. "none" and HMAC
   algorithms are refused. The token must carry "exp" in the future; "nbf"
   and "iat" must not be in the future (60 s leeway); "iss" and "aud" must
   match when configured. */

#include <time.h>

struct pool;
struct auth_jwt_keys;

struct auth_jwt_settings {
	const char *issuer;   /* "" = not checked */
	const char *audience; /* "" = not checked */
	const char *username_claim;
};

/* Loads space-separated PEM public key files (relative to base_dir).
   Returns NULL with *error_r. */
struct auth_jwt_keys *auth_jwt_keys_load(const char *files,
					 const char *base_dir,
					 const char **error_r);
void auth_jwt_keys_free(struct auth_jwt_keys **keys);

/* Validates token and returns the username claim. Returns 0, or -1 with
   *error_r (for the log; never the token). */
int auth_jwt_validate(const struct auth_jwt_keys *keys,
		      const struct auth_jwt_settings *set, const char *token,
		      time_t now, struct pool *pool, const char **username_r,
		      const char **error_r);

#endif
