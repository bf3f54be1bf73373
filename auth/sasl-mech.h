#ifndef POSTERN_SASL_MECH_H
#define POSTERN_SASL_MECH_H

/* SASL mechanisms on the server side, one per file (mech-<name>.c).
   A mechanism parses what the client sends, asks the request to verify
   a password or fetch credentials (which runs on the thread pool) and
   answers through auth_request_success/fail/continue_reply(). Every
   input is untrusted network data: parse it bounded, never assert on it. */

#include "auth-protocol.h"

#include <stdbool.h>
#include <stddef.h>

struct auth_request;

struct sasl_mech {
	const char *name;
	/* Security flags of the MECH line. */
	enum auth_mech_flags flags;
	/* The server speaks first (LOGIN): auth_initial is called even
	   without an initial response. Otherwise a missing initial response
	   gets an empty challenge and the client's answer goes to
	   auth_initial. */
	bool server_first;
	/* Needs RFC 9266 tls-exporter data from the client (-PLUS). */
	bool channel_binding;
	/* data is NULL when there was no initial response (server_first
	   mechanisms only). */
	void (*auth_initial)(struct auth_request *request,
			     const unsigned char *data, size_t size);
	void (*auth_continue)(struct auth_request *request,
			      const unsigned char *data, size_t size);
};

/* Case-insensitive; NULL if unknown. */
const struct sasl_mech *sasl_mech_find(const char *name);
/* NULL-terminated list of all mechanisms. */
const struct sasl_mech *const *sasl_mechs_list(void);

extern const struct sasl_mech sasl_mech_plain;
extern const struct sasl_mech sasl_mech_login;
extern const struct sasl_mech sasl_mech_scram_sha1;
extern const struct sasl_mech sasl_mech_scram_sha256;
extern const struct sasl_mech sasl_mech_scram_sha256_plus;
extern const struct sasl_mech sasl_mech_external;
extern const struct sasl_mech sasl_mech_oauthbearer;
extern const struct sasl_mech sasl_mech_xoauth2;
extern const struct sasl_mech sasl_mech_apop;

#endif
