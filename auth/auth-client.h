#ifndef POSTERN_AUTH_CLIENT_H
#define POSTERN_AUTH_CLIENT_H

/* The asynchronous client of the auth process's auth-client socket, for
   the IMAP, POP3 and LMTP front ends in the mail workers (libpostern-
   auth-client). One struct auth_client per worker loop; it connects on
   first use, keeps the connection, multiplexes many SASL exchanges over it
   by id, and reconnects after the auth process restarts.

   A login with a password (IMAP LOGIN, POP3 USER/PASS):

     struct auth_client_request_params params = {
             .mech = "PLAIN", .service = "imap",
             .local_ip = ..., .remote_ip = ..., .local_port = ...,
             .remote_port = ..., .secured = conn_is_secured(conn),
             .session_id = session_id,
             .initial_resp = <base64 of "\0user\0password">,
     };
     req = auth_client_request_start(client, &params, login_cb, session);

   SASL passthrough (IMAP AUTHENTICATE, POP3 AUTH): start with the client's
   mechanism and initial response (if any); each CONTINUE result carries a
   base64 challenge to relay ("+ <b64>"); relay the client's base64 answer
   with auth_client_request_continue(). SCRAM-SHA-256-PLUS needs
   params.cbind_data from conn_tls_exporter().

   POP3 APOP: mech "APOP" with initial_resp = base64 of the greeting's
   "<...>" challenge, NUL, the user name, NUL and the client's 16-byte MD5
   digest (binary, decoded from its hex); it needs {PLAIN} passwords.

   The callback runs on the loop thread. CONTINUE may come any number of
   times; OK or FAIL comes once and ends the request (it is freed after the
   callback returns). A session that goes away first calls
   auth_client_request_abort(): no callback runs after that. If the
   connection to the auth process is lost, pending requests end with FAIL
   and temp set. */

#include <stdbool.h>
#include <stddef.h>
#include "macros.h"

#include <uv.h>

struct auth_client;
struct auth_client_request;

enum auth_client_result_type {
	AUTH_CLIENT_RESULT_CONTINUE,
	AUTH_CLIENT_RESULT_OK,
	AUTH_CLIENT_RESULT_FAIL,
};

struct auth_client_result {
	enum auth_client_result_type type;
	/* CONTINUE: the base64 challenge ("" for an empty one) */
	const char *challenge;
	/* OK: the user to log in as (normalized by the auth process);
	   FAIL: the user name if the server knew it, else NULL */
	const char *user;
	/* FAIL: a reason meant for the client, or NULL */
	const char *reason;
	/* FAIL: temporary failure (tell the client to try later) */
	bool temp;
	/* FAIL: authentication succeeded but the authorization identity
	   was refused */
	bool authz;
	/* FAIL: the account is disabled */
	bool user_disabled;
	/* every optional field of the reply line ("key=value" or "flag"),
	   NULL-terminated, for extensions */
	char *const *fields;
};

typedef void
auth_client_request_callback_t(struct auth_client_request *request,
			       const struct auth_client_result *result,
			       void *context);

struct auth_client_request_params {
	const char *mech;    /* required, e.g. "PLAIN" */
	const char *service; /* required: "imap", "pop3", "lmtp" */
	const char *local_ip, *remote_ip;
	unsigned int local_port, remote_port;
	/* TLS, loopback or a unix socket: conn_is_secured() */
	bool secured;
	bool valid_client_cert;
	/* subject of the verified client certificate (EXTERNAL) */
	const char *cert_username;
	/* only check the credentials */
	bool nologin;
	const char *session_id;
	/* RFC 9266 tls-exporter data for *-PLUS mechanisms */
	const unsigned char *cbind_data;
	size_t cbind_size;
	/* base64 initial response, or NULL for none */
	const char *initial_resp;
};

/* A client of the socket at path; nothing happens until the first
   request. */
struct auth_client *auth_client_create(uv_loop_t *loop,
				       const char *socket_path);
/* Aborts every request (no callbacks) and closes the connection. */
void auth_client_free(struct auth_client **client);

/* Starts an exchange. Never NULL; an error (connection refused) comes
   as a FAIL result with temp set, from the loop. */
struct auth_client_request *
auth_client_request_start(struct auth_client *client,
			  const struct auth_client_request_params *params,
			  auth_client_request_callback_t *callback,
			  void *context);
/* Sends the client's base64 response to the last CONTINUE. */
void auth_client_request_continue(struct auth_client_request *request,
				  const char *response_b64);
/* Cancels the exchange; the callback is not called again. */
void auth_client_request_abort(struct auth_client_request **request);

typedef void auth_client_ready_callback_t(void *context);

/* Connects now (a client otherwise connects at its first request) and
   calls callback once, when the handshake has ended or the connection
   failed: auth_client_is_connected() then tells which. At once if the
   handshake is already done. A later call replaces the callback. */
void auth_client_connect(struct auth_client *client,
			 auth_client_ready_callback_t *callback, void *context);

/* True for mechanisms with channel binding (RFC 5056's "-PLUS" names),
   which make sense only over TLS: not to be listed on other connections. */
bool auth_mech_needs_tls(const char *mech);

/* True if the server marks mech private (APOP): not to be listed to
   clients as a SASL mechanism. */
bool auth_client_mech_is_private(const struct auth_client *client,
				 const char *mech);

/* True once the server's handshake arrived. */
bool auth_client_is_connected(const struct auth_client *client);
/* The MECH lines' names, space-separated, once connected ("" before). */
const char *auth_client_get_mechs(const struct auth_client *client);
/* True if the server offers mech and its flags allow it: plaintext
   mechanisms only when secured (the server refuses them anyway; a front
   end uses this to hide them: LOGINDISABLED, no USER/PASS). */
bool auth_client_mech_is_usable(const struct auth_client *client,
				const char *mech, bool secured,
				bool allow_plaintext);

#endif
