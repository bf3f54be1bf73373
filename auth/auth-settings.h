#ifndef POSTERN_AUTH_SETTINGS_H
#define POSTERN_AUTH_SETTINGS_H

/* The [auth] section of postern.conf. Relative paths (sockets, databases,
   key files) are relative to data_dir. */

#include "config.h"

#include <stdbool.h>

struct auth_settings {
	/* Dovecot auth-client protocol socket (Postfix, Exim, workers). */
	char *client_socket;
	/* auth-master style userdb socket (LMTP, login, posternctl). */
	char *userdb_socket;
	/* passwd-file:PATH or sqlite:PATH */
	char *passdb;
	/* Where user lookups go; "" means the passdb. */
	char *userdb;
	/* Plaintext mechanisms without TLS on non-local connections. */
	bool allow_plaintext;
	/* Space-separated SASL mechanisms to offer. */
	char *mechanisms;
	char *username_format;
	char *default_domain;
	/* passdb of master users, who may log in as anyone with an
	   authorization identity (PLAIN's authzid); "" = none. */
	char *master_passdb;
	/* Scheme of new passwords (posternctl user add, pw). */
	char *password_scheme;
	/* Delay of every failure reply, as Dovecot's auth_failure_delay. */
	unsigned int failure_delay;
	/* Growing delay after failures: 2^(n-1) s per IP/user, capped. */
	unsigned int penalty_max_delay;
	/* Failures an IP may have per minute before it is refused; 0 = no
	   limit. */
	unsigned int max_failures_per_minute;
	/* Success cache; 0 disables it. */
	unsigned int cache_ttl;
	unsigned int cache_size;
	/* OAUTHBEARER/XOAUTH2: space-separated PEM public key files that
	   may sign the JWTs. */
	char *oauth_keys;
	/* Required "iss" and "aud" claims; "" = not checked. */
	char *oauth_issuer;
	char *oauth_audience;
	/* Claim that names the user. */
	char *oauth_username_claim;
	/* Seconds to wait for one AUTH exchange to finish. */
	unsigned int request_timeout;
	/* Extra debug logs (never passwords). */
	bool debug;
};

extern const struct setting_def auth_setting_defs[];

/* Checks what a table cannot: a known passdb driver, known mechanisms,
   a known password scheme. Returns 0, or -1 with *error_r. */
int auth_settings_check(const struct auth_settings *set, const char **error_r);

#endif
